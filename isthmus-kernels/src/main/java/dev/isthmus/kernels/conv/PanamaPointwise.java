package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.runtime.Vectors;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import static jdk.incubator.vector.VectorOperators.LE;

/**
 * {@link PanamaConv}'s pointwise products ({@link ConvSupport#pointwiseConvolve},
 * {@link ConvSupport#pointwiseWeightGradient}): register tiles over maps that lie flat, the
 * weights broadcast. Where SGEMM packs both operands and keeps a tile for a handful of steps
 * (16 input channels: 16 steps of k), these read both in place. The lanes compute what
 * {@link ScalarConv}'s loops compute, lane by lane.
 */
final class PanamaPointwise {

    private static final VectorSpecies<Float> S = Vectors.FLOATS;
    private static final int L = S.length();
    /**
     * Under AVX2's sixteen vector registers, tiles of eight sums: a forward tile four outputs by
     * two vectors ({@link #tile4x2}), a weight-gradient tile four outputs by two inputs. Sixteen
     * sums and their operands spilled there.
     */
    private static final boolean NARROW = L < 16;
    /** Positions a full forward tile covers: four vectors, two when {@link #NARROW}. */
    private static final int SPAN = (NARROW ? 2 : 4) * L;

    private PanamaPointwise() {}

    /**
     * See {@link ConvSupport#pointwiseConvolve}: four outputs by four vectors a tile (by two under
     * AVX2), then the rest masked.
     */
    static void convolve(float[] x, int xOffset, int xPlane, int kin, int positions, float[] w, int wStride, int kout,
                         float[] bias, int biasOffset, boolean relu, float[] out, int outOffset, int outPlane) {
        // a tile's span of every input plane stays in L1 while each block of outputs reads it (over
        // the whole map a block at a time, 16 -> 32 on 56x56 read its 50 KB from L2 eight times)
        int full = positions - positions % SPAN;
        for (int p = 0; p < full; p += SPAN) {
            for (int o = 0; o < kout; o += 4) {
                int valid = Math.min(4, kout - o), at = outOffset + o * outPlane + p;
                if (NARROW) {
                    tile4x2(x, xOffset + p, xPlane, kin, w, wStride, o, valid, bias, biasOffset, relu, out, at,
                            outPlane);
                } else {
                    tile4x4(x, xOffset + p, xPlane, kin, w, wStride, o, valid, bias, biasOffset, relu, out, at,
                            outPlane);
                }
            }
        }
        // the positions past the last full tile, two vectors at a time with masks: eight sums
        // hide the FMAs' latency (with one vector's four, 64 -> 128 on a 7x7 output, where no tile
        // is full, took 1.38x as long as im2col and SGEMM; with these, 1.12x)
        for (int p = full; p < positions; p += 2 * L) {
            VectorMask<Float> m0 = S.indexInRange(p, positions), m1 = S.indexInRange(p + L, positions);
            for (int o = 0; o < kout; o += 4) {
                tile4x2Masked(x, xOffset + p, xPlane, kin, m0, m1, w, wStride, o, Math.min(4, kout - o), bias,
                        biasOffset, relu, out, outOffset + o * outPlane + p, outPlane);
            }
        }
    }

    private static FloatVector bias(float[] bias, int biasOffset, int o) {
        return FloatVector.broadcast(S, bias == null ? 0f : bias[biasOffset + o]);
    }

    /** ReLU as {@code Math.max(v, 0f)} per lane: NaN stays, -0 becomes +0. */
    private static FloatVector rectify(FloatVector v, FloatVector zero) {
        return v.blend(zero, v.compare(LE, zero));
    }

