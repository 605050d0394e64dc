package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.Window2d;
import dev.isthmus.kernels.runtime.Workspace;
import dev.isthmus.kernels.runtime.Workspace.Slot;

/**
 * A 1x1 convolution at stride 2 without padding (a residual network's projection shortcut): the
 * positions it samples, every other row and column, are staged flat per image
 * ({@code xs[Cin][outH * outW]}), and each pass is a pointwise convolution of them in register
 * tiles that read both operands where they lie ({@link ConvSupport#pointwiseConvolve}):
 * {@code y = W xs}; {@code dW += dz xs^T} in per-lane sums ended per group
 * ({@link ConvSupport#pointwiseWeightGradient}); {@code dxs = W^T dz}, interleaved with zeros
 * back into {@code dx}. im2col staged the same columns, then SGEMM packed both operands for a
 * product only {@code Cin} steps deep.
 */
public final class StridedPointwiseConvolution implements ConvAlgorithm {

    private final ConvShape shape;
    private final ConvSupport kernels;
    /** The odd columns of a row of {@code dx}: zeros, interleaved with a row of {@code dxs}. */
    private final float[] zeros;

    StridedPointwiseConvolution(ConvShape shape, ConvSupport kernels) {
        if (!suits(shape)) {
            throw new IllegalArgumentException("not a 1x1 convolution at stride 2 without padding: " + shape);
        }
        this.shape = shape;
        this.kernels = kernels;
        this.zeros = new float[shape.window().outWidth()];
    }

    /** An ungrouped 1x1 kernel at stride 2 on both axes, without padding. */
    static boolean suits(ConvShape shape) {
        Window2d w = shape.window();
        return shape.groups() == 1 && w.kernelHeight() == 1 && w.kernelWidth() == 1 && w.strideY() == 2
                && w.strideX() == 2 && w.padTop() == 0 && w.padLeft() == 0 && w.padBottom() == 0 && w.padRight() == 0;
    }

    @Override
    public String name() {
        return "pointwise (strided)";
    }

    @Override
    public ConvShape shape() {
        return shape;
    }

    private static int roundUp4(int n) {
        return (n + 3) & ~3;
    }

    /** {@code [Cin][Cout rounded up to 4]}: a row of weights an input channel, for the forward tiles' broadcasts. */
    @Override
    public int preparedForwardSize() {
        return shape.inChannels() * roundUp4(shape.outChannels());
    }

    @Override
    public void prepareForward(float[] w, int wOffset, float[] into) {
        int cin = shape.inChannels();
        padRows(w, wOffset, cin, 1, shape.outChannels(), cin, into);
    }

    /**
     * {@code into[r][c] = w[wOffset + r * rowStep + c * columnStep]}, each row's {@code columns}
     * rounded up to 4 with zeros.
     */
    private static void padRows(float[] w, int wOffset, int rows, int rowStep, int columns, int columnStep,
                                float[] into) {
        int stride = roundUp4(columns);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < stride; c++) {
                into[r * stride + c] = c < columns ? w[wOffset + r * rowStep + c * columnStep] : 0f;
            }
        }
    }

    /** {@code [Cout][Cin rounded up to 4]}: the weights as they lie, each row padded. */
    @Override
    public int preparedBackwardSize() {
        return shape.outChannels() * roundUp4(shape.inChannels());
    }

    @Override
    public void prepareBackward(float[] w, int wOffset, float[] into) {
        int cin = shape.inChannels();
        padRows(w, wOffset, shape.outChannels(), cin, cin, 1, into);
    }

    /**
     * Image {@code n}'s sampled positions, {@code [Cin][outH * outW]}, into this thread's
     * {@link Slot#COLUMNS}: a 1x1 window's column matrix, which im2col copies from the image as
     * it lies (every other float of every other row, by vector shuffles).
     */
    private float[] stage(float[] x, int xOffset, int n) {
        float[] xs = Workspace.floats(Slot.COLUMNS, (long) shape.inChannels() * shape.window().outSize());
        Im2col.im2col(kernels, shape.window(), shape.inChannels(), x, xOffset + n * shape.inputSize(), xs);
        return xs;
    }

    @Override
    public void forwardImage(ConvTensors t, int n) {
        int p = shape.window().outSize(), cin = shape.inChannels(), cout = shape.outChannels();
        float[] xs = stage(t.x, t.xOffset, n);
        float[] out = DenseEpilogue.outputBuffer(shape, t);
        int ob = DenseEpilogue.outputOffset(shape, t, n);
        kernels.pointwiseConvolve(xs, 0, p, cin, p, t.prepared, roundUp4(cout), cout, t.bias, t.biasOffset, t.relu,
                out, ob, p);
        DenseEpilogue.pool(kernels, shape, t, n, out);
    }

    @Override
    public void backwardImage(ConvTensors t, int n, float[] dw, int dwAt, boolean accumulate, double[] biasSums) {
        Window2d w = shape.window();
        int p = w.outSize(), cin = shape.inChannels(), cout = shape.outChannels();
        float[] dz = DenseEpilogue.gradient(kernels, shape, t, n, biasSums);
        int dzb = DenseEpilogue.gradientOffset(shape, t, n);
        if (dw != null) {
            float[] xs = stage(t.x, t.xOffset, n);
            float[] sums = Workspace.floats(Slot.WEIGHT_SUMS, (long) cout * cin * kernels.directLanes());
            kernels.pointwiseWeightGradient(dz, dzb, p, cout, xs, 0, p, cin, p, sums, !accumulate);
        }
        if (t.dx != null) {
            float[] dxs = Workspace.floats(Slot.COLUMN_GRADIENT, (long) cin * p);
            kernels.pointwiseConvolve(dz, dzb, p, cout, p, t.prepared, roundUp4(cin), cin, null, 0, false, dxs, 0, p);
            int dxb = t.dxOffset + n * shape.inputSize(), inW = w.inWidth(), inH = w.inHeight();
            // even rows: dxs's row, zeros between; odd rows: zeros
            kernels.interleaveRows(dxs, p, w.outWidth(), zeros, 0, 0, cin, w.outHeight(), w.outWidth(),
                    inW - w.outWidth(), t.dx, dxb, 2 * inW, w.inSize());
            for (int ic = 0; ic < cin && inH > 1; ic++) {
                kernels.clearRuns(t.dx, dxb + ic * w.inSize() + inW, 2 * inW, inH / 2, inW);
            }
        }
    }

    /** The group's per-lane sums, each weight's lanes added in order, into {@code dw}. */
    @Override
    public void endWeightGradient(float[] dw, int dwAt) {
        int lanes = kernels.directLanes();
        shape.weightsFromLanes(Workspace.floats(Slot.WEIGHT_SUMS, (long) shape.weightSize() * lanes), lanes, dw, dwAt);
    }
}
