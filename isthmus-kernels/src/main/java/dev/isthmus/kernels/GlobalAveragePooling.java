package dev.isthmus.kernels;

import dev.isthmus.kernels.runtime.WorkerPool;

/**
 * Global average pooling: {@code y[n, c]} is the mean of channel plane {@code (n, c)} of an NCHW
 * batch, as Keras's {@code GlobalAveragePooling2D} and PyTorch's
 * {@code AdaptiveAvgPool2d(1)} followed by flattening. Sums run in double, in a fixed order
 * (see {@link #planeSum}): the same bits on any thread count.
 */
public final class GlobalAveragePooling {

    private GlobalAveragePooling() {}

    /** {@code y[planes]} from {@code x[planes * planeSize]}, where {@code planes = batch * channels}. */
    public static void forward(int planes, int planeSize, float[] x, int xOffset, float[] y, int yOffset) {
        Checks.positive("planes", planes);
        Checks.positive("planeSize", planeSize);
        Checks.span("x", x, xOffset, planes, planeSize, "planes * planeSize");
        Checks.span("y", y, yOffset, planes, "planes");
        if (WorkerPool.sequential(planes)) {
            forwardPlanes(0, planes, planeSize, x, xOffset, y, yOffset);
        } else {
            MaxPooling.forEachPlaneRange(planes, (from, to) -> forwardPlanes(from, to, planeSize, x, xOffset, y, yOffset));
        }
    }

    private static void forwardPlanes(int from, int to, int planeSize, float[] x, int xOffset, float[] y, int yOffset) {
        for (int plane = from; plane < to; plane++) {
            y[yOffset + plane] = (float) (planeSum(x, xOffset + plane * planeSize, planeSize) / planeSize);
        }
    }

    /**
     * The sum of {@code x[at, at + n)} in double: four running sums, value {@code i} in sum
     * {@code i % 4} (the tail in the first), added {@code (s0 + s1) + (s2 + s3)}. One running sum
     * waited on each add's latency: resnet's pooling took 3% of its inference.
     */
    static double planeSum(float[] x, int at, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = at, end = at + n;
        for (; i + 4 <= end; i += 4) {
            s0 += x[i];
            s1 += x[i + 1];
            s2 += x[i + 2];
            s3 += x[i + 3];
        }
        for (; i < end; i++) {
            s0 += x[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code dx} (overwritten): every cell of plane {@code p} gets {@code dy[p] / planeSize}. */
    public static void backward(int planes, int planeSize, float[] dy, int dyOffset, float[] dx, int dxOffset) {
        Checks.positive("planes", planes);
        Checks.positive("planeSize", planeSize);
        Checks.span("dy", dy, dyOffset, planes, "planes");
        Checks.span("dx", dx, dxOffset, planes, planeSize, "planes * planeSize");
        for (int plane = 0; plane < planes; plane++) {
            float g = dy[dyOffset + plane] / planeSize;
            int at = dxOffset + plane * planeSize;
            java.util.Arrays.fill(dx, at, at + planeSize, g);
        }
    }
}
