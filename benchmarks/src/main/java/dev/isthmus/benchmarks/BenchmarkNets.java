package dev.isthmus.benchmarks;

import dev.isthmus.kernels.Padding;
import dev.isthmus.nn.Activation;
import dev.isthmus.nn.ActivationLayer;
import dev.isthmus.nn.Add;
import dev.isthmus.nn.BatchNormalization;
import dev.isthmus.nn.ChestXRayNet;
import dev.isthmus.nn.Conv2D;
import dev.isthmus.nn.Dense;
import dev.isthmus.nn.Dropout;
import dev.isthmus.nn.Flatten;
import dev.isthmus.nn.GlobalAveragePooling2D;
import dev.isthmus.nn.Initializer;
import dev.isthmus.nn.MaxPool2D;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Node;
import dev.isthmus.nn.Shape;
import dev.isthmus.train.Loss;
import dev.isthmus.train.Losses;
import java.util.Locale;

/**
 * The networks the benchmarks time, each built from the public API with PyTorch's parameter
 * names, as {@code torch_nets.py} builds them in PyTorch:
 * <ul>
 *   <li>{@code chestxraynet}: the lesson's network, 1x256x256, sigmoid output and binary
 *       cross-entropy (He-uniform weights, as the command line trains it);
 *   <li>{@code resnet}: a small ResNet for 3x32x32: a conv-BN-ReLU stem of 16 channels, two
 *       basic residual blocks of 16, a stride-2 block to 32 channels with a 1x1 stride-2
 *       projection (conv + BN), global average pooling, Dense 10 (logits, cross-entropy);
 *   <li>{@code vgg}: a small VGG for 3x64x64: conv 32, 32, pool, 64, 64, pool, 128, pool (3x3,
 *       "same", ReLU), Dense 256 + ReLU, Dropout 0.5, Dense 10 (logits, cross-entropy).
 * </ul>
 */
enum BenchmarkNets {

    CHESTXRAYNET(Shape.of(1, 256, 256), 1) {
        @Override
        Model build() {
            return ChestXRayNet.build().initialize(1, Initializer.HE);
        }

        @Override
        Loss loss() {
            return Losses.binaryCrossEntropy();
        }
    },

    RESNET(Shape.of(3, 32, 32), 10) {
        @Override
        Model build() {
            Node in = Node.input(3, 32, 32);
            Node x = convBn("stem", in, 16, 1);
            x = relu(x, "stem.relu");
            x = basicBlock("layer1.0", x, 16, 1);
            x = basicBlock("layer1.1", x, 16, 1);
            x = basicBlock("layer2.0", x, 32, 2);
            x = new GlobalAveragePooling2D().named("pool").apply(x);
            x = new Dense(10).named("fc").apply(x);
            return new Model(in, x).initialize(1);
        }

        private Node basicBlock(String name, Node in, int channels, int stride) {
            Node y = relu(convBn(name + ".conv1", in, channels, stride), name + ".relu1");
            y = convBn(name + ".conv2", y, channels, 1);
            Node shortcut = in;
            if (stride != 1 || in.shape().channels() != channels) {
                Node p = new Conv2D(channels, 1).stride(stride).useBias(false).named(name + ".downsample.0").apply(in);
                shortcut = new BatchNormalization().named(name + ".downsample.1").apply(p);
            }
            return relu(new Add().named(name + ".add").apply(y, shortcut), name + ".relu2");
        }

        private Node convBn(String name, Node in, int channels, int stride) {
            Node c = new Conv2D(channels, 3).stride(stride).padding(Padding.symmetric(1, 1)).useBias(false)
                    .named(name).apply(in);
            return new BatchNormalization().named(name.replace("conv", "bn").replace("stem", "stem.bn")).apply(c);
        }

        @Override
        Loss loss() {
            return Losses.sparseCategoricalCrossEntropyFromLogits();
        }
    },

    VGG(Shape.of(3, 64, 64), 10) {
        @Override
        Model build() {
            Node in = Node.input(3, 64, 64);
            Node x = conv("features.0", in, 32);
            x = conv("features.2", x, 32);
            x = new MaxPool2D().named("features.4").apply(x);
            x = conv("features.5", x, 64);
            x = conv("features.7", x, 64);
            x = new MaxPool2D().named("features.9").apply(x);
            x = conv("features.10", x, 128);
            x = new MaxPool2D().named("features.12").apply(x);
            x = new Flatten().named("flatten").apply(x);
            x = new Dense(256).activation(Activation.RELU).named("classifier.0").apply(x);
            x = new Dropout(0.5f).named("classifier.2").apply(x);
            x = new Dense(10).named("classifier.3").apply(x);
            return new Model(in, x).initialize(1);
        }

        private Node conv(String name, Node in, int channels) {
            return new Conv2D(channels, 3).padding(Padding.SAME).activation(Activation.RELU).named(name).apply(in);
        }

        @Override
        Loss loss() {
            return Losses.sparseCategoricalCrossEntropyFromLogits();
        }
    };

    final Shape input;
    /** Classes, or 1 for a binary task. */
    final int classes;

    BenchmarkNets(Shape input, int classes) {
        this.input = input;
        this.classes = classes;
    }

    abstract Model build();

    abstract Loss loss();

    /** The net named {@code name}, case-insensitively. */
    static BenchmarkNets named(String name) {
        for (BenchmarkNets net : values()) {
            if (net.name().equalsIgnoreCase(name)) {
                return net;
            }
        }
        throw new IllegalArgumentException("unknown net '" + name + "': choose one of "
                + java.util.Arrays.stream(values()).map(n -> n.name().toLowerCase(Locale.ROOT)).toList());
    }

    private static Node relu(Node in, String name) {
        return new ActivationLayer(Activation.RELU).named(name).apply(in);
    }
}
