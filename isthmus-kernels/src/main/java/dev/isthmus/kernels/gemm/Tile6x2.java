package dev.isthmus.kernels.gemm;

import dev.isthmus.kernels.runtime.Vectors;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * AVX2's packed SGEMM register tile: six rows by two vectors, 12 accumulators. C2 loads each
 * step's broadcasts two at a time, so the tile takes 16 registers and spills nothing in its loop
 * (checked with benchmarks/experiments/c2-hot-instructions.sh). Its 12 independent FMA chains cover
 * the FMA latency of two pipes with room to spare, where {@link Tile4x2}'s 8 chains cover it
 * exactly: on a Zen 3, one thread took x0.77-0.85 the time at 1024^3 and x0.88-0.94 at 256^3 and
 * 512^3, two threads x0.69-0.89 (benchmarks/README.md, "A Zen 3 EPYC, AVX2 only"). A
 * block's last one to four rows run a four- or two-row loop over the same packed layout instead
 * of FMAs on zero rows. A read in place keeps {@link Tile4x2}: six row addresses and their bounds
 * checks made that loop slower. Every element of C is still one fma chain over a packed
 * block's k, so the results are those of any other tile.
 */
final class Tile6x2 implements MicroKernel {

    private static final VectorSpecies<Float> S = Vectors.FLOATS;
    private static final int L = S.length();
    private static final int MR = 6;
    private static final int NR = 2 * L;

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public void packed(int kc, int mc, float[] ap, int aStart, float[] bp, int bOff, int bStride, float[] c,
                       int cOff, int ldc, boolean overwrite, float beta) {
        int full = mc - mc % MR;
        for (int ir = 0; ir < full; ir += MR) {
            sixRows(kc, MR, ap, aStart + ir * kc, bp, bOff, bStride, c, cOff + ir * ldc, ldc, overwrite, beta);
        }
        int mr = mc - full, aOff = aStart + full * kc, at = cOff + full * ldc;
        if (mr > 4) {
            sixRows(kc, mr, ap, aOff, bp, bOff, bStride, c, at, ldc, overwrite, beta);
        } else if (mr > 2) {
            fourRows(kc, mr, ap, aOff, bp, bOff, bStride, c, at, ldc, overwrite, beta);
        } else if (mr > 0) {
            twoRows(kc, mr, ap, aOff, bp, bOff, bStride, c, at, ldc, overwrite, beta);
        }
    }

