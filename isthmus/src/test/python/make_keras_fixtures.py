"""Makes fixtures/keras/: Keras models saved as Keras 3 does, without Keras (not installable here).

Each model is written twice, byte layout as Keras 3's own saving code writes it:
- <name>.keras: a zip of metadata.json, config.json (serialize_keras_object of the model) and
  model.weights.h5, whose datasets sit at layers/<snake_case(class name)[_k]>/vars/<i> (Keras 3's
  saving_lib: _save_container_state numbers layers by class, not by their names);
- <name>.h5: the legacy format (keras/src/legacy/saving/legacy_h5_format.py): root attributes
  keras_version, backend, model_config (JSON bytes, legacy layer configs without "module"), a
  model_weights group with a layer_names attribute, one group per layer named as the layer with a
  weight_names attribute and the datasets at those paths, and top_level_model_weights.
plus <name>-case.safetensors: an input batch (channels-last, as Keras takes it) and the output of a
NumPy float64 reference forward pass of the same network.

Models: "lesson" (the chest X-ray lesson's build_model at 64x64, auto names), "small" (a
functional net with batch norm, a residual Add, Concatenate, a stride-2 "same" convolution with
odd padding, average pooling, Flatten into Dense, LeakyReLU, softmax; custom layer names, so the
.keras paths differ from the names), "seq" (a Sequential net: Conv2D, MaxPooling2D, Flatten,
Dense), seq-missing-dataset.keras/.h5 (its Dense bias deleted: a bad file), and seq-tf213.keras (its
weights under _layer_checkpoint_dependencies, as tf.keras 2.13-2.15 wrote them). Run from the repository root with Debian's python3 (h5py, NumPy):
    /usr/bin/python3 isthmus/src/test/python/make_keras_fixtures.py
"""
import io
import json
import os
import re
import sys
import zipfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import safetensors_io  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), '..', 'resources', 'fixtures', 'keras')
KERAS_VERSION = '3.6.0'
DTYPE_POLICY = {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'float32'}, 'registered_name': None}


def snake(name):
    """keras.src.utils.naming.to_snake_case."""
    name = re.sub(r'\W+', '', name)
    name = re.sub('(.)([A-Z][a-z]+)', r'\1_\2', name)
    return re.sub('([a-z])([A-Z])', r'\1_\2', name).lower()


class Layer:
    def __init__(self, cls, name, config, inputs, weights=(), weight_names=()):
        self.cls, self.name, self.config, self.inputs = cls, name, config, inputs
        self.weights, self.weight_names = list(weights), list(weight_names)
        self.shape = None  # output shape, batch first (None)


def initializer(name):
    return {'module': 'keras.initializers', 'class_name': name, 'config': {'seed': None}, 'registered_name': None}


