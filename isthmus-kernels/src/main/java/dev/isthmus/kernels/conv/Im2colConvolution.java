package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.Padding;
import dev.isthmus.kernels.Window2d;
import dev.isthmus.kernels.gemm.GemmSupport;
import dev.isthmus.kernels.runtime.Workspace;
import dev.isthmus.kernels.runtime.Workspace.Slot;

/**
 * im2col and SGEMM, per image: {@code y[Cout, P] = W[Cout, K] x col[K, P]}, where
 * {@code K = Cin * kh * kw}, {@code P = outHeight * outWidth} and column {@code p} of {@code col}
 * is the receptive field of output position {@code p} ({@link Im2col}). Any stride, dilation and
 * padding. The weight gradient is {@code dz x col^T}, accumulated image after image by SGEMM; run
 * as {@code dW^T = col x dz^T} into a per-group buffer where the caller ends the group
 * ({@link #endWeightGradient}), so that SGEMM reads the column matrix where it lies and packs
 * only {@code dz}, not the much larger {@code col^T}; but straight into {@code dW} where the
 * column matrix is tall and the transpose would cost more ({@link #TALL_COLUMNS}).
 *
 * <p>The data gradient, at stride and dilation 1 with padding no wider than the kernel, is itself
 * a forward convolution of the output gradient (padded by {@code k - 1 - pad}, weights flipped
 * and their channel axes swapped), run through im2col like a forward pass; otherwise it is
 * {@code W^T x dz}, scattered back through col2im.
 */
public final class Im2colConvolution implements ConvAlgorithm {

    private final ConvShape shape;
    private final GemmSupport gemm;
    private final ConvSupport kernels;
    /** The data gradient as a forward convolution, or null: col2im. */
    private final Im2colConvolution transposed;
    /** Whether the weight gradient goes through {@code dW^T} in a per-group buffer (false: straight into dw). */
    private final boolean groupSums;

    /**
     * Ends its weight-gradient groups ({@link ConvPasses} calls {@link #endWeightGradient}), but
     * where the column matrix is tall ({@link #TALL_COLUMNS}): then {@code dW} straight.
     */
    Im2colConvolution(ConvShape shape, GemmSupport gemm, ConvSupport kernels) {
        this(shape, gemm, kernels, true, shape.patch() < TALL_COLUMNS * shape.window().outSize());
    }

    /**
     * How many times taller than wide a column matrix (a patch per output position) must be for
     * the weight gradient to run as {@code dW = dz x col^T} straight, packing {@code col^T} per
     * image, rather than through {@code dW^T} and a transpose per group: with few output
     * positions an image, the transpose of the whole gradient outweighs its SGEMMs. Measured on
     * the backward pass (Zen 5, `ab.py`, two JVMs a side): ChestXRayNet's conv7 (5x5, 20 -> 50 on
     * 4x4, 500 by 16) x0.67-0.68 at batch 2 and x0.75 at 32; 20 -> 64 and 64 -> 128 on 4x4 x0.83 and
     * x0.76; below the line the transpose stays: a 1x1 stride-2 16 -> 32 on 32x32 (16 by 256)
     * x1.39-1.42 slower straight, 64 -> 128 on 16x16 (64 by 64) x1.07, a 3x3 stride-3 16 -> 32
     * (144 by 121) x1.10, though 16 -> 40 read x0.95-0.97 and a 7x7 stride-2 3 -> 64 on 224x224
     * x0.90-0.93.
     */
    private static final int TALL_COLUMNS = 4;

    /** Inside a {@link GroupedConvolution}, which calls no {@link #endWeightGradient}: dw written directly. */
    static Im2colConvolution withoutGroupEnds(ConvShape shape, GemmSupport gemm, ConvSupport kernels) {
        return new Im2colConvolution(shape, gemm, kernels, true, false);
    }

    private Im2colConvolution(ConvShape shape, GemmSupport gemm, ConvSupport kernels, boolean withBackward,
                              boolean groupSums) {
        this.shape = shape;
        this.gemm = gemm;
        this.kernels = kernels;
        this.transposed = withBackward ? transposedOrNull(shape, gemm, kernels) : null;
        this.groupSums = groupSums;
    }

