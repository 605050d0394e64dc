package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.gemm.GemmSupport;

/**
 * A 1x1 convolution at stride 1 with no padding: the image {@code [Cin][H*W]} is already the
 * column matrix, so each pass is one SGEMM per image on the arrays as they lie:
 * {@code y = W x}, {@code dW += dz x^T}, {@code dx = W^T dz}.
 */
public final class PointwiseConvolution implements ConvAlgorithm {

    private final ConvShape shape;
    private final GemmSupport gemm;
    private final ConvSupport kernels;

    PointwiseConvolution(ConvShape shape, GemmSupport gemm, ConvSupport kernels) {
        this.shape = shape;
        this.gemm = gemm;
        this.kernels = kernels;
    }

    @Override
    public String name() {
        return "pointwise";
    }

    @Override
    public ConvShape shape() {
        return shape;
    }

    @Override
    public void forwardImage(ConvTensors t, int n) {
        int p = shape.window().outSize(), cin = shape.inChannels(), cout = shape.outChannels();
        float[] out = DenseEpilogue.outputBuffer(shape, t);
        int ob = DenseEpilogue.outputOffset(shape, t, n);
        gemm.sgemm(false, false, cout, p, cin, 1f, t.w, t.wOffset, cin, t.x, t.xOffset + n * shape.inputSize(), p,
                0f, out, ob, p);
        DenseEpilogue.forward(kernels, shape, t, n, out, ob);
    }

    @Override
    public void backwardImage(ConvTensors t, int n, float[] dw, int dwAt, boolean accumulate, double[] biasSums) {
        int p = shape.window().outSize(), cin = shape.inChannels(), cout = shape.outChannels();
        float[] dz = DenseEpilogue.gradient(kernels, shape, t, n, biasSums);
        int dzb = DenseEpilogue.gradientOffset(shape, t, n);
        if (dw != null) {
            gemm.sgemm(false, true, cout, cin, p, 1f, dz, dzb, p, t.x, t.xOffset + n * shape.inputSize(), p,
                    accumulate ? 1f : 0f, dw, dwAt, cin);
        }
        if (t.dx != null) {
            gemm.sgemm(true, false, cin, p, cout, 1f, t.w, t.wOffset, cin, dz, dzb, p, 0f, t.dx,
                    t.dxOffset + n * shape.inputSize(), p);
        }
    }
}
