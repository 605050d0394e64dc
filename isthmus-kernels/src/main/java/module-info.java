/**
 * Isthmus kernels: SGEMM, convolution (direct, im2col, pointwise) and its fused epilogues,
 * pooling, dense layers, activations, dropout, batch norm, losses and optimizer updates on plain
 * {@code float[]}, with a Panama Vector API implementation and a scalar one, chosen once per JVM.
 *
 * <p>Only {@code dev.isthmus.kernels} is API. The supports behind it ({@code gemm},
 * {@code conv}, {@code elementwise}) and what they run on ({@code runtime}) are internal. The
 * Vector API is optional: add {@code --add-modules jdk.incubator.vector} for the vector kernels;
 * without it the scalar ones run, and the library says so once.
 */
module dev.isthmus.kernels {
    requires static jdk.incubator.vector;
    requires static java.management;

    exports dev.isthmus.kernels;
}
