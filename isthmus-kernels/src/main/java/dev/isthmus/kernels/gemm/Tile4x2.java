package dev.isthmus.kernels.gemm;

import dev.isthmus.kernels.runtime.Vectors;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * AVX2's SGEMM register tile over A read where it lies: four rows by two vectors, 8 accumulators
 * and four row addresses. The packed tile has six rows ({@link Tile6x2}); here six row addresses
 * and their bounds checks cost more than the two rows gain (on a Zen 3, 200 x 300 x 100 and
 * 20 x 500 x 64 ran 1.34x and 1.36-1.41x slower with six). Every element of C is one fma chain
 * over a packed block's k, whichever tile computes it, so results do not depend on the path a
 * shape takes.
 */
final class Tile4x2 implements InPlaceKernel {

    private static final VectorSpecies<Float> S = Vectors.FLOATS;
    private static final int L = S.length();
    private static final int MR = 4;
    private static final int NR = 2 * L;

    @Override
    public int mr() {
        return MR;
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
            // Four steps of k per trip, as in Tile6x2's packed loop.
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
}
