package dev.isthmus.kernels;

/**
 * Plain-Java kernels: the fallback when the Vector API is unavailable, and the readable
 * specification the Panama kernels are tested against.
 */
final class ScalarKernels implements KernelSupport {

    static final ScalarKernels INSTANCE = new ScalarKernels();

    /** Roughly the work worth handing to another thread (floating-point operations). */
    private static final long TASK_FLOPS = 1L << 21;

    private ScalarKernels() {}

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int vectorBitSize() {
        return 0;
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, int aOffset, int lda,
                      float[] b, int bOffset, int ldb,
                      float beta, float[] c, int cOffset, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (alpha == 0f || k == 0) {
            for (int i = 0; i < m; i++) {
                scaleRow(c, cOffset + i * ldc, n, beta);
            }
            return;
        }
        // Each row of C is computed by one task in the same order, whatever the thread count.
        long rowFlops = 2L * n * k;
        int rowsPerTask = (int) Math.max(1, Math.min(m, TASK_FLOPS / Math.max(1, rowFlops)));
        int tasks = (m + rowsPerTask - 1) / rowsPerTask;
        Parallel.forEach(tasks, t -> {
            int i0 = t * rowsPerTask;
            int i1 = Math.min(m, i0 + rowsPerTask);
            for (int i = i0; i < i1; i++) {
                sgemmRow(transA, transB, i, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
            }
        });
    }

    private static void sgemmRow(boolean transA, boolean transB, int i, int n, int k,
                                 float alpha, float[] a, int aOffset, int lda,
                                 float[] b, int bOffset, int ldb,
                                 float beta, float[] c, int cOffset, int ldc) {
        int cRow = cOffset + i * ldc;
        scaleRow(c, cRow, n, beta);
        // A(i, p) sits at aOffset + i * lda + p, or at aOffset + p * lda + i when transposed.
        int aBase = aOffset + (transA ? i : i * lda);
        int aStep = transA ? lda : 1;
        if (!transB) {
            for (int p = 0; p < k; p++) {
                float aip = alpha * a[aBase + p * aStep];
                int bRow = bOffset + p * ldb;
                for (int j = 0; j < n; j++) {
                    c[cRow + j] += aip * b[bRow + j];
                }
            }
        } else {
            for (int j = 0; j < n; j++) {
                int bRow = bOffset + j * ldb;
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum += a[aBase + p * aStep] * b[bRow + p];
                }
                c[cRow + j] += alpha * sum;
            }
        }
    }

    /** {@code C_row = beta * C_row}; beta 0 writes zeros without reading (BLAS semantics). */
    private static void scaleRow(float[] c, int from, int n, float beta) {
        if (beta == 0f) {
            java.util.Arrays.fill(c, from, from + n, 0f);
        } else if (beta != 1f) {
            for (int j = from; j < from + n; j++) {
                c[j] *= beta;
            }
        }
    }

