package dev.isthmus.kernels.gemm;

import dev.isthmus.kernels.runtime.Vectors;
import dev.isthmus.kernels.runtime.WorkerPool;
import dev.isthmus.kernels.runtime.Workspace;
import dev.isthmus.kernels.runtime.Workspace.Slot;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C = alpha * A * B^T + beta * C} as dot products of rows, for a small C and a long shared
 * dimension: a convolution's weight gradient, {@code dW[Cout, K] = dy[Cout, P] x col[K, P]^T},
 * where {@code P} is a whole feature map and C, for a layer with few channels, has a few hundred
 * elements. The packed path would pad a narrow C to a full register tile and transpose B while
 * packing; here both operands stream along their rows as they lie.
 *
 * <p>A 2x4 (AVX-512: 4x4) register tile of vector accumulators walks {@code k} in L2-sized
 * chunks; each chunk's sums are reduced across lanes, in a fixed order, and added to a
 * per-thread running total, so the result depends only on the shape, never on the thread count.
 */
final class DotProductGemm {

    private static final VectorSpecies<Float> S = Vectors.FLOATS;
    private static final int L = S.length();
    private static final int CHUNK = PackedGemm.BLOCKING.dotChunk();
    private static final long PARALLEL_MIN_FLOPS = PackedGemm.BLOCKING.dotParallelMinFlops();
    /**
     * Rows of A a tile takes: four with AVX-512's 32 registers (16 accumulators, half a load per
     * FMA), two below (8 accumulators). The rows a tile takes change no element's sums.
     */
    private static final int TILE_ROWS = L >= 16 ? 4 : 2;
    /** Rows of A whose chunks take half of L2 (a multiple of {@link #TILE_ROWS}). */
    private static final int BLOCK_ROWS = Math.max(TILE_ROWS,
            Blocking.L2 / 2 / (CHUNK * Float.BYTES) / TILE_ROWS * TILE_ROWS);


    private DotProductGemm() {}