    /**
     * Sixteen sums, output {@code o + j} over the vectors {@code q} (row j, column q), from the bias
     * over the inputs in order. Outputs past {@code valid} are summed from padded weights and not stored.
     */
    private static void tile4x4(float[] x, int xAt, int xPlane, int kin, float[] w, int wStride, int o, int valid,
                                float[] bias, int biasOffset, boolean relu, float[] out, int at, int outPlane) {
        FloatVector a00 = bias(bias, biasOffset, o), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = valid > 1 ? bias(bias, biasOffset, o + 1) : a00, a11 = a10, a12 = a10, a13 = a10;
        FloatVector a20 = valid > 2 ? bias(bias, biasOffset, o + 2) : a00, a21 = a20, a22 = a20, a23 = a20;
        FloatVector a30 = valid > 3 ? bias(bias, biasOffset, o + 3) : a00, a31 = a30, a32 = a30, a33 = a30;
        for (int k = 0, xi = xAt, wi = o; k < kin; k++, xi += xPlane, wi += wStride) {
            FloatVector x0 = FloatVector.fromArray(S, x, xi);
            FloatVector x1 = FloatVector.fromArray(S, x, xi + L);
            FloatVector x2 = FloatVector.fromArray(S, x, xi + 2 * L);
            FloatVector x3 = FloatVector.fromArray(S, x, xi + 3 * L);
            FloatVector v = FloatVector.broadcast(S, w[wi]);
            a00 = x0.fma(v, a00);
            a01 = x1.fma(v, a01);
            a02 = x2.fma(v, a02);
            a03 = x3.fma(v, a03);
            v = FloatVector.broadcast(S, w[wi + 1]);
            a10 = x0.fma(v, a10);
            a11 = x1.fma(v, a11);
            a12 = x2.fma(v, a12);
            a13 = x3.fma(v, a13);
            v = FloatVector.broadcast(S, w[wi + 2]);
            a20 = x0.fma(v, a20);
            a21 = x1.fma(v, a21);
            a22 = x2.fma(v, a22);
            a23 = x3.fma(v, a23);
            v = FloatVector.broadcast(S, w[wi + 3]);
            a30 = x0.fma(v, a30);
            a31 = x1.fma(v, a31);
            a32 = x2.fma(v, a32);
            a33 = x3.fma(v, a33);
        }
        if (relu) { // written out: vectors passed to a helper C2 leaves uninlined are boxed
            FloatVector zero = FloatVector.zero(S);
            a00 = rectify(a00, zero);
            a01 = rectify(a01, zero);
            a02 = rectify(a02, zero);
            a03 = rectify(a03, zero);
            a10 = rectify(a10, zero);
            a11 = rectify(a11, zero);
            a12 = rectify(a12, zero);
            a13 = rectify(a13, zero);
            a20 = rectify(a20, zero);
            a21 = rectify(a21, zero);
            a22 = rectify(a22, zero);
            a23 = rectify(a23, zero);
            a30 = rectify(a30, zero);
            a31 = rectify(a31, zero);
            a32 = rectify(a32, zero);
            a33 = rectify(a33, zero);
        }
        a00.intoArray(out, at);
        a01.intoArray(out, at + L);
        a02.intoArray(out, at + 2 * L);
        a03.intoArray(out, at + 3 * L);
        if (valid > 1) {
            at += outPlane;
            a10.intoArray(out, at);
            a11.intoArray(out, at + L);
            a12.intoArray(out, at + 2 * L);
            a13.intoArray(out, at + 3 * L);
        }
        if (valid > 2) {
            at += outPlane;
            a20.intoArray(out, at);
            a21.intoArray(out, at + L);
            a22.intoArray(out, at + 2 * L);
            a23.intoArray(out, at + 3 * L);
        }
        if (valid > 3) {
            at += outPlane;
            a30.intoArray(out, at);
            a31.intoArray(out, at + L);
            a32.intoArray(out, at + 2 * L);
            a33.intoArray(out, at + 3 * L);
        }
    }

