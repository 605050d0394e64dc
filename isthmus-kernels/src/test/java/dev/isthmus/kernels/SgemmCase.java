package dev.isthmus.kernels;

import dev.isthmus.kernels.gemm.GemmSupport;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One SGEMM call's arguments: shapes, transposes, scalars, offsets and leading dimensions, with
 * matrices filled from a seed. Built from a few integers so that jqwik shrinks it to small shapes.
 */
record SgemmCase(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                 int aOffset, int lda, int bOffset, int ldb, int cOffset, int ldc,
                 float[] a, float[] b, float[] c) {

    static SgemmCase of(int m, int n, int k, boolean transA, boolean transB, float alpha, float beta,
                        int offset, int ldPad, long seed) {
        var random = new SplittableRandom(seed);
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = Math.max(1, aCols) + ldPad, ldb = Math.max(1, bCols) + (ldPad * 7) % 5, ldc = Math.max(1, n) + (ldPad * 3) % 4;
        int aOff = offset, bOff = (offset * 5) % 7, cOff = (offset * 3) % 5;
        float[] a = fill(random, aOff + aRows * lda + 3);
        float[] b = fill(random, bOff + bRows * ldb + 3);
        float[] c = fill(random, cOff + m * ldc + 3);
        return new SgemmCase(transA, transB, m, n, k, alpha, beta, aOff, lda, bOff, ldb, cOff, ldc, a, b, c);
    }

    private static float[] fill(SplittableRandom random, int length) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }

    /** Runs the case through an implementation on a copy of C and returns that copy. */
    float[] run(GemmSupport kernels) {
        float[] out = c.clone();
        kernels.sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, out, cOffset, ldc);
        return out;
    }

    @Override
    public String toString() {
        return "SgemmCase[m=" + m + ", n=" + n + ", k=" + k + ", transA=" + transA + ", transB=" + transB
                + ", alpha=" + alpha + ", beta=" + beta + ", aOffset=" + aOffset + ", lda=" + lda
                + ", bOffset=" + bOffset + ", ldb=" + ldb + ", cOffset=" + cOffset + ", ldc=" + ldc
                + ", |c|=" + c.length + "]";
    }

    /** True if every element of {@code out} outside C's m x n window equals the original. */
    boolean untouchedOutside(float[] out) {
        float[] expected = c.clone();
        float[] actual = out.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                expected[cOffset + i * ldc + j] = 0;
                actual[cOffset + i * ldc + j] = 0;
            }
        }
        return Arrays.equals(expected, actual);
    }
}