class Builder:
    """Builds a Keras 3 config and weights alongside a NumPy forward pass."""

    def __init__(self, model_name, rng):
        self.model_name, self.rng, self.layers = model_name, rng, []

    def add(self, layer, shape):
        layer.shape = shape
        self.layers.append(layer)
        return layer

    def input(self, shape, name='input_layer'):
        return self.add(Layer('InputLayer', name, {'batch_shape': [None, *shape], 'dtype': 'float32', 'sparse': False,
                                                   'name': name}, []), [None, *shape])

    def conv(self, x, filters, k, name, strides=1, padding='valid', activation='linear'):
        h, w, c = x.shape[1:]
        out = [same(h, strides) if padding == 'same' else (h - k) // strides + 1,
               same(w, strides) if padding == 'same' else (w - k) // strides + 1, filters]
        kernel = self.rng.uniform(-1, 1, (k, k, c, filters)) * np.sqrt(6 / (k * k * (c + filters)))
        bias = self.rng.uniform(-0.2, 0.2, filters)
        cfg = {'name': name, 'trainable': True, 'dtype': DTYPE_POLICY, 'filters': filters, 'kernel_size': [k, k],
               'strides': [strides, strides], 'padding': padding, 'data_format': 'channels_last',
               'dilation_rate': [1, 1], 'groups': 1, 'activation': activation, 'use_bias': True,
               'kernel_initializer': initializer('GlorotUniform'), 'bias_initializer': initializer('Zeros'),
               'kernel_regularizer': None, 'bias_regularizer': None, 'activity_regularizer': None,
               'kernel_constraint': None, 'bias_constraint': None}
        return self.add(Layer('Conv2D', name, cfg, [x], [kernel, bias], ['kernel', 'bias']), [None, *out])

    def dense(self, x, units, name, activation='linear'):
        n = x.shape[1]
        kernel = self.rng.uniform(-1, 1, (n, units)) * np.sqrt(6 / (n + units))
        bias = self.rng.uniform(-0.2, 0.2, units)
        cfg = {'name': name, 'trainable': True, 'dtype': DTYPE_POLICY, 'units': units, 'activation': activation,
               'use_bias': True, 'kernel_initializer': initializer('GlorotUniform'),
               'bias_initializer': initializer('Zeros'), 'kernel_regularizer': None, 'bias_regularizer': None,
               'kernel_constraint': None, 'bias_constraint': None}
        return self.add(Layer('Dense', name, cfg, [x], [kernel, bias], ['kernel', 'bias']), [None, units])

    def batch_norm(self, x, name):
        c = x.shape[-1]
        weights = [self.rng.uniform(0.5, 1.5, c), self.rng.uniform(-0.3, 0.3, c), self.rng.uniform(-0.5, 0.5, c),
                   self.rng.uniform(0.5, 2.0, c)]
        cfg = {'name': name, 'trainable': True, 'dtype': DTYPE_POLICY, 'axis': -1, 'momentum': 0.99,
               'epsilon': 0.001, 'center': True, 'scale': True, 'beta_initializer': initializer('Zeros'),
               'gamma_initializer': initializer('Ones'), 'moving_mean_initializer': initializer('Zeros'),
               'moving_variance_initializer': initializer('Ones'), 'beta_regularizer': None,
               'gamma_regularizer': None, 'beta_constraint': None, 'gamma_constraint': None, 'synchronized': False}
        return self.add(Layer('BatchNormalization', name, cfg, [x], weights,
                              ['gamma', 'beta', 'moving_mean', 'moving_variance']), x.shape)

    def pool(self, cls, x, name, size=2, strides=None, padding='valid'):
        strides = strides or size
        h, w, c = x.shape[1:]
        out = [(h - size) // strides + 1, (w - size) // strides + 1, c]
        cfg = {'name': name, 'trainable': True, 'dtype': DTYPE_POLICY, 'pool_size': [size, size], 'padding': padding,
               'strides': [strides, strides], 'data_format': 'channels_last'}
        return self.add(Layer(cls, name, cfg, [x]), [None, *out])

    def simple(self, cls, x, name, shape=None, **extra):
        cfg = {'name': name, 'trainable': True, 'dtype': DTYPE_POLICY, **extra}
        inputs = x if isinstance(x, list) else [x]
        return self.add(Layer(cls, name, cfg, inputs), shape or inputs[0].shape)

    # --- the files ---

    def config(self, output, legacy=False, sequential=False):
        layers = []
        for layer in self.layers:
            entry = {'class_name': layer.cls, 'config': layer.config}
            if not legacy:
                entry = {'module': 'keras.layers', **entry, 'registered_name': None}
                if layer.cls != 'InputLayer':
                    entry['build_config'] = {'input_shape': layer.inputs[0].shape if len(layer.inputs) == 1
                                             else [i.shape for i in layer.inputs]}
            if not sequential:
                entry['name'] = layer.name
                tensors = [{'class_name': '__keras_tensor__', 'config': {'shape': i.shape, 'dtype': 'float32',
                                                                         'keras_history': [i.name, 0, 0]}}
                           for i in layer.inputs]
                entry['inbound_nodes'] = [] if not tensors else [
                    {'args': [tensors[0]] if len(tensors) == 1 else [tensors], 'kwargs': {}}]
            layers.append(entry)
        if sequential:
            config = {'name': self.model_name, 'trainable': True, 'dtype': DTYPE_POLICY, 'layers': layers,
                      'build_input_shape': self.layers[0].shape}
            top = {'class_name': 'Sequential', 'config': config}
            if not legacy:
                top = {'module': 'keras', **top, 'registered_name': None,
                       'build_config': {'input_shape': self.layers[0].shape}, 'compile_config': None}
            return top
        config = {'name': self.model_name, 'trainable': True, 'layers': layers,
                  'input_layers': [self.layers[0].name, 0, 0], 'output_layers': [output.name, 0, 0]}
        top = {'class_name': 'Functional', 'config': config}
        if not legacy:
            top = {'module': 'keras.src.models.functional', **top, 'registered_name': 'Functional',
                   'build_config': {'input_shape': None}, 'compile_config': None}
        return top

    def save_keras(self, path, output, sequential=False):
        weights = io.BytesIO()
        with h5py.File(weights, 'w') as h5:
            h5.create_group('vars')  # the model's own (none)
            used = {}
            for layer in self.layers:
                if sequential and layer.cls == 'InputLayer':
                    continue  # Sequential.layers leaves the InputLayer out
                name = snake(layer.cls)
                if name in used:
                    used[name] += 1
                    name = f'{name}_{used[name]}'
                else:
                    used[name] = 0
                group = h5.create_group(f'layers/{name}').create_group('vars')
                for i, w in enumerate(layer.weights):
                    group[str(i)] = w.astype(np.float32)
        with zipfile.ZipFile(path, 'w') as zf:
            put(zf, 'metadata.json', json.dumps({'keras_version': KERAS_VERSION,
                                                 'date_saved': '2026-11-25@12:00:00'}).encode())
            put(zf, 'config.json', json.dumps(self.config(output, sequential=sequential)).encode())
            put(zf, 'model.weights.h5', weights.getvalue())

    def save_h5(self, path, output, sequential=False):
        with h5py.File(path, 'w') as f:
            f.attrs['keras_version'] = KERAS_VERSION
            f.attrs['backend'] = 'tensorflow'
            f.attrs['model_config'] = json.dumps(self.config(output, legacy=True, sequential=sequential)).encode('utf8')
            g = f.create_group('model_weights')
            layers = [l for l in self.layers if not (sequential and l.cls == 'InputLayer')]
            g.attrs['layer_names'] = [l.name.encode('utf8') for l in layers]
            g.attrs['backend'] = b'tensorflow'
            g.attrs['keras_version'] = KERAS_VERSION.encode('utf8')
            scope = f'{self.model_name}/' if sequential else ''  # variable paths: Sequential builds them in its scope
            for layer in sorted(layers, key=lambda l: l.name):
                lg = g.create_group(layer.name)
                names = [f'{scope}{layer.name}/{n}'.encode('utf8') for n in layer.weight_names]
                lg.attrs['weight_names'] = names
                for n, w in zip(names, layer.weights):
                    w = w.astype(np.float32)
                    lg.create_dataset(n, w.shape, dtype=w.dtype)[:] = w
            top = g.create_group('top_level_model_weights')
            top.attrs['weight_names'] = []


def put(zf, name, data):
    """A zip entry with a fixed date, so the fixtures come out the same on every run."""
    zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 25, 12, 0, 0)), data)