    private static Im2colConvolution transposedOrNull(ConvShape shape, GemmSupport gemm, ConvSupport kernels) {
        Window2d w = shape.window();
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
        return new Im2colConvolution(new ConvShape(shape.outChannels(), shape.inChannels(), back), gemm, kernels, false,
                false);
    }

    @Override
    public String name() {
        return "im2col";
    }

    @Override
    public ConvShape shape() {
        return shape;
    }

    @Override
    public void forwardImage(ConvTensors t, int n) {
        float[] out = DenseEpilogue.outputBuffer(shape, t);
        int ob = DenseEpilogue.outputOffset(shape, t, n);
        convolve(t.x, t.xOffset + n * shape.inputSize(), t.w, t.wOffset, out, ob);
        DenseEpilogue.forward(kernels, shape, t, n, out, ob);
    }

    /** {@code out[ob] = W x im2col(x[xb])}, no epilogue. */
    private void convolve(float[] x, int xb, float[] w, int wOffset, float[] out, int ob) {
        int p = shape.window().outSize(), patch = shape.patch();
        float[] col = Workspace.floats(Slot.COLUMNS, (long) patch * p);
        Im2col.im2col(kernels, shape.window(), shape.inChannels(), x, xb, col);
        gemm.sgemm(false, false, shape.outChannels(), p, patch, 1f, w, wOffset, patch, col, 0, p, 0f, out, ob, p);
    }

    /** The data gradient's weights, flipped and with their channel axes swapped, when it runs as a convolution. */
    @Override
    public int preparedBackwardSize() {
        return transposed == null ? 0 : shape.weightSize();
    }

    @Override
    public void prepareBackward(float[] w, int wOffset, float[] into) {
        int cin = shape.inChannels(), cout = shape.outChannels(), taps = shape.window().kernelSize();
        for (int oc = 0; oc < cout; oc++) {
            for (int ic = 0; ic < cin; ic++) {
                int from = wOffset + (oc * cin + ic) * taps, to = (ic * cout + oc) * taps;
                for (int k = 0; k < taps; k++) {
                    into[to + k] = w[from + taps - 1 - k]; // (ky, kx) -> (kh-1-ky, kw-1-kx)
                }
            }
        }
    }

    /** The group's {@code dW^T}, transposed into {@code dw}. */
    @Override
    public void endWeightGradient(float[] dw, int dwAt) {
        if (!groupSums) {
            return;
        }
        shape.weightsFromTransposed(Workspace.floats(Slot.WEIGHT_SUMS, shape.weightSize()), dw, dwAt);
    }

    @Override
    public void backwardImage(ConvTensors t, int n, float[] dw, int dwAt, boolean accumulate, double[] biasSums) {
        int p = shape.window().outSize(), patch = shape.patch(), cout = shape.outChannels();
        float[] dz = DenseEpilogue.gradient(kernels, shape, t, n, biasSums);
        int dzb = DenseEpilogue.gradientOffset(shape, t, n);
        if (dw != null) {
            float[] col = Workspace.floats(Slot.COLUMNS, (long) patch * p);
            Im2col.im2col(kernels, shape.window(), shape.inChannels(), t.x, t.xOffset + n * shape.inputSize(), col);
            if (groupSums) {
                float[] sums = Workspace.floats(Slot.WEIGHT_SUMS, shape.weightSize());
                gemm.sgemm(false, true, patch, cout, p, 1f, col, 0, p, dz, dzb, p, accumulate ? 1f : 0f, sums, 0, cout);
            } else {
                gemm.sgemm(false, true, cout, patch, p, 1f, dz, dzb, p, col, 0, p, accumulate ? 1f : 0f, dw, dwAt, patch);
            }
        }
        if (t.dx != null) {
            int dxb = t.dxOffset + n * shape.inputSize();
            if (transposed != null) {
                transposed.convolve(dz, dzb, t.prepared, 0, t.dx, dxb);
            } else {
                float[] dcol = Workspace.floats(Slot.COLUMN_GRADIENT, (long) patch * p);
                gemm.sgemm(true, false, patch, p, cout, 1f, t.w, t.wOffset, patch, dz, dzb, p, 0f, dcol, 0, p);
                Im2col.col2im(kernels, shape.window(), shape.inChannels(), dcol, t.dx, dxb);
            }
        }
    }
}
