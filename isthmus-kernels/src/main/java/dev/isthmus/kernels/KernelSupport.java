package dev.isthmus.kernels;

/**
 * The kernels behind {@link Kernels}, implemented twice: {@link ScalarKernels} (plain Java, also
 * the specification) and {@code PanamaKernels} (Vector API). Arguments arrive already checked
 * by {@link Kernels}; implementations never validate and never allocate per call beyond their
 * reusable per-thread workspaces.
 */
interface KernelSupport {

    /** Short name: {@code "panama"} or {@code "scalar"}. */
    String name();

    /** Vector width in bits that the kernels run at; 0 for scalar. */
    int vectorBitSize();

    /** Row-major SGEMM, {@code C = alpha * op(A) * op(B) + beta * C}. See {@link Kernels#sgemm}. */
    void sgemm(boolean transA, boolean transB, int m, int n, int k,
               float alpha, float[] a, int aOffset, int lda,
               float[] b, int bOffset, int ldb,
               float beta, float[] c, int cOffset, int ldc);

    // Element-wise activations (see Activations for the contracts); arguments already checked.

    void relu(float[] x, int xOffset, float[] y, int yOffset, int n);

    void reluBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n);

    void leakyRelu(float[] x, int xOffset, float[] y, int yOffset, int n, float alpha);

    void leakyReluBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n, float alpha);

    void sigmoid(float[] x, int xOffset, float[] y, int yOffset, int n);

    void sigmoidBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n);

    void tanh(float[] x, int xOffset, float[] y, int yOffset, int n);

    void tanhBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n);

    // Direct convolution at stride 1 and the fused epilogues around it: the contracts are
    // ScalarConv's (see DirectConv for the layouts); arguments already checked.

    /** Output columns one step of {@link #directConvolve} computes: {@link DirectConv#block}. */
    int directBlock();

    /** Lanes of partial sums per weight in {@link #directWeightGradient}'s accumulator. */
    int directLanes();

    void directConvolve(DirectConv g, float[] xp, float[] wp, float[] bias, int biasOffset, boolean relu,
                        int oy0, int rows, float[] out, int outOffset, int outStride, int outPlane);

    void directWeightGradient(DirectConv g, float[] xp, float[] dz, int dzOffset, int dzStride, int dzPlane,
                              int oy0, int rows, float[] acc);

    void maxPool2x2(float[] a, int aOffset, int aStride, int aPlane, int channels, int pooledRows, int pooledWidth,
                    float[] y, int yOffset, int yPlane, byte[] winners, int winnersOffset);

    /**
     * The 2x2 pooling's input gradient (see {@link PanamaConv#maxPool2x2Backward}); when {@code sums}
     * is not null, also {@code sums[c] +=} the sum of channel {@code c}'s window gradients, which
     * is the bias gradient of the convolution before the pooling.
     */
    void maxPool2x2Backward(float[] dy, int dyOffset, float[] y, int yOffset, int yPlane, byte[] winners,
                            int winnersOffset, int channels, int pooledRows, int pooledWidth, boolean relu,
                            float[] dz, int dzOffset, int dzStride, int dzPlane, double[] sums);

    void biasActivation(float[] a, int offset, int plane, int channels, int n, float[] bias, int biasOffset, boolean relu);

    void activationGradient(float[] dy, int dyOffset, float[] y, int yOffset, int channels, int rows, int cols,
                            boolean relu, float[] dz, int dzOffset, int dzStride, int dzPlane);

    void channelSums(float[] a, int offset, int stride, int plane, int channels, int rows, int cols, double[] sums);

    /** Floats from a run's start that {@link #copyRuns} may read, however narrow the run: {@code from} needs them. */
    int COPY_SLACK = 16;

    /**
     * {@code runs} runs of {@code width} floats, run {@code i} from {@code from[fromAt + i * fromStride]},
     * laid end to end from {@code to[toAt]}: im2col's inner step on narrow maps. May read up to
     * {@link #COPY_SLACK} floats from a run's start, and may overwrite {@code to} after the runs up
     * to {@code toLimit} (exclusive; at least {@code toAt + runs * width}) with garbage: im2col
     * fills the column matrix in order, so what spills past one row is written again by the next.
     */
    void copyRuns(float[] from, int fromAt, int fromStride, int runs, int width, float[] to, int toAt, int toLimit);

    /**
     * One Adam/AdamW step over {@code [offset, offset + n)} with the constants Optimizers derives,
     * in float as PyTorch's kernel uses them (passed one by one: a constants object per call would
     * be the only allocation of a training step).
     */
    void adam(float[] param, float[] grad, float[] m, float[] v, int offset, int n, float beta1, float oneMinusBeta1,
              float beta2, float oneMinusBeta2, float eps, float stepSize, float biasCorrection2Sqrt, float decay,
              float weightDecay, boolean decoupled);

}
