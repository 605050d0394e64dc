package dev.isthmus.kernels.gemm;

import dev.isthmus.kernels.runtime.Vectors;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SGEMM register tile of 8 rows: Eight rows by two vectors (16 accumulators, 26 of AVX-512's 32 registers with the
 * broadcasts and the two B vectors): per step of k, ten loads feed sixteen FMAs.
 * Every element of C is one fma chain over a packed block's k, whichever method computes it,
 * so results do not depend on the path a shape takes.
 */
final class Tile8x2 implements MicroKernel, InPlaceKernel {

    private static final VectorSpecies<Float> S = Vectors.FLOATS;
    private static final int L = S.length();
    private static final int MR = 8;
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
            FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
            FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
            FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
            FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
            // Four steps of k per trip: C2 does not unroll a loop body this large itself, and each
            // trip's index arithmetic, bounds checks and branch take issue slots from the FMAs
            // (one step per trip to two: 1024^3 11% faster; two to four on an Intel Xeon: 1024^3,
            // 512^3 and 2048^3 4-9% faster; eight no faster). Each accumulator's fma chain is the
            // same either way.
            int p = 0;
            int quad = kc & ~3;
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
                av = FloatVector.broadcast(S, ap[ai + 4]);
                c40 = av.fma(b0, c40);
                c41 = av.fma(b1, c41);
                av = FloatVector.broadcast(S, ap[ai + 5]);
                c50 = av.fma(b0, c50);
                c51 = av.fma(b1, c51);
                av = FloatVector.broadcast(S, ap[ai + 6]);
                c60 = av.fma(b0, c60);
                c61 = av.fma(b1, c61);
                av = FloatVector.broadcast(S, ap[ai + 7]);
                c70 = av.fma(b0, c70);
                c71 = av.fma(b1, c71);
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
                av = FloatVector.broadcast(S, ap[ai + 6]);
                c60 = av.fma(b0, c60);
                c61 = av.fma(b1, c61);
                av = FloatVector.broadcast(S, ap[ai + 7]);
                c70 = av.fma(b0, c70);
                c71 = av.fma(b1, c71);
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
                av = FloatVector.broadcast(S, ap[ai + 6]);
                c60 = av.fma(b0, c60);
                c61 = av.fma(b1, c61);
                av = FloatVector.broadcast(S, ap[ai + 7]);
                c70 = av.fma(b0, c70);
                c71 = av.fma(b1, c71);
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
                av = FloatVector.broadcast(S, ap[ai + 6]);
                c60 = av.fma(b0, c60);
                c61 = av.fma(b1, c61);
                av = FloatVector.broadcast(S, ap[ai + 7]);
                c70 = av.fma(b0, c70);
                c71 = av.fma(b1, c71);
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
                av = FloatVector.broadcast(S, ap[ai + 4]);
                c40 = av.fma(b0, c40);
                c41 = av.fma(b1, c41);
                av = FloatVector.broadcast(S, ap[ai + 5]);
                c50 = av.fma(b0, c50);
                c51 = av.fma(b1, c51);
                av = FloatVector.broadcast(S, ap[ai + 6]);
                c60 = av.fma(b0, c60);
                c61 = av.fma(b1, c61);
                av = FloatVector.broadcast(S, ap[ai + 7]);
                c70 = av.fma(b0, c70);
                c71 = av.fma(b1, c71);
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
                if (mr > 4) {
                    c40.intoArray(c, at + 4 * ldc);
                    c41.intoArray(c, at + 4 * ldc + L);
                }
                if (mr > 5) {
                    c50.intoArray(c, at + 5 * ldc);
                    c51.intoArray(c, at + 5 * ldc + L);
                }
                if (mr > 6) {
                    c60.intoArray(c, at + 6 * ldc);
                    c61.intoArray(c, at + 6 * ldc + L);
                }
                if (mr > 7) {
                    c70.intoArray(c, at + 7 * ldc);
                    c71.intoArray(c, at + 7 * ldc + L);
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
                if (mr > 4) {
                    FloatVector.fromArray(S, c, at + 4 * ldc).fma(betaV, c40).intoArray(c, at + 4 * ldc);
                    FloatVector.fromArray(S, c, at + 4 * ldc + L).fma(betaV, c41).intoArray(c, at + 4 * ldc + L);
                }
                if (mr > 5) {
                    FloatVector.fromArray(S, c, at + 5 * ldc).fma(betaV, c50).intoArray(c, at + 5 * ldc);
                    FloatVector.fromArray(S, c, at + 5 * ldc + L).fma(betaV, c51).intoArray(c, at + 5 * ldc + L);
                }
                if (mr > 6) {
                    FloatVector.fromArray(S, c, at + 6 * ldc).fma(betaV, c60).intoArray(c, at + 6 * ldc);
                    FloatVector.fromArray(S, c, at + 6 * ldc + L).fma(betaV, c61).intoArray(c, at + 6 * ldc + L);
                }
                if (mr > 7) {
                    FloatVector.fromArray(S, c, at + 7 * ldc).fma(betaV, c70).intoArray(c, at + 7 * ldc);
                    FloatVector.fromArray(S, c, at + 7 * ldc + L).fma(betaV, c71).intoArray(c, at + 7 * ldc + L);
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
            int r4 = rows[Math.min(first + 4, last)] + col;
            int r5 = rows[Math.min(first + 5, last)] + col;
            int r6 = rows[Math.min(first + 6, last)] + col;
            int r7 = rows[Math.min(first + 7, last)] + col;
            FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
            FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
            FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
            FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
            FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
            FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
            FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
            FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
            // Two steps of k per trip, not packed()'s four: with four this method was too large
            // for C1's profiling tier ("COMPILE SKIPPED: out of virtual registers"), C2 never
            // compiled it, and a 1x1 convolution ran 45 times slower.
            int even = kc & ~1;
            int p = 0;
            for (; p < even; p += 2) {
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
                av = FloatVector.broadcast(S, a[r4 + p]);
                c40 = av.fma(b0, c40);
                c41 = av.fma(b1, c41);
                av = FloatVector.broadcast(S, a[r5 + p]);
                c50 = av.fma(b0, c50);
                c51 = av.fma(b1, c51);
                av = FloatVector.broadcast(S, a[r6 + p]);
                c60 = av.fma(b0, c60);
                c61 = av.fma(b1, c61);
                av = FloatVector.broadcast(S, a[r7 + p]);
                c70 = av.fma(b0, c70);
                c71 = av.fma(b1, c71);
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
                av = FloatVector.broadcast(S, a[r4 + p + 1]);
                c40 = av.fma(b0, c40);
                c41 = av.fma(b1, c41);
                av = FloatVector.broadcast(S, a[r5 + p + 1]);
                c50 = av.fma(b0, c50);
                c51 = av.fma(b1, c51);
                av = FloatVector.broadcast(S, a[r6 + p + 1]);
                c60 = av.fma(b0, c60);
                c61 = av.fma(b1, c61);
                av = FloatVector.broadcast(S, a[r7 + p + 1]);
                c70 = av.fma(b0, c70);
                c71 = av.fma(b1, c71);
            }
            if (p < kc) {
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
                av = FloatVector.broadcast(S, a[r4 + p]);
                c40 = av.fma(b0, c40);
                c41 = av.fma(b1, c41);
                av = FloatVector.broadcast(S, a[r5 + p]);
                c50 = av.fma(b0, c50);
                c51 = av.fma(b1, c51);
                av = FloatVector.broadcast(S, a[r6 + p]);
                c60 = av.fma(b0, c60);
                c61 = av.fma(b1, c61);
                av = FloatVector.broadcast(S, a[r7 + p]);
                c70 = av.fma(b0, c70);
                c71 = av.fma(b1, c71);
            }
            if (alpha == 1f) {
                // straight to C with packed()'s stores (a scratch tile's trip only scales by alpha):
                // the trip cost most where k is short (a 1x1 convolution's 16 channels)
                int at = cOff + ir * ldc;
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
                    if (mr > 4) {
                        c40.intoArray(c, at + 4 * ldc);
                        c41.intoArray(c, at + 4 * ldc + L);
                    }
                    if (mr > 5) {
                        c50.intoArray(c, at + 5 * ldc);
                        c51.intoArray(c, at + 5 * ldc + L);
                    }
                    if (mr > 6) {
                        c60.intoArray(c, at + 6 * ldc);
                        c61.intoArray(c, at + 6 * ldc + L);
                    }
                    if (mr > 7) {
                        c70.intoArray(c, at + 7 * ldc);
                        c71.intoArray(c, at + 7 * ldc + L);
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
                    if (mr > 4) {
                        FloatVector.fromArray(S, c, at + 4 * ldc).fma(betaV, c40).intoArray(c, at + 4 * ldc);
                        FloatVector.fromArray(S, c, at + 4 * ldc + L).fma(betaV, c41).intoArray(c, at + 4 * ldc + L);
                    }
                    if (mr > 5) {
                        FloatVector.fromArray(S, c, at + 5 * ldc).fma(betaV, c50).intoArray(c, at + 5 * ldc);
                        FloatVector.fromArray(S, c, at + 5 * ldc + L).fma(betaV, c51).intoArray(c, at + 5 * ldc + L);
                    }
                    if (mr > 6) {
                        FloatVector.fromArray(S, c, at + 6 * ldc).fma(betaV, c60).intoArray(c, at + 6 * ldc);
                        FloatVector.fromArray(S, c, at + 6 * ldc + L).fma(betaV, c61).intoArray(c, at + 6 * ldc + L);
                    }
                    if (mr > 7) {
                        FloatVector.fromArray(S, c, at + 7 * ldc).fma(betaV, c70).intoArray(c, at + 7 * ldc);
                        FloatVector.fromArray(S, c, at + 7 * ldc + L).fma(betaV, c71).intoArray(c, at + 7 * ldc + L);
                    }
                }
                continue;
            }
            c00.intoArray(tile, 0);
            c01.intoArray(tile, 0 + L);
            c10.intoArray(tile, NR);
            c11.intoArray(tile, NR + L);
            c20.intoArray(tile, 2 * NR);
            c21.intoArray(tile, 2 * NR + L);
            c30.intoArray(tile, 3 * NR);
            c31.intoArray(tile, 3 * NR + L);
            c40.intoArray(tile, 4 * NR);
            c41.intoArray(tile, 4 * NR + L);
            c50.intoArray(tile, 5 * NR);
            c51.intoArray(tile, 5 * NR + L);
            c60.intoArray(tile, 6 * NR);
            c61.intoArray(tile, 6 * NR + L);
            c70.intoArray(tile, 7 * NR);
            c71.intoArray(tile, 7 * NR + L);
            TileMerge.merge(tile, mr, 2, c, cOff + ir * ldc, ldc, alpha, overwrite, beta);
        }
    }

