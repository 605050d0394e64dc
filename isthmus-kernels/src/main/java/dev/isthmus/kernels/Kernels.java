package dev.isthmus.kernels;

import java.util.Objects;

/**
 * The public kernel API: checks every argument, then hands the work to the implementation chosen
 * at start-up (see {@link #selection()}). All arrays are plain {@code float[]} with an offset;
 * matrices are row-major with a leading dimension, as in CBLAS with {@code CblasRowMajor}.
 */
public final class Kernels {

    private Kernels() {}

    /** Which implementation the kernels use in this JVM, and why. */
    public static KernelSelection selection() {
        return KernelProvider.selection();
    }

    /**
     * Single-precision general matrix multiply, row-major:
     * {@code C = alpha * op(A) * op(B) + beta * C}, where {@code op(A)} is {@code m x k},
     * {@code op(B)} is {@code k x n} and {@code C} is {@code m x n}.
     *
     * <p>{@code op(X)} is {@code X} or its transpose. Element {@code (i, j)} of a stored matrix
     * lives at {@code x[xOffset + i * ldx + j]}; so {@code A} is stored {@code m x k} (leading
     * dimension {@code lda >= k}) or, when {@code transA}, {@code k x m} ({@code lda >= m}).
     * As in BLAS, {@code beta == 0} means C is written without being read (NaN in C is ignored),
     * and {@code alpha == 0} or {@code k == 0} reduce to {@code C = beta * C}.
     *
     * <p>Runs on {@link Parallel}'s threads; the result is bitwise identical for any thread count.
     *
     * @throws NullPointerException     if an array is null
     * @throws IllegalArgumentException if a size, offset or leading dimension is negative or too
     *                                  small, or an array is too short for its offset and shape;
     *                                  thrown before anything is written to C
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float alpha, float[] a, int aOffset, int lda,
                             float[] b, int bOffset, int ldb,
                             float beta, float[] c, int cOffset, int ldc) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        Objects.requireNonNull(c, "c");
        Checks.nonNegative("m", m);
        Checks.nonNegative("n", n);
        Checks.nonNegative("k", k);
        Checks.matrix("a", a, aOffset, "lda", lda, transA ? k : m, transA ? m : k,
                transA ? "k x m (transA)" : "m x k");
        Checks.matrix("b", b, bOffset, "ldb", ldb, transB ? n : k, transB ? k : n,
                transB ? "n x k (transB)" : "k x n");
        Checks.matrix("c", c, cOffset, "ldc", ldc, m, n, "m x n");
        KernelProvider.gemm().sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda,
                b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    /** {@code C = A * B} for dense row-major arrays: a convenience over {@link #sgemm}. */
    public static void matmul(int m, int n, int k, float[] a, float[] b, float[] c) {
        sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
    }
}
