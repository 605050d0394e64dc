package dev.isthmus.kernels;

import dev.isthmus.kernels.runtime.WorkerPool;
import java.util.Arrays;
import java.util.Objects;

/**
 * 2-D max pooling over NCHW float32 batches, as PyTorch's {@code MaxPool2d}: padding cells never
 * win (they act as negative infinity), ties go to the first cell in row-major order, and a NaN in
 * a window wins (the last NaN, as PyTorch's CPU kernel). The forward pass may record, for each
 * output, the index {@code iy * inWidth + ix} of its winner within the channel plane, so the
 * backward pass routes each gradient to it.
 *
 * <p>Planes ({@code batch * channels} of them) are spread over {@link Parallel}'s threads; each
 * output is computed by one thread the same way, so results do not depend on the thread count.
 */
public final class MaxPooling {

    private final int channels;
    private final Window2d window;

    public MaxPooling(int channels, Window2d window) {
        Checks.positive("channels", channels);
        this.channels = channels;
        this.window = Objects.requireNonNull(window, "window");
        window.requirePoolingPadding("MaxPooling");
    }

    /** Keras's {@code MaxPool2D(pool_size=kernel, strides=stride, padding=...)}. */
    public static MaxPooling of(int channels, int inHeight, int inWidth, int kernel, int stride, Padding padding) {
        return new MaxPooling(channels, Window2d.of(inHeight, inWidth, kernel, stride, padding));
    }

    public int channels() {
        return channels;
    }

    public Window2d window() {
        return window;
    }

    public int inputSize() {
        return channels * window.inSize();
    }

    public int outputSize() {
        return channels * window.outSize();
    }

    /**
     * {@code y = maxpool(x)}; when {@code argmax} is not null, also the winner of each output.
     *
     * @param argmax {@code batch * outputSize()} ints, or null in inference
     */
    public void forward(int batch, float[] x, int xOffset, float[] y, int yOffset, int[] argmax, int argmaxOffset) {
        Checks.positive("batch", batch);
        Checks.span("x", x, xOffset, batch, inputSize(), "batch * C * H * W");
        Checks.span("y", y, yOffset, batch, outputSize(), "batch * C * outH * outW");
        if (argmax != null) {
            Checks.span("argmax", argmax, argmaxOffset, (long) batch * outputSize(), "batch * C * outH * outW");
        }
        int planes = batch * channels;
        if (WorkerPool.sequential(planes)) {
            forwardPlanes(0, planes, x, xOffset, y, yOffset, argmax, argmaxOffset);
        } else {
            forEachPlaneRange(planes, (from, to) -> forwardPlanes(from, to, x, xOffset, y, yOffset, argmax, argmaxOffset));
        }
    }

    private void forwardPlanes(int from, int to, float[] x, int xOffset, float[] y, int yOffset, int[] argmax,
                               int argmaxOffset) {
        Window2d w = window;
        for (int plane = from; plane < to; plane++) {
            int in = xOffset + plane * w.inSize(), out = yOffset + plane * w.outSize();
            int arg = argmax == null ? -1 : argmaxOffset + plane * w.outSize();
            if (w.isTiling() && w.kernelHeight() == 2 && w.kernelWidth() == 2) {
                pool2x2(w, x, in, y, out, argmax, arg);
            } else {
                poolGeneral(w, x, in, y, out, argmax, arg);
            }
        }
    }

    /** {@code dx} (overwritten) gets each {@code dy} at its recorded winner; windows that overlap add up. */
    public void backward(int batch, float[] dy, int dyOffset, int[] argmax, int argmaxOffset, float[] dx, int dxOffset) {
        Checks.positive("batch", batch);
        Checks.span("dy", dy, dyOffset, batch, outputSize(), "batch * C * outH * outW");
        Checks.span("argmax", argmax, argmaxOffset, (long) batch * outputSize(), "batch * C * outH * outW");
        Checks.span("dx", dx, dxOffset, batch, inputSize(), "batch * C * H * W");
        int planes = batch * channels;
        if (WorkerPool.sequential(planes)) {
            backwardPlanes(0, planes, dy, dyOffset, argmax, argmaxOffset, dx, dxOffset);
        } else {
            forEachPlaneRange(planes, (from, to) -> backwardPlanes(from, to, dy, dyOffset, argmax, argmaxOffset, dx, dxOffset));
        }
    }

    private void backwardPlanes(int from, int to, float[] dy, int dyOffset, int[] argmax, int argmaxOffset, float[] dx,
                                int dxOffset) {
        Window2d w = window;
        for (int plane = from; plane < to; plane++) {
            int in = dxOffset + plane * w.inSize(), out = dyOffset + plane * w.outSize();
            int arg = argmaxOffset + plane * w.outSize();
            Arrays.fill(dx, in, in + w.inSize(), 0f);
            for (int o = 0; o < w.outSize(); o++) {
                int at = argmax[arg + o];
                if (at >= 0) { // -1: a window wholly in the padding had no winner
                    dx[in + at] += dy[out + o];
                }
            }
        }
    }

