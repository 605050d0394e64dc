package dev.isthmus.kernels;

import java.util.Objects;

/**
 * 2-D convolution (cross-correlation, as in PyTorch and Keras) over NCHW float32 batches, by
 * im2col and {@link Kernels#sgemm SGEMM}.
 *
 * <p>Per image, {@code y[Cout, P] = W[Cout, K] x col[K, P] + bias}, where {@code K = Cin * kh * kw},
 * {@code P = outHeight * outWidth} and column {@code p} of {@code col} is the receptive field of
 * output position {@code p}. Weights are laid out {@code [Cout][Cin][kh][kw]}, as PyTorch's
 * {@code Conv2d.weight}. A 1x1 convolution with stride 1 and no padding multiplies the input in
 * place, with no im2col.
 *
 * <p>Images are spread over {@link Parallel}'s threads, each with its own column buffer kept
 * between calls; a single image runs the SGEMM itself on all threads. Weight gradients are summed
 * over the batch in groups fixed by the batch size alone, then the groups in order, so every
 * result is bitwise identical for any thread count. Instances are immutable; forward calls may
 * run concurrently, and so may backward calls that write to different arrays.
 */
public final class Conv2d {

    /** Most partial weight-gradient groups, and the most floats they may take together. */
    private static final int MAX_GROUPS = 16;
    private static final long MAX_PARTIAL_FLOATS = 1L << 24;

    private final int inChannels;
    private final int outChannels;
    private final Window2d window;
    private final int patch; // K
    private final boolean direct;
    /** The data gradient as a forward convolution of dy, when stride and dilation are 1; else null. */
    private final Conv2d transposed;

    /**
     * @throws IllegalArgumentException if a channel count is not positive
     */
    public Conv2d(int inChannels, int outChannels, Window2d window) {
        this(inChannels, outChannels, window, true);
    }

    /** {@code withTransposed}: false for the transposed convolution itself, which never runs backward. */
    private Conv2d(int inChannels, int outChannels, Window2d window, boolean withTransposed) {
        Checks.positive("inChannels", inChannels);
        Checks.positive("outChannels", outChannels);
        this.window = Objects.requireNonNull(window, "window");
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.patch = Math.multiplyExact(inChannels, window.kernelSize());
        this.direct = window.kernelSize() == 1 && window.strideY() == 1 && window.strideX() == 1
                && window.padTop() == 0 && window.padLeft() == 0 && window.padBottom() == 0 && window.padRight() == 0;
        this.transposed = direct || !withTransposed ? null : transposedOrNull(inChannels, outChannels, window);
    }

