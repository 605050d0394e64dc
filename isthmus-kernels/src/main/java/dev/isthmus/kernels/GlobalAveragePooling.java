package dev.isthmus.kernels;

import dev.isthmus.kernels.elementwise.ElementwiseSupport;
import dev.isthmus.kernels.runtime.WorkerPool;
import dev.isthmus.kernels.runtime.Workspace;

/**
 * Global average pooling: {@code y[n, c]} is the mean of channel plane {@code (n, c)} of an NCHW
 * batch, as Keras's {@code GlobalAveragePooling2D} and PyTorch's
 * {@code AdaptiveAvgPool2d(1)} followed by flattening. A plane is summed as batch norm sums one
 * ({@link ElementwiseSupport#sum}: in vectors, in float within a chunk of 2,048 ({@code BatchNorm.CHUNK}), in
 * double beyond), in a fixed order: the same bits on any thread count.
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
        ElementwiseSupport k = KernelProvider.elementwise();
        double[] sum = Workspace.doubles(Workspace.DoubleSlot.SCRATCH, 1);
        for (int plane = from; plane < to; plane++) {
            int at = xOffset + plane * planeSize;
            sum[0] = 0;
            for (int i = 0; i < planeSize; i += BatchNorm.CHUNK) {
                k.sum(x, at + i, Math.min(BatchNorm.CHUNK, planeSize - i), sum, 0);
            }
            y[yOffset + plane] = (float) (sum[0] / planeSize);
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