    /**
     * The common 2x2, stride 2, unpadded case. Which cell wins is a coin toss on real feature maps,
     * so nothing here branches on the data: the value is {@code Math.max} of the four (NaN wins, as
     * it should), and the winner's index is picked arithmetically as the first cell equal to it.
     * A window holding NaN (never, in a healthy network) takes the general path's rule instead.
     */
    private static void pool2x2(Window2d w, float[] x, int in, float[] y, int out, int[] argmax, int arg) {
        int inW = w.inWidth(), outW = w.outWidth();
        for (int oy = 0; oy < w.outHeight(); oy++) {
            int r0 = 2 * oy * inW, r1 = r0 + inW;
            int o = out + oy * outW, a = arg + oy * outW;
            for (int ox = 0; ox < outW; ox++) {
                int i0 = r0 + 2 * ox, i2 = r1 + 2 * ox;
                float v0 = x[in + i0], v1 = x[in + i0 + 1], v2 = x[in + i2], v3 = x[in + i2 + 1];
                float m = Math.max(Math.max(v0, v1), Math.max(v2, v3));
                if (m != m) {
                    y[o + ox] = m;
                    if (argmax != null) {
                        argmax[a + ox] = lastNaN(v1, v2, v3, i0, i2);
                    }
                    continue;
                }
                y[o + ox] = m;
                if (argmax != null) {
                    // Adding +0 turns -0 into +0, so equal values have equal bits.
                    int mb = Float.floatToRawIntBits(m + 0f);
                    int pick = i2 + 1;
                    pick += same(v2, mb) * (i2 - pick);
                    pick += same(v1, mb) * (i0 + 1 - pick);
                    pick += same(v0, mb) * (i0 - pick);
                    argmax[a + ox] = pick;
                }
            }
        }
    }

    /** 1 if {@code v} (with -0 as +0) has the bits {@code mb}, else 0; no branch. */
    private static int same(float v, int mb) {
        int d = Float.floatToRawIntBits(v + 0f) ^ mb;
        return ((d | -d) >>> 31) ^ 1;
    }

    /** PyTorch's rule, a NaN replaces the best so far: the last NaN in scan order wins. */
    private static int lastNaN(float v1, float v2, float v3, int i0, int i2) {
        return v3 != v3 ? i2 + 1 : v2 != v2 ? i2 : v1 != v1 ? i0 + 1 : i0;
    }

    private static void poolGeneral(Window2d w, float[] x, int in, float[] y, int out, int[] argmax, int arg) {
        for (int oy = 0; oy < w.outHeight(); oy++) {
            int y0 = oy * w.strideY() - w.padTop();
            for (int ox = 0; ox < w.outWidth(); ox++) {
                int x0 = ox * w.strideX() - w.padLeft();
                float best = Float.NEGATIVE_INFINITY;
                int bestAt = -1;
                for (int ky = 0; ky < w.kernelHeight(); ky++) {
                    int iy = y0 + ky * w.dilationY();
                    if (iy < 0 || iy >= w.inHeight()) {
                        continue;
                    }
                    for (int kx = 0; kx < w.kernelWidth(); kx++) {
                        int ix = x0 + kx * w.dilationX();
                        if (ix < 0 || ix >= w.inWidth()) {
                            continue;
                        }
                        int at = iy * w.inWidth() + ix;
                        float v = x[in + at];
                        if (bestAt < 0 || v > best || v != v) {
                            best = v;
                            bestAt = at;
                        }
                    }
                }
                int o = oy * w.outWidth() + ox;
                y[out + o] = best;
                if (argmax != null) {
                    argmax[arg + o] = bestAt;
                }
            }
        }
    }

    /** Splits planes into contiguous ranges; any split gives the same result. */
    static void forEachPlaneRange(int planes, PlaneRange body) {
        int tasks = Math.min(planes, 4 * Parallel.threads());
        Parallel.forEach(tasks, t -> body.run((int) ((long) planes * t / tasks), (int) ((long) planes * (t + 1) / tasks)));
    }

    interface PlaneRange {
        void run(int from, int to);
    }

    @Override
    public String toString() {
        return "MaxPooling(" + channels + " channels, kernel " + window.kernelHeight() + "x" + window.kernelWidth()
                + ", stride " + window.strideY() + "x" + window.strideX() + ", input " + window.inHeight() + "x"
                + window.inWidth() + " -> " + window.outHeight() + "x" + window.outWidth() + ")";
    }
}