    /** {@link #tile4x4} over two vectors. */
    private static void tile4x2(float[] x, int xAt, int xPlane, int kin, float[] w, int wStride, int o, int valid,
                                float[] bias, int biasOffset, boolean relu, float[] out, int at, int outPlane) {
        FloatVector a00 = bias(bias, biasOffset, o), a01 = a00;
        FloatVector a10 = valid > 1 ? bias(bias, biasOffset, o + 1) : a00, a11 = a10;
        FloatVector a20 = valid > 2 ? bias(bias, biasOffset, o + 2) : a00, a21 = a20;
        FloatVector a30 = valid > 3 ? bias(bias, biasOffset, o + 3) : a00, a31 = a30;
        for (int k = 0, xi = xAt, wi = o; k < kin; k++, xi += xPlane, wi += wStride) {
            FloatVector x0 = FloatVector.fromArray(S, x, xi);
            FloatVector x1 = FloatVector.fromArray(S, x, xi + L);
            FloatVector v = FloatVector.broadcast(S, w[wi]);
            a00 = x0.fma(v, a00);
            a01 = x1.fma(v, a01);
            v = FloatVector.broadcast(S, w[wi + 1]);
            a10 = x0.fma(v, a10);
            a11 = x1.fma(v, a11);
            v = FloatVector.broadcast(S, w[wi + 2]);
            a20 = x0.fma(v, a20);
            a21 = x1.fma(v, a21);
            v = FloatVector.broadcast(S, w[wi + 3]);
            a30 = x0.fma(v, a30);
            a31 = x1.fma(v, a31);
        }
        if (relu) {
            FloatVector zero = FloatVector.zero(S);
            a00 = rectify(a00, zero);
            a01 = rectify(a01, zero);
            a10 = rectify(a10, zero);
            a11 = rectify(a11, zero);
            a20 = rectify(a20, zero);
            a21 = rectify(a21, zero);
            a30 = rectify(a30, zero);
            a31 = rectify(a31, zero);
        }
        a00.intoArray(out, at);
        a01.intoArray(out, at + L);
        if (valid > 1) {
            a10.intoArray(out, at + outPlane);
            a11.intoArray(out, at + outPlane + L);
        }
        if (valid > 2) {
            a20.intoArray(out, at + 2 * outPlane);
            a21.intoArray(out, at + 2 * outPlane + L);
        }
        if (valid > 3) {
            a30.intoArray(out, at + 3 * outPlane);
            a31.intoArray(out, at + 3 * outPlane + L);
        }
    }

    /**
     * {@link #tile4x2} with the lanes of each vector in its mask: loads and stores stay inside the
     * map. A method of its own so that the full tiles, AVX2's among them, carry no masks.
     */
    private static void tile4x2Masked(float[] x, int xAt, int xPlane, int kin, VectorMask<Float> m0,
                                      VectorMask<Float> m1, float[] w, int wStride, int o, int valid, float[] bias,
                                      int biasOffset, boolean relu, float[] out, int at, int outPlane) {
        FloatVector a00 = bias(bias, biasOffset, o), a01 = a00;
        FloatVector a10 = valid > 1 ? bias(bias, biasOffset, o + 1) : a00, a11 = a10;
        FloatVector a20 = valid > 2 ? bias(bias, biasOffset, o + 2) : a00, a21 = a20;
        FloatVector a30 = valid > 3 ? bias(bias, biasOffset, o + 3) : a00, a31 = a30;
        for (int k = 0, xi = xAt, wi = o; k < kin; k++, xi += xPlane, wi += wStride) {
            FloatVector x0 = FloatVector.fromArray(S, x, xi, m0);
            FloatVector x1 = FloatVector.fromArray(S, x, xi + L, m1);
            FloatVector v = FloatVector.broadcast(S, w[wi]);
            a00 = x0.fma(v, a00);
            a01 = x1.fma(v, a01);
            v = FloatVector.broadcast(S, w[wi + 1]);
            a10 = x0.fma(v, a10);
            a11 = x1.fma(v, a11);
            v = FloatVector.broadcast(S, w[wi + 2]);
            a20 = x0.fma(v, a20);
            a21 = x1.fma(v, a21);
            v = FloatVector.broadcast(S, w[wi + 3]);
            a30 = x0.fma(v, a30);
            a31 = x1.fma(v, a31);
        }
        if (relu) {
            FloatVector zero = FloatVector.zero(S);
            a00 = rectify(a00, zero);
            a01 = rectify(a01, zero);
            a10 = rectify(a10, zero);
            a11 = rectify(a11, zero);
            a20 = rectify(a20, zero);
            a21 = rectify(a21, zero);
            a30 = rectify(a30, zero);
            a31 = rectify(a31, zero);
        }
        a00.intoArray(out, at, m0);
        a01.intoArray(out, at + L, m1);
        if (valid > 1) {
            a10.intoArray(out, at + outPlane, m0);
            a11.intoArray(out, at + outPlane + L, m1);
        }
        if (valid > 2) {
            a20.intoArray(out, at + 2 * outPlane, m0);
            a21.intoArray(out, at + 2 * outPlane + L, m1);
        }
        if (valid > 3) {
            a30.intoArray(out, at + 3 * outPlane, m0);
            a31.intoArray(out, at + 3 * outPlane + L, m1);
        }
    }