def same(n, stride):
    return -(-n // stride)


# --- NumPy reference (float64, channels-last, Keras semantics) ---

def act(x, name):
    if name == 'relu':
        return np.maximum(x, 0)
    if name == 'tanh':
        return np.tanh(x)
    if name == 'sigmoid':
        return 1 / (1 + np.exp(-x))
    if name == 'softmax':
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    assert name == 'linear'
    return x


def pad_same(n, k, s):
    total = max((same(n, s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def conv_ref(x, kernel, bias, strides, padding):
    k = kernel.shape[0]
    if padding == 'same':
        (t, b), (l, r) = pad_same(x.shape[1], k, strides), pad_same(x.shape[2], k, strides)
        x = np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)))
    n, h, w, _ = x.shape
    oh, ow = (h - k) // strides + 1, (w - k) // strides + 1
    y = np.zeros((n, oh, ow, kernel.shape[3]))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * strides:i * strides + k, j * strides:j * strides + k, :]
            y[:, i, j, :] = np.tensordot(patch, kernel, axes=([1, 2, 3], [0, 1, 2]))
    return y + bias


def pool_ref(x, size, strides, op):
    n, h, w, c = x.shape
    oh, ow = (h - size) // strides + 1, (w - size) // strides + 1
    y = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            y[:, i, j, :] = op(x[:, i * strides:i * strides + size, j * strides:j * strides + size, :], axis=(1, 2))
    return y


