package dev.isthmus.kernels.gemm;

import dev.isthmus.kernels.runtime.WorkerPool;

/**
 * SGEMM in plain Java, a row of C at a time: the fallback when the Vector API is unavailable and
 * the specification the Panama SGEMM is tested against.
 */
public final class ScalarGemm implements GemmSupport {

    public static final ScalarGemm INSTANCE = new ScalarGemm();

    /** Roughly the work worth handing to another thread (floating-point operations). */
    private static final long TASK_FLOPS = 1L << 21;

    private ScalarGemm() {}

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
        WorkerPool.forEach(tasks, t -> {
            int i0 = t * rowsPerTask;
            int i1 = Math.min(m, i0 + rowsPerTask);
            for (int i = i0; i < i1; i++) {
                // A(i, p) sits at aOffset + i * lda + p, or at aOffset + p * lda + i when transposed.
                sgemmRow(transB, i, n, k, alpha, a, aOffset + (transA ? i : i * lda), transA ? lda : 1,
                        b, bOffset, ldb, beta, c, cOffset, ldc);
            }
        });
    }

    @Override
    public void sgemmRows(boolean transB, int m, int n, int k, float alpha, float[] a, int[] aRows,
                          float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc) {
        for (int i = 0; i < m; i++) {
            if (alpha == 0f || k == 0) {
                scaleRow(c, cOffset + i * ldc, n, beta);
            } else {
                sgemmRow(transB, i, n, k, alpha, a, aRows[i], 1, b, bOffset, ldb, beta, c, cOffset, ldc);
            }
        }
    }

    /** Row {@code i} of C; A(i, p) at {@code aBase + p * aStep}. */
    private static void sgemmRow(boolean transB, int i, int n, int k, float alpha, float[] a, int aBase, int aStep,
                                 float[] b, int bOffset, int ldb,
                                 float beta, float[] c, int cOffset, int ldc) {
        int cRow = cOffset + i * ldc;
        scaleRow(c, cRow, n, beta);
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

    @Override
    public void sgemmRowStable(int m, int n, int k, float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                               float[] c, int cOffset, int ldc) {
        sgemm(false, true, m, n, k, 1f, a, aOffset, lda, b, bOffset, ldb, 0f, c, cOffset, ldc); // row by row
    }

    @Override
    public void sgemmChained(int m, int n, int k, float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                             float[] c, int cOffset, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum = Math.fma(a[aOffset + i * lda + p], b[bOffset + p * ldb + j], sum);
                }
                c[cOffset + i * ldc + j] = sum;
            }
        }
    }

    @Override
    public void sgemmSliceTree(int[] kStarts, int slices, int m, int n, float[] a, int aOffset, int lda,
                               float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc) {
        float[] parts = new float[slices];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                for (int s = 0; s < slices; s++) {
                    float sum = 0f;
                    for (int p = kStarts[s]; p < kStarts[s + 1]; p++) {
                        sum = Math.fma(a[aOffset + p * lda + i], b[bOffset + p * ldb + j], sum);
                    }
                    parts[s] = sum;
                }
                c[cOffset + i * ldc + j] = treeSum(parts, 0, slices);
            }
        }
    }

    /** {@code parts[lo, hi)} added as the slice tree adds them: the left half a power of two wide, plus the rest. */
    private static float treeSum(float[] parts, int lo, int hi) {
        if (hi - lo == 1) {
            return parts[lo];
        }
        int half = Integer.highestOneBit(hi - lo - 1);
        return treeSum(parts, lo, lo + half) + treeSum(parts, lo + half, hi);
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
}
