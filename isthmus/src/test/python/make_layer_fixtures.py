"""Makes fixtures/torch-layers/layers.safetensors: PyTorch 1.13's outputs and gradients for the
layers Isthmus added as extension points, on fixed random inputs.

- grouped: Conv2d(4, 6, 3, padding=1, groups=2) on 2 x 4 x 7 x 6;
- depthwise: Conv2d(3, 6, 3, stride=2, padding=1, groups=3) (depth multiplier 2) on 2 x 3 x 9 x 8;
- transposed: ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1) on 2 x 3 x 5 x 4;
- convbn: Conv2d(3, 5, 3, padding=1) -> BatchNorm2d(5) -> ReLU in eval mode, with running
  statistics that are not the defaults, on 2 x 3 x 6 x 6;
- bntrain: the same in training mode on 5 x 3 x 6 x 6 (batch statistics; the running statistics
  after the step as '<name>.1.running_mean_after' and '_var_after');
- depthwise1: Conv2d(20, 20, 3, padding=1, groups=20) (depth multiplier 1) on 2 x 20 x 7 x 6;
- depthwise1s2: Conv2d(17, 17, 5, stride=2, padding=2, groups=17) on 2 x 17 x 9 x 8.
The cases are drawn in this order, each seeded by the count before it: new ones go last. A rerun
gave 'transposed.dinput' again to within an ulp, not bit for bit (PyTorch's own threads); the
depthwise1 cases were added with the earlier tensors kept as they were.

For each, '<name>.input', the layer's parameters under '<name>.<parameter>', '<name>.output', a
fixed output gradient '<name>.dy', and the gradients of sum(output * dy): '<name>.dinput' and
'<name>.d<parameter>'. Run from the repository root with Debian's python3:
    /usr/bin/python3 isthmus/src/test/python/make_layer_fixtures.py
"""
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
import safetensors_io  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), '..', 'resources', 'fixtures', 'torch-layers')


def case(tensors, name, module, shape, params, train=False):
    torch.manual_seed(len(tensors))
    x = torch.randn(*shape, requires_grad=True)
    module.train(train)
    before = {p: t.detach().clone() for p, t in module.named_buffers()}
    y = module(x)
    dy = torch.randn_like(y)
    (y * dy).sum().backward()
    tensors[name + '.input'] = x.detach().numpy()
    tensors[name + '.output'] = y.detach().numpy()
    tensors[name + '.dy'] = dy.numpy()
    tensors[name + '.dinput'] = x.grad.numpy()
    for p in params:
        t = dict(module.named_parameters())[p] if p in dict(module.named_parameters()) else before[p]
        tensors[name + '.' + p] = t.detach().numpy().astype(np.float32)
        if t.grad is not None:
            tensors[name + '.d' + p] = t.grad.numpy()
    if train:
        for p, t in module.named_buffers():
            if t.dtype == torch.float32:
                tensors[name + '.' + p + '_after'] = t.detach().numpy()


def main():
    torch.manual_seed(0)
    tensors = {}
    case(tensors, 'grouped', nn.Conv2d(4, 6, 3, padding=1, groups=2), (2, 4, 7, 6), ['weight', 'bias'])
    case(tensors, 'depthwise', nn.Conv2d(3, 6, 3, stride=2, padding=1, groups=3), (2, 3, 9, 8), ['weight', 'bias'])
    case(tensors, 'transposed', nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1), (2, 3, 5, 4),
         ['weight', 'bias'])
    convbn = nn.Sequential(nn.Conv2d(3, 5, 3, padding=1), nn.BatchNorm2d(5), nn.ReLU())
    with torch.no_grad():
        convbn[1].running_mean.uniform_(-0.5, 0.5)
        convbn[1].running_var.uniform_(0.5, 2.0)
        convbn[1].weight.uniform_(0.5, 1.5)
        convbn[1].bias.uniform_(-0.3, 0.3)
    case(tensors, 'convbn', convbn, (2, 3, 6, 6),
         ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var'])
    bntrain = nn.Sequential(nn.Conv2d(3, 5, 3, padding=1), nn.BatchNorm2d(5), nn.ReLU())
    with torch.no_grad():
        bntrain[1].running_mean.uniform_(-0.5, 0.5)
        bntrain[1].running_var.uniform_(0.5, 2.0)
        bntrain[1].weight.uniform_(0.5, 1.5)
        bntrain[1].bias.uniform_(-0.3, 0.3)
    case(tensors, 'bntrain', bntrain, (5, 3, 6, 6),
         ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var'], train=True)
    case(tensors, 'depthwise1', nn.Conv2d(20, 20, 3, padding=1, groups=20), (2, 20, 7, 6), ['weight', 'bias'])
    case(tensors, 'depthwise1s2', nn.Conv2d(17, 17, 5, stride=2, padding=2, groups=17), (2, 17, 9, 8),
         ['weight', 'bias'])
    os.makedirs(OUT, exist_ok=True)
    safetensors_io.save(os.path.join(OUT, 'layers.safetensors'), tensors,
                        {'made_by': 'make_layer_fixtures.py', 'torch': torch.__version__})


if __name__ == '__main__':
    main()