    /**
     * See {@link ConvSupport#pointwiseWeightGradient}: four outputs by four inputs a tile (by two
     * under AVX2), the accumulators kept in registers over every whole vector of positions, then
     * the short last vector by {@link #weightTail}. Channels past the last read the last one's
     * rows again, and are not stored.
     */
    static void weightGradient(float[] dz, int dzOffset, int dzPlane, int kout, float[] x, int xOffset, int xPlane,
                               int kin, int positions, float[] acc, boolean fresh) {
        // a chunk of positions at a time, so that its span of the input planes stays in cache
        // while every block of outputs reads it; the tiles take whole vectors, the short last
        // vector (if any) is added after them by weightTail
        for (int from = 0; from < positions; from += WEIGHT_CHUNK, fresh = false) {
            int n = Math.min(WEIGHT_CHUNK, positions - from), whole = n - n % L;
            for (int o = 0; o < kout; o += 4) {
                for (int k = 0; k < kin && NARROW; k += 2) {
                    weightTile4x2(dz, dzOffset + from, dzPlane, o, Math.min(4, kout - o), x, xOffset + from, xPlane,
                            k, Math.min(2, kin - k), kin, whole, acc, fresh);
                }
                for (int k = 0; k < kin && !NARROW; k += 4) {
                    weightTile(dz, dzOffset + from, dzPlane, o, Math.min(4, kout - o), x, xOffset + from, xPlane, k,
                            Math.min(4, kin - k), kin, whole, acc, fresh);
                }
            }
            if (whole < n) {
                weightTail(dz, dzOffset + from + whole, dzPlane, kout, x, xOffset + from + whole, xPlane, kin,
                        n - whole, acc);
            }
        }
    }

    /**
     * The short last vector of positions, lanes past the map masked (they add +0 * +0), one sum
     * at a time from memory. Inside the tiles, its masked loads made C2 give up intrinsifying
     * them: on a 7x7 output every vector operation went through a boxed call, 20x slower.
     */
    private static void weightTail(float[] dz, int dzAt, int dzPlane, int kout, float[] x, int xAt, int xPlane,
                                   int kin, int lanes, float[] acc) {
        VectorMask<Float> m = S.indexInRange(0, lanes);
        for (int o = 0; o < kout; o++) {
            FloatVector g = FloatVector.fromArray(S, dz, dzAt + o * dzPlane, m);
            for (int k = 0; k < kin; k++) {
                int a = (o * kin + k) * L;
                g.fma(FloatVector.fromArray(S, x, xAt + k * xPlane, m), FloatVector.fromArray(S, acc, a))
                        .intoArray(acc, a);
            }
        }
    }

    /** Positions a weight-gradient chunk covers: a multiple of the lanes, so each keeps its lane. */
    private static final int WEIGHT_CHUNK = 256;

