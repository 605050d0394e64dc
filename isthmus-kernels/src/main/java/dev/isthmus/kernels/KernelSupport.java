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

    /** One Adam/AdamW step over {@code [offset, offset + n)} with the constants Optimizers derives. */
    void adam(float[] param, float[] grad, float[] m, float[] v, int offset, int n, AdamStep s);

    /** Adam's per-step constants, in float as PyTorch's kernel uses them. */
    record AdamStep(float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float eps, float stepSize,
                    float biasCorrection2Sqrt, float decay, float weightDecay, boolean decoupled) {}
}
