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

    /**
     * {@code C = A * B^T} ({@code A} is {@code m x k}, {@code B} {@code n x k}, C overwritten),
     * each row's bits depending on its own row of A and on B alone: never on {@code m} or on the
     * rows beside it, so a batch computed all at once or a slice at a time gives the same floats.
     */
    void sgemmRowStable(int m, int n, int k, float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                        float[] c, int cOffset, int ldc);

    /**
     * {@code C = A * B} ({@code m x k} times {@code k x n}, C overwritten), each element one chain
     * of fused multiply-adds over k in order, from zero: a row's bits never depend on the rows
     * beside it, and both implementations give the same bits.
     */
    void sgemmChained(int m, int n, int k, float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                      float[] c, int cOffset, int ldc);

    /**
     * {@code C = A^T * B} summed over slices of the shared dimension, C ({@code m x n}) overwritten:
     * slice {@code s} is rows {@code [kStarts[s], kStarts[s + 1])} of {@code A} ({@code k x m}) and
     * of {@code B} ({@code k x n}). Each slice's product is a chain of fused multiply-adds from zero,
     * in order; the {@code slices} products are added in the slice tree's order (each node its left
     * half plus its right half, the left half a power of two wide), so the result has the bits of
     * the slices' products computed one by one and then added by the tree, without a slice's copy
     * of C ever stored. Both implementations give the same bits.
     */
    void sgemmSliceTree(int[] kStarts, int slices, int m, int n, float[] a, int aOffset, int lda,
                        float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc);
}
