package dev.isthmus.kernels.gemm;

import dev.isthmus.kernels.runtime.Vectors;

/**
 * SGEMM on the Vector API: chooses, from the shape alone, among the packed path
 * ({@link PackedGemm}: Goto/BLIS blocking around one register tile, A packed or, for a narrow C,
 * read in place), a C exactly one vector wide ({@link OneVectorGemm}) and long thin products of
 * rows ({@link DotProductGemm}); every size and threshold is in {@link Blocking}. Loaded by name
 * from the kernel provider once the vector module is known to be present.
 */
public final class PanamaGemm implements GemmSupport {

    private static final int L = Vectors.LANES;
    private static final Blocking BLOCKING = PackedGemm.BLOCKING;

    /** Loaded by name by the kernel provider, once the vector module is known to be present. */
    public PanamaGemm() {}

    /** The blocking of the packed path at this JVM's vector width. */
    public static Blocking blocking() {
        return BLOCKING;
    }

    @Override
    public int vectorBitSize() {
        return Vectors.FLOATS.vectorBitSize();
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
            scale(m, n, beta, c, cOffset, ldc);
        } else if (BLOCKING.suitsDotProducts(transA, transB, m, n, k)) {
            DotProductGemm.gemm(m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
        } else if (!transA && !transB && n == L) {
            OneVectorGemm.gemm(m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
        } else {
            PackedGemm.gemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
        }
    }

    @Override
    public void sgemmRows(boolean transB, int m, int n, int k, float alpha, float[] a, int[] aRows,
                          float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (alpha == 0f || k == 0) {
            scale(m, n, beta, c, cOffset, ldc);
        } else if (BLOCKING.suitsDotProducts(false, transB, m, n, k)) {
            DotProductGemm.gemmRows(m, n, k, alpha, a, aRows, b, bOffset, ldb, beta, c, cOffset, ldc);
        } else if (!transB && n == L) {
            OneVectorGemm.gemmRows(m, n, k, alpha, a, aRows, b, bOffset, ldb, beta, c, cOffset, ldc);
        } else {
            PackedGemm.gemmRows(transB, m, n, k, alpha, a, aRows, b, bOffset, ldb, beta, c, cOffset, ldc);
        }
    }

    @Override
    public void sgemmRowStable(int m, int n, int k, float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                               float[] c, int cOffset, int ldc) {
        if (m > 0 && n > 0) { // each element's lane sums fall at the same places of k whatever m
            DotProductGemm.gemm(m, n, k, 1f, a, aOffset, lda, b, bOffset, ldb, 0f, c, cOffset, ldc);
        }
    }

    @Override
    public void sgemmChained(int m, int n, int k, float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                             float[] c, int cOffset, int ldc) {
        if (m > 0 && n > 0) {
            ChainedGemm.gemm(m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
        }
    }

    @Override
    public void sgemmSliceTree(int[] kStarts, int slices, int m, int n, float[] a, int aOffset, int lda,
                               float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc) {
        if (m > 0 && n > 0) {
            ChainedGemm.sliceTree(kStarts, slices, m, n, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
        }
    }

    /** {@code C = beta * C}; beta 0 writes zeros without reading. */
    private static void scale(int m, int n, float beta, float[] c, int cOffset, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOffset + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, row, row + n, 0f);
            } else if (beta != 1f) {
                for (int j = row; j < row + n; j++) {
                    c[j] *= beta;
                }
            }
        }
    }
}
