package dev.isthmus.kernels;

import dev.isthmus.kernels.runtime.WorkerPool;

/**
 * Global average pooling: {@code y[n, c]} is the mean of channel plane {@code (n, c)} of an NCHW
 * batch, as Keras's {@code GlobalAveragePooling2D} and PyTorch's
 * {@code AdaptiveAvgPool2d(1)} followed by flattening. Sums run in double, in order.
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
            int at = xOffset + plane * planeSize;
            double sum = 0;
            for (int i = at; i < at + planeSize; i++) {
                sum += x[i];
            }
            y[yOffset + plane] = (float) (sum / planeSize);
        }
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
