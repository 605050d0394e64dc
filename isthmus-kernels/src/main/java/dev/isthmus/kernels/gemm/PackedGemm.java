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
    private static final Tile8x2 WIDE = BLOCKING.mr() == 8 ? new Tile8x2() : null;
    private static final MicroKernel KERNEL = WIDE != null ? WIDE : new Tile6x2();
    private static final InPlaceKernel IN_PLACE = BLOCKING.inPlaceMr() == 8 ? WIDE : new Tile4x2();
    private static final int MR = BLOCKING.mr(), IN_PLACE_MR = BLOCKING.inPlaceMr(), NR = BLOCKING.nr();
    private static final int KC = BLOCKING.kc(), MC = BLOCKING.mc(), NC = BLOCKING.nc(), NB = BLOCKING.nb();
    /**
     * The deepest a last K block may be: what is left of k when it is at most a quarter of a block
     * more than {@code KC} runs as one block, not as a short block after a full one (a
     * convolution's weight gradient on a 16x16 map has k = 286: with blocks of 256, 256 + 30 read
     * and wrote C twice, the 30 steps for little work).
     */
    private static final int LAST_KC = KC + KC / 4;
    /**
     * Whether a row-major A's micro-panels are packed {@linkplain #transposeRows by transposing
     * vectors}: written for eight rows of 16 lanes, AVX-512's tile, where two-vector permutes are
     * single instructions.
     */
    private static final boolean TRANSPOSE_A = MR == 8 && L == 16;
    /** The permutes of {@link #transposeRows}: interleaving runs of 1, 2 and 4 lanes of two vectors. */
    private static final float[] RUNS_1_LOW = interleave(1, false), RUNS_1_HIGH = interleave(1, true),
            RUNS_2_LOW = interleave(2, false), RUNS_2_HIGH = interleave(2, true),
            RUNS_4_LOW = interleave(4, false), RUNS_4_HIGH = interleave(4, true),
            RUNS_8_LOW = interleave(8, false), RUNS_8_HIGH = interleave(8, true);
    /** Whether a transposed B's micro-panels are packed {@linkplain #transposeColumns by transposing vectors}: 16 lanes, two a panel. */
    private static final boolean TRANSPOSE_B = L == 16 && NR == 2 * L;
    /**
     * Micro-panels a row-major B is packed into side by side, all of k before the next group:
     * each step of k then writes four streams, not one per panel. All 32 panels of a 1024-wide B
     * a step of k lay 32 KiB apart (one L1 set), and packing its 256 x 1024 block took 350-366 us;
     * four at a time 170-193, eight 186-214, two 235-351 (`PackedGemmParts 1024`, JVMs taking turns,
     * two rounds). The groups go last to first, so the panels the macro-kernel reads first are the
     * ones written last: first to last, AVX2's 1024^3 read x1.06 slower than before (its macro-kernel
     * takes one panel down all of A's rows); last to first x0.99 (benchmarks/README.md, "SGEMM: B
     * packed four panels at a time").
     */
    private static final int PACK_B_PANELS = 4;

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

    /**
     * Where each of A's {@code m} rows starts when they lie {@code lda} apart: the calling thread's
     * table (at least {@code m} long), valid until its next SGEMM call, so a step allocates none.
     */
    static int[] rowStarts(int m, int aOffset, int lda) {
        int[] rows = Workspace.ints(Workspace.IntSlot.GEMM_ROWS, m);
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
        int mr = aInPlace ? IN_PLACE_MR : MR;
        int mTiles = ceilDiv(m, mr), nTiles = ceilDiv(n, NR);
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
                region(transA, transB, aInPlace, from * mr, Math.min(m, to * mr), 0, n, k,
                        alpha, a, aOffset, lda, rows, b, bOffset, ldb, beta, c, cOffset, ldc);
            }
        });
    }

    /** C[i0:i1, j0:j1] on the calling thread. */
    private static void region(boolean transA, boolean transB, boolean aInPlace, int i0, int i1, int j0, int j1, int k,
                               float alpha, float[] a, int aOffset, int lda, int[] rows,
                               float[] b, int bOffset, int ldb,
                               float beta, float[] c, int cOffset, int ldc) {
        float[] bp = Workspace.floats(Slot.GEMM_PACKED_B, (long) LAST_KC * NC);
        float[] ap = aInPlace ? null : Workspace.floats(Slot.GEMM_PACKED_A, (long) MC * LAST_KC);
        float[] tile = Workspace.floats(Slot.GEMM_TILE, (long) Math.max(MR, IN_PLACE_MR) * NR);
        boolean bInPlace = !transB && ceilDiv(i1 - i0, aInPlace ? IN_PLACE_MR : MR) <= BLOCKING.bInPlaceTiles();
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc), full = nc / NR * NR;
            for (int pc = 0, kc; pc < k; pc += kc) {
                kc = k - pc <= LAST_KC ? k - pc : KC;
                // Full micro-panels from B itself where few row tiles would read a packed copy
                // (panel jr at column jr, rows ldb apart), else packed (at jr * kc, rows NR apart);
                // a narrow last panel always packed, at the start of bp where B is read in place.
                // Plain values, not an object: a training step allocates nothing.
                float[] bs = bInPlace ? b : bp;
                int bBase = bInPlace ? bOffset + pc * ldb + jc : 0, bStep = bInPlace ? 1 : kc;
                int bStride = bInPlace ? ldb : NR, bTail = bInPlace ? 0 : full * kc;
                if (bInPlace && full < nc) {
                    packB(transB, b, bOffset, ldb, pc, kc, jc + full, nc - full, bp);
                } else if (!bInPlace) {
                    packB(transB, b, bOffset, ldb, pc, kc, jc, nc, bp);
                }
                // The first K block applies beta; later ones accumulate (beta 1: C + acc exactly).
                boolean overwrite = pc == 0 && beta == 0f;
                float blockBeta = pc == 0 ? beta : 1f;
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    if (aInPlace) {
                        inPlaceMacroKernel(a, rows, ic, pc, alpha, mc, nc, kc, bs, bBase, bStep, bStride, bp, bTail,
                                tile, c, cOffset + ic * ldc + jc, ldc, overwrite, blockBeta);
                    } else {
                        packA(transA, a, aOffset, lda, rows, alpha, ic, mc, pc, kc, ap);
                        macroKernel(mc, nc, kc, ap, bs, bBase, bStep, bStride, bp, bTail, tile, c,
                                cOffset + ic * ldc + jc, ldc, overwrite, blockBeta);
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
     * apart, a new page each: at 1024^3 and 2048^3 that ran 8% and 20% slower here. B's full
     * micro-panel {@code jr} (a column) from {@code bs[bBase + jr * bStep]}, its rows
     * {@code bStride} apart; a narrow last one packed at {@code bp[bTail]}.
     */
    private static void macroKernel(int mc, int nc, int kc, float[] ap, float[] bs, int bBase, int bStep, int bStride,
                                    float[] bp, int bTail, float[] tile, float[] c, int cOffset, int ldc,
                                    boolean overwrite, float beta) {
        int full = nc / NR * NR;
        for (int jb = 0; jb < full; jb += NB) {
            if (NB == NR) { // one micro-panel a band: down all of the block's rows in one call
                KERNEL.packed(kc, mc, ap, 0, bs, bBase + jb * bStep, bStride, c, cOffset + jb, ldc, overwrite, beta);
                continue;
            }
            int bandEnd = Math.min(full, jb + NB);
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                for (int jr = jb; jr < bandEnd; jr += NR) {
                    KERNEL.packed(kc, mr, ap, ir * kc, bs, bBase + jr * bStep, bStride, c, cOffset + ir * ldc + jr,
                            ldc, overwrite, beta);
                }
            }
        }
        int nr = nc - full;
        if (nr == L) {
            KERNEL.oneVector(kc, mc, ap, bp, bTail, tile, c, cOffset + full, ldc, overwrite, beta);
        } else if (nr > 0) {
            // The narrow last column panel: each tile through scratch, its valid columns merged.
            for (int ir = 0; ir < mc; ir += MR) {
                KERNEL.packed(kc, MR, ap, ir * kc, bp, bTail, NR, tile, 0, NR, true, 0f);
                TileMerge.mergeEdge(tile, Math.min(MR, mc - ir), nr, c, cOffset + ir * ldc + full, ldc, overwrite,
                        beta);
            }
        }
    }

    /** {@link #macroKernel} with A read in place: row {@code r} from {@code rows[row0 + r] + col}, in the same band order. */
    private static void inPlaceMacroKernel(float[] a, int[] rows, int row0, int col, float alpha, int mc, int nc, int kc,
                                           float[] bs, int bBase, int bStep, int bStride, float[] bp, int bTail,
                                           float[] tile, float[] c, int cOffset, int ldc, boolean overwrite, float beta) {
        int j0 = 0;
        if (NB != NR) {
            int full = nc / NR * NR;
            for (int jb = 0; jb < full; jb += NB) {
                int bandEnd = Math.min(full, jb + NB);
                for (int ir = 0; ir < mc; ir += IN_PLACE_MR) {
                    int mr = Math.min(IN_PLACE_MR, mc - ir);
                    for (int jr = jb; jr < bandEnd; jr += NR) {
                        IN_PLACE.inPlace(kc, mr, a, rows, row0 + ir, col, alpha, bs, bBase + jr * bStep, bStride, tile,
                                c, cOffset + ir * ldc + jr, ldc, overwrite, beta);
                    }
                }
            }
            j0 = full;
        }
        for (int jr = j0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            if (nr == NR) {
                IN_PLACE.inPlace(kc, mc, a, rows, row0, col, alpha, bs, bBase + jr * bStep, bStride, tile, c,
                        cOffset + jr, ldc, overwrite, beta);
            } else {
                for (int ir = 0; ir < mc; ir += IN_PLACE_MR) {
                    int mr = Math.min(IN_PLACE_MR, mc - ir);
                    IN_PLACE.inPlace(kc, mr, a, rows, row0 + ir, col, alpha, bp, bTail, NR, tile, tile, 0, NR, true, 0f);
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
            if (TRANSPOSE_A && !transA && mr == MR) {
                transposeRows(a, aOffset, lda, rows, alpha, ic + ir, pc, kc, ap, panel);
            } else if (!transA && mr == MR && rows == null) {
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
     * One MR-high micro-panel of a row-major A, 16 steps of k at a time: eight rows' vectors
     * transposed by three rounds of two-vector permutes (runs of 1, 2, then 4 lanes interleaved),
     * so that each vector stored is two steps of k of all eight rows. The element-by-element copy
     * it replaces spent about two cycles an element; this is 3-4x faster at 512^2 (about 3% of a
     * 512^3 or 1024^3 product). {@code rows} as in {@link #run}; the same floats as the copy, bit
     * for bit. AVX2's four-row tile keeps the copy: the same transpose of four rows of 8 lanes ran
     * 3x faster alone but no faster in the product (benchmarks/README.md, "A packed by transposes").
     */
    private static void transposeRows(float[] a, int aOffset, int lda, int[] rows, float alpha, int row, int pc, int kc,
                                      float[] ap, int panel) {
        int s0 = start(aOffset, lda, rows, row) + pc, s1 = start(aOffset, lda, rows, row + 1) + pc;
        int s2 = start(aOffset, lda, rows, row + 2) + pc, s3 = start(aOffset, lda, rows, row + 3) + pc;
        int s4 = start(aOffset, lda, rows, row + 4) + pc, s5 = start(aOffset, lda, rows, row + 5) + pc;
        int s6 = start(aOffset, lda, rows, row + 6) + pc, s7 = start(aOffset, lda, rows, row + 7) + pc;
        FloatVector r1l = FloatVector.fromArray(S, RUNS_1_LOW, 0), r1h = FloatVector.fromArray(S, RUNS_1_HIGH, 0);
        FloatVector r2l = FloatVector.fromArray(S, RUNS_2_LOW, 0), r2h = FloatVector.fromArray(S, RUNS_2_HIGH, 0);
        FloatVector r4l = FloatVector.fromArray(S, RUNS_4_LOW, 0), r4h = FloatVector.fromArray(S, RUNS_4_HIGH, 0);
        boolean scaled = alpha != 1f;
        int p = 0;
        for (; p + L <= kc; p += L) {
            FloatVector a0 = FloatVector.fromArray(S, a, s0 + p), a1 = FloatVector.fromArray(S, a, s1 + p);
            FloatVector a2 = FloatVector.fromArray(S, a, s2 + p), a3 = FloatVector.fromArray(S, a, s3 + p);
            FloatVector a4 = FloatVector.fromArray(S, a, s4 + p), a5 = FloatVector.fromArray(S, a, s5 + p);
            FloatVector a6 = FloatVector.fromArray(S, a, s6 + p), a7 = FloatVector.fromArray(S, a, s7 + p);
            if (scaled) {
                a0 = a0.mul(alpha); a1 = a1.mul(alpha); a2 = a2.mul(alpha); a3 = a3.mul(alpha);
                a4 = a4.mul(alpha); a5 = a5.mul(alpha); a6 = a6.mul(alpha); a7 = a7.mul(alpha);
            }
            // lane pairs (row 2i, row 2i+1) of columns 0-7 (low) and 8-15 (high)
            FloatVector t01l = r1l.selectFrom(a0, a1), t01h = r1h.selectFrom(a0, a1);
            FloatVector t23l = r1l.selectFrom(a2, a3), t23h = r1h.selectFrom(a2, a3);
            FloatVector t45l = r1l.selectFrom(a4, a5), t45h = r1h.selectFrom(a4, a5);
            FloatVector t67l = r1l.selectFrom(a6, a7), t67h = r1h.selectFrom(a6, a7);
            // runs of four rows, columns 0-3, 4-7, 8-11, 12-15
            FloatVector u03a = r2l.selectFrom(t01l, t23l), u03b = r2h.selectFrom(t01l, t23l);
            FloatVector u03c = r2l.selectFrom(t01h, t23h), u03d = r2h.selectFrom(t01h, t23h);
            FloatVector u47a = r2l.selectFrom(t45l, t67l), u47b = r2h.selectFrom(t45l, t67l);
            FloatVector u47c = r2l.selectFrom(t45h, t67h), u47d = r2h.selectFrom(t45h, t67h);
            // all eight rows, two columns a vector
            int d = panel + p * MR;
            r4l.selectFrom(u03a, u47a).intoArray(ap, d);
            r4h.selectFrom(u03a, u47a).intoArray(ap, d + L);
            r4l.selectFrom(u03b, u47b).intoArray(ap, d + 2 * L);
            r4h.selectFrom(u03b, u47b).intoArray(ap, d + 3 * L);
            r4l.selectFrom(u03c, u47c).intoArray(ap, d + 4 * L);
            r4h.selectFrom(u03c, u47c).intoArray(ap, d + 5 * L);
            r4l.selectFrom(u03d, u47d).intoArray(ap, d + 6 * L);
            r4h.selectFrom(u03d, u47d).intoArray(ap, d + 7 * L);
        }
        for (; p < kc; p++) {
            int d = panel + p * MR;
            ap[d] = alpha * a[s0 + p];
            ap[d + 1] = alpha * a[s1 + p];
            ap[d + 2] = alpha * a[s2 + p];
            ap[d + 3] = alpha * a[s3 + p];
            ap[d + 4] = alpha * a[s4 + p];
            ap[d + 5] = alpha * a[s5 + p];
            ap[d + 6] = alpha * a[s6 + p];
            ap[d + 7] = alpha * a[s7 + p];
        }
    }

    /** Where row {@code i} of A starts: {@code rows[i]}, or {@code aOffset + i * lda} without a row table. */
    private static int start(int aOffset, int lda, int[] rows, int i) {
        return rows == null ? aOffset + i * lda : rows[i];
    }

    /**
     * Indices for {@code selectFrom(x, y)} that interleave runs of {@code run} lanes of x and y
     * (y's lanes are numbered from {@code L}), from the low halves of both or the high halves.
     */
    private static float[] interleave(int run, boolean high) {
        float[] lanes = new float[L];
        for (int j = 0; j < L; j++) {
            int pair = j / (2 * run), at = j % (2 * run);
            lanes[j] = (at < run ? pair * run + at : L + pair * run + at - run) + (high ? L / 2 : 0);
        }
        return lanes;
    }

    /**
     * Packs {@code op(B)[pc:pc+kc, jc:jc+nc]} into NR-wide micro-panels: panel s holds columns
     * {@code s*NR ..} with element (p, j) at {@code s*NR*kc + p*NR + j}; missing columns are 0.
     */
    private static void packB(boolean transB, float[] b, int bOffset, int ldb,
                              int pc, int kc, int jc, int nc, float[] bp) {
        int fullPanels = nc / NR;
        if (!transB) {
            // B(p, j) at bOffset + p * ldb + j. Walk B a row of a group of panels at a time, so
            // reads stream along its rows; rows of a wide B lie a multiple of 4 KiB apart and,
            // walked down one panel's column alone, would defeat the prefetcher and alias in L1.
            for (int s0 = Math.floorDiv(fullPanels - 1, PACK_B_PANELS) * PACK_B_PANELS; s0 >= 0; s0 -= PACK_B_PANELS) {
                int s1 = Math.min(fullPanels, s0 + PACK_B_PANELS);
                for (int p = 0; p < kc; p++) {
                    int src = bOffset + (pc + p) * ldb + jc + s0 * NR;
                    int dst = s0 * kc * NR + p * NR;
                    for (int s = s0; s < s1; s++, src += NR, dst += kc * NR) {
                        FloatVector.fromArray(S, b, src).intoArray(bp, dst);
                        FloatVector.fromArray(S, b, src + L).intoArray(bp, dst + L);
                    }
                }
            }
            int nr = nc - fullPanels * NR;
            for (int p = 0; p < kc && nr > 0; p++) {
                int src = bOffset + (pc + p) * ldb + jc + fullPanels * NR;
                int dst = fullPanels * kc * NR + p * NR;
                System.arraycopy(b, src, bp, dst, nr);
                java.util.Arrays.fill(bp, dst + nr, dst + NR, 0f);
            }
            return;
        }
        // B(p, j) at bOffset + j * ldb + p: columns of op(B) are contiguous in p.
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int panel = jr * kc;
            if (TRANSPOSE_B && nr == NR) {
                int src = bOffset + (jc + jr) * ldb + pc;
                transposeColumns(b, src, ldb, kc, bp, panel);
                transposeColumns(b, src + L * ldb, ldb, kc, bp, panel + L);
                continue;
            }
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

    /**
     * Sixteen columns of a transposed B into a micro-panel's half, 16 steps of k at a time: the
     * columns' vectors (each contiguous in k) transposed by four rounds of two-vector permutes
     * (runs of 1, 2, 4, then 8 lanes interleaved), each vector stored one step of k of the 16
     * columns; the rest of k element by element. The copy it replaces wrote one float at a time,
     * {@code NR} floats apart. {@code src}: column 0 at step 0; {@code dst}: where step 0 goes.
     */
    private static void transposeColumns(float[] b, int src, int ldb, int kc, float[] bp, int dst) {
        FloatVector r1l = FloatVector.fromArray(S, RUNS_1_LOW, 0), r1h = FloatVector.fromArray(S, RUNS_1_HIGH, 0);
        FloatVector r2l = FloatVector.fromArray(S, RUNS_2_LOW, 0), r2h = FloatVector.fromArray(S, RUNS_2_HIGH, 0);
        FloatVector r4l = FloatVector.fromArray(S, RUNS_4_LOW, 0), r4h = FloatVector.fromArray(S, RUNS_4_HIGH, 0);
        FloatVector r8l = FloatVector.fromArray(S, RUNS_8_LOW, 0), r8h = FloatVector.fromArray(S, RUNS_8_HIGH, 0);
        int p = 0;
        for (; p + L <= kc; p += L) {
            int at = src + p;
            FloatVector a0 = FloatVector.fromArray(S, b, at + 0 * ldb), a1 = FloatVector.fromArray(S, b, at + 1 * ldb);
            FloatVector a2 = FloatVector.fromArray(S, b, at + 2 * ldb), a3 = FloatVector.fromArray(S, b, at + 3 * ldb);
            FloatVector a4 = FloatVector.fromArray(S, b, at + 4 * ldb), a5 = FloatVector.fromArray(S, b, at + 5 * ldb);
            FloatVector a6 = FloatVector.fromArray(S, b, at + 6 * ldb), a7 = FloatVector.fromArray(S, b, at + 7 * ldb);
            FloatVector a8 = FloatVector.fromArray(S, b, at + 8 * ldb), a9 = FloatVector.fromArray(S, b, at + 9 * ldb);
            FloatVector a10 = FloatVector.fromArray(S, b, at + 10 * ldb), a11 = FloatVector.fromArray(S, b, at + 11 * ldb);
            FloatVector a12 = FloatVector.fromArray(S, b, at + 12 * ldb), a13 = FloatVector.fromArray(S, b, at + 13 * ldb);
            FloatVector a14 = FloatVector.fromArray(S, b, at + 14 * ldb), a15 = FloatVector.fromArray(S, b, at + 15 * ldb);
            // pairs of columns, steps 0-7 (l) and 8-15 (h)
            FloatVector p0l = r1l.selectFrom(a0, a1), p0h = r1h.selectFrom(a0, a1);
            FloatVector p1l = r1l.selectFrom(a2, a3), p1h = r1h.selectFrom(a2, a3);
            FloatVector p2l = r1l.selectFrom(a4, a5), p2h = r1h.selectFrom(a4, a5);
            FloatVector p3l = r1l.selectFrom(a6, a7), p3h = r1h.selectFrom(a6, a7);
            FloatVector p4l = r1l.selectFrom(a8, a9), p4h = r1h.selectFrom(a8, a9);
            FloatVector p5l = r1l.selectFrom(a10, a11), p5h = r1h.selectFrom(a10, a11);
            FloatVector p6l = r1l.selectFrom(a12, a13), p6h = r1h.selectFrom(a12, a13);
            FloatVector p7l = r1l.selectFrom(a14, a15), p7h = r1h.selectFrom(a14, a15);
            // fours of columns, steps 0-3 (a), 4-7 (b), 8-11 (c), 12-15 (d)
            FloatVector q0a = r2l.selectFrom(p0l, p1l), q0b = r2h.selectFrom(p0l, p1l);
            FloatVector q0c = r2l.selectFrom(p0h, p1h), q0d = r2h.selectFrom(p0h, p1h);
            FloatVector q1a = r2l.selectFrom(p2l, p3l), q1b = r2h.selectFrom(p2l, p3l);
            FloatVector q1c = r2l.selectFrom(p2h, p3h), q1d = r2h.selectFrom(p2h, p3h);
            FloatVector q2a = r2l.selectFrom(p4l, p5l), q2b = r2h.selectFrom(p4l, p5l);
            FloatVector q2c = r2l.selectFrom(p4h, p5h), q2d = r2h.selectFrom(p4h, p5h);
            FloatVector q3a = r2l.selectFrom(p6l, p7l), q3b = r2h.selectFrom(p6l, p7l);
            FloatVector q3c = r2l.selectFrom(p6h, p7h), q3d = r2h.selectFrom(p6h, p7h);
            // eights of columns, two steps a vector
            FloatVector s0al = r4l.selectFrom(q0a, q1a), s0ah = r4h.selectFrom(q0a, q1a);
            FloatVector s0bl = r4l.selectFrom(q0b, q1b), s0bh = r4h.selectFrom(q0b, q1b);
            FloatVector s0cl = r4l.selectFrom(q0c, q1c), s0ch = r4h.selectFrom(q0c, q1c);
            FloatVector s0dl = r4l.selectFrom(q0d, q1d), s0dh = r4h.selectFrom(q0d, q1d);
            FloatVector s1al = r4l.selectFrom(q2a, q3a), s1ah = r4h.selectFrom(q2a, q3a);
            FloatVector s1bl = r4l.selectFrom(q2b, q3b), s1bh = r4h.selectFrom(q2b, q3b);
            FloatVector s1cl = r4l.selectFrom(q2c, q3c), s1ch = r4h.selectFrom(q2c, q3c);
            FloatVector s1dl = r4l.selectFrom(q2d, q3d), s1dh = r4h.selectFrom(q2d, q3d);
            // all sixteen columns, one step a vector
            int d = dst + p * NR;
            r8l.selectFrom(s0al, s1al).intoArray(bp, d + 0 * NR);
            r8h.selectFrom(s0al, s1al).intoArray(bp, d + 1 * NR);
            r8l.selectFrom(s0ah, s1ah).intoArray(bp, d + 2 * NR);
            r8h.selectFrom(s0ah, s1ah).intoArray(bp, d + 3 * NR);
            r8l.selectFrom(s0bl, s1bl).intoArray(bp, d + 4 * NR);
            r8h.selectFrom(s0bl, s1bl).intoArray(bp, d + 5 * NR);
            r8l.selectFrom(s0bh, s1bh).intoArray(bp, d + 6 * NR);
            r8h.selectFrom(s0bh, s1bh).intoArray(bp, d + 7 * NR);
            r8l.selectFrom(s0cl, s1cl).intoArray(bp, d + 8 * NR);
            r8h.selectFrom(s0cl, s1cl).intoArray(bp, d + 9 * NR);
            r8l.selectFrom(s0ch, s1ch).intoArray(bp, d + 10 * NR);
            r8h.selectFrom(s0ch, s1ch).intoArray(bp, d + 11 * NR);
            r8l.selectFrom(s0dl, s1dl).intoArray(bp, d + 12 * NR);
            r8h.selectFrom(s0dl, s1dl).intoArray(bp, d + 13 * NR);
            r8l.selectFrom(s0dh, s1dh).intoArray(bp, d + 14 * NR);
            r8h.selectFrom(s0dh, s1dh).intoArray(bp, d + 15 * NR);
        }
        for (; p < kc; p++) {
            for (int j = 0; j < L; j++) {
                bp[dst + p * NR + j] = b[src + j * ldb + p];
            }
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
