package dev.isthmus.kernels;

import java.util.Objects;

/**
 * 2-D convolution (cross-correlation, as in PyTorch and Keras) over NCHW float32 batches.
 * Weights are laid out {@code [Cout][Cin][kh][kw]}, as PyTorch's {@code Conv2d.weight}.
 *
 * <p>Two ways to compute it, chosen from the shape alone:
 * <ul>
 *   <li><b>Direct</b> ({@link DirectConv}): at stride 1 and dilation 1, when the output is wide
 *       enough for the implementation's column block, every receptive field is read straight
 *       from a zero-padded copy of the image, a few output rows at a time, so nothing the size
 *       of an im2col matrix is ever written. The data gradient is the same kernel run on the
 *       padded output gradient with flipped weights; the weight gradient accumulates per-lane
 *       partial sums over the same shifted reads. ChestXRayNet's four wide layers go this way.
 *   <li><b>im2col</b>: per image, {@code y[Cout, P] = W[Cout, K] x col[K, P]}, where
 *       {@code K = Cin * kh * kw}, {@code P = outHeight * outWidth} and column {@code p} of
 *       {@code col} is the receptive field of output position {@code p}, through
 *       {@link Kernels#sgemm SGEMM}. A 1x1 convolution with stride 1 and no padding multiplies
 *       the input in place.
 * </ul>
 *
 * <p>{@link FusedConv2d} adds a ReLU and a 2x2 max-pooling to the same passes, so a wide feature
 * map is never written whole. Images are spread over {@link Parallel}'s threads, each with its
 * own buffers kept between calls; a single image splits its output rows (direct) or runs the
 * SGEMM itself on all threads. Weight gradients are summed over the batch in groups fixed by the
 * batch size alone, then the groups in order, so every result is bitwise identical for any
 * thread count. Instances are immutable; forward calls may run concurrently, and so may backward
 * calls that write to different arrays.
 */
public final class Conv2d {

    /** Most partial weight-gradient groups, and the most floats they may take together. */
    private static final int MAX_GROUPS = 16;
    private static final long MAX_PARTIAL_FLOATS = 1L << 24;
    /** Floats of output (all channels) a strip of direct-convolution rows aims at: 16 KiB, in L1. */
    private static final int STRIP_FLOATS = 4096;

    private final int inChannels;
    private final int outChannels;
    private final Window2d window;
    private final int patch; // K
    /** 1x1, stride 1, no padding: the input is already the column matrix. */
    private final boolean pointwise;
    /** The direct path's forward and data-gradient geometry; both null on the im2col path. */
    private final DirectConv direct, directBack;
    /** im2col path: the data gradient as a forward convolution of dy, at stride and dilation 1; else null. */
    private final Conv2d transposed;

    /**
     * @throws IllegalArgumentException if a channel count is not positive
     */
    public Conv2d(int inChannels, int outChannels, Window2d window) {
        this(inChannels, outChannels, window, true);
    }

