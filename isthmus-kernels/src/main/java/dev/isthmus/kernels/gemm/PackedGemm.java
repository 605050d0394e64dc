package dev.isthmus.kernels.gemm;

import dev.isthmus.kernels.runtime.Vectors;
import dev.isthmus.kernels.runtime.WorkerPool;
import dev.isthmus.kernels.runtime.Workspace;
import dev.isthmus.kernels.runtime.Workspace.Slot;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, cache-blocked SGEMM in the Goto/BLIS layering: six loops around one register tile
 * ({@link MicroKernel}), with the sizes of {@link Blocking}.
 *
 * <pre>
 *   jc: NC columns of B and C        (per thread: its own columns or rows of C)
 *     pc: KC of the shared dimension  pack B[pc:pc+KC, jc:jc+NC] into NR-wide micro-panels
 *       ic: MC rows of A and C        pack alpha * A[ic:ic+MC, pc:pc+KC] into MR-high micro-panels
 *         jb: NB columns              a band of B micro-panels, resident in L2
 *           ir: MR rows               one A micro-panel, resident in L1
 *             jr: NR columns          micro-kernel: MR x NR of C += A micro-panel * B micro-panel
 * </pre>
 *
 * Packing pads edges with zeros, so the micro-kernel always runs a full tile; an edge tile is
 * computed into a scratch tile and merged with the same arithmetic as a full one. For a narrow C
 * ({@link Blocking#narrowN()}) A is read where it lies instead of packed. Every element of C is
 * computed by one thread in one fixed order, whatever the thread count.
 */
final class PackedGemm {

    private static final VectorSpecies<Float> S = Vectors.FLOATS;
    private static final int L = S.length();
    static final Blocking BLOCKING = Blocking.forLanes(L);
    private static final MicroKernel KERNEL = BLOCKING.mr() == 8 ? new Tile8x2() : new Tile4x2();
    private static final int MR = BLOCKING.mr(), NR = BLOCKING.nr();
    private static final int KC = BLOCKING.kc(), MC = BLOCKING.mc(), NC = BLOCKING.nc(), NB = BLOCKING.nb();

    private PackedGemm() {}

    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, float[] a, int aOffset, int lda,
                     float[] b, int bOffset, int ldb,
                     float beta, float[] c, int cOffset, int ldc) {
        // a row table only where A is read in place; packing reads a plain matrix by its stride
        int[] rows = !transA && n <= BLOCKING.narrowN() ? rowStarts(m, aOffset, lda) : null;
        run(transA, transB, m, n, k, alpha, a, aOffset, lda, rows, b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    /** {@link #gemm} of {@code A * op(B)} with A's row {@code i} the {@code k} floats from {@code a[rows[i]]}. */
    static void gemmRows(boolean transB, int m, int n, int k, float alpha, float[] a, int[] rows,
                         float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc) {
        run(false, transB, m, n, k, alpha, a, 0, 0, rows, b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    /** Where each of A's {@code m} rows starts when they lie {@code lda} apart. */
    static int[] rowStarts(int m, int aOffset, int lda) {
        int[] rows = new int[m];
        for (int i = 0; i < m; i++) {
            rows[i] = aOffset + i * lda;
        }
        return rows;
    }

    /** {@code rows}: where each row of A starts, or null: then A lies at {@code aOffset} with stride {@code lda}. */
    private static void run(boolean transA, boolean transB, int m, int n, int k,
                            float alpha, float[] a, int aOffset, int lda, int[] rows,
                            float[] b, int bOffset, int ldb,
                            float beta, float[] c, int cOffset, int ldc) {
        boolean aInPlace = !transA && n <= BLOCKING.narrowN();
        // Split C into per-thread strips on tile boundaries, along whichever side has more tiles.
        int mTiles = ceilDiv(m, MR), nTiles = ceilDiv(n, NR);
        boolean splitN = nTiles >= mTiles;
        int tiles = splitN ? nTiles : mTiles;
        long flops = 2L * m * n * k;
        int parts = flops < BLOCKING.parallelMinFlops() || WorkerPool.inTask() ? 1 : Math.min(tiles, WorkerPool.threads());
        if (parts == 1) {
            region(transA, transB, aInPlace, 0, m, 0, n, k, alpha, a, aOffset, lda, rows, b, bOffset, ldb, beta, c, cOffset,
                    ldc);
            return;
        }
        WorkerPool.forEach(parts, t -> {
            int from = (int) ((long) tiles * t / parts), to = (int) ((long) tiles * (t + 1) / parts);
            if (splitN) {
                region(transA, transB, aInPlace, 0, m, from * NR, Math.min(n, to * NR), k,
                        alpha, a, aOffset, lda, rows, b, bOffset, ldb, beta, c, cOffset, ldc);
            } else {
                region(transA, transB, aInPlace, from * MR, Math.min(m, to * MR), 0, n, k,
                        alpha, a, aOffset, lda, rows, b, bOffset, ldb, beta, c, cOffset, ldc);
            }
        });
    }

    /** C[i0:i1, j0:j1] on the calling thread. */
    private static void region(boolean transA, boolean transB, boolean aInPlace, int i0, int i1, int j0, int j1, int k,
                               float alpha, float[] a, int aOffset, int lda, int[] rows,
                               float[] b, int bOffset, int ldb,
                               float beta, float[] c, int cOffset, int ldc) {
        float[] bp = Workspace.floats(Slot.GEMM_PACKED_B, (long) KC * NC);
        float[] ap = aInPlace ? null : Workspace.floats(Slot.GEMM_PACKED_A, (long) MC * KC);
        float[] tile = Workspace.floats(Slot.GEMM_TILE, (long) MR * NR);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(transB, b, bOffset, ldb, pc, kc, jc, nc, bp);
                // The first K block applies beta; later ones accumulate (beta 1: C + acc exactly).
                boolean overwrite = pc == 0 && beta == 0f;
                float blockBeta = pc == 0 ? beta : 1f;
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    if (aInPlace) {
                        inPlaceMacroKernel(a, rows, ic, pc, alpha, mc, nc, kc, bp, tile,
                                c, cOffset + ic * ldc + jc, ldc, overwrite, blockBeta);
                    } else {
                        packA(transA, a, aOffset, lda, rows, alpha, ic, mc, pc, kc, ap);
                        macroKernel(mc, nc, kc, ap, bp, tile, c, cOffset + ic * ldc + jc, ldc, overwrite, blockBeta);
                    }
                }
            }
        }
    }

    /**
     * The jr and ir loops, a band of {@code NB} columns at a time: within a band each A
     * micro-panel (in L1) meets every B micro-panel of the band (in L2), so C is written along its
     * rows, tile after adjacent tile, where the hardware prefetchers follow it. BLIS's order (one
     * B micro-panel down all of A's rows) walks C down a column of tiles whose rows lie {@code ldc}
     * apart, a new page each: at 1024^3 and 2048^3 that ran 8% and 20% slower here.
     */
    private static void macroKernel(int mc, int nc, int kc, float[] ap, float[] bp, float[] tile, float[] c,
                                    int cOffset, int ldc, boolean overwrite, float beta) {
        int full = nc / NR * NR;
        for (int jb = 0; jb < full; jb += NB) {
            if (NB == NR) { // one micro-panel a band: down all of the block's rows in one call
                KERNEL.packed(kc, mc, ap, 0, bp, jb * kc, c, cOffset + jb, ldc, overwrite, beta);
                continue;
            }
            int bandEnd = Math.min(full, jb + NB);
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                for (int jr = jb; jr < bandEnd; jr += NR) {
                    KERNEL.packed(kc, mr, ap, ir * kc, bp, jr * kc, c, cOffset + ir * ldc + jr, ldc, overwrite, beta);
                }
            }
        }
        int nr = nc - full;
        if (nr == L) {
            KERNEL.oneVector(kc, mc, ap, bp, full * kc, tile, c, cOffset + full, ldc, overwrite, beta);
        } else if (nr > 0) {
            // The narrow last column panel: each tile through scratch, its valid columns merged.
            for (int ir = 0; ir < mc; ir += MR) {
                KERNEL.packed(kc, MR, ap, ir * kc, bp, full * kc, tile, 0, NR, true, 0f);
                TileMerge.mergeEdge(tile, Math.min(MR, mc - ir), nr, c, cOffset + ir * ldc + full, ldc, overwrite,
                        beta);
            }
        }
    }

    /** {@link #macroKernel} with A read in place: row {@code r} from {@code rows[row0 + r] + col}, in the same band order. */
    private static void inPlaceMacroKernel(float[] a, int[] rows, int row0, int col, float alpha, int mc, int nc, int kc,
                                           float[] bp, float[] tile, float[] c, int cOffset, int ldc,
                                           boolean overwrite, float beta) {
        int j0 = 0;
        if (NB != NR) {
            int full = nc / NR * NR;
            for (int jb = 0; jb < full; jb += NB) {
                int bandEnd = Math.min(full, jb + NB);
                for (int ir = 0; ir < mc; ir += MR) {
                    int mr = Math.min(MR, mc - ir);
                    for (int jr = jb; jr < bandEnd; jr += NR) {
                        KERNEL.inPlace(kc, mr, a, rows, row0 + ir, col, alpha, bp, jr * kc, tile, c,
                                cOffset + ir * ldc + jr, ldc, overwrite, beta);
                    }
                }
            }
            j0 = full;
        }
        for (int jr = j0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            if (nr == NR) {
                KERNEL.inPlace(kc, mc, a, rows, row0, col, alpha, bp, jr * kc, tile, c, cOffset + jr, ldc, overwrite, beta);
            } else {
                for (int ir = 0; ir < mc; ir += MR) {
                    int mr = Math.min(MR, mc - ir);
                    KERNEL.inPlace(kc, mr, a, rows, row0 + ir, col, alpha, bp, jr * kc, tile, tile, 0, NR, true, 0f);
                    TileMerge.mergeEdge(tile, mr, nr, c, cOffset + ir * ldc + jr, ldc, overwrite, beta);
                }
            }
        }
    }

    /**
     * Packs {@code alpha * op(A)[ic:ic+mc, pc:pc+kc]} into MR-high micro-panels: panel r holds
     * rows {@code r*MR ..} with element (i, p) at {@code r*MR*kc + p*MR + i}; missing rows are 0.
     */
    private static void packA(boolean transA, float[] a, int aOffset, int lda, int[] rows, float alpha,
                              int ic, int mc, int pc, int kc, float[] ap) {
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            int panel = ir * kc;
            if (!transA && mr == MR && rows == null) {
                // A(i, p) at aOffset + i * lda + p: the tile's rows read side by side, written in order.
                int r0 = aOffset + (ic + ir) * lda + pc;
                for (int p = 0; p < kc; p++) {
                    int dst = panel + p * MR;
                    for (int i = 0; i < MR; i++) {
                        ap[dst + i] = alpha * a[r0 + i * lda + p];
                    }
                }
            } else if (!transA) {
                for (int i = 0; i < mr; i++) {
                    int src = (rows == null ? aOffset + (ic + ir + i) * lda : rows[ic + ir + i]) + pc;
                    for (int p = 0; p < kc; p++) {
                        ap[panel + p * MR + i] = alpha * a[src + p];
                    }
                }
            } else {
                // A(i, p) at aOffset + p * lda + i: columns of op(A) are contiguous in i.
                for (int p = 0; p < kc; p++) {
                    int src = aOffset + (pc + p) * lda + ic + ir;
                    int dst = panel + p * MR;
                    for (int i = 0; i < mr; i++) {
                        ap[dst + i] = alpha * a[src + i];
                    }
                }
            }
            if (mr < MR) {
                for (int p = 0; p < kc; p++) {
                    for (int i = mr; i < MR; i++) {
                        ap[panel + p * MR + i] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs {@code op(B)[pc:pc+kc, jc:jc+nc]} into NR-wide micro-panels: panel s holds columns
     * {@code s*NR ..} with element (p, j) at {@code s*NR*kc + p*NR + j}; missing columns are 0.
     */
    private static void packB(boolean transB, float[] b, int bOffset, int ldb,
                              int pc, int kc, int jc, int nc, float[] bp) {
        int fullPanels = nc / NR;
        if (!transB) {
            // B(p, j) at bOffset + p * ldb + j. Walk B row by row, so reads stream through
            // memory; rows of a wide B lie a multiple of 4 KiB apart and, walked down a column,
            // would defeat the prefetcher and alias in L1.
            for (int p = 0; p < kc; p++) {
                int src = bOffset + (pc + p) * ldb + jc;
                int dst = p * NR;
                for (int s = 0; s < fullPanels; s++, src += NR, dst += kc * NR) {
                    FloatVector.fromArray(S, b, src).intoArray(bp, dst);
                    FloatVector.fromArray(S, b, src + L).intoArray(bp, dst + L);
                }
                int nr = nc - fullPanels * NR;
                if (nr > 0) {
                    System.arraycopy(b, src, bp, dst, nr);
                    java.util.Arrays.fill(bp, dst + nr, dst + NR, 0f);
                }
            }
            return;
        }
        // B(p, j) at bOffset + j * ldb + p: columns of op(B) are contiguous in p.
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int panel = jr * kc;
            for (int j = 0; j < nr; j++) {
                int src = bOffset + (jc + jr + j) * ldb + pc;
                for (int p = 0; p < kc; p++) {
                    bp[panel + p * NR + j] = b[src + p];
                }
            }
            for (int j = nr; j < NR; j++) {
                for (int p = 0; p < kc; p++) {
                    bp[panel + p * NR + j] = 0f;
                }
            }
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