    @Override
    public void oneVector(int kc, int mc, float[] ap, float[] bp, int bOff, float[] tile, float[] c, int cOff,
                          int ldc, boolean overwrite, float beta) {
        for (int ir = 0; ir < mc; ir += MR) {
            int aOff = ir * kc;
            FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
            for (int p = 0; p < kc; p++) {
                int ai = aOff + p * MR;
                FloatVector b0 = FloatVector.fromArray(S, bp, bOff + p * NR);
                c0 = FloatVector.broadcast(S, ap[ai]).fma(b0, c0);
                c1 = FloatVector.broadcast(S, ap[ai + 1]).fma(b0, c1);
                c2 = FloatVector.broadcast(S, ap[ai + 2]).fma(b0, c2);
                c3 = FloatVector.broadcast(S, ap[ai + 3]).fma(b0, c3);
                c4 = FloatVector.broadcast(S, ap[ai + 4]).fma(b0, c4);
                c5 = FloatVector.broadcast(S, ap[ai + 5]).fma(b0, c5);
                c6 = FloatVector.broadcast(S, ap[ai + 6]).fma(b0, c6);
                c7 = FloatVector.broadcast(S, ap[ai + 7]).fma(b0, c7);
            }
            c0.intoArray(tile, 0);
            c1.intoArray(tile, NR);
            c2.intoArray(tile, 2 * NR);
            c3.intoArray(tile, 3 * NR);
            c4.intoArray(tile, 4 * NR);
            c5.intoArray(tile, 5 * NR);
            c6.intoArray(tile, 6 * NR);
            c7.intoArray(tile, 7 * NR);
            TileMerge.merge(tile, Math.min(MR, mc - ir), 1, c, cOff + ir * ldc, ldc, 1f, overwrite, beta);
        }
    }
}