    /**
     * At stride 1 and dilation 1 the data gradient is itself a convolution: dy, padded by
     * {@code k - 1 - pad} on each side, with the weights flipped and their channel axes swapped.
     * That runs through im2col and SGEMM like a forward pass, instead of scattering a
     * {@code K x P} column gradient back through col2im.
     */
    private static Conv2d transposedOrNull(int inChannels, int outChannels, Window2d w) {
        if (w.strideY() != 1 || w.strideX() != 1 || w.dilationY() != 1 || w.dilationX() != 1) {
            return null;
        }
        int top = w.kernelHeight() - 1 - w.padTop(), bottom = w.kernelHeight() - 1 - w.padBottom();
        int left = w.kernelWidth() - 1 - w.padLeft(), right = w.kernelWidth() - 1 - w.padRight();
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            return null; // padding wider than the kernel: keep col2im
        }
        Window2d back = Window2d.of(w.outHeight(), w.outWidth(), w.kernelHeight(), w.kernelWidth(), 1, 1, 1, 1,
                Padding.explicit(top, left, bottom, right));
        if (back.outHeight() != w.inHeight() || back.outWidth() != w.inWidth()) {
            throw new IllegalStateException("transposed window " + back + " does not map back onto " + w);
        }
        return new Conv2d(outChannels, inChannels, back, false);
    }

    /** Square kernel, equal strides, no dilation. */
    public static Conv2d of(int inChannels, int inHeight, int inWidth, int outChannels,
                            int kernel, int stride, Padding padding) {
        return new Conv2d(inChannels, outChannels, Window2d.of(inHeight, inWidth, kernel, stride, padding));
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public Window2d window() {
        return window;
    }

    /** Floats per input image: {@code Cin * inHeight * inWidth}. */
    public int inputSize() {
        return inChannels * window.inSize();
    }

    /** Floats per output image: {@code Cout * outHeight * outWidth}. */
    public int outputSize() {
        return outChannels * window.outSize();
    }

    /** Floats in the weight tensor: {@code Cout * Cin * kh * kw}. */
    public int weightSize() {
        return outChannels * patch;
    }

    /** Multiply-adds per image in the forward pass (each backward pass does as many). */
    public long macsPerImage() {
        return (long) outChannels * patch * window.outSize();
    }

    /**
     * {@code y = conv(x, w) + bias} for {@code batch} images.
     *
     * @param bias {@code Cout} values, or null for none
     */
    public void forward(int batch, float[] x, int xOffset, float[] w, int wOffset,
                        float[] bias, int biasOffset, float[] y, int yOffset) {
        checkBatch(batch);
        Checks.span("x", x, xOffset, (long) batch * inputSize(), "batch * Cin * H * W = " + batch + " * " + inputSize());
        Checks.span("w", w, wOffset, weightSize(), "Cout * Cin * kh * kw");
        if (bias != null) {
            Checks.span("bias", bias, biasOffset, outChannels, "Cout");
        }
        Checks.span("y", y, yOffset, (long) batch * outputSize(), "batch * Cout * outH * outW = " + batch + " * " + outputSize());
        int p = window.outSize();
        forEachImage(batch, n -> {
            int xb = xOffset + n * inputSize(), yb = yOffset + n * outputSize();
            if (direct) {
                Kernels.sgemm(false, false, outChannels, p, patch, 1f, w, wOffset, patch, x, xb, p, 0f, y, yb, p);
            } else {
                float[] col = Workspace.floats(Workspace.Slot.COLUMNS, (long) patch * p);
                Im2col.im2col(window, inChannels, x, xb, col);
                Kernels.sgemm(false, false, outChannels, p, patch, 1f, w, wOffset, patch, col, 0, p, 0f, y, yb, p);
            }
            if (bias != null) {
                for (int oc = 0; oc < outChannels; oc++) {
                    float b = bias[biasOffset + oc];
                    int row = yb + oc * p;
                    for (int i = row; i < row + p; i++) {
                        y[i] += b;
                    }
                }
            }
        });
    }

    /** {@code dx = d(loss)/dx} from {@code dy = d(loss)/dy}; dx is overwritten. */
    public void backwardData(int batch, float[] dy, int dyOffset, float[] w, int wOffset, float[] dx, int dxOffset) {
        checkBatch(batch);
        Checks.span("dy", dy, dyOffset, (long) batch * outputSize(), "batch * Cout * outH * outW = " + batch + " * " + outputSize());
        Checks.span("w", w, wOffset, weightSize(), "Cout * Cin * kh * kw");
        Checks.span("dx", dx, dxOffset, (long) batch * inputSize(), "batch * Cin * H * W = " + batch + " * " + inputSize());
        if (transposed != null) {
            int kh = window.kernelHeight(), kw = window.kernelWidth(), taps = kh * kw;
            float[] flipped = Workspace.floats(Workspace.Slot.FLIPPED_WEIGHTS, weightSize());
            for (int oc = 0; oc < outChannels; oc++) {
                for (int ic = 0; ic < inChannels; ic++) {
                    int from = wOffset + (oc * inChannels + ic) * taps, to = (ic * outChannels + oc) * taps;
                    for (int t = 0; t < taps; t++) {
                        flipped[to + t] = w[from + taps - 1 - t]; // (ky, kx) -> (kh-1-ky, kw-1-kx)
                    }
                }
            }
            transposed.forward(batch, dy, dyOffset, flipped, 0, null, 0, dx, dxOffset);
            return;
        }
        int p = window.outSize();
        forEachImage(batch, n -> {
            int dyb = dyOffset + n * outputSize(), dxb = dxOffset + n * inputSize();
            if (direct) {
                Kernels.sgemm(true, false, inChannels, p, outChannels, 1f, w, wOffset, patch, dy, dyb, p, 0f, dx, dxb, p);
            } else {
                float[] dcol = Workspace.floats(Workspace.Slot.COLUMN_GRADIENT, (long) patch * p);
                Kernels.sgemm(true, false, patch, p, outChannels, 1f, w, wOffset, patch, dy, dyb, p, 0f, dcol, 0, p);
                Im2col.col2im(window, inChannels, dcol, dx, dxb);
            }
        });
    }

    /**
     * {@code dw = d(loss)/dw} and {@code dbias = d(loss)/dbias}, summed over the batch; both are
     * overwritten.
     *
     * @param dbias {@code Cout} values, or null to skip the bias gradient
     */
    public void backwardWeights(int batch, float[] x, int xOffset, float[] dy, int dyOffset,
                                float[] dw, int dwOffset, float[] dbias, int dbiasOffset) {
        checkBatch(batch);
        Checks.span("x", x, xOffset, (long) batch * inputSize(), "batch * Cin * H * W = " + batch + " * " + inputSize());
        Checks.span("dy", dy, dyOffset, (long) batch * outputSize(), "batch * Cout * outH * outW = " + batch + " * " + outputSize());
        Checks.span("dw", dw, dwOffset, weightSize(), "Cout * Cin * kh * kw");
        if (dbias != null) {
            Checks.span("dbias", dbias, dbiasOffset, outChannels, "Cout");
        }
        int p = window.outSize();
        int wSize = weightSize();
        int groups = groups(batch);
        // Group g sums images [g * batch / groups, (g + 1) * batch / groups) in order into its
        // own slice; a single group writes straight into dw.
        float[] partial = groups == 1 ? dw : Workspace.floats(Workspace.Slot.PARTIAL_SUMS, (long) groups * wSize);
        int partialBase = groups == 1 ? dwOffset : 0;
        Parallel.forEach(groups, g -> {
            int from = (int) ((long) batch * g / groups), to = (int) ((long) batch * (g + 1) / groups);
            int at = partialBase + g * wSize;
            for (int n = from; n < to; n++) {
                int xb = xOffset + n * inputSize(), dyb = dyOffset + n * outputSize();
                float beta = n == from ? 0f : 1f;
                if (direct) {
                    Kernels.sgemm(false, true, outChannels, patch, p, 1f, dy, dyb, p, x, xb, p, beta, partial, at, patch);
                } else {
                    float[] col = Workspace.floats(Workspace.Slot.COLUMNS, (long) patch * p);
                    Im2col.im2col(window, inChannels, x, xb, col);
                    Kernels.sgemm(false, true, outChannels, patch, p, 1f, dy, dyb, p, col, 0, p, beta, partial, at, patch);
                }
            }
        });
        if (groups > 1) {
            for (int i = 0; i < wSize; i++) {
                float sum = partial[i];
                for (int g = 1; g < groups; g++) {
                    sum += partial[g * wSize + i];
                }
                dw[dwOffset + i] = sum;
            }
        }
        if (dbias != null) {
            // Per channel, images in order, each image's plane summed in double.
            Parallel.forEach(outChannels, oc -> {
                double sum = 0;
                for (int n = 0; n < batch; n++) {
                    int row = dyOffset + n * outputSize() + oc * p;
                    for (int i = row; i < row + p; i++) {
                        sum += dy[i];
                    }
                }
                dbias[dbiasOffset + oc] = (float) sum;
            });
        }
    }

    /** Partial-gradient groups: a function of the batch and the layer only, never of threads. */
    private int groups(int batch) {
        long byMemory = Math.max(1, MAX_PARTIAL_FLOATS / weightSize());
        return (int) Math.min(Math.min(batch, MAX_GROUPS), byMemory);
    }

    /** Images on separate threads; a lone image gets all threads inside its SGEMM instead. */
    private static void forEachImage(int batch, java.util.function.IntConsumer body) {
        if (batch == 1) {
            body.accept(0);
        } else {
            Parallel.forEach(batch, body);
        }
    }

    private static void checkBatch(int batch) {
        Checks.positive("batch", batch);
    }

    @Override
    public String toString() {
        Window2d w = window;
        return "Conv2d(" + inChannels + " -> " + outChannels + ", kernel " + w.kernelHeight() + "x" + w.kernelWidth()
                + ", stride " + w.strideY() + "x" + w.strideX() + ", dilation " + w.dilationY() + "x" + w.dilationX()
                + ", padding (" + w.padTop() + ", " + w.padLeft() + ", " + w.padBottom() + ", " + w.padRight()
                + "), input " + w.inHeight() + "x" + w.inWidth() + " -> " + w.outHeight() + "x" + w.outWidth() + ")";
    }
}
