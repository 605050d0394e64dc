package dev.isthmus.kernels;

/**
 * Fully connected layer kernels, {@code y[N, out] = x[N, in] . W^T + b}, with {@code W} laid
 * out {@code [out][in]} as PyTorch's {@code Linear.weight}. All products go through
 * SGEMM (arguments checked here once), so results are bitwise identical for any thread count.
 */
public final class Linear {

    private Linear() {}

    /**
     * @param bias {@code out} values, or null for none
     */
    public static void forward(int batch, int in, int out, float[] x, int xOffset, float[] w, int wOffset,
                               float[] bias, int biasOffset, float[] y, int yOffset) {
        check(batch, in, out);
        Checks.span("x", x, xOffset, batch, in, "batch * in");
        Checks.span("w", w, wOffset, out, in, "out * in");
        if (bias != null) {
            Checks.span("bias", bias, biasOffset, out, "out");
        }
        Checks.span("y", y, yOffset, batch, out, "batch * out");
        KernelProvider.gemm().sgemm(false, true, batch, out, in, 1f, x, xOffset, in, w, wOffset, in, 0f, y, yOffset, out);
        if (bias != null) {
            addBias(batch, out, bias, biasOffset, y, yOffset);
        }
    }

    /** {@code y[n][j] += bias[j]} for {@code batch} rows of {@code out}. */
    static void addBias(int batch, int out, float[] bias, int biasOffset, float[] y, int yOffset) {
        for (int n = 0; n < batch; n++) {
            int row = yOffset + n * out;
            for (int j = 0; j < out; j++) {
                y[row + j] += bias[biasOffset + j];
            }
        }
    }

    /**
     * Gradients from {@code dy[N, out]}: {@code dx = dy . W} (skipped when {@code dx} is null),
     * {@code dW = dy^T . x}, {@code dbias = sum over N of dy} (skipped when null); all overwritten.
     */
    public static void backward(int batch, int in, int out, float[] x, int xOffset, float[] w, int wOffset,
                                float[] dy, int dyOffset, float[] dx, int dxOffset,
                                float[] dw, int dwOffset, float[] dbias, int dbiasOffset) {
        check(batch, in, out);
        Checks.span("x", x, xOffset, batch, in, "batch * in");
        Checks.span("w", w, wOffset, out, in, "out * in");
        Checks.span("dy", dy, dyOffset, batch, out, "batch * out");
        if (dx != null) {
            Checks.span("dx", dx, dxOffset, batch, in, "batch * in");
        }
        Checks.span("dw", dw, dwOffset, out, in, "out * in");
        if (dbias != null) {
            Checks.span("dbias", dbias, dbiasOffset, out, "out");
        }
        if (dx != null) {
            KernelProvider.gemm().sgemm(false, false, batch, in, out, 1f, dy, dyOffset, out, w, wOffset, in, 0f, dx, dxOffset, in);
        }
        KernelProvider.gemm().sgemm(true, false, out, in, batch, 1f, dy, dyOffset, out, x, xOffset, in, 0f, dw, dwOffset, in);
        if (dbias != null) {
            for (int j = 0; j < out; j++) {
                double sum = 0;
                for (int n = 0; n < batch; n++) {
                    sum += dy[dyOffset + n * out + j];
                }
                dbias[dbiasOffset + j] = (float) sum;
            }
        }
    }

    static void check(int batch, int in, int out) {
        Checks.positive("batch", batch);
        Checks.positive("in", in);
        Checks.positive("out", out);
    }
}