    static void gemm(int m, int n, int k, float alpha, float[] a, int aOffset, int lda,
                     float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc) {
        gemmRows(m, n, k, alpha, a, PackedGemm.rowStarts(m, aOffset, lda), b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    /** {@link #gemm} with A's row {@code i} the {@code k} floats from {@code a[aRows[i]]}. */
    static void gemmRows(int m, int n, int k, float alpha, float[] a, int[] aRows,
                         float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc) {
        int rowPairs = (m + 1) / 2;
        long flops = 2L * m * n * k;
        int parts = flops < PARALLEL_MIN_FLOPS || WorkerPool.inTask() ? 1 : Math.min(rowPairs, WorkerPool.threads());
        if (parts == 1) {
            rows(0, m, n, k, alpha, a, aRows, b, bOffset, ldb, beta, c, cOffset, ldc);
            return;
        }
        WorkerPool.forEach(parts, t -> {
            int from = 2 * (int) ((long) rowPairs * t / parts), to = Math.min(m, 2 * (int) ((long) rowPairs * (t + 1) / parts));
            rows(from, to, n, k, alpha, a, aRows, b, bOffset, ldb, beta, c, cOffset, ldc);
        });
    }

    /** Rows {@code [i0, i1)} of C. */
    private static void rows(int i0, int i1, int n, int k, float alpha, float[] a, int[] aRows,
                             float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc) {
        int rows = i1 - i0;
        // a thread's running totals of C, then a tile's accumulators being summed (L vectors after them)
        float[] total = Workspace.floats(Slot.GEMM_TOTALS, (long) rows * n + (long) L * L);
        java.util.Arrays.fill(total, 0, rows * n, 0f);
        for (int p0 = 0; p0 < k; p0 += CHUNK) {
            int len = Math.min(CHUNK, k - p0);
            // A block of rows stays in L2 while every B row passes once: B is read from memory once
            // per block, not once per pair of rows. The order changes no element's sums.
            for (int ib = i0; ib < i1; ib += BLOCK_ROWS) {
                int ibEnd = Math.min(i1, ib + BLOCK_ROWS);
                for (int j = 0; j < n; j += 4) {
                    int b0 = bOffset + j * ldb + p0;
                    int b1 = j + 1 < n ? b0 + ldb : b0, b2 = j + 2 < n ? b0 + 2 * ldb : b0, b3 = j + 3 < n ? b0 + 3 * ldb : b0;
                    int i = ib;
                    for (; TILE_ROWS == 4 && i + 2 < ibEnd; i += 4) { // rows past the block repeat the first, unstored
                        int a0 = aRows[i] + p0, a1 = aRows[i + 1] + p0, a2 = aRows[i + 2] + p0;
                        int a3 = i + 3 < ibEnd ? aRows[i + 3] + p0 : a0;
                        tile4(a, a0, a1, a2, a3, b, b0, b1, b2, b3, len, total, (i - i0) * n + j, n,
                                Math.min(4, ibEnd - i), Math.min(4, n - j), rows * n);
                    }
                    for (; i < ibEnd; i += 2) {
                        int a0 = aRows[i] + p0;
                        int a1 = i + 1 < ibEnd ? aRows[i + 1] + p0 : a0; // a lone last row is computed twice, stored once
                        tile(a, a0, a1, b, b0, b1, b2, b3, len, total, (i - i0) * n + j, n, i + 1 < ibEnd,
                                Math.min(4, n - j), rows * n);
                    }
                }
            }
        }
        for (int i = i0; i < i1; i++) {
            int row = cOffset + i * ldc, t = (i - i0) * n;
            for (int j = 0; j < n; j++) {
                float v = alpha * total[t + j];
                c[row + j] = beta == 0f ? v : Math.fma(beta, c[row + j], v);
            }
        }
    }

    /**
     * Whether a tile's accumulators are summed {@linkplain #sumLanes all at once, in a tree}: for
     * 16 lanes (AVX-512: the four-row tile's 16 accumulators) and 8 (AVX2: the two-row tile's 8).
     * Summed one at a time, each costs L dependent additions: more than the FMAs of a chunk 256
     * long (a 1x1 convolution's weight gradient on a 16x16 map ran at 35 GFLOP/s).
     */
    private static final boolean TREE = L == 16 || L == 8;
    /** {@link #sumLanes}' indices for {@code selectFrom(x, y)}, level by level: runs of L/2, L/4, .. 1. */
    private static final float[][] LOW = runs(false), HIGH = runs(true);

    /**
     * Per level of the tree, the indices that take, in each block of {@code 2 * run} lanes, the
     * block's first (or, with {@code high}, second) {@code run} lanes of x, then the same of y.
     */
    private static float[][] runs(boolean high) {
        int levels = Integer.numberOfTrailingZeros(L);
        float[][] indices = new float[levels][L];
        for (int level = 0; level < levels; level++) {
            int run = L >> (level + 1);
            for (int j = 0; j < L; j++) {
                int block = j / (2 * run) * 2 * run, at = j % (2 * run);
                indices[level][j] = block + (at < run ? at : at - run + L) + (high ? run : 0);
            }
        }
        return indices;
    }

    /** Where {@link #sumLanes} wants accumulator {@code j}: its index with the bits reversed. */
    private static int slot(int j) {
        return Integer.reverse(j) >>> (Integer.SIZE - Integer.numberOfTrailingZeros(L));
    }

    /**
     * Sums each of L vectors across its lanes: vector {@code v} at {@code scratch[at + slot(v) * L]},
     * its sum left in {@code scratch[at + v]}. Each level adds lane {@code i} of every vector's
     * partial sums (a run of lanes) to lane {@code i + run} and packs two vectors' halved runs
     * into one; every vector gets the same additions in the same order, whatever lanes it sits in
     * and whatever the vectors beside it hold, so its sum does not depend on them. Vectors pass
     * through memory from level to level: kept in registers, C2 boxed them where it declined to
     * inline the level's helper.
     */
    private static void sumLanes(float[] scratch, int at) {
        for (int level = 0, count = L; count > 1; level++, count /= 2) {
            FloatVector low = FloatVector.fromArray(S, LOW[level], 0), high = FloatVector.fromArray(S, HIGH[level], 0);
            for (int v = 0; v < count; v += 2) {
                FloatVector x = FloatVector.fromArray(S, scratch, at + v * L);
                FloatVector y = FloatVector.fromArray(S, scratch, at + (v + 1) * L);
                low.selectFrom(x, y).add(high.selectFrom(x, y)).intoArray(scratch, at + v / 2 * L);
            }
        }
    }

    /** The lanes of {@code v} added in order, through {@code scratch} at {@code at}. */
    private static float sum(FloatVector v, float[] scratch, int at) {
        v.intoArray(scratch, at);
        float s = 0f;
        for (int i = 0; i < L; i++) {
            s += scratch[at + i];
        }
        return s;
    }

    /** Adds one chunk's dot products of rows (a0, a1) x (b0..b3) to {@code total}. */
    private static void tile(float[] a, int a0, int a1, float[] b, int b0, int b1, int b2, int b3, int len,
                             float[] total, int at, int n, boolean secondRow, int cols, int lanesAt) {
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00;
        FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        int p = 0;
        for (int end = len - L; p <= end; p += L) {
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + p), x1 = FloatVector.fromArray(S, a, a1 + p);
            FloatVector y = FloatVector.fromArray(S, b, b0 + p);
            s00 = x0.fma(y, s00);
            s10 = x1.fma(y, s10);
            y = FloatVector.fromArray(S, b, b1 + p);
            s01 = x0.fma(y, s01);
            s11 = x1.fma(y, s11);
            y = FloatVector.fromArray(S, b, b2 + p);
            s02 = x0.fma(y, s02);
            s12 = x1.fma(y, s12);
            y = FloatVector.fromArray(S, b, b3 + p);
            s03 = x0.fma(y, s03);
            s13 = x1.fma(y, s13);
        }
        // reduceLanes leaves its order of additions unspecified (the interpreter and C2 differ), so
        // the lanes are summed here in a fixed order: the same bits however the code is running.
        float t00, t01, t02, t03, t10, t11, t12, t13;
        if (TREE) { // s_rc is accumulator 4r + c; with 16 lanes tile4's tree, rows 2 and 3 whatever the slots hold
            s00.intoArray(total, lanesAt + slot(0) * L);
            s01.intoArray(total, lanesAt + slot(1) * L);
            s02.intoArray(total, lanesAt + slot(2) * L);
            s03.intoArray(total, lanesAt + slot(3) * L);
            s10.intoArray(total, lanesAt + slot(4) * L);
            s11.intoArray(total, lanesAt + slot(5) * L);
            s12.intoArray(total, lanesAt + slot(6) * L);
            s13.intoArray(total, lanesAt + slot(7) * L);
            sumLanes(total, lanesAt);
            t00 = total[lanesAt]; t01 = total[lanesAt + 1]; t02 = total[lanesAt + 2]; t03 = total[lanesAt + 3];
            t10 = total[lanesAt + 4]; t11 = total[lanesAt + 5]; t12 = total[lanesAt + 6]; t13 = total[lanesAt + 7];
        } else {
            t00 = sum(s00, total, lanesAt); t01 = sum(s01, total, lanesAt); t02 = sum(s02, total, lanesAt);
            t03 = sum(s03, total, lanesAt); t10 = sum(s10, total, lanesAt); t11 = sum(s11, total, lanesAt);
            t12 = sum(s12, total, lanesAt); t13 = sum(s13, total, lanesAt);
        }
        for (; p < len; p++) { // the chunk's tail, in order
            float x0 = a[a0 + p], x1 = a[a1 + p];
            float y0 = b[b0 + p], y1 = b[b1 + p], y2 = b[b2 + p], y3 = b[b3 + p];
            t00 = Math.fma(x0, y0, t00);
            t01 = Math.fma(x0, y1, t01);
            t02 = Math.fma(x0, y2, t02);
            t03 = Math.fma(x0, y3, t03);
            t10 = Math.fma(x1, y0, t10);
            t11 = Math.fma(x1, y1, t11);
            t12 = Math.fma(x1, y2, t12);
            t13 = Math.fma(x1, y3, t13);
        }
        // Columns past n were computed from a repeated row; only real ones are stored.
        store(total, at, cols, t00, t01, t02, t03);
        if (secondRow) {
            store(total, at + n, cols, t10, t11, t12, t13);
        }
    }

    /**
     * {@link #tile} for four rows of A: each element's lanes, lane sums and tail in the same order,
     * so the same bits (with 16 lanes, tile sums its lanes in this tree, rows 2 and 3 unused);
     * {@code rowCount} of the rows are real (the others repeat row 0, unstored).
     */
    private static void tile4(float[] a, int a0, int a1, int a2, int a3, float[] b, int b0, int b1, int b2, int b3,
                              int len, float[] total, int at, int n, int rowCount, int cols, int lanesAt) {
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00;
        FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00;
        FloatVector s30 = s00, s31 = s00, s32 = s00, s33 = s00;
        int p = 0;
        for (int end = len - L; p <= end; p += L) {
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + p), x1 = FloatVector.fromArray(S, a, a1 + p);
            FloatVector x2 = FloatVector.fromArray(S, a, a2 + p), x3 = FloatVector.fromArray(S, a, a3 + p);
            FloatVector y = FloatVector.fromArray(S, b, b0 + p);
            s00 = x0.fma(y, s00);
            s10 = x1.fma(y, s10);
            s20 = x2.fma(y, s20);
            s30 = x3.fma(y, s30);
            y = FloatVector.fromArray(S, b, b1 + p);
            s01 = x0.fma(y, s01);
            s11 = x1.fma(y, s11);
            s21 = x2.fma(y, s21);
            s31 = x3.fma(y, s31);
            y = FloatVector.fromArray(S, b, b2 + p);
            s02 = x0.fma(y, s02);
            s12 = x1.fma(y, s12);
            s22 = x2.fma(y, s22);
            s32 = x3.fma(y, s32);
            y = FloatVector.fromArray(S, b, b3 + p);
            s03 = x0.fma(y, s03);
            s13 = x1.fma(y, s13);
            s23 = x2.fma(y, s23);
            s33 = x3.fma(y, s33);
        }
        float t00, t01, t02, t03, t10, t11, t12, t13, t20, t21, t22, t23, t30, t31, t32, t33;
        if (L == 16) { // s_rc is accumulator 4r + c
            s00.intoArray(total, lanesAt + slot(0) * L);
            s01.intoArray(total, lanesAt + slot(1) * L);
            s02.intoArray(total, lanesAt + slot(2) * L);
            s03.intoArray(total, lanesAt + slot(3) * L);
            s10.intoArray(total, lanesAt + slot(4) * L);
            s11.intoArray(total, lanesAt + slot(5) * L);
            s12.intoArray(total, lanesAt + slot(6) * L);
            s13.intoArray(total, lanesAt + slot(7) * L);
            s20.intoArray(total, lanesAt + slot(8) * L);
            s21.intoArray(total, lanesAt + slot(9) * L);
            s22.intoArray(total, lanesAt + slot(10) * L);
            s23.intoArray(total, lanesAt + slot(11) * L);
            s30.intoArray(total, lanesAt + slot(12) * L);
            s31.intoArray(total, lanesAt + slot(13) * L);
            s32.intoArray(total, lanesAt + slot(14) * L);
            s33.intoArray(total, lanesAt + slot(15) * L);
            sumLanes(total, lanesAt);
            t00 = total[lanesAt]; t01 = total[lanesAt + 1]; t02 = total[lanesAt + 2]; t03 = total[lanesAt + 3];
            t10 = total[lanesAt + 4]; t11 = total[lanesAt + 5]; t12 = total[lanesAt + 6]; t13 = total[lanesAt + 7];
            t20 = total[lanesAt + 8]; t21 = total[lanesAt + 9]; t22 = total[lanesAt + 10]; t23 = total[lanesAt + 11];
            t30 = total[lanesAt + 12]; t31 = total[lanesAt + 13]; t32 = total[lanesAt + 14]; t33 = total[lanesAt + 15];
        } else {
            t00 = sum(s00, total, lanesAt); t01 = sum(s01, total, lanesAt); t02 = sum(s02, total, lanesAt);
            t03 = sum(s03, total, lanesAt); t10 = sum(s10, total, lanesAt); t11 = sum(s11, total, lanesAt);
            t12 = sum(s12, total, lanesAt); t13 = sum(s13, total, lanesAt); t20 = sum(s20, total, lanesAt);
            t21 = sum(s21, total, lanesAt); t22 = sum(s22, total, lanesAt); t23 = sum(s23, total, lanesAt);
            t30 = sum(s30, total, lanesAt); t31 = sum(s31, total, lanesAt); t32 = sum(s32, total, lanesAt);
            t33 = sum(s33, total, lanesAt);
        }
        for (; p < len; p++) { // the chunk's tail, in order
            float x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
            float y0 = b[b0 + p], y1 = b[b1 + p], y2 = b[b2 + p], y3 = b[b3 + p];
            t00 = Math.fma(x0, y0, t00);
            t01 = Math.fma(x0, y1, t01);
            t02 = Math.fma(x0, y2, t02);
            t03 = Math.fma(x0, y3, t03);
            t10 = Math.fma(x1, y0, t10);
            t11 = Math.fma(x1, y1, t11);
            t12 = Math.fma(x1, y2, t12);
            t13 = Math.fma(x1, y3, t13);
            t20 = Math.fma(x2, y0, t20);
            t21 = Math.fma(x2, y1, t21);
            t22 = Math.fma(x2, y2, t22);
            t23 = Math.fma(x2, y3, t23);
            t30 = Math.fma(x3, y0, t30);
            t31 = Math.fma(x3, y1, t31);
            t32 = Math.fma(x3, y2, t32);
            t33 = Math.fma(x3, y3, t33);
        }
        // Rows past rowCount and columns past n were computed from repeated rows; only real ones are stored.
        store(total, at, cols, t00, t01, t02, t03);
        if (rowCount > 1) store(total, at + n, cols, t10, t11, t12, t13);
        if (rowCount > 2) store(total, at + 2 * n, cols, t20, t21, t22, t23);
        if (rowCount > 3) store(total, at + 3 * n, cols, t30, t31, t32, t33);
    }

    /** Adds a row's {@code cols} (1 to 4) dot products to {@code total} from {@code at}. */
    private static void store(float[] total, int at, int cols, float t0, float t1, float t2, float t3) {
        total[at] += t0;
        if (cols > 1) total[at + 1] += t1;
        if (cols > 2) total[at + 2] += t2;
        if (cols > 3) total[at + 3] += t3;
    }
}
