package dev.isthmus.kernels.gemm;

import dev.isthmus.kernels.runtime.Vectors;
import dev.isthmus.kernels.runtime.WorkerPool;
import dev.isthmus.kernels.runtime.Workspace;
import dev.isthmus.kernels.runtime.Workspace.Slot;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * SGEMM for a C exactly one vector wide ({@code n == L}, e.g. a convolution over a 4x4 map on
 * AVX-512), neither operand transposed: A and B are read where they lie, no packing, eight rows
 * of one vector at a time so that as many FMAs are in flight as in a full tile.
 */
final class OneVectorGemm {

    private static final VectorSpecies<Float> S = Vectors.FLOATS;
    private static final int NR = PackedGemm.BLOCKING.nr();
    private static final long PARALLEL_MIN_FLOPS = PackedGemm.BLOCKING.parallelMinFlops();

    private OneVectorGemm() {}

    static void gemm(int m, int n, int k, float alpha, float[] a, int aOffset, int lda,
                     float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc) {
        gemmRows(m, n, k, alpha, a, PackedGemm.rowStarts(m, aOffset, lda), b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    /** {@link #gemm} with A's row {@code i} the {@code k} floats from {@code a[aRows[i]]}. */
    static void gemmRows(int m, int n, int k, float alpha, float[] a, int[] aRows,
                         float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc) {
        int rowBlocks = (m + 7) / 8;
        int parts = 2L * m * n * k < PARALLEL_MIN_FLOPS || WorkerPool.inTask() ? 1 : Math.min(rowBlocks, WorkerPool.threads());
        if (parts == 1) {
            columnRows(0, m, k, alpha, a, aRows, b, bOffset, ldb, beta, c, cOffset, ldc, tile());
            return;
        }
        WorkerPool.forEach(parts, t -> columnRows(8 * (int) ((long) rowBlocks * t / parts),
                Math.min(m, 8 * (int) ((long) rowBlocks * (t + 1) / parts)), k, alpha, a, aRows,
                b, bOffset, ldb, beta, c, cOffset, ldc, tile()));
    }

    /**
     * This thread's 8 rows of one vector, at the tile's row stride NR. Taken by the caller, not in
     * {@link #columnRows}: with {@code Workspace.floats} inlined there, C2 gave up on the whole
     * method under {@code -XX:+PreserveFramePointer} in 6 of 8 runs ("failed
     * spill-split-recycle sanity check"), and C1's code boxed every vector (a ChestXRayNet
     * training step 2x slower); with it out, in none of 8.
     */
    private static float[] tile() {
        return Workspace.floats(Slot.GEMM_TILE, 8L * NR);
    }

    /**
     * C exactly one vector wide ({@code n == L}, e.g. ChestXRayNet's last convolution, n = 16 on
     * AVX-512), neither operand transposed: A and B are read where they lie, no packing, eight rows
     * of one vector at a time so that as many FMAs are in flight as in a full tile. Each element is
     * one fma chain over all of k, then alpha, whichever rows a thread takes.
     */
    private static void columnRows(int i0, int i1, int k, float alpha, float[] a, int[] aRows,
                                   float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc,
                                   float[] tile) {
        boolean overwrite = beta == 0f;
        for (int i = i0; i < i1; i += 8) {
            // A short last block re-reads its last row in the missing ones (not stored): eight
            // chains in flight still, where a row at a time would wait on each FMA's latency.
            int rows = Math.min(8, i1 - i), last = i + rows - 1, r0 = aRows[i];
            int r1 = aRows[Math.min(i + 1, last)], r2 = aRows[Math.min(i + 2, last)];
            int r3 = aRows[Math.min(i + 3, last)], r4 = aRows[Math.min(i + 4, last)];
            int r5 = aRows[Math.min(i + 5, last)], r6 = aRows[Math.min(i + 6, last)];
            int r7 = aRows[Math.min(i + 7, last)];
            FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
            for (int p = 0; p < k; p++) {
                FloatVector b0 = FloatVector.fromArray(S, b, bOffset + p * ldb);
                c0 = FloatVector.broadcast(S, a[r0 + p]).fma(b0, c0);
                c1 = FloatVector.broadcast(S, a[r1 + p]).fma(b0, c1);
                c2 = FloatVector.broadcast(S, a[r2 + p]).fma(b0, c2);
                c3 = FloatVector.broadcast(S, a[r3 + p]).fma(b0, c3);
                c4 = FloatVector.broadcast(S, a[r4 + p]).fma(b0, c4);
                c5 = FloatVector.broadcast(S, a[r5 + p]).fma(b0, c5);
                c6 = FloatVector.broadcast(S, a[r6 + p]).fma(b0, c6);
                c7 = FloatVector.broadcast(S, a[r7 + p]).fma(b0, c7);
            }
            c0.intoArray(tile, 0);
            c1.intoArray(tile, NR);
            c2.intoArray(tile, 2 * NR);
            c3.intoArray(tile, 3 * NR);
            c4.intoArray(tile, 4 * NR);
            c5.intoArray(tile, 5 * NR);
            c6.intoArray(tile, 6 * NR);
            c7.intoArray(tile, 7 * NR);
            TileMerge.merge(tile, rows, 1, c, cOffset + i * ldc, ldc, alpha, overwrite, beta);
        }
    }

}