    /** {@code full}: false for the transposed convolution itself, which never runs backward or direct. */
    private Conv2d(int inChannels, int outChannels, Window2d window, boolean full) {
        Checks.positive("inChannels", inChannels);
        Checks.positive("outChannels", outChannels);
        this.window = Objects.requireNonNull(window, "window");
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.patch = Math.multiplyExact(inChannels, window.kernelSize());
        this.pointwise = window.kernelSize() == 1 && window.strideY() == 1 && window.strideX() == 1
                && window.padTop() == 0 && window.padLeft() == 0 && window.padBottom() == 0 && window.padRight() == 0;
        DirectConv f = full && !pointwise
                ? DirectConv.forward(inChannels, outChannels, window, KernelProvider.get().directBlock()) : null;
        DirectConv b = f == null ? null : DirectConv.transposed(f);
        this.direct = b == null ? null : f;
        this.directBack = b;
        this.transposed = pointwise || !full || direct != null ? null : transposedOrNull(inChannels, outChannels, window);
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

    /** True when this shape runs the direct convolution rather than im2col (a fact, for benchmarks and tests). */
    public boolean isDirect() {
        return direct != null;
    }

    /**
     * {@code y = conv(x, w) + bias} for {@code batch} images.
     *
     * @param bias {@code Cout} values, or null for none
     */
    public void forward(int batch, float[] x, int xOffset, float[] w, int wOffset,
                        float[] bias, int biasOffset, float[] y, int yOffset) {
        checkForward(batch, x, xOffset, w, wOffset, bias, biasOffset);
        Checks.span("y", y, yOffset, batch, outputSize(), "batch * Cout * outH * outW");
        forward(batch, x, xOffset, w, wOffset, bias, biasOffset, false, false, y, yOffset, null, 0);
    }

    /** {@code dx = d(loss)/dx} from {@code dy = d(loss)/dy}; dx is overwritten. */
    public void backwardData(int batch, float[] dy, int dyOffset, float[] w, int wOffset, float[] dx, int dxOffset) {
        checkBatch(batch);
        Checks.span("dy", dy, dyOffset, batch, outputSize(), "batch * Cout * outH * outW");
        Checks.span("w", w, wOffset, weightSize(), "Cout * Cin * kh * kw");
        Checks.span("dx", dx, dxOffset, batch, inputSize(), "batch * Cin * H * W");
        backward(batch, null, 0, w, wOffset, null, 0, dy, dyOffset, null, 0, false, false, null, 0, null, 0, dx, dxOffset);
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
        Checks.span("x", x, xOffset, batch, inputSize(), "batch * Cin * H * W");
        Checks.span("dy", dy, dyOffset, batch, outputSize(), "batch * Cout * outH * outW");
        Checks.span("dw", dw, dwOffset, weightSize(), "Cout * Cin * kh * kw");
        if (dbias != null) {
            Checks.span("dbias", dbias, dbiasOffset, outChannels, "Cout");
        }
        backward(batch, x, xOffset, null, 0, null, 0, dy, dyOffset, null, 0, false, false, dw, dwOffset, dbias,
                dbiasOffset, null, 0);
    }

    void checkForward(int batch, float[] x, int xOffset, float[] w, int wOffset, float[] bias, int biasOffset) {
        checkBatch(batch);
        Checks.span("x", x, xOffset, batch, inputSize(), "batch * Cin * H * W");
        Checks.span("w", w, wOffset, weightSize(), "Cout * Cin * kh * kw");
        if (bias != null) {
            Checks.span("bias", bias, biasOffset, outChannels, "Cout");
        }
    }

    // ---- the engine, shared with FusedConv2d; arguments already checked ----

    /**
     * {@code y = pool(act(conv(x, w) + bias))} per image, where act is ReLU or the identity and
     * pool a 2x2 max-pooling or nothing; {@code winners} (may be null) gets each window's winner.
     */
    void forward(int batch, float[] x, int xOffset, float[] w, int wOffset, float[] bias, int biasOffset,
                 boolean relu, boolean pool, float[] y, int yOffset, byte[] winners, int winnersOffset) {
        KernelSupport k = KernelProvider.get();
        float[] wp = null;
        if (direct != null) {
            wp = Workspace.floats(Workspace.Slot.PACKED_WEIGHTS, direct.packedWeightsSize());
            direct.pack(w, wOffset, false, wp);
        }
        int ySize = pool ? pooledSize() : outputSize();
        if (batch == 1 && direct != null && !direct.flat && !Parallel.sequential(2)) {
            forwardStrips(k, x, xOffset, wp, bias, biasOffset, relu, pool, y, yOffset, winners, winnersOffset);
        } else if (Parallel.sequential(batch)) {
            for (int n = 0; n < batch; n++) {
                forwardImage(k, x, xOffset + n * inputSize(), w, wOffset, wp, bias, biasOffset, relu, pool,
                        y, yOffset + n * ySize, winners, winnersOffset + n * pooledSize());
            }
        } else {
            float[] packed = wp;
            Parallel.forEach(batch, n -> forwardImage(k, x, xOffset + n * inputSize(), w, wOffset, packed, bias,
                    biasOffset, relu, pool, y, yOffset + n * ySize, winners, winnersOffset + n * pooledSize()));
        }
    }

    /** One image on the calling thread. */
    private void forwardImage(KernelSupport k, float[] x, int xb, float[] w, int wOffset, float[] wp,
                              float[] bias, int biasOffset, boolean relu, boolean pool,
                              float[] y, int yb, byte[] winners, int winnersB) {
        if (direct != null) {
            float[] xp = Workspace.floats(Workspace.Slot.STAGED_INPUT, direct.stagedSize());
            direct.stage(x, xb, xp);
            if (direct.flat) {
                forwardFlat(k, xp, wp, bias, biasOffset, relu, pool, y, yb, winners, winnersB);
            } else {
                forwardRows(k, xp, wp, bias, biasOffset, relu, pool, 0, rowsToCompute(pool), y, yb, winners, winnersB);
            }
            return;
        }
        int p = window.outSize();
        float[] out = pool ? Workspace.floats(Workspace.Slot.ACTIVATIONS, outputSize()) : y;
        int ob = pool ? 0 : yb;
        if (pointwise) {
            Kernels.sgemm(false, false, outChannels, p, patch, 1f, w, wOffset, patch, x, xb, p, 0f, out, ob, p);
        } else {
            float[] col = Workspace.floats(Workspace.Slot.COLUMNS, (long) patch * p);
            Im2col.im2col(k, window, inChannels, x, xb, col);
            Kernels.sgemm(false, false, outChannels, p, patch, 1f, w, wOffset, patch, col, 0, p, 0f, out, ob, p);
        }
        if (bias != null || relu) {
            k.biasActivation(out, ob, p, outChannels, p, bias, biasOffset, relu);
        }
        if (pool) {
            k.maxPool2x2(out, 0, window.outWidth(), p, outChannels, pooledHeight(), pooledWidth(),
                    y, yb, pooledHeight() * pooledWidth(), winners, winnersB);
        }
    }

    /** A single image on all threads: staged once, then bands of output rows (even, when pooling) per thread. */
    private void forwardStrips(KernelSupport k, float[] x, int xOffset, float[] wp, float[] bias, int biasOffset,
                               boolean relu, boolean pool, float[] y, int yOffset, byte[] winners, int winnersOffset) {
        float[] xp = Workspace.floats(Workspace.Slot.STAGED_INPUT, direct.stagedSize());
        direct.stage(x, xOffset, xp);
        int rows = rowsToCompute(pool), unit = pool ? 2 : 1, units = rows / unit;
        int bands = Math.min(units, 4 * Parallel.threads());
        Parallel.forEach(bands, t -> {
            int from = (int) ((long) units * t / bands) * unit, to = (int) ((long) units * (t + 1) / bands) * unit;
            forwardRows(k, xp, wp, bias, biasOffset, relu, pool, from, to, y, yOffset, winners, winnersOffset);
        });
    }

    /** Output rows the direct path computes: all of them, or the even count that pooling reads. */
    private int rowsToCompute(boolean pool) {
        return pool ? 2 * pooledHeight() : window.outHeight();
    }

    /** Direct path: output rows {@code [r0, r1)} of one staged image, a strip at a time. */
    private void forwardRows(KernelSupport k, float[] xp, float[] wp, float[] bias, int biasOffset, boolean relu,
                             boolean pool, int r0, int r1, float[] y, int yb, byte[] winners, int winnersB) {
        int outW = window.outWidth(), outSize = window.outSize();
        if (!pool && direct.outWp == outW) { // rows land in y exactly: no strip
            k.directConvolve(direct, xp, wp, bias, biasOffset, relu, r0, r1 - r0, y, yb + r0 * outW, outW, outSize);
            return;
        }
        int stripRows = stripRows(pool);
        int plane = stripRows * direct.outWp;
        float[] strip = Workspace.floats(Workspace.Slot.STRIP, (long) outChannels * plane);
        int pw = pooledWidth(), pooledPlane = pooledHeight() * pw;
        for (int oy = r0; oy < r1; oy += stripRows) {
            int rows = Math.min(stripRows, r1 - oy);
            k.directConvolve(direct, xp, wp, bias, biasOffset, relu, oy, rows, strip, 0, direct.outWp, plane);
            if (pool) {
                k.maxPool2x2(strip, 0, direct.outWp, plane, outChannels, rows / 2, pw, y, yb + oy / 2 * pw, pooledPlane,
                        winners, winnersB + oy / 2 * pw);
            } else {
                copyRows(strip, plane, direct.outWp, outChannels, rows, outW, y, yb + oy * outW, outSize);
            }
        }
    }

    /** Direct path, flat layout: the whole image as one computed row, its rows {@code rowStride} apart. */
    private void forwardFlat(KernelSupport k, float[] xp, float[] wp, float[] bias, int biasOffset, boolean relu,
                             boolean pool, float[] y, int yb, byte[] winners, int winnersB) {
        int plane = direct.outWp, stride = direct.rowStride;
        float[] strip = Workspace.floats(Workspace.Slot.STRIP, (long) outChannels * plane);
        k.directConvolve(direct, xp, wp, bias, biasOffset, relu, 0, 1, strip, 0, plane, plane);
        if (pool) {
            k.maxPool2x2(strip, 0, stride, plane, outChannels, pooledHeight(), pooledWidth(), y, yb,
                    pooledHeight() * pooledWidth(), winners, winnersB);
        } else {
            copyRows(strip, plane, stride, outChannels, window.outHeight(), window.outWidth(), y, yb, window.outSize());
        }
    }

    /**
     * {@code rows} rows of {@code width} floats per channel, from rows {@code stride} apart in
     * planes of {@code plane}, to rows {@code width} apart in planes of {@code yPlane} at {@code yb}.
     */
    private static void copyRows(float[] from, int plane, int stride, int channels, int rows, int width,
                                 float[] y, int yb, int yPlane) {
        for (int ch = 0; ch < channels; ch++) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(from, ch * plane + r * stride, y, yb + ch * yPlane + r * width, width);
            }
        }
    }

    /** Rows per strip: about {@link #STRIP_FLOATS} of output, even when pooling reads them in pairs. */
    private int stripRows(boolean pool) {
        int rows = Math.max(1, STRIP_FLOATS / (outChannels * direct.outWp));
        return pool ? Math.max(2, rows & ~1) : rows;
    }

    /**
     * Gradients of {@code pool(act(conv(x, w) + bias))} from {@code dy} (at the pooled output when
     * pooling): {@code dw}, {@code dbias} (summed over the batch) and {@code dx}, each skipped when
     * null and otherwise overwritten. {@code y} is the forward output (read for the ReLU's mask)
     * and {@code winners} the forward pass's pooling winners.
     */
    void backward(int batch, float[] x, int xOffset, float[] w, int wOffset, float[] y, int yOffset,
                  float[] dy, int dyOffset, byte[] winners, int winnersOffset, boolean relu, boolean pool,
                  float[] dw, int dwOffset, float[] dbias, int dbiasOffset, float[] dx, int dxOffset) {
        KernelSupport k = KernelProvider.get();
        float[] wFlipped = dx == null ? null : flipWeights(w, wOffset);
        int ySize = pool ? pooledSize() : outputSize();
        if (dw == null && dbias == null) {
            if (Parallel.sequential(batch)) {
                for (int n = 0; n < batch; n++) {
                    backwardImage(k, n, x, xOffset, y, yOffset, ySize, dy, dyOffset, winners, winnersOffset, relu, pool,
                            null, 0, false, null, null, w, wOffset, wFlipped, dx, dxOffset);
                }
            } else {
                Parallel.forEach(batch, n -> backwardImage(k, n, x, xOffset, y, yOffset, ySize, dy, dyOffset, winners,
                        winnersOffset, relu, pool, null, 0, false, null, null, w, wOffset, wFlipped, dx, dxOffset));
            }
            return;
        }
        int groups = groups(batch);
        int part = weightSize() + outChannels; // a group's weight gradient, then its bias gradient
        float[] partial = groups == 1 ? null : Workspace.floats(Workspace.Slot.PARTIAL_SUMS, (long) groups * part);
        if (Parallel.sequential(groups)) {
            for (int g = 0; g < groups; g++) {
                backwardGroup(k, g, groups, batch, x, xOffset, w, wOffset, wFlipped, y, yOffset, ySize, dy, dyOffset,
                        winners, winnersOffset, relu, pool, partial, part, dw, dwOffset, dbias, dbiasOffset, dx, dxOffset);
            }
        } else {
            Parallel.forEach(groups, g -> backwardGroup(k, g, groups, batch, x, xOffset, w, wOffset, wFlipped, y,
                    yOffset, ySize, dy, dyOffset, winners, winnersOffset, relu, pool, partial, part, dw, dwOffset,
                    dbias, dbiasOffset, dx, dxOffset));
        }
        if (groups > 1) {
            for (int i = 0; i < weightSize(); i++) {
                float sum = partial[i];
                for (int g = 1; g < groups; g++) {
                    sum += partial[g * part + i];
                }
                if (dw != null) {
                    dw[dwOffset + i] = sum;
                }
            }
            if (dbias != null) {
                for (int oc = 0; oc < outChannels; oc++) {
                    float sum = partial[weightSize() + oc];
                    for (int g = 1; g < groups; g++) {
                        sum += partial[g * part + weightSize() + oc];
                    }
                    dbias[dbiasOffset + oc] = sum;
                }
            }
        }
    }

    /**
     * Group {@code g}: images {@code [g * batch / groups, (g + 1) * batch / groups)} in order, their
     * weight and bias gradients summed into the group's slice of {@code partial} (or straight into
     * {@code dw} and {@code dbias} for a single group).
     */
    private void backwardGroup(KernelSupport k, int g, int groups, int batch, float[] x, int xOffset, float[] w,
                               int wOffset, float[] wFlipped, float[] y, int yOffset, int ySize, float[] dy, int dyOffset,
                               byte[] winners, int winnersOffset, boolean relu, boolean pool, float[] partial, int part,
                               float[] dw, int dwOffset, float[] dbias, int dbiasOffset, float[] dx, int dxOffset) {
        int from = (int) ((long) batch * g / groups), to = (int) ((long) batch * (g + 1) / groups);
        float[] tw = partial == null ? dw : partial;
        int twAt = partial == null ? dwOffset : g * part;
        if (tw == null) { // bias gradient only, single group: weights go to scratch
            tw = Workspace.floats(Workspace.Slot.PARTIAL_SUMS, weightSize());
            twAt = 0;
        }
        double[] biasSums = dbias == null ? null : Workspace.doubles(outChannels);
        if (biasSums != null) {
            java.util.Arrays.fill(biasSums, 0, outChannels, 0.0);
        }
        float[] sums = null;
        if (direct != null) {
            int size = direct.coutBlocks * DirectConv.OC_BLOCK * patch * k.directLanes();
            sums = Workspace.floats(Workspace.Slot.WEIGHT_SUMS, size);
            java.util.Arrays.fill(sums, 0, size, 0f);
        }
        for (int n = from; n < to; n++) {
            backwardImage(k, n, x, xOffset, y, yOffset, ySize, dy, dyOffset, winners, winnersOffset, relu, pool,
                    tw, twAt, n > from, sums, biasSums, w, wOffset, wFlipped, dx, dxOffset);
        }
        if (sums != null) {
            int lanes = k.directLanes();
            for (int oc = 0; oc < outChannels; oc++) {
                for (int t = 0; t < patch; t++) {
                    int at = (oc * patch + t) * lanes;
                    float s = 0f;
                    for (int l = 0; l < lanes; l++) {
                        s += sums[at + l];
                    }
                    tw[twAt + oc * patch + t] = s;
                }
            }
        }
        if (dbias != null) {
            float[] tb = partial == null ? dbias : partial;
            int tbAt = partial == null ? dbiasOffset : g * part + weightSize();
            for (int oc = 0; oc < outChannels; oc++) {
                tb[tbAt + oc] = (float) biasSums[oc];
            }
        }
    }

    /**
     * Image {@code n}: the gradient at the convolution's output ({@code dz}), with its channel
     * sums (the bias gradient) added to {@code biasSums} when that is not null; then its weight
     * gradient into {@code tw} (added when {@code accumulate}; on the direct path, per-lane into
     * {@code sums} instead) when {@code tw} is not null, and its data gradient into {@code dx}.
     */
    private void backwardImage(KernelSupport k, int n, float[] x, int xOffset, float[] y, int yOffset, int ySize,
                               float[] dy, int dyOffset, byte[] winners, int winnersOffset, boolean relu, boolean pool,
                               float[] tw, int twAt, boolean accumulate, float[] sums, double[] biasSums,
                               float[] w, int wOffset, float[] wFlipped, float[] dx, int dxOffset) {
        int yb = yOffset + n * ySize, dyb = dyOffset + n * ySize, winB = winnersOffset + n * pooledSize();
        int outH = window.outHeight(), outW = window.outWidth(), p = window.outSize();
        int ph = pooledHeight(), pw = pooledWidth();
        if (direct != null) {
            DirectConv b = directBack;
            float[] dz = Workspace.floats(Workspace.Slot.STAGED_GRADIENT, b.stagedSize());
            int at = b.interior();
            if (pool) {
                b.clearBorder(dz, 2 * ph, 2 * pw);
                k.maxPool2x2Backward(dy, dyb, y, yb, ph * pw, winners, winB, outChannels, ph, pw, relu, dz, at,
                        b.inStride, b.inPlane, biasSums);
            } else {
                b.clearBorder(dz, outH, outW);
                k.activationGradient(dy, dyb, y, yb, outChannels, outH, outW, relu, dz, at, b.inStride, b.inPlane);
                if (biasSums != null) {
                    k.channelSums(dz, at, b.inStride, b.inPlane, outChannels, outH, outW, biasSums);
                }
            }
            if (tw != null) {
                float[] xp = Workspace.floats(Workspace.Slot.STAGED_INPUT, direct.stagedSize());
                direct.stage(x, xOffset + n * inputSize(), xp);
                int rows = Math.max(1, STRIP_FLOATS / (DirectConv.OC_BLOCK * direct.outWp));
                for (int oy = 0; oy < direct.computedRows; oy += rows) {
                    int r = Math.min(rows, direct.computedRows - oy);
                    k.directWeightGradient(direct, xp, dz, at + oy * b.inStride, b.inStride, b.inPlane, oy, r, sums);
                }
            }
            if (dx != null) {
                int dxb = dxOffset + n * inputSize();
                int inW = window.inWidth(), inSize = window.inSize();
                if (b.flat) {
                    float[] strip = Workspace.floats(Workspace.Slot.STRIP, (long) inChannels * b.outWp);
                    k.directConvolve(b, dz, wFlipped, null, 0, false, 0, 1, strip, 0, b.outWp, b.outWp);
                    copyRows(strip, b.outWp, b.rowStride, inChannels, window.inHeight(), inW, dx, dxb, inSize);
                } else if (b.outWp == inW) {
                    k.directConvolve(b, dz, wFlipped, null, 0, false, 0, window.inHeight(), dx, dxb, inW, inSize);
                } else {
                    int stripRows = Math.max(1, STRIP_FLOATS / (inChannels * b.outWp)), plane = stripRows * b.outWp;
                    float[] strip = Workspace.floats(Workspace.Slot.STRIP, (long) inChannels * plane);
                    for (int iy = 0; iy < window.inHeight(); iy += stripRows) {
                        int rows = Math.min(stripRows, window.inHeight() - iy);
                        k.directConvolve(b, dz, wFlipped, null, 0, false, iy, rows, strip, 0, b.outWp, plane);
                        copyRows(strip, plane, b.outWp, inChannels, rows, inW, dx, dxb + iy * inW, inSize);
                    }
                }
            }
            return;
        }
        // im2col path: dz dense, [Cout][outH][outW]; dy itself when nothing stands between.
        float[] dz = dy;
        int dzb = dyb;
        if (pool || relu) {
            dz = Workspace.floats(Workspace.Slot.STAGED_GRADIENT, outputSize());
            dzb = 0;
            if (pool) {
                if (2 * ph != outH || 2 * pw != outW) {
                    java.util.Arrays.fill(dz, 0, outputSize(), 0f); // cells no window covers
                }
                k.maxPool2x2Backward(dy, dyb, y, yb, ph * pw, winners, winB, outChannels, ph, pw, relu, dz, 0, outW, p,
                        biasSums);
            } else {
                k.activationGradient(dy, dyb, y, yb, outChannels, outH, outW, true, dz, 0, outW, p);
            }
        }
        if (biasSums != null && !pool) {
            k.channelSums(dz, dzb, p, p, outChannels, 1, p, biasSums);
        }
        if (tw != null) {
            int xb = xOffset + n * inputSize();
            float beta = accumulate ? 1f : 0f;
            if (pointwise) {
                Kernels.sgemm(false, true, outChannels, patch, p, 1f, dz, dzb, p, x, xb, p, beta, tw, twAt, patch);
            } else {
                float[] col = Workspace.floats(Workspace.Slot.COLUMNS, (long) patch * p);
                Im2col.im2col(k, window, inChannels, x, xb, col);
                Kernels.sgemm(false, true, outChannels, patch, p, 1f, dz, dzb, p, col, 0, p, beta, tw, twAt, patch);
            }
        }
        if (dx != null) {
            int dxb = dxOffset + n * inputSize();
            if (pointwise) {
                Kernels.sgemm(true, false, inChannels, p, outChannels, 1f, w, wOffset, patch, dz, dzb, p, 0f, dx, dxb, p);
            } else if (transposed != null) {
                transposed.forwardImage(k, dz, dzb, wFlipped, 0, null, null, 0, false, false, dx, dxb, null, 0);
            } else {
                float[] dcol = Workspace.floats(Workspace.Slot.COLUMN_GRADIENT, (long) patch * p);
                Kernels.sgemm(true, false, patch, p, outChannels, 1f, w, wOffset, patch, dz, dzb, p, 0f, dcol, 0, p);
                Im2col.col2im(window, inChannels, dcol, dx, dxb);
            }
        }
    }

    /** The weights the data gradient convolves with: packed for the direct path, flipped for im2col's; else null. */
    private float[] flipWeights(float[] w, int wOffset) {
        if (direct != null) {
            float[] wp = Workspace.floats(Workspace.Slot.PACKED_FLIPPED_WEIGHTS, directBack.packedWeightsSize());
            directBack.pack(w, wOffset, true, wp);
            return wp;
        }
        if (transposed == null) {
            return null;
        }
        int taps = window.kernelSize();
        float[] flipped = Workspace.floats(Workspace.Slot.FLIPPED_WEIGHTS, weightSize());
        for (int oc = 0; oc < outChannels; oc++) {
            for (int ic = 0; ic < inChannels; ic++) {
                int from = wOffset + (oc * inChannels + ic) * taps, to = (ic * outChannels + oc) * taps;
                for (int t = 0; t < taps; t++) {
                    flipped[to + t] = w[from + taps - 1 - t]; // (ky, kx) -> (kh-1-ky, kw-1-kx)
                }
            }
        }
        return flipped;
    }

    int pooledHeight() {
        return window.outHeight() / 2;
    }

    int pooledWidth() {
        return window.outWidth() / 2;
    }

    /** Floats per image after a 2x2 max-pooling of the output. */
    int pooledSize() {
        return outChannels * pooledHeight() * pooledWidth();
    }

    /** Partial-gradient groups: a function of the batch and the layer only, never of threads. */
    private int groups(int batch) {
        long byMemory = Math.max(1, MAX_PARTIAL_FLOATS / (weightSize() + outChannels));
        return (int) Math.min(Math.min(batch, MAX_GROUPS), byMemory);
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
