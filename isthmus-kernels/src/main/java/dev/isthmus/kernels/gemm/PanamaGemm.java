package dev.isthmus.kernels.gemm;

import dev.isthmus.kernels.runtime.Vectors;
import dev.isthmus.kernels.runtime.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, cache-blocked SGEMM in the Goto/BLIS layering: five loops around one register-tiled
 * FMA micro-kernel of {@value #MR} rows by two vectors.
 *
 * <pre>
 *   jc: NC columns of B and C        (per thread: its own columns or rows of C)
 *     pc: KC of the shared dimension  pack B[pc:pc+KC, jc:jc+NC] into NR-wide micro-panels
 *       ic: MC rows of A and C        pack alpha * A[ic:ic+MC, pc:pc+KC] into MR-high micro-panels
 *         jr: NR columns              one B micro-panel, resident in L1
 *           ir: MR rows               micro-kernel: MR x NR of C += A micro-panel * B micro-panel
 * </pre>
 *
 * Packing pads edges with zeros, so the micro-kernel always runs a full tile; an edge tile is
 * computed into a scratch tile and merged with the same arithmetic as a full one. Every element
 * of C is therefore computed by one thread in one fixed order, whatever the thread count.
 */
public final class PanamaGemm implements GemmSupport {

    private static final VectorSpecies<Float> S = Vectors.FLOATS;
    private static final int L = S.length();
    /** Half the preferred width (256 bits under AVX-512), for a last panel half a vector wide; null below 256. */
    private static final VectorSpecies<Float> H = Vectors.HALF_FLOATS;
    /**
     * Four rows by two vectors: eight accumulators. C2 schedules all of a step's broadcasts
     * before its FMAs, so a tile needs 3 * MR + 2 vector registers; at MR = 6 (the BLIS tile) one
     * accumulator spills to the stack on AVX2's 16 registers and the kernel runs at half speed.
     */
    static final int MR = 4;
    static final int NR = 2 * L;
    static final Blocking BLOCKING = Blocking.forTile(MR, NR);
    private static final int KC = BLOCKING.kc(), MC = BLOCKING.mc(), NC = BLOCKING.nc();

    /**
     * Widest C for which A is read where it lies instead of being packed: each element of A then
     * meets at most two B micro-panels, and copying it would cost as much as using it. (BLIS's
     * "sup" kernels make the same trade for small shapes.) A must not be transposed.
     */
    static final int NARROW_N = 2 * NR;

    private static final boolean DOT_PATH = !"false".equals(System.getProperty("isthmus.sgemm.dot"));

    /** Below this many flops a GEMM runs on the calling thread alone. */
    private static final long PARALLEL_MIN_FLOPS = 1L << 19;

    /** Per-thread packing buffers, sized once from the blocking and reused by every call. */
    private static final class Workspace {
        final float[] a = new float[MC * KC];
        final float[] b = new float[KC * NC];
        final float[] tile = new float[8 * NR]; // MR rows of a panel, or columnRows' eight
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /** Loaded by name by the kernel provider, once the vector module is known to be present. */
    public PanamaGemm() {}

    @Override
    public int vectorBitSize() {
        return S.vectorBitSize();
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, int aOffset, int lda,
                      float[] b, int bOffset, int ldb,
                      float beta, float[] c, int cOffset, int ldc) {
        gemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    private static void gemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, int aOffset, int lda,
                      float[] b, int bOffset, int ldb,
                      float beta, float[] c, int cOffset, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (alpha == 0f || k == 0) {
            scale(m, n, beta, c, cOffset, ldc);
            return;
        }
        if (DOT_PATH && PanamaDotGemm.suits(transA, transB, m, n, k)) {
            PanamaDotGemm.gemm(m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
            return;
        }
        if (!transA && !transB && n == L) {
            int rowBlocks = ceilDiv(m, 8);
            int parts = 2L * m * n * k < PARALLEL_MIN_FLOPS || WorkerPool.inTask() ? 1 : Math.min(rowBlocks, WorkerPool.threads());
            if (parts == 1) {
                columnRows(0, m, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
                return;
            }
            WorkerPool.forEach(parts, t -> columnRows(8 * (int) ((long) rowBlocks * t / parts),
                    Math.min(m, 8 * (int) ((long) rowBlocks * (t + 1) / parts)), k, alpha, a, aOffset, lda,
                    b, bOffset, ldb, beta, c, cOffset, ldc));
            return;
        }
        boolean aInPlace = !transA && n <= NARROW_N;
        // Split C into per-thread strips on tile boundaries, along whichever side has more tiles.
        int mTiles = ceilDiv(m, MR), nTiles = ceilDiv(n, NR);
        boolean splitN = nTiles >= mTiles;
        int tiles = splitN ? nTiles : mTiles;
        long flops = 2L * m * n * k;
        int parts = flops < PARALLEL_MIN_FLOPS || WorkerPool.inTask() ? 1 : Math.min(tiles, WorkerPool.threads());
        if (parts == 1) {
            region(transA, transB, aInPlace, 0, m, 0, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
            return;
        }
        WorkerPool.forEach(parts, t -> {
            int from = (int) ((long) tiles * t / parts), to = (int) ((long) tiles * (t + 1) / parts);
            if (splitN) {
                region(transA, transB, aInPlace, 0, m, from * NR, Math.min(n, to * NR), k,
                        alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
            } else {
                region(transA, transB, aInPlace, from * MR, Math.min(m, to * MR), 0, n, k,
                        alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
            }
        });
    }

    /** C[i0:i1, j0:j1] on the calling thread. */
    private static void region(boolean transA, boolean transB, boolean aInPlace, int i0, int i1, int j0, int j1, int k,
                               float alpha, float[] a, int aOffset, int lda,
                               float[] b, int bOffset, int ldb,
                               float beta, float[] c, int cOffset, int ldc) {
        Workspace ws = WORKSPACE.get();
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(transB, b, bOffset, ldb, pc, kc, jc, nc, ws.b);
                // The first K block applies beta; later ones accumulate (beta 1: C + acc exactly).
                boolean overwrite = pc == 0 && beta == 0f;
                float blockBeta = pc == 0 ? beta : 1f;
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    if (aInPlace) {
                        narrowMacroKernel(ws, a, aOffset + ic * lda + pc, lda, alpha, mc, nc, kc,
                                c, cOffset + ic * ldc + jc, ldc, overwrite, blockBeta);
                    } else {
                        packA(transA, a, aOffset, lda, alpha, ic, mc, pc, kc, ws.a);
                        macroKernel(ws, mc, nc, kc, c, cOffset + ic * ldc + jc, ldc, overwrite, blockBeta);
                    }
                }
            }
        }
    }

    private static void macroKernel(Workspace ws, int mc, int nc, int kc, float[] c, int cOffset, int ldc,
                                    boolean overwrite, float beta) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            if (nr == NR) {
                panelKernel(kc, mc, ws.a, ws.b, jr * kc, c, cOffset + jr, ldc, overwrite, beta);
            } else if (nr == L) {
                edgeOneVector(kc, mc, ws.a, ws.b, jr * kc, ws.tile, c, cOffset + jr, ldc, overwrite, beta);
            } else if (nr == L / 2 && H != null) {
                edgeHalfVector(kc, mc, ws.a, ws.b, jr * kc, ws.tile, c, cOffset + jr, ldc, overwrite, beta);
            } else {
                // The narrow last column panel: each tile goes through scratch, then its valid
                // columns are merged with the same arithmetic as a full tile's store.
                for (int ir = 0; ir < mc; ir += MR) {
                    panelKernel(kc, MR, ws.a, ws.b, jr * kc, ws.tile, 0, NR, true, 0f, ir * kc);
                    mergeEdge(ws.tile, Math.min(MR, mc - ir), nr, c, cOffset + ir * ldc + jr, ldc, overwrite, beta);
                }
            }
        }
    }

    private static void panelKernel(int kc, int mc, float[] ap, float[] bp, int bOff,
                                    float[] c, int cOff, int ldc, boolean overwrite, float beta) {
        panelKernel(kc, mc, ap, bp, bOff, c, cOff, ldc, overwrite, beta, 0);
    }

    /**
     * A last column panel exactly one vector wide (72 = 4 x 16 + 8 columns under AVX2): the first
     * vector of each tile only, stored straight to C. Each element is the same fma chain as in
     * {@link #panelKernel}, so results do not depend on which kernel computed it.
     */
    private static void edgeOneVector(int kc, int mc, float[] ap, float[] bp, int bOff, float[] tile,
                                      float[] c, int cOff, int ldc, boolean overwrite, float beta) {
        for (int ir = 0; ir < mc; ir += MR) {
            int aOff = ir * kc;
            FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
            for (int p = 0; p < kc; p++) {
                int ai = aOff + p * MR;
                FloatVector b0 = FloatVector.fromArray(S, bp, bOff + p * NR);
                c0 = FloatVector.broadcast(S, ap[ai]).fma(b0, c0);
                c1 = FloatVector.broadcast(S, ap[ai + 1]).fma(b0, c1);
                c2 = FloatVector.broadcast(S, ap[ai + 2]).fma(b0, c2);
                c3 = FloatVector.broadcast(S, ap[ai + 3]).fma(b0, c3);
            }
            c0.intoArray(tile, 0);
            c1.intoArray(tile, NR);
            c2.intoArray(tile, 2 * NR);
            c3.intoArray(tile, 3 * NR);
            mergeTile(S, tile, Math.min(MR, mc - ir), 1, c, cOff + ir * ldc, ldc, 1f, overwrite, beta);
        }
    }

    /** {@link #edgeOneVector} for a last panel half a vector wide (72 = 4 x 16 + 8 under AVX-512). */
    private static void edgeHalfVector(int kc, int mc, float[] ap, float[] bp, int bOff, float[] tile,
                                       float[] c, int cOff, int ldc, boolean overwrite, float beta) {
        for (int ir = 0; ir < mc; ir += MR) {
            int aOff = ir * kc;
            FloatVector c0 = FloatVector.zero(H), c1 = c0, c2 = c0, c3 = c0;
            for (int p = 0; p < kc; p++) {
                int ai = aOff + p * MR;
                FloatVector b0 = FloatVector.fromArray(H, bp, bOff + p * NR);
                c0 = FloatVector.broadcast(H, ap[ai]).fma(b0, c0);
                c1 = FloatVector.broadcast(H, ap[ai + 1]).fma(b0, c1);
                c2 = FloatVector.broadcast(H, ap[ai + 2]).fma(b0, c2);
                c3 = FloatVector.broadcast(H, ap[ai + 3]).fma(b0, c3);
            }
            c0.intoArray(tile, 0);
            c1.intoArray(tile, NR);
            c2.intoArray(tile, 2 * NR);
            c3.intoArray(tile, 3 * NR);
            mergeTile(H, tile, Math.min(MR, mc - ir), 1, c, cOff + ir * ldc, ldc, 1f, overwrite, beta);
        }
    }

    /**
     * One packed B micro-panel against every MR-row tile of the packed A block:
     * {@code C[ir:ir+MR, 0:NR] = acc + beta * C} (or {@code = acc} when {@code overwrite}), where
     * {@code acc = sum_p A[ir:ir+MR, p] * B[p, :]}. The row-tile loop lives here rather than in
     * the caller so that per-call set-up (range-check predicates, zeroing) is paid once per
     * panel: with the small k of early convolutions it would otherwise cost as much as the FMAs.
     * A short last tile computes MR rows from zero-padded A and stores only its valid rows.
     */
    private static void panelKernel(int kc, int mc, float[] ap, float[] bp, int bOff,
                                    float[] c, int cOff, int ldc, boolean overwrite, float beta, int aStart) {
        for (int ir = 0; ir < mc; ir += MR) {
            int aOff = aStart + ir * kc;
            int at = cOff + ir * ldc;
            int mr = Math.min(MR, mc - ir);
            FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
            FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
            FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
            FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
            for (int p = 0; p < kc; p++) {
                int ai = aOff + p * MR;
                int bi = bOff + p * NR;
                FloatVector b0 = FloatVector.fromArray(S, bp, bi);
                FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
                FloatVector av = FloatVector.broadcast(S, ap[ai]);
                c00 = av.fma(b0, c00);
                c01 = av.fma(b1, c01);
                av = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = av.fma(b0, c10);
                c11 = av.fma(b1, c11);
                av = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = av.fma(b0, c20);
                c21 = av.fma(b1, c21);
                av = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = av.fma(b0, c30);
                c31 = av.fma(b1, c31);
            }
            // Stores written out here: a helper taking vectors that C2 declines to inline (it
            // has a budget per compiled method) would box every accumulator it is handed.
            if (overwrite) {
                c00.intoArray(c, at);
                c01.intoArray(c, at + L);
                if (mr > 1) {
                    c10.intoArray(c, at + ldc);
                    c11.intoArray(c, at + ldc + L);
                }
                if (mr > 2) {
                    c20.intoArray(c, at + 2 * ldc);
                    c21.intoArray(c, at + 2 * ldc + L);
                }
                if (mr > 3) {
                    c30.intoArray(c, at + 3 * ldc);
                    c31.intoArray(c, at + 3 * ldc + L);
                }
            } else {
                FloatVector betaV = FloatVector.broadcast(S, beta);
                FloatVector.fromArray(S, c, at).fma(betaV, c00).intoArray(c, at);
                FloatVector.fromArray(S, c, at + L).fma(betaV, c01).intoArray(c, at + L);
                if (mr > 1) {
                    FloatVector.fromArray(S, c, at + ldc).fma(betaV, c10).intoArray(c, at + ldc);
                    FloatVector.fromArray(S, c, at + ldc + L).fma(betaV, c11).intoArray(c, at + ldc + L);
                }
                if (mr > 2) {
                    FloatVector.fromArray(S, c, at + 2 * ldc).fma(betaV, c20).intoArray(c, at + 2 * ldc);
                    FloatVector.fromArray(S, c, at + 2 * ldc + L).fma(betaV, c21).intoArray(c, at + 2 * ldc + L);
                }
                if (mr > 3) {
                    FloatVector.fromArray(S, c, at + 3 * ldc).fma(betaV, c30).intoArray(c, at + 3 * ldc);
                    FloatVector.fromArray(S, c, at + 3 * ldc + L).fma(betaV, c31).intoArray(c, at + 3 * ldc + L);
                }
            }
        }
    }

    /**
     * {@link #macroKernel} for narrow C with A read in place: rows {@code aBase + r * lda + p}.
     * Alpha, not folded into a packed A here, scales each accumulator before it meets C.
     */
    private static void narrowMacroKernel(Workspace ws, float[] a, int aBase, int lda, float alpha,
                                          int mc, int nc, int kc, float[] c, int cOffset, int ldc,
                                          boolean overwrite, float beta) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            if (nr == NR) {
                narrowPanelKernel(kc, mc, a, aBase, lda, alpha, ws.b, jr * kc, c, cOffset + jr, ldc, overwrite, beta);
            } else {
                for (int ir = 0; ir < mc; ir += MR) {
                    int mr = Math.min(MR, mc - ir);
                    narrowPanelKernel(kc, mr, a, aBase + ir * lda, lda, alpha, ws.b, jr * kc, ws.tile, 0, NR, true, 0f);
                    mergeEdge(ws.tile, mr, nr, c, cOffset + ir * ldc + jr, ldc, overwrite, beta);
                }
            }
        }
    }

    /**
     * C exactly one vector wide ({@code n == L}, e.g. ChestXRayNet's last convolution, n = 16 on
     * AVX-512), neither operand transposed: A and B are read where they lie, no packing, eight rows
     * of one vector at a time so that as many FMAs are in flight as in a full tile. Each element is
     * one fma chain over all of k, then alpha, whichever rows a thread takes.
     */
    private static void columnRows(int i0, int i1, int k, float alpha, float[] a, int aOffset, int lda,
                                   float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc) {
        boolean overwrite = beta == 0f;
        float[] tile = WORKSPACE.get().tile; // 8 rows of one vector, at the tile's row stride NR
        for (int i = i0; i < i1; i += 8) {
            // A short last block re-reads its last row in the missing ones (not stored): eight
            // chains in flight still, where a row at a time would wait on each FMA's latency.
            int rows = Math.min(8, i1 - i), r0 = aOffset + i * lda;
            int r1 = r0 + Math.min(1, rows - 1) * lda, r2 = r0 + Math.min(2, rows - 1) * lda;
            int r3 = r0 + Math.min(3, rows - 1) * lda, r4 = r0 + Math.min(4, rows - 1) * lda;
            int r5 = r0 + Math.min(5, rows - 1) * lda, r6 = r0 + Math.min(6, rows - 1) * lda;
            int r7 = r0 + Math.min(7, rows - 1) * lda;
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
            mergeTile(S, tile, rows, 1, c, cOffset + i * ldc, ldc, alpha, overwrite, beta);
        }
    }

    /**
     * {@code C[0:rows, 0:vectors * lanes] = alpha * tile + beta * C} (just {@code alpha * tile}
     * when {@code overwrite}), tile rows {@link #NR} apart: how the kernels that do not store
     * their accumulators straight to C finish a tile. It takes arrays, not vectors, so it
     * compiles to the same code whether or not C2 inlines it.
     */
    private static void mergeTile(VectorSpecies<Float> sp, float[] tile, int rows, int vectors, float[] c, int at,
                                  int ldc, float alpha, boolean overwrite, float beta) {
        FloatVector alphaV = FloatVector.broadcast(sp, alpha), betaV = FloatVector.broadcast(sp, beta);
        int lanes = sp.length();
        for (int i = 0; i < rows; i++) {
            for (int v = 0; v < vectors; v++) {
                int t = i * NR + v * lanes, o = at + i * ldc + v * lanes;
                FloatVector acc = FloatVector.fromArray(sp, tile, t);
                if (alpha != 1f) {
                    acc.mul(alphaV).intoArray(tile, t);
                    acc = FloatVector.fromArray(sp, tile, t);
                }
                if (overwrite) {
                    acc.intoArray(c, o);
                } else {
                    FloatVector.fromArray(sp, c, o).fma(betaV, acc).intoArray(c, o);
                }
            }
        }
    }

    /** {@link #panelKernel} with A's rows read in place; a short last tile re-reads its last row. */
    private static void narrowPanelKernel(int kc, int mc, float[] a, int aBase, int lda, float alpha,
                                          float[] bp, int bOff, float[] c, int cOff, int ldc,
                                          boolean overwrite, float beta) {
        float[] tile = WORKSPACE.get().tile;
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            int r0 = aBase + ir * lda;
            int r1 = r0 + Math.min(1, mr - 1) * lda;
            int r2 = r0 + Math.min(2, mr - 1) * lda;
            int r3 = r0 + Math.min(3, mr - 1) * lda;
            int at = cOff + ir * ldc;
            FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
            FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
            FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
            FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
            for (int p = 0; p < kc; p++) {
                int bi = bOff + p * NR;
                FloatVector b0 = FloatVector.fromArray(S, bp, bi);
                FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
                FloatVector av = FloatVector.broadcast(S, a[r0 + p]);
                c00 = av.fma(b0, c00);
                c01 = av.fma(b1, c01);
                av = FloatVector.broadcast(S, a[r1 + p]);
                c10 = av.fma(b0, c10);
                c11 = av.fma(b1, c11);
                av = FloatVector.broadcast(S, a[r2 + p]);
                c20 = av.fma(b0, c20);
                c21 = av.fma(b1, c21);
                av = FloatVector.broadcast(S, a[r3 + p]);
                c30 = av.fma(b0, c30);
                c31 = av.fma(b1, c31);
            }
            c00.intoArray(tile, 0);
            c01.intoArray(tile, L);
            c10.intoArray(tile, NR);
            c11.intoArray(tile, NR + L);
            c20.intoArray(tile, 2 * NR);
            c21.intoArray(tile, 2 * NR + L);
            c30.intoArray(tile, 3 * NR);
            c31.intoArray(tile, 3 * NR + L);
            mergeTile(S, tile, mr, 2, c, at, ldc, alpha, overwrite, beta);
        }
    }

    /** Merges the valid {@code mr x nr} corner of a scratch tile, with the full tile's arithmetic. */
    private static void mergeEdge(float[] tile, int mr, int nr, float[] c, int cOff, int ldc,
                                  boolean overwrite, float beta) {
        for (int i = 0; i < mr; i++) {
            for (int j = 0; j < nr; j++) {
                int at = cOff + i * ldc + j;
                float acc = tile[i * NR + j];
                c[at] = overwrite ? acc : Math.fma(c[at], beta, acc);
            }
        }
    }

    /**
     * Packs {@code alpha * op(A)[ic:ic+mc, pc:pc+kc]} into MR-high micro-panels: panel r holds
     * rows {@code r*MR ..} with element (i, p) at {@code r*MR*kc + p*MR + i}; missing rows are 0.
     */
    private static void packA(boolean transA, float[] a, int aOffset, int lda, float alpha,
                              int ic, int mc, int pc, int kc, float[] ap) {
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            int panel = ir * kc;
            if (!transA && mr == MR) {
                // A(i, p) at aOffset + i * lda + p: four rows read side by side, written in order.
                int r0 = aOffset + (ic + ir) * lda + pc, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
                for (int p = 0; p < kc; p++) {
                    int dst = panel + p * MR;
                    ap[dst] = alpha * a[r0 + p];
                    ap[dst + 1] = alpha * a[r1 + p];
                    ap[dst + 2] = alpha * a[r2 + p];
                    ap[dst + 3] = alpha * a[r3 + p];
                }
            } else if (!transA) {
                for (int i = 0; i < mr; i++) {
                    int src = aOffset + (ic + ir + i) * lda + pc;
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

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
