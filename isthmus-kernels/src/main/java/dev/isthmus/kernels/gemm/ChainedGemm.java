package dev.isthmus.kernels.gemm;

import dev.isthmus.kernels.runtime.Vectors;
import dev.isthmus.kernels.runtime.WorkerPool;
import dev.isthmus.kernels.runtime.Workspace;
import dev.isthmus.kernels.runtime.Workspace.Slot;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Products whose every element is one chain of fused multiply-adds over k, in order, from zero,
 * each lane of a vector one element: the bits of {@link ScalarGemm}'s chains exactly, and a row's
 * bits never depend on the rows computed beside it. For a layer whose batch runs either slice by
 * slice or all at once (a large {@code Dense}): {@link #gemm} for {@code C = A B}, and
 * {@link #sliceTree} for {@code C = A^T B} summed over slices of k in the slice tree's order.
 *
 * <p>A tile is four rows of C by two vectors (14 registers: AVX2's 16 hold it), B read a row of
 * its strip (two vectors wide) at a time, the strip copied together first where several tiles
 * read it; threads take whole columns of C, so the thread count changes nothing.
 */
final class ChainedGemm {

    private static final VectorSpecies<Float> S = Vectors.FLOATS;
    private static final int L = S.length();
    private static final int WIDTH = 2 * L;
    private static final long PARALLEL_MIN_FLOPS = PackedGemm.BLOCKING.parallelMinFlops();
    /** Rows of C the slice tree's tiles walk along together: as many write streams. */
    private static final int BAND_ROWS = 16;
    /** Partial sums a tile may hold at once: one per level of a tree over at most 2^31 slices. */
    private static final int MAX_LEVELS = 32;

    private ChainedGemm() {}

    /** {@code C[m x n] = A[m x k] B[k x n]}, C overwritten. */
    static void gemm(int m, int n, int k, float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                     float[] c, int cOffset, int ldc) {
        int parts = parts(2L * m * n * k, n);
        if (parts == 1) { // no task, and no lambda to allocate
            chainColumns(0, n, m, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
            return;
        }
        WorkerPool.forEach(parts, t -> chainColumns(from(t, parts, n), from(t + 1, parts, n), m, k, a, aOffset, lda,
                b, bOffset, ldb, c, cOffset, ldc));
    }

    /**
     * {@code C[m x n] = sum over slices of A_s^T B_s}, C overwritten, where slice {@code s} is rows
     * {@code [kStarts[s], kStarts[s + 1])} of {@code A[k x m]} and {@code B[k x n]}; each slice's
     * product a chain from zero, the products added as the slice tree adds them (its left half plus
     * its right half, halves a power of two wide) with no slice's copy of C stored.
     */
    static void sliceTree(int[] kStarts, int slices, int m, int n, float[] a, int aOffset, int lda,
                          float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc) {
        int parts = parts(2L * m * n * (kStarts[slices] - kStarts[0]), n);
        if (parts == 1) {
            treeColumns(0, n, kStarts, slices, m, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
            return;
        }
        WorkerPool.forEach(parts, t -> treeColumns(from(t, parts, n), from(t + 1, parts, n), kStarts, slices, m,
                a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc));
    }

    /** Threads for a product: one for a small product or within a task, else at most one per tile column. */
    private static int parts(long flops, int n) {
        int tiles = (n + WIDTH - 1) / WIDTH;
        return flops < PARALLEL_MIN_FLOPS || WorkerPool.inTask() ? 1 : Math.min(tiles, WorkerPool.threads());
    }

    /** Where part {@code t} of {@code parts} starts: columns cut at tile edges, so the thread count changes nothing. */
    private static int from(int t, int parts, int n) {
        int tiles = (n + WIDTH - 1) / WIDTH;
        return Math.min(n, WIDTH * (int) ((long) tiles * t / parts));
    }

    private static void chainColumns(int j0, int j1, int m, int k, float[] a, int aOffset, int lda,
                                     float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc) {
        float[] strip = copiesStrips(m, ldb) ? Workspace.floats(Slot.GEMM_PACKED_B, (long) k * WIDTH) : null;
        for (int j = j0; j < j1; j += WIDTH) {
            boolean copied = strip != null && j + WIDTH <= j1;
            if (copied) {
                copyStrip(b, bOffset + j, ldb, k, strip, 0);
            }
            for (int i = 0; i < m; i += 4) {
                chainTile(k, a, aOffset, lda, i, Math.min(4, m - i), copied ? strip : b, copied ? 0 : bOffset + j,
                        copied ? WIDTH : ldb, j, j1, c, cOffset + i * ldc + j, ldc);
            }
        }
    }

    /**
     * Whether a column of tiles copies its strip of B (two vectors wide, down all of k) together
     * before its tiles read it: where more than one tile reads it and its rows lie apart. Rows of a
     * wide B lie {@code ldb} floats apart, often a multiple of 4 KiB (a Dense of 8192 inputs: 32
     * KiB), and read down in place they fall into a few sets of every cache: each tile then read
     * the strip from L3 again. Copied, the strip is read from memory once and its tiles read it
     * from L1 or L2; the sums are the same.
     */
    private static boolean copiesStrips(int m, int ldb) {
        return m > 4 && ldb != WIDTH;
    }

    /** Rows {@code [0, rows)} of the strip at {@code b[at]} (rows {@code ldb} apart), into {@code strip} from {@code to}, {@code WIDTH} floats a row. */
    private static void copyStrip(float[] b, int at, int ldb, int rows, float[] strip, int to) {
        for (int p = 0; p < rows; p++, at += ldb, to += WIDTH) {
            FloatVector.fromArray(S, b, at).intoArray(strip, to);
            FloatVector.fromArray(S, b, at + L).intoArray(strip, to + L);
        }
    }

    private static void treeColumns(int j0, int j1, int[] kStarts, int slices, int m, float[] a, int aOffset, int lda,
                                    float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc) {
        // the partial sums' levels, then a tile's worth for a narrow last column's tiles on their way to C
        float[] levels = Workspace.floats(Slot.GEMM_TILE, (long) (MAX_LEVELS + 1) * 4 * WIDTH);
        int edge = MAX_LEVELS * 4 * WIDTH;
        int k0 = kStarts[0], k = kStarts[slices] - k0;
        float[] edgeColumns = null;
        if (m % 4 != 0) { // the last rows of C: A's last columns, four a row of k (row p at (p - k0) * 4)
            edgeColumns = Workspace.floats(Slot.GEMM_PACKED_A, (long) k * 4);
            for (int p = 0, from = m / 4 * 4; p < k; p++) {
                for (int r = 0; r < 4; r++) {
                    edgeColumns[p * 4 + r] = from + r < m ? a[aOffset + (k0 + p) * lda + from + r] : 0f;
                }
            }
        }
        // C a band of rows at a time, along them, where the writes stream: its columns in panels
        // whose strips of B, copied together (strip s's row p at (s * k + p - k0) * WIDTH), stay in
        // L2 while every band passes, each strip in L1 while the band's tiles pass. Walked down a
        // column of tiles instead, a wide C (a Dense weight gradient's rows lie 32 KiB apart) took a
        // new page every tile.
        int panelStrips = Math.max(1, Blocking.L2 / 2 / (Math.max(1, k) * WIDTH * Float.BYTES));
        float[] strips = Workspace.floats(Slot.GEMM_PACKED_B, (long) panelStrips * k * WIDTH);
        for (int jp = j0; jp < j1; jp += panelStrips * WIDTH) {
            int jpEnd = Math.min(j1, jp + panelStrips * WIDTH);
            for (int j = jp, to = 0; j < jpEnd; j += WIDTH, to += k * WIDTH) {
                int cols = Math.min(WIDTH, j1 - j);
                if (cols == WIDTH) {
                    copyStrip(b, bOffset + k0 * ldb + j, ldb, k, strips, to);
                } else {
                    copyStripEdge(b, bOffset + k0 * ldb + j, ldb, k, cols, strips, to);
                }
            }
            for (int band = 0; band < m; band += BAND_ROWS) {
                int bandEnd = Math.min(m, band + BAND_ROWS);
                for (int j = jp, bCol = -k0 * WIDTH; j < jpEnd; j += WIDTH, bCol += k * WIDTH) {
                    int cols = Math.min(WIDTH, j1 - j);
                    for (int i = band; i < bandEnd; i += 4) {
                        int rows = Math.min(4, m - i), cAt = cOffset + i * ldc + j;
                        // A's columns i .. i + 3 where they lie, or copied beside zeros where fewer are left
                        float[] as = rows == 4 ? a : edgeColumns;
                        int aCol = rows == 4 ? aOffset + i : -k0 * 4, aStride = rows == 4 ? lda : 4;
                        if (cols == WIDTH) {
                            treeTile(kStarts, slices, as, aCol, aStride, rows, strips, bCol, levels, c, cAt, ldc);
                            continue;
                        }
                        treeTile(kStarts, slices, as, aCol, aStride, rows, strips, bCol, levels, levels, edge, WIDTH);
                        for (int r = 0; r < rows; r++) {
                            System.arraycopy(levels, edge + r * WIDTH, c, cAt + r * ldc, cols);
                        }
                    }
                }
            }
        }
    }

    /** {@link #copyStrip} of a strip {@code cols} columns wide, the rest of each row zeros. */
    private static void copyStripEdge(float[] b, int at, int ldb, int rows, int cols, float[] strip, int to) {
        VectorMask<Float> first = S.indexInRange(0, cols), second = S.indexInRange(L, cols);
        for (int p = 0; p < rows; p++, at += ldb, to += WIDTH) {
            FloatVector.fromArray(S, b, at, first).intoArray(strip, to);
            FloatVector.fromArray(S, b, at + L, second).intoArray(strip, to + L);
        }
    }

    /**
     * Rows {@code [i, i + rows)} of {@code C = A B} (rows at most 4) over two vectors of columns
     * from {@code j}, those before {@code j1} stored; a short tile re-reads its last row of A in
     * the missing ones and stores only its own.
     */
    private static void chainTile(int k, float[] a, int aOffset, int lda, int i, int rows, float[] b, int bAt, int ldb,
                                  int j, int j1, float[] c, int cAt, int ldc) {
        // the masks made here and the stores written out, as treeTile's: C2 does not inline this
        // method, and a mask passed in (or a vector passed to a store helper it left out of line,
        // as it did) is boxed at each call (VGG's Dense data gradient: 50 KB a training step).
        // It is not treeTile with one slice: that reads A down its columns, this along its rows
        // (sharing treeTile with A's strides as arguments once left the Dense backward 35 times
        // slower for a whole run, when C1 could not compile treeTile at tier 3). Its masks stay:
        // C1 compiles it, and without them, a narrow strip copied as treeColumns copies it, a
        // 4-row product (8192 x 256, batch 4) ran 0.48-0.59 ms against 0.33-0.35, alternated.
        VectorMask<Float> first = S.indexInRange(j, j1), second = S.indexInRange(j + L, j1);
        int last = i + rows - 1;
        int a0 = aOffset + i * lda, a1 = aOffset + Math.min(i + 1, last) * lda;
        int a2 = aOffset + Math.min(i + 2, last) * lda, a3 = aOffset + Math.min(i + 3, last) * lda;
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        boolean full = second.allTrue();
        for (int p = 0; p < k; p++) {
            int row = bAt + p * ldb;
            FloatVector b0, b1;
            if (full) {
                b0 = FloatVector.fromArray(S, b, row);
                b1 = FloatVector.fromArray(S, b, row + L);
            } else {
                b0 = FloatVector.fromArray(S, b, row, first);
                b1 = FloatVector.fromArray(S, b, row + L, second);
            }
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
        }
        if (full) {
            c00.intoArray(c, cAt);
            c01.intoArray(c, cAt + L);
            if (rows > 1) {
                c10.intoArray(c, cAt + ldc);
                c11.intoArray(c, cAt + ldc + L);
            }
            if (rows > 2) {
                c20.intoArray(c, cAt + 2 * ldc);
                c21.intoArray(c, cAt + 2 * ldc + L);
            }
            if (rows > 3) {
                c30.intoArray(c, cAt + 3 * ldc);
                c31.intoArray(c, cAt + 3 * ldc + L);
            }
            return;
        }
        c00.intoArray(c, cAt, first);
        c01.intoArray(c, cAt + L, second);
        if (rows > 1) {
            c10.intoArray(c, cAt + ldc, first);
            c11.intoArray(c, cAt + ldc + L, second);
        }
        if (rows > 2) {
            c20.intoArray(c, cAt + 2 * ldc, first);
            c21.intoArray(c, cAt + 2 * ldc + L, second);
        }
        if (rows > 3) {
            c30.intoArray(c, cAt + 3 * ldc, first);
            c31.intoArray(c, cAt + 3 * ldc + L, second);
        }
    }

    /**
     * Rows {@code [i, i + rows)} of the slice tree's sum (columns of A from {@code aCol}), two
     * vectors wide, B a strip {@code WIDTH} floats a row. The tree is walked as a binary counter:
     * after slice {@code s} its product is added to the {@code numberOfTrailingZeros(s + 1)}
     * partial sums waiting on the left (each the sum of a block as wide as everything added to it
     * so far), then waits itself; at the end the waiting sums, widest on the left, are added from
     * the right. That is the tree's order.
     */
    private static void treeTile(int[] kStarts, int slices, float[] a, int aCol, int lda, int rows,
                                 float[] b, int bCol, float[] levels, float[] c, int cAt, int ldc) {
        // No masks: C1's tier 3 ran out of virtual registers on this method with masked loads and
        // stores beside the plain ones, and a JVM that had compiled it at tier 2 (a busy C2 queue)
        // never compiled it again: the Dense weight gradient ran 50 times slower for good.
        int depth = 0;
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int s = 0; s < slices; s++) {
            FloatVector zero = FloatVector.zero(S);
            c00 = zero; c01 = zero; c10 = zero; c11 = zero; c20 = zero; c21 = zero; c30 = zero; c31 = zero;
            int p = kStarts[s], end = kStarts[s + 1];
            for (int bRow = bCol + p * WIDTH, aRow = aCol + p * lda; p < end; p++, bRow += WIDTH, aRow += lda) {
                FloatVector b0 = FloatVector.fromArray(S, b, bRow);
                FloatVector b1 = FloatVector.fromArray(S, b, bRow + L);
                FloatVector x = FloatVector.broadcast(S, a[aRow]);
                c00 = b0.fma(x, c00);
                c01 = b1.fma(x, c01);
                x = FloatVector.broadcast(S, a[aRow + 1]);
                c10 = b0.fma(x, c10);
                c11 = b1.fma(x, c11);
                x = FloatVector.broadcast(S, a[aRow + 2]);
                c20 = b0.fma(x, c20);
                c21 = b1.fma(x, c21);
                x = FloatVector.broadcast(S, a[aRow + 3]);
                c30 = b0.fma(x, c30);
                c31 = b1.fma(x, c31);
            }
            boolean lastSlice = s == slices - 1;
            for (int merges = Integer.numberOfTrailingZeros(s + 1); merges > 0 || lastSlice && depth > 0; merges--) {
                int at = --depth * 8 * L; // the partial sum on the left: left + right, as the tree adds
                c00 = FloatVector.fromArray(S, levels, at).add(c00);
                c01 = FloatVector.fromArray(S, levels, at + L).add(c01);
                c10 = FloatVector.fromArray(S, levels, at + 2 * L).add(c10);
                c11 = FloatVector.fromArray(S, levels, at + 3 * L).add(c11);
                c20 = FloatVector.fromArray(S, levels, at + 4 * L).add(c20);
                c21 = FloatVector.fromArray(S, levels, at + 5 * L).add(c21);
                c30 = FloatVector.fromArray(S, levels, at + 6 * L).add(c30);
                c31 = FloatVector.fromArray(S, levels, at + 7 * L).add(c31);
            }
            if (!lastSlice) {
                int at = depth++ * 8 * L;
                c00.intoArray(levels, at);
                c01.intoArray(levels, at + L);
                c10.intoArray(levels, at + 2 * L);
                c11.intoArray(levels, at + 3 * L);
                c20.intoArray(levels, at + 4 * L);
                c21.intoArray(levels, at + 5 * L);
                c30.intoArray(levels, at + 6 * L);
                c31.intoArray(levels, at + 7 * L);
            }
        }
        c00.intoArray(c, cAt);
        c01.intoArray(c, cAt + L);
        if (rows > 1) {
            c10.intoArray(c, cAt + ldc);
            c11.intoArray(c, cAt + ldc + L);
        }
        if (rows > 2) {
            c20.intoArray(c, cAt + 2 * ldc);
            c21.intoArray(c, cAt + 2 * ldc + L);
        }
        if (rows > 3) {
            c30.intoArray(c, cAt + 3 * ldc);
            c31.intoArray(c, cAt + 3 * ldc + L);
        }
    }
}