    private static void weightTile(float[] dz, int dzOffset, int dzPlane, int o, int outs, float[] x, int xOffset,
                                   int xPlane, int k, int ins, int kin, int positions, float[] acc, boolean fresh) {
        int d0 = dzOffset + o * dzPlane, d1 = dzOffset + (o + Math.min(1, outs - 1)) * dzPlane;
        int d2 = dzOffset + (o + Math.min(2, outs - 1)) * dzPlane, d3 = dzOffset + (o + outs - 1) * dzPlane;
        int x0 = xOffset + k * xPlane, x1 = xOffset + (k + Math.min(1, ins - 1)) * xPlane;
        int x2 = xOffset + (k + Math.min(2, ins - 1)) * xPlane, x3 = xOffset + (k + ins - 1) * xPlane;
        // row j of the tile: acc[((o + j) * kin + k + i) * L], i the column
        int r0 = (o * kin + k) * L, r1 = r0 + Math.min(1, outs - 1) * kin * L;
        int r2 = r0 + Math.min(2, outs - 1) * kin * L, r3 = r0 + (outs - 1) * kin * L;
        int c1 = Math.min(1, ins - 1) * L, c2 = Math.min(2, ins - 1) * L, c3 = (ins - 1) * L;
        FloatVector a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33;
        if (fresh) {
            a00 = FloatVector.zero(S);
            a01 = a00; a02 = a00; a03 = a00; a10 = a00; a11 = a00; a12 = a00; a13 = a00;
            a20 = a00; a21 = a00; a22 = a00; a23 = a00; a30 = a00; a31 = a00; a32 = a00; a33 = a00;
        } else {
            a00 = FloatVector.fromArray(S, acc, r0);
            a01 = FloatVector.fromArray(S, acc, r0 + c1);
            a02 = FloatVector.fromArray(S, acc, r0 + c2);
            a03 = FloatVector.fromArray(S, acc, r0 + c3);
            a10 = FloatVector.fromArray(S, acc, r1);
            a11 = FloatVector.fromArray(S, acc, r1 + c1);
            a12 = FloatVector.fromArray(S, acc, r1 + c2);
            a13 = FloatVector.fromArray(S, acc, r1 + c3);
            a20 = FloatVector.fromArray(S, acc, r2);
            a21 = FloatVector.fromArray(S, acc, r2 + c1);
            a22 = FloatVector.fromArray(S, acc, r2 + c2);
            a23 = FloatVector.fromArray(S, acc, r2 + c3);
            a30 = FloatVector.fromArray(S, acc, r3);
            a31 = FloatVector.fromArray(S, acc, r3 + c1);
            a32 = FloatVector.fromArray(S, acc, r3 + c2);
            a33 = FloatVector.fromArray(S, acc, r3 + c3);
        }
        // whole vectors only (with a masked tail inside this loop, C2 kept the eight row offsets on
        // the stack and the 1x1 stride-2 backward ran 1.10x longer)
        for (int p = 0; p < positions; p += L) {
            FloatVector g0 = FloatVector.fromArray(S, dz, d0 + p);
            FloatVector g1 = FloatVector.fromArray(S, dz, d1 + p);
            FloatVector g2 = FloatVector.fromArray(S, dz, d2 + p);
            FloatVector g3 = FloatVector.fromArray(S, dz, d3 + p);
            FloatVector v0 = FloatVector.fromArray(S, x, x0 + p);
            FloatVector v1 = FloatVector.fromArray(S, x, x1 + p);
            FloatVector v2 = FloatVector.fromArray(S, x, x2 + p);
            FloatVector v3 = FloatVector.fromArray(S, x, x3 + p);
            a00 = g0.fma(v0, a00);
            a01 = g0.fma(v1, a01);
            a02 = g0.fma(v2, a02);
            a03 = g0.fma(v3, a03);
            a10 = g1.fma(v0, a10);
            a11 = g1.fma(v1, a11);
            a12 = g1.fma(v2, a12);
            a13 = g1.fma(v3, a13);
            a20 = g2.fma(v0, a20);
            a21 = g2.fma(v1, a21);
            a22 = g2.fma(v2, a22);
            a23 = g2.fma(v3, a23);
            a30 = g3.fma(v0, a30);
            a31 = g3.fma(v1, a31);
            a32 = g3.fma(v2, a32);
            a33 = g3.fma(v3, a33);
        }
        // repeated rows and columns hold the same sums: stored last-first, the real ones win
        a33.intoArray(acc, r3 + c3);
        a32.intoArray(acc, r3 + c2);
        a31.intoArray(acc, r3 + c1);
        a30.intoArray(acc, r3);
        a23.intoArray(acc, r2 + c3);
        a22.intoArray(acc, r2 + c2);
        a21.intoArray(acc, r2 + c1);
        a20.intoArray(acc, r2);
        a13.intoArray(acc, r1 + c3);
        a12.intoArray(acc, r1 + c2);
        a11.intoArray(acc, r1 + c1);
        a10.intoArray(acc, r1);
        a03.intoArray(acc, r0 + c3);
        a02.intoArray(acc, r0 + c2);
        a01.intoArray(acc, r0 + c1);
        a00.intoArray(acc, r0);
    }

