package dev.isthmus.kernels.gemm;

/**
 * Row-major SGEMM, {@code C = alpha * op(A) * op(B) + beta * C}, implemented twice:
 * {@link ScalarGemm} (plain Java, also the specification) and {@code PanamaGemm} (Vector API).
 * The contract is {@code Kernels.sgemm}'s; arguments arrive already checked, by the public facade
 * or by the kernel that calls it (a convolution checks its shapes once, at construction).
 * Results never depend on the thread count.
 */
public interface GemmSupport {

    /** Vector width in bits the kernels run at; 0 for scalar. */
    int vectorBitSize();

    void sgemm(boolean transA, boolean transB, int m, int n, int k,
               float alpha, float[] a, int aOffset, int lda,
               float[] b, int bOffset, int ldb,
               float beta, float[] c, int cOffset, int ldc);
}