    @Override
    public void relu(float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xOffset + i];
            y[yOffset + i] = v < 0f ? 0f : v; // -0 and NaN pass through, as torch.relu
        }
    }

    @Override
    public void reluBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n) {
        for (int i = 0; i < n; i++) {
            dx[dxOffset + i] = y[yOffset + i] > 0f ? dy[dyOffset + i] : 0f;
        }
    }

    @Override
    public void leakyRelu(float[] x, int xOffset, float[] y, int yOffset, int n, float alpha) {
        for (int i = 0; i < n; i++) {
            float v = x[xOffset + i];
            y[yOffset + i] = v < 0f ? alpha * v : v;
        }
    }

    @Override
    public void leakyReluBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n,
                                  float alpha) {
        for (int i = 0; i < n; i++) {
            float g = dy[dyOffset + i];
            dx[dxOffset + i] = y[yOffset + i] > 0f ? g : alpha * g;
        }
    }

    @Override
    public void sigmoid(float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] = sigmoid(x[xOffset + i]);
        }
    }

    /** Computed so that no intermediate overflows; NaN propagates. */
    static float sigmoid(float x) {
        if (x >= 0f) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    @Override
    public void sigmoidBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n) {
        for (int i = 0; i < n; i++) {
            float v = y[yOffset + i];
            dx[dxOffset + i] = dy[dyOffset + i] * v * (1f - v);
        }
    }

    @Override
    public void tanh(float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] = (float) Math.tanh(x[xOffset + i]);
        }
    }

    @Override
    public void tanhBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n) {
        for (int i = 0; i < n; i++) {
            float v = y[yOffset + i];
            dx[dxOffset + i] = dy[dyOffset + i] * (1f - v * v);
        }
    }

    @Override
    public int directBlock() {
        return 1;
    }

    @Override
    public int directLanes() {
        return 1;
    }

    @Override
    public void directConvolve(DirectConv g, float[] xp, float[] wp, float[] bias, int biasOffset, boolean relu,
                               int oy0, int rows, float[] out, int outOffset, int outStride, int outPlane) {
        ScalarConv.convolve(g, xp, wp, bias, biasOffset, relu, oy0, rows, out, outOffset, outStride, outPlane);
    }

    @Override
    public void directWeightGradient(DirectConv g, float[] xp, float[] dz, int dzOffset, int dzStride, int dzPlane,
                                     int oy0, int rows, float[] acc) {
        ScalarConv.weightGradient(g, xp, dz, dzOffset, dzStride, dzPlane, oy0, rows, acc);
    }

    @Override
    public void maxPool2x2(float[] a, int aOffset, int aStride, int aPlane, int channels, int pooledRows,
                           int pooledWidth, float[] y, int yOffset, int yPlane, byte[] winners, int winnersOffset) {
        ScalarConv.maxPool2x2(a, aOffset, aStride, aPlane, channels, pooledRows, pooledWidth, y, yOffset, yPlane,
                winners, winnersOffset);
    }

    @Override
    public void maxPool2x2Backward(float[] dy, int dyOffset, float[] y, int yOffset, int yPlane, byte[] winners,
                                   int winnersOffset, int channels, int pooledRows, int pooledWidth, boolean relu,
                                   float[] dz, int dzOffset, int dzStride, int dzPlane, double[] sums) {
        ScalarConv.maxPool2x2Backward(dy, dyOffset, y, yOffset, yPlane, winners, winnersOffset, channels, pooledRows,
                pooledWidth, relu, dz, dzOffset, dzStride, dzPlane, sums);
    }

    @Override
    public void biasActivation(float[] a, int offset, int plane, int channels, int n, float[] bias, int biasOffset,
                               boolean relu) {
        ScalarConv.biasActivation(a, offset, plane, channels, n, bias, biasOffset, relu);
    }

    @Override
    public void activationGradient(float[] dy, int dyOffset, float[] y, int yOffset, int channels, int rows, int cols,
                                   boolean relu, float[] dz, int dzOffset, int dzStride, int dzPlane) {
        ScalarConv.activationGradient(dy, dyOffset, y, yOffset, channels, rows, cols, relu, dz, dzOffset, dzStride, dzPlane);
    }

    @Override
    public void channelSums(float[] a, int offset, int stride, int plane, int channels, int rows, int cols,
                            double[] sums) {
        ScalarConv.channelSums(a, offset, stride, plane, channels, rows, cols, sums);
    }

    @Override
    public void copyRuns(float[] from, int fromAt, int fromStride, int runs, int width, float[] to, int toAt,
                         int toLimit) {
        ScalarConv.copyRuns(from, fromAt, fromStride, runs, width, to, toAt);
    }

    @Override
    public void adam(float[] param, float[] grad, float[] m, float[] v, int offset, int n, float beta1,
                     float oneMinusBeta1, float beta2, float oneMinusBeta2, float eps, float stepSize,
                     float biasCorrection2Sqrt, float decay, float weightDecay, boolean decoupled) {
        for (int i = offset; i < offset + n; i++) {
            float p = param[i];
            float g = grad[i];
            if (decoupled) {
                p *= decay;
            } else if (weightDecay != 0f) {
                g += weightDecay * p;
            }
            float mi = beta1 * m[i] + oneMinusBeta1 * g;
            float vi = beta2 * v[i] + oneMinusBeta2 * g * g;
            m[i] = mi;
            v[i] = vi;
            float denom = (float) Math.sqrt(vi) / biasCorrection2Sqrt + eps;
            param[i] = p - stepSize * mi / denom;
        }
    }
}
