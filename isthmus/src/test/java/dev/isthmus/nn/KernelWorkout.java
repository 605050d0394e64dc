package dev.isthmus.nn;

import dev.isthmus.kernels.Kernels;
import dev.isthmus.kernels.Padding;
import java.util.SplittableRandom;

/**
 * Runs the kernels hot enough for the JIT to compile them: SGEMM on the shapes of its packed,
 * in-place and narrow paths, then training steps and inference of four small networks that
 * between them reach the direct, Winograd, im2col, strided, pointwise and depthwise convolutions,
 * fused pooling, batch normalisation, residual sums, dense layers (one 8,192 wide) and transposed
 * convolutions. A process of its own, for {@link KernelCompilationTest}, which reads the JVM's
 * compilation log.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp ... dev.isthmus.nn.KernelWorkout [SECONDS_PER_WORKLOAD]</pre>
 */
public final class KernelWorkout {

    private KernelWorkout() {}

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 0.5;
        int[][] gemms = { // m, k, n, transB; 50 x 500 x 32 reads A in place on every width (n <= Blocking.narrowN)
            {256, 256, 256, 0}, {96, 300, 200, 1}, {20, 500, 64, 0}, {20, 64, 500, 1}, {2, 50, 128, 0},
            {64, 576, 128, 0}, {130, 70, 33, 0}, {50, 500, 32, 0}};
        for (int[] g : gemms) {
            sgemm(g[0], g[1], g[2], g[3] == 1, seconds);
        }
        network(ChestXRayNet.build(64, 0.5f).initialize(1, Initializer.HE), 4, seconds);
        network(resnet(), 8, seconds);
        network(vgg(), 8, seconds);
        network(depthwise(), 8, seconds);
        System.err.println("workout done"); // stdout is the JIT's log
    }

    private static void sgemm(int m, int k, int n, boolean transB, double seconds) {
        float[] a = random(m * k, 1), b = random(k * n, 2), c = new float[m * n];
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            Kernels.sgemm(false, transB, m, n, k, 1f, a, 0, k, b, 0, transB ? k : n, 0f, c, 0, n);
        }
    }

    /** Training steps, then inference, each for {@code seconds}. */
    private static void network(Model model, int batch, double seconds) {
        Execution e = model.newExecution();
        float[] x = random(batch * model.inputShape().size(), 3);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            float[] y = e.forward(x, batch, true);
            e.backward(random(y.length, 4));
        }
        end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            e.infer(x, batch);
        }
    }

    /** The benchmarks' ResNet-style net: conv-BN-ReLU, residual blocks, a stride-2 block with a 1x1 projection. */
    private static Model resnet() {
        Node in = Node.input(3, 32, 32);
        Node x = relu(convBn(in, 16, 1));
        x = block(x, 16, 1);
        x = block(x, 32, 2);
        x = new GlobalAveragePooling2D().apply(x);
        return new Model(in, new Dense(10).apply(x)).initialize(1, Initializer.HE);
    }

    private static Node block(Node in, int channels, int stride) {
        Node y = convBn(relu(convBn(in, channels, stride)), channels, 1);
        Node shortcut = in;
        if (stride != 1 || in.shape().channels() != channels) {
            shortcut = new BatchNormalization().apply(
                    new Conv2D(channels, 1).stride(stride).useBias(false).apply(in));
        }
        return relu(new Add().apply(y, shortcut));
    }

    private static Node convBn(Node in, int channels, int stride) {
        return new BatchNormalization().apply(new Conv2D(channels, 3).stride(stride)
                .padding(Padding.symmetric(1, 1)).useBias(false).apply(in));
    }

    private static Node relu(Node x) {
        return new ActivationLayer(Activation.RELU).apply(x);
    }

    /** VGG-style: 3x3 "same" convolutions of 32 and 64 channels, pooling, Dense, Dropout. */
    private static Model vgg() {
        Node in = Node.input(3, 32, 32);
        Node x = conv(conv(in, 32), 32);
        x = new MaxPool2D().apply(x);
        x = conv(conv(x, 64), 64);
        x = new MaxPool2D().apply(x);
        x = new Flatten().apply(conv(x, 128));
        x = new Dropout(0.5f).apply(new Dense(64).activation(Activation.RELU).apply(x));
        return new Model(in, new Dense(10).apply(x)).initialize(1, Initializer.HE);
    }

    private static Node conv(Node in, int channels) {
        return new Conv2D(channels, 3).padding(Padding.SAME).activation(Activation.RELU).apply(in);
    }

    /**
     * MobileNet-style depthwise 3x3 (stride 1 and 2) and pointwise convolutions, then a dilated
     * convolution, average pooling and a transposed convolution.
     */
    private static Model depthwise() {
        Node in = Node.input(16, 32, 32);
        Node x = new DepthwiseConv2D(3).padding(Padding.SAME).activation(Activation.RELU).apply(in);
        x = new Conv2D(32, 1).activation(Activation.RELU).apply(x);
        x = new DepthwiseConv2D(3).stride(2).padding(Padding.symmetric(1, 1)).apply(x);
        x = new Conv2D(16, 3).dilation(2).padding(Padding.SAME).apply(x);
        x = new Conv2DTranspose(8, 2).apply(new AveragePooling2D().apply(x));
        x = new GlobalAveragePooling2D().apply(x);
        return new Model(in, new Dense(4).apply(x)).initialize(1, Initializer.HE);
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble(-1, 1);
        }
        return v;
    }
}
