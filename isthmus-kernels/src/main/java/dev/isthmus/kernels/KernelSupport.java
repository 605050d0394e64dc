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
}