def forward(builder, x):
    values = {}
    for layer in builder.layers:
        cfg = layer.config
        ins = [values[i.name] for i in layer.inputs]
        if layer.cls == 'InputLayer':
            y = x
        elif layer.cls == 'Conv2D':
            y = act(conv_ref(ins[0], *layer.weights, cfg['strides'][0], cfg['padding']), cfg['activation'])
        elif layer.cls == 'Dense':
            y = act(ins[0] @ layer.weights[0] + layer.weights[1], cfg['activation'])
        elif layer.cls == 'BatchNormalization':
            g, b, m, v = layer.weights
            y = (ins[0] - m) / np.sqrt(v + cfg['epsilon']) * g + b
        elif layer.cls == 'MaxPooling2D':
            y = pool_ref(ins[0], cfg['pool_size'][0], cfg['strides'][0], np.max)
        elif layer.cls == 'AveragePooling2D':
            y = pool_ref(ins[0], cfg['pool_size'][0], cfg['strides'][0], np.mean)
        elif layer.cls == 'GlobalAveragePooling2D':
            y = ins[0].mean(axis=(1, 2))
        elif layer.cls == 'Flatten':
            y = ins[0].reshape(ins[0].shape[0], -1)  # channels-last: (h, w, c) order
        elif layer.cls == 'Dropout':
            y = ins[0]
        elif layer.cls == 'Add':
            y = sum(ins)
        elif layer.cls == 'Concatenate':
            y = np.concatenate(ins, axis=-1)
        elif layer.cls == 'ReLU':
            y = np.maximum(ins[0], 0)
        elif layer.cls == 'LeakyReLU':
            y = np.where(ins[0] > 0, ins[0], cfg['negative_slope'] * ins[0])
        elif layer.cls == 'Activation':
            y = act(ins[0], cfg['activation'])
        else:
            raise ValueError(layer.cls)
        values[layer.name] = y
    return y


def lesson(rng, side=64):
    """The lesson's build_model(input_shape=(side, side, 1), dropout_rate=0.6), auto-named."""
    b = Builder('functional', rng)
    x = b.input([side, side, 1])
    counts = {}

    def auto(cls):
        base = snake(cls)
        k = counts.get(base, 0)
        counts[base] = k + 1
        return base if k == 0 else f'{base}_{k}'

    for i, (f, k) in enumerate(zip([8, 8, 12, 12, 20, 20, 50], [3, 3, 3, 3, 5, 5, 5])):
        x = b.conv(x, f, k, auto('Conv2D'), padding='same', activation='relu')
        if i < 6:
            x = b.pool('MaxPooling2D', x, auto('MaxPooling2D'))
    x = b.simple('GlobalAveragePooling2D', x, auto('GlobalAveragePooling2D'), [None, 50],
                 data_format='channels_last', keepdims=False)
    x = b.dense(x, 128, auto('Dense'), 'relu')
    x = b.simple('Dropout', x, auto('Dropout'), rate=0.6, seed=None, noise_shape=None)
    x = b.dense(x, 32, auto('Dense'), 'relu')
    x = b.dense(x, 1, auto('Dense'), 'sigmoid')
    return b, x


