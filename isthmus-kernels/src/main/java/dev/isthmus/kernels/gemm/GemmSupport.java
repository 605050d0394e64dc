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

    /**
     * {@code C = alpha * A * op(B) + beta * C} with row {@code i} of A ({@code m x k}) the
     * {@code k} floats from {@code a[aRows[i]]}: rows anywhere, even overlapping. A convolution's
     * column matrix is such a matrix (each tap's row is the staged image from that tap's offset),
     * so its weight gradient needs no im2col copy. The same bits as {@link #sgemm} on the rows
     * gathered into a matrix.
     */
    void sgemmRows(boolean transB, int m, int n, int k, float alpha, float[] a, int[] aRows,
                   float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc);
}