    /** A tile's first {@code mr} (5 or 6) rows. Four steps of k per trip, as in {@link Tile8x2#packed}. */
    private static void sixRows(int kc, int mr, float[] ap, int aOff, float[] bp, int bOff, int bStride, float[] c,
                                int at, int ldc, boolean overwrite, float beta) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector b0, b1, av;
        int quad = kc & ~3;
        int p = 0;
        for (; p < quad; p += 4) {
            int ai = aOff + p * MR, bi = bOff + p * bStride;
            b0 = FloatVector.fromArray(S, bp, bi);
            b1 = FloatVector.fromArray(S, bp, bi + L);
            av = FloatVector.broadcast(S, ap[ai]);
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
            av = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            ai = aOff + (p + 1) * MR;
            bi = bOff + (p + 1) * bStride;
            b0 = FloatVector.fromArray(S, bp, bi);
            b1 = FloatVector.fromArray(S, bp, bi + L);
            av = FloatVector.broadcast(S, ap[ai]);
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
            av = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            ai = aOff + (p + 2) * MR;
            bi = bOff + (p + 2) * bStride;
            b0 = FloatVector.fromArray(S, bp, bi);
            b1 = FloatVector.fromArray(S, bp, bi + L);
            av = FloatVector.broadcast(S, ap[ai]);
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
            av = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            ai = aOff + (p + 3) * MR;
            bi = bOff + (p + 3) * bStride;
            b0 = FloatVector.fromArray(S, bp, bi);
            b1 = FloatVector.fromArray(S, bp, bi + L);
            av = FloatVector.broadcast(S, ap[ai]);
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
            av = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        for (; p < kc; p++) {
            int ai = aOff + p * MR, bi = bOff + p * bStride;
            b0 = FloatVector.fromArray(S, bp, bi);
            b1 = FloatVector.fromArray(S, bp, bi + L);
            av = FloatVector.broadcast(S, ap[ai]);
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
            av = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        if (overwrite) {
            c00.intoArray(c, at + 0 * ldc);
            c01.intoArray(c, at + 0 * ldc + L);
            c10.intoArray(c, at + 1 * ldc);
            c11.intoArray(c, at + 1 * ldc + L);
            c20.intoArray(c, at + 2 * ldc);
            c21.intoArray(c, at + 2 * ldc + L);
            c30.intoArray(c, at + 3 * ldc);
            c31.intoArray(c, at + 3 * ldc + L);
            c40.intoArray(c, at + 4 * ldc);
            c41.intoArray(c, at + 4 * ldc + L);
            if (mr > 5) {
                c50.intoArray(c, at + 5 * ldc);
                c51.intoArray(c, at + 5 * ldc + L);
            }
        } else {
            FloatVector betaV = FloatVector.broadcast(S, beta);
            FloatVector.fromArray(S, c, at + 0 * ldc).fma(betaV, c00).intoArray(c, at + 0 * ldc);
            FloatVector.fromArray(S, c, at + 0 * ldc + L).fma(betaV, c01).intoArray(c, at + 0 * ldc + L);
            FloatVector.fromArray(S, c, at + 1 * ldc).fma(betaV, c10).intoArray(c, at + 1 * ldc);
            FloatVector.fromArray(S, c, at + 1 * ldc + L).fma(betaV, c11).intoArray(c, at + 1 * ldc + L);
            FloatVector.fromArray(S, c, at + 2 * ldc).fma(betaV, c20).intoArray(c, at + 2 * ldc);
            FloatVector.fromArray(S, c, at + 2 * ldc + L).fma(betaV, c21).intoArray(c, at + 2 * ldc + L);
            FloatVector.fromArray(S, c, at + 3 * ldc).fma(betaV, c30).intoArray(c, at + 3 * ldc);
            FloatVector.fromArray(S, c, at + 3 * ldc + L).fma(betaV, c31).intoArray(c, at + 3 * ldc + L);
            FloatVector.fromArray(S, c, at + 4 * ldc).fma(betaV, c40).intoArray(c, at + 4 * ldc);
            FloatVector.fromArray(S, c, at + 4 * ldc + L).fma(betaV, c41).intoArray(c, at + 4 * ldc + L);
            if (mr > 5) {
                FloatVector.fromArray(S, c, at + 5 * ldc).fma(betaV, c50).intoArray(c, at + 5 * ldc);
                FloatVector.fromArray(S, c, at + 5 * ldc + L).fma(betaV, c51).intoArray(c, at + 5 * ldc + L);
            }
        }
    }

    /** The first {@code mr} (3 or 4) rows of a tile, from the six-row panel. */
    private static void fourRows(int kc, int mr, float[] ap, int aOff, float[] bp, int bOff, int bStride, float[] c,
                                 int at, int ldc, boolean overwrite, float beta) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector b0, b1, av;
        int quad = kc & ~3;
        int p = 0;
        for (; p < quad; p += 4) {
            int ai = aOff + p * MR, bi = bOff + p * bStride;
            b0 = FloatVector.fromArray(S, bp, bi);
            b1 = FloatVector.fromArray(S, bp, bi + L);
            av = FloatVector.broadcast(S, ap[ai]);
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
            ai = aOff + (p + 1) * MR;
            bi = bOff + (p + 1) * bStride;
            b0 = FloatVector.fromArray(S, bp, bi);
            b1 = FloatVector.fromArray(S, bp, bi + L);
            av = FloatVector.broadcast(S, ap[ai]);
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
            ai = aOff + (p + 2) * MR;
            bi = bOff + (p + 2) * bStride;
            b0 = FloatVector.fromArray(S, bp, bi);
            b1 = FloatVector.fromArray(S, bp, bi + L);
            av = FloatVector.broadcast(S, ap[ai]);
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
            ai = aOff + (p + 3) * MR;
            bi = bOff + (p + 3) * bStride;
            b0 = FloatVector.fromArray(S, bp, bi);
            b1 = FloatVector.fromArray(S, bp, bi + L);
            av = FloatVector.broadcast(S, ap[ai]);
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
        for (; p < kc; p++) {
            int ai = aOff + p * MR, bi = bOff + p * bStride;
            b0 = FloatVector.fromArray(S, bp, bi);
            b1 = FloatVector.fromArray(S, bp, bi + L);
            av = FloatVector.broadcast(S, ap[ai]);
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
        if (overwrite) {
            c00.intoArray(c, at + 0 * ldc);
            c01.intoArray(c, at + 0 * ldc + L);
            c10.intoArray(c, at + 1 * ldc);
            c11.intoArray(c, at + 1 * ldc + L);
            c20.intoArray(c, at + 2 * ldc);
            c21.intoArray(c, at + 2 * ldc + L);
            if (mr > 3) {
                c30.intoArray(c, at + 3 * ldc);
                c31.intoArray(c, at + 3 * ldc + L);
            }
        } else {
            FloatVector betaV = FloatVector.broadcast(S, beta);
            FloatVector.fromArray(S, c, at + 0 * ldc).fma(betaV, c00).intoArray(c, at + 0 * ldc);
            FloatVector.fromArray(S, c, at + 0 * ldc + L).fma(betaV, c01).intoArray(c, at + 0 * ldc + L);
            FloatVector.fromArray(S, c, at + 1 * ldc).fma(betaV, c10).intoArray(c, at + 1 * ldc);
            FloatVector.fromArray(S, c, at + 1 * ldc + L).fma(betaV, c11).intoArray(c, at + 1 * ldc + L);
            FloatVector.fromArray(S, c, at + 2 * ldc).fma(betaV, c20).intoArray(c, at + 2 * ldc);
            FloatVector.fromArray(S, c, at + 2 * ldc + L).fma(betaV, c21).intoArray(c, at + 2 * ldc + L);
            if (mr > 3) {
                FloatVector.fromArray(S, c, at + 3 * ldc).fma(betaV, c30).intoArray(c, at + 3 * ldc);
                FloatVector.fromArray(S, c, at + 3 * ldc + L).fma(betaV, c31).intoArray(c, at + 3 * ldc + L);
            }
        }
    }

    /** The first {@code mr} (1 or 2) rows of a tile, from the six-row panel. */
    private static void twoRows(int kc, int mr, float[] ap, int aOff, float[] bp, int bOff, int bStride, float[] c,
                                int at, int ldc, boolean overwrite, float beta) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector b0, b1, av;
        int quad = kc & ~3;
        int p = 0;
        for (; p < quad; p += 4) {
            int ai = aOff + p * MR, bi = bOff + p * bStride;
            b0 = FloatVector.fromArray(S, bp, bi);
            b1 = FloatVector.fromArray(S, bp, bi + L);
            av = FloatVector.broadcast(S, ap[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            ai = aOff + (p + 1) * MR;
            bi = bOff + (p + 1) * bStride;
            b0 = FloatVector.fromArray(S, bp, bi);
            b1 = FloatVector.fromArray(S, bp, bi + L);
            av = FloatVector.broadcast(S, ap[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            ai = aOff + (p + 2) * MR;
            bi = bOff + (p + 2) * bStride;
            b0 = FloatVector.fromArray(S, bp, bi);
            b1 = FloatVector.fromArray(S, bp, bi + L);
            av = FloatVector.broadcast(S, ap[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            ai = aOff + (p + 3) * MR;
            bi = bOff + (p + 3) * bStride;
            b0 = FloatVector.fromArray(S, bp, bi);
            b1 = FloatVector.fromArray(S, bp, bi + L);
            av = FloatVector.broadcast(S, ap[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
        }
        for (; p < kc; p++) {
            int ai = aOff + p * MR, bi = bOff + p * bStride;
            b0 = FloatVector.fromArray(S, bp, bi);
            b1 = FloatVector.fromArray(S, bp, bi + L);
            av = FloatVector.broadcast(S, ap[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
        }
        if (overwrite) {
            c00.intoArray(c, at + 0 * ldc);
            c01.intoArray(c, at + 0 * ldc + L);
            if (mr > 1) {
                c10.intoArray(c, at + 1 * ldc);
                c11.intoArray(c, at + 1 * ldc + L);
            }
        } else {
            FloatVector betaV = FloatVector.broadcast(S, beta);
            FloatVector.fromArray(S, c, at + 0 * ldc).fma(betaV, c00).intoArray(c, at + 0 * ldc);
            FloatVector.fromArray(S, c, at + 0 * ldc + L).fma(betaV, c01).intoArray(c, at + 0 * ldc + L);
            if (mr > 1) {
                FloatVector.fromArray(S, c, at + 1 * ldc).fma(betaV, c10).intoArray(c, at + 1 * ldc);
                FloatVector.fromArray(S, c, at + 1 * ldc + L).fma(betaV, c11).intoArray(c, at + 1 * ldc + L);
            }
        }
    }

    @Override
    public void oneVector(int kc, int mc, float[] ap, float[] bp, int bOff, float[] tile, float[] c, int cOff,
                          int ldc, boolean overwrite, float beta) {
        for (int ir = 0; ir < mc; ir += MR) {
            int aOff = ir * kc;
            FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
            for (int p = 0; p < kc; p++) {
                int ai = aOff + p * MR;
                FloatVector b0 = FloatVector.fromArray(S, bp, bOff + p * NR);
                c0 = FloatVector.broadcast(S, ap[ai]).fma(b0, c0);
                c1 = FloatVector.broadcast(S, ap[ai + 1]).fma(b0, c1);
                c2 = FloatVector.broadcast(S, ap[ai + 2]).fma(b0, c2);
                c3 = FloatVector.broadcast(S, ap[ai + 3]).fma(b0, c3);
                c4 = FloatVector.broadcast(S, ap[ai + 4]).fma(b0, c4);
                c5 = FloatVector.broadcast(S, ap[ai + 5]).fma(b0, c5);
            }
            c0.intoArray(tile, 0 * NR);
            c1.intoArray(tile, 1 * NR);
            c2.intoArray(tile, 2 * NR);
            c3.intoArray(tile, 3 * NR);
            c4.intoArray(tile, 4 * NR);
            c5.intoArray(tile, 5 * NR);
            TileMerge.merge(tile, Math.min(MR, mc - ir), 1, c, cOff + ir * ldc, ldc, 1f, overwrite, beta);
        }
    }
}