def small(rng):
    b = Builder('small', rng)
    x0 = b.input([12, 12, 3], name='image')
    a = b.conv(x0, 4, 3, 'stem', padding='same', activation='relu')
    bn = b.batch_norm(a, 'stem_bn')
    c = b.conv(bn, 4, 3, 'branch', padding='same')
    d = b.simple('Add', [bn, c], 'residual')
    e = b.simple('ReLU', d, 'residual_relu', max_value=None, negative_slope=0.0, threshold=0.0)
    f = b.simple('Concatenate', [e, x0], 'with_image', [None, 12, 12, 7], axis=-1)
    g = b.pool('MaxPooling2D', f, 'pool')
    h = b.conv(g, 6, 3, 'down', strides=2, padding='same', activation='tanh')  # 6 -> 3: padding 0 top, 1 bottom
    i = b.pool('AveragePooling2D', h, 'smooth', size=2, strides=1)
    j = b.simple('Flatten', i, 'flatten', [None, 24], data_format='channels_last')
    k = b.dense(j, 8, 'hidden', 'relu')
    l = b.simple('Dropout', k, 'drop', rate=0.3, seed=None, noise_shape=None)
    m = b.simple('LeakyReLU', l, 'leaky', negative_slope=0.2)
    n = b.dense(m, 8, 'hidden2')
    o = b.batch_norm(n, 'hidden2_bn')
    p = b.simple('Activation', o, 'squash', activation='sigmoid')
    q = b.dense(p, 3, 'classes', 'softmax')
    return b, q


def seq(rng):
    b = Builder('sequential', rng)
    x = b.input([8, 8, 2])
    x = b.conv(x, 5, 3, 'conv2d', activation='relu')
    x = b.pool('MaxPooling2D', x, 'max_pooling2d')
    x = b.simple('Flatten', x, 'flatten', [None, 45], data_format='channels_last')
    x = b.dense(x, 4, 'dense', 'softmax')
    return b, x


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(17)
    for name, make, batch, sequential in [('lesson', lesson, 2, False), ('small', small, 3, False),
                                          ('seq', seq, 3, True)]:
        b, out = make(rng)
        if name == 'lesson':  # larger weights than Glorot's so the two images' outputs differ clearly
            for layer in b.layers:
                if layer.weights:
                    layer.weights[0] = layer.weights[0] * 2
        for layer in b.layers:  # the reference computes with the float32 values the files hold
            layer.weights = [w.astype(np.float32).astype(np.float64) for w in layer.weights]
        x = rng.normal(size=[batch, *b.layers[0].shape[1:]]).astype(np.float32)
        y = forward(b, x.astype(np.float64))
        b.save_keras(os.path.join(OUT, f'{name}.keras'), out, sequential)
        b.save_h5(os.path.join(OUT, f'{name}.h5'), out, sequential)
        safetensors_io.save(os.path.join(OUT, f'{name}-case.safetensors'),
                            {'input': x, 'output': y.astype(np.float32)}, {'layout': 'NHWC'})
        print(name, 'output', y.ravel()[:6])
        if name == 'seq':
            damaged(os.path.join(OUT, 'seq.keras'), os.path.join(OUT, 'seq.h5'))


def damaged(archive, legacy):
    """Bad files: the Dense bias dataset deleted from each layout (HDF5 missing a dataset)."""
    with zipfile.ZipFile(archive) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    entries_ok = dict(entries)
    weights = io.BytesIO(entries['model.weights.h5'])
    with h5py.File(weights, 'r+') as h5:
        del h5['layers/dense/vars/1']
    entries['model.weights.h5'] = weights.getvalue()
    with zipfile.ZipFile(os.path.join(OUT, 'seq-missing-dataset.keras'), 'w') as zf:
        for n, data in entries.items():
            put(zf, n, data)
    weights = io.BytesIO(entries_ok['model.weights.h5'])
    with h5py.File(weights, 'r+') as h5:  # tf.keras 2.13-2.15's name for a model's layer list
        h5.move('layers', '_layer_checkpoint_dependencies')
    with zipfile.ZipFile(os.path.join(OUT, 'seq-tf213.keras'), 'w') as zf:
        for n, data in {**entries_ok, 'model.weights.h5': weights.getvalue()}.items():
            put(zf, n, data)
    target = os.path.join(OUT, 'seq-missing-dataset.h5')
    with open(legacy, 'rb') as src, open(target, 'wb') as dst:
        dst.write(src.read())
    with h5py.File(target, 'r+') as h5:
        del h5['model_weights/dense/sequential/dense/bias']


if __name__ == '__main__':
    main()
