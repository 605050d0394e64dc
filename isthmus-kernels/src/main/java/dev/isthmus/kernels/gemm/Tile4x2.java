package dev.isthmus.kernels.gemm;

import dev.isthmus.kernels.runtime.Vectors;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SGEMM register tile of 4 rows: Four rows by two vectors (8 accumulators, 14 registers with the broadcasts and the two B
 * vectors): the tile that fits AVX2's 16 registers; six rows would spill an accumulator.
 * Every element of C is one fma chain over a packed block's k, whichever method computes it,
 * so results do not depend on the path a shape takes.
 */
final class Tile4x2 implements MicroKernel {

    private static final VectorSpecies<Float> S = Vectors.FLOATS;
    private static final int L = S.length();
    private static final int MR = 4;
    private static final int NR = 2 * L;

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public void packed(int kc, int mc, float[] ap, int aStart, float[] bp, int bOff, int bStride, float[] c,
                       int cOff, int ldc,
                       boolean overwrite, float beta) {
        for (int ir = 0; ir < mc; ir += MR) {
            int aOff = aStart + ir * kc;
            int at = cOff + ir * ldc;
            int mr = Math.min(MR, mc - ir);
            FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
            FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
            FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
            FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
            // Four steps of k per trip, as in Tile8x2.packed(): the trip's index arithmetic,
            // bounds checks and branch over 32 FMAs, not 8 (on an Intel Xeon under AVX2, 1024^3
            // and 512^3 13-15% faster).
            int quad = kc & ~3;
            int p = 0;
            for (; p < quad; p += 4) {
                int ai = aOff + p * MR;
                int bi = bOff + p * bStride;
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
                int ai = aOff + p * MR;
                int bi = bOff + p * bStride;
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

    @Override
    public void inPlace(int kc, int mc, float[] a, int[] rows, int row0, int col, float alpha, float[] bp, int bOff,
                        int bStride, float[] tile, float[] c, int cOff, int ldc, boolean overwrite, float beta) {
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            int first = row0 + ir, last = first + mr - 1; // a short last tile re-reads its last row, stored once
            int r0 = rows[first] + col;
            int r1 = rows[Math.min(first + 1, last)] + col;
            int r2 = rows[Math.min(first + 2, last)] + col;
            int r3 = rows[Math.min(first + 3, last)] + col;
            FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
            FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
            FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
            FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
            // Four steps of k per trip, as in packed().
            int quad = kc & ~3;
            int p = 0;
            for (; p < quad; p += 4) {
                int bi = bOff + p * bStride;
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
                bi = bOff + (p + 1) * bStride;
                b0 = FloatVector.fromArray(S, bp, bi);
                b1 = FloatVector.fromArray(S, bp, bi + L);
                av = FloatVector.broadcast(S, a[r0 + p + 1]);
                c00 = av.fma(b0, c00);
                c01 = av.fma(b1, c01);
                av = FloatVector.broadcast(S, a[r1 + p + 1]);
                c10 = av.fma(b0, c10);
                c11 = av.fma(b1, c11);
                av = FloatVector.broadcast(S, a[r2 + p + 1]);
                c20 = av.fma(b0, c20);
                c21 = av.fma(b1, c21);
                av = FloatVector.broadcast(S, a[r3 + p + 1]);
                c30 = av.fma(b0, c30);
                c31 = av.fma(b1, c31);
                bi = bOff + (p + 2) * bStride;
                b0 = FloatVector.fromArray(S, bp, bi);
                b1 = FloatVector.fromArray(S, bp, bi + L);
                av = FloatVector.broadcast(S, a[r0 + p + 2]);
                c00 = av.fma(b0, c00);
                c01 = av.fma(b1, c01);
                av = FloatVector.broadcast(S, a[r1 + p + 2]);
                c10 = av.fma(b0, c10);
                c11 = av.fma(b1, c11);
                av = FloatVector.broadcast(S, a[r2 + p + 2]);
                c20 = av.fma(b0, c20);
                c21 = av.fma(b1, c21);
                av = FloatVector.broadcast(S, a[r3 + p + 2]);
                c30 = av.fma(b0, c30);
                c31 = av.fma(b1, c31);
                bi = bOff + (p + 3) * bStride;
                b0 = FloatVector.fromArray(S, bp, bi);
                b1 = FloatVector.fromArray(S, bp, bi + L);
                av = FloatVector.broadcast(S, a[r0 + p + 3]);
                c00 = av.fma(b0, c00);
                c01 = av.fma(b1, c01);
                av = FloatVector.broadcast(S, a[r1 + p + 3]);
                c10 = av.fma(b0, c10);
                c11 = av.fma(b1, c11);
                av = FloatVector.broadcast(S, a[r2 + p + 3]);
                c20 = av.fma(b0, c20);
                c21 = av.fma(b1, c21);
                av = FloatVector.broadcast(S, a[r3 + p + 3]);
                c30 = av.fma(b0, c30);
                c31 = av.fma(b1, c31);
            }
            for (; p < kc; p++) {
                int bi = bOff + p * bStride;
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
            c01.intoArray(tile, 0 + L);
            c10.intoArray(tile, NR);
            c11.intoArray(tile, NR + L);
            c20.intoArray(tile, 2 * NR);
            c21.intoArray(tile, 2 * NR + L);
            c30.intoArray(tile, 3 * NR);
            c31.intoArray(tile, 3 * NR + L);
            TileMerge.merge(tile, mr, 2, c, cOff + ir * ldc, ldc, alpha, overwrite, beta);
        }
    }

    @Override
    public void oneVector(int kc, int mc, float[] ap, float[] bp, int bOff, float[] tile, float[] c, int cOff,
                          int ldc, boolean overwrite, float beta) {
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
            TileMerge.merge(tile, Math.min(MR, mc - ir), 1, c, cOff + ir * ldc, ldc, 1f, overwrite, beta);
        }
    }
}