    /** {@link #weightTile} with two inputs a tile: eight sums. */
    private static void weightTile4x2(float[] dz, int dzOffset, int dzPlane, int o, int outs, float[] x, int xOffset,
                                      int xPlane, int k, int ins, int kin, int positions, float[] acc, boolean fresh) {
        int d0 = dzOffset + o * dzPlane, d1 = dzOffset + (o + Math.min(1, outs - 1)) * dzPlane;
        int d2 = dzOffset + (o + Math.min(2, outs - 1)) * dzPlane, d3 = dzOffset + (o + outs - 1) * dzPlane;
        int x0 = xOffset + k * xPlane, x1 = xOffset + (k + ins - 1) * xPlane;
        int r0 = (o * kin + k) * L, r1 = r0 + Math.min(1, outs - 1) * kin * L;
        int r2 = r0 + Math.min(2, outs - 1) * kin * L, r3 = r0 + (outs - 1) * kin * L;
        int c1 = (ins - 1) * L;
        FloatVector a00, a01, a10, a11, a20, a21, a30, a31;
        if (fresh) {
            a00 = FloatVector.zero(S);
            a01 = a00; a10 = a00; a11 = a00; a20 = a00; a21 = a00; a30 = a00; a31 = a00;
        } else {
            a00 = FloatVector.fromArray(S, acc, r0);
            a01 = FloatVector.fromArray(S, acc, r0 + c1);
            a10 = FloatVector.fromArray(S, acc, r1);
            a11 = FloatVector.fromArray(S, acc, r1 + c1);
            a20 = FloatVector.fromArray(S, acc, r2);
            a21 = FloatVector.fromArray(S, acc, r2 + c1);
            a30 = FloatVector.fromArray(S, acc, r3);
            a31 = FloatVector.fromArray(S, acc, r3 + c1);
        }
        for (int p = 0; p < positions; p += L) {
            FloatVector g0 = FloatVector.fromArray(S, dz, d0 + p);
            FloatVector g1 = FloatVector.fromArray(S, dz, d1 + p);
            FloatVector g2 = FloatVector.fromArray(S, dz, d2 + p);
            FloatVector g3 = FloatVector.fromArray(S, dz, d3 + p);
            FloatVector v0 = FloatVector.fromArray(S, x, x0 + p);
            FloatVector v1 = FloatVector.fromArray(S, x, x1 + p);
            a00 = g0.fma(v0, a00);
            a01 = g0.fma(v1, a01);
            a10 = g1.fma(v0, a10);
            a11 = g1.fma(v1, a11);
            a20 = g2.fma(v0, a20);
            a21 = g2.fma(v1, a21);
            a30 = g3.fma(v0, a30);
            a31 = g3.fma(v1, a31);
        }
        a31.intoArray(acc, r3 + c1);
        a30.intoArray(acc, r3);
        a21.intoArray(acc, r2 + c1);
        a20.intoArray(acc, r2);
        a11.intoArray(acc, r1 + c1);
        a10.intoArray(acc, r1);
        a01.intoArray(acc, r0 + c1);
        a00.intoArray(acc, r0);
    }
}
