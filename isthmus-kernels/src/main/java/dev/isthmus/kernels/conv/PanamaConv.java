package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.runtime.Vectors;
import dev.isthmus.kernels.runtime.Workspace;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.I2B;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.UMAX;

/**
 * Direct convolution, its weight gradient, and the fused ReLU, max-pooling and pooling-gradient
 * epilogues on the Vector API. {@link ScalarConv} is the specification; every method here
 * computes each output with the same operations in the same order per lane.
 */
public final class PanamaConv implements ConvSupport {

    private static final VectorSpecies<Float> S = Vectors.FLOATS;
    private static final int L = S.length();
    /** Two vectors of output columns per step: with four channels, eight accumulators. */
    static final int BLOCK = 2 * L;
    /** Bytes for one vector of pooling winners; null below 8 lanes (no 32-bit byte species). */
    private static final VectorSpecies<Byte> B = Vectors.BYTES;
    private static final VectorSpecies<Integer> INTS = Vectors.INTS;
    /** Even and odd lanes of two vectors taken together, and the two halves of their interleaving. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.iota(S, 0, 2, false);
    private static final VectorShuffle<Float> ODD = VectorShuffle.iota(S, 1, 2, false);
    private static final VectorShuffle<Float> ZIP_LOW = VectorShuffle.fromOp(S, i -> (i & 1) * L + i / 2);
    private static final VectorShuffle<Float> ZIP_HIGH = VectorShuffle.fromOp(S, i -> (i & 1) * L + L / 2 + i / 2);
    /** The four shuffles above as {@link Vectors#pair}'s indices, in that order. */
    private static final int[] PAIR_INDICES = Vectors.TWO_SOURCE_SELECT
            ? Vectors.selectIndices(EVEN, ODD, ZIP_LOW, ZIP_HIGH) : new int[0];
    /** A vector's even (odd) lanes in its low half, twice: the columns of {@link #pooledTile4Narrow}'s windows. */
    private static final VectorShuffle<Integer> EVEN_LOW = VectorShuffle.fromOp(INTS, i -> 2 * (i % (L / 2)));
    private static final VectorShuffle<Integer> ODD_LOW = VectorShuffle.fromOp(INTS, i -> 2 * (i % (L / 2)) + 1);
    /** Half a vector at 8 lanes: {@link #pooledTile4Narrow}'s four windows a channel. */
    private static final VectorSpecies<Float> HALF = FloatVector.SPECIES_128;
    /** Four winners' codes stored as one int: no byte species of four lanes to store them through. */
    private static final VarHandle INT_IN_BYTES =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** Loaded by name by the kernel provider, once the vector module is known to be present. */
    public PanamaConv() {}

    @Override
    public int vectorBitSize() {
        return S.vectorBitSize();
    }

    @Override
    public int directBlock() {
        return BLOCK;
    }

    @Override
    public boolean directWideChannels() {
        return WIDE_WEIGHT_GRADIENT; // 32 vector registers
    }

    @Override
    public int directLanes() {
        return L;
    }

    @Override
    public void directConvolve(DirectLayout g, float[] xp, float[] wp, int wpOffset, float[] bias, int biasOffset,
                               boolean relu, int oy0, int rows, float[] out, int outOffset, int outStride, int outPlane) {
        int k = g.cin * g.kh * g.kw, block = g.ocBlock, perBlock = k * block;
        int[] taps = g.reversedTapOffsets(); // one flat loop over (ic, ky, kx), counted down: see DirectLayout.pack
        // A tile's second vector: the next L columns, or (paired rows) the next row's one vector
        int rowStep = g.paired ? 2 : 1, xNext = g.paired ? g.inStride : L, oNext = g.paired ? outStride : L;
        // columns before wideEnd go in wide tiles, the rest in two-vector tiles or one split tile
        int wideEnd = wideColumns(g), wideStep = wideVectors(g) * L, tailStep = splitTail(g) ? 4 * L : BLOCK;
        if (channelsInnermost(g, rows)) {
            for (int r = 0; r < rows; r += rowStep) {
                for (int c = 0; c < g.outWp; c += c < wideEnd ? wideStep : tailStep) {
                    int kind = c < wideEnd ? WIDE : tailStep == BLOCK ? NARROW : SPLIT;
                    for (int ob = 0; ob < g.coutBlocks; ob++) {
                        tile(g, kind, k, taps, xp, (oy0 + r) * g.inStride + c, xNext, wp,
                                wpOffset + ob * perBlock, bias, biasOffset, ob * block, relu, out,
                                outOffset + ob * block * outPlane + r * outStride + c, oNext, outPlane);
                    }
                }
            }
            return;
        }
        for (int ob = 0; ob < g.coutBlocks; ob++) {
            for (int r = 0; r < rows; r += rowStep) {
                for (int c = 0; c < g.outWp; c += c < wideEnd ? wideStep : tailStep) {
                    int kind = c < wideEnd ? WIDE : tailStep == BLOCK ? NARROW : SPLIT;
                    tile(g, kind, k, taps, xp, (oy0 + r) * g.inStride + c, xNext, wp,
                            wpOffset + ob * perBlock, bias, biasOffset, ob * block, relu, out,
                            outOffset + ob * block * outPlane + r * outStride + c, oNext, outPlane);
                }
            }
        }
    }

    /**
     * Pooled tiles: rectified convolutions (a pooled one without ReLU is rare and keeps the
     * strip), 16 or 8 lanes, a stride-1 row layout ({@code flat} and {@code paired} layouts lay
     * rows otherwise) whose rows are whole tiles ({@link #POOLED_COLUMNS}), and channels in fours.
     */
    @Override
    public boolean poolsInTiles(DirectLayout g, boolean relu) {
        return relu && (L == 16 || L == 8 && NARROW_POOLED_TILES) && g.stride == 1 && !g.flat && !g.paired
                && g.outW % POOLED_COLUMNS == 0 && g.cout % 4 == 0;
    }

    /**
     * Benchmark hook: {@code -Disthmus.conv.narrowPooledTiles=false} keeps 8 lanes on the strip
     * (the convolution's rows stored, then pooled), as before {@link #pooledTile4Narrow}.
     */
    private static final boolean NARROW_POOLED_TILES =
            Boolean.parseBoolean(System.getProperty("isthmus.conv.narrowPooledTiles", "true"));

    /** Output columns a pooled tile takes: two vectors at 16 lanes, one at 8 ({@link #pooledTile4Narrow}). */
    private static final int POOLED_COLUMNS = L == 8 ? L : 2 * L;

    /**
     * Four channels by two rows by two vectors of columns a tile ({@link #pooledTile4}, or
     * {@link #pooledTile4Winners} in training; at 8 lanes one vector, {@link #pooledTile4Narrow}),
     * then the next four channels over the same columns.
     */
    @Override
    public void directConvolvePooled(DirectLayout g, float[] xp, int xpAt, float[] wp, int wpOffset, float[] bias,
                                     int biasOffset, int oy0, int rows, float[] out, int outOffset, int outStride,
                                     int outPlane, byte[] winners, int winnersOffset) {
        int k = g.cin * g.kh * g.kw, block = g.ocBlock, perBlock = k * block;
        int[] taps = g.reversedTapOffsets();
        for (int r = 0; r < rows; r += 2) {
            for (int c = 0; c < g.outW; c += POOLED_COLUMNS) {
                for (int oc = 0; oc < g.cout; oc += 4) {
                    int base = xpAt + (oy0 + r) * g.inStride + c, wi = wpOffset + oc / block * perBlock + oc % block;
                    int o = oc * outPlane + r / 2 * outStride + c / 2;
                    if (L == 8) {
                        pooledTile4Narrow(k, taps, xp, base, g.inStride, wp, wi, block, bias, biasOffset, oc, out,
                                outOffset + o, outPlane, winners, winnersOffset + o);
                    } else if (winners == null) {
                        pooledTile4(k, taps, xp, base, g.inStride, wp, wi, block, bias, biasOffset, oc, out,
                                outOffset + o, outPlane);
                    } else {
                        pooledTile4Winners(k, taps, xp, base, g.inStride, wp, wi, block, bias, biasOffset, oc, out,
                                outOffset + o, outPlane, winners, winnersOffset + o);
                    }
                }
            }
        }
    }

    /**
     * The pooled tile under 8 lanes: four channels by two rows by one vector, eight accumulators
     * (AVX2's 16 registers) and two input loads a tap, as {@link #tile4}; each summed as
     * {@code tile4} sums it and rectified as it does. Then each window's maximum by the bits and,
     * where {@code winners} is not null, its winner, as {@link #maxPool2x2} takes them from a
     * strip (the same floats and codes): four windows a channel, in the low half of a vector,
     * stored as a half vector and four bytes. Written out, without helpers: C2 left helpers that
     * take vectors as calls, on boxed vectors.
     */
    private static void pooledTile4Narrow(int k, int[] taps, float[] xp, int base, int inStride, float[] wp, int wi,
                                          int block, float[] bias, int biasOffset, int oc, float[] out, int o,
                                          int outPlane, byte[] winners, int wo) {
        FloatVector a0 = biasVector(bias, biasOffset, oc, 1), b0 = a0;
        FloatVector a1 = biasVector(bias, biasOffset, oc + 1, 1), b1 = a1;
        FloatVector a2 = biasVector(bias, biasOffset, oc + 2, 1), b2 = a2;
        FloatVector a3 = biasVector(bias, biasOffset, oc + 3, 1), b3 = a3;
        for (int t = k - 1, wt = wi + t * block; t >= 0; t--, wt -= block) {
            int at = base + taps[t];
            FloatVector x0 = FloatVector.fromArray(S, xp, at);
            FloatVector x1 = FloatVector.fromArray(S, xp, at + inStride);
            FloatVector w = FloatVector.broadcast(S, wp[wt]);
            a0 = x0.fma(w, a0);
            b0 = x1.fma(w, b0);
            w = FloatVector.broadcast(S, wp[wt + 1]);
            a1 = x0.fma(w, a1);
            b1 = x1.fma(w, b1);
            w = FloatVector.broadcast(S, wp[wt + 2]);
            a2 = x0.fma(w, a2);
            b2 = x1.fma(w, b2);
            w = FloatVector.broadcast(S, wp[wt + 3]);
            a3 = x0.fma(w, a3);
            b3 = x1.fma(w, b3);
        }
        FloatVector zero = FloatVector.zero(S);
        a0 = a0.blend(zero, a0.compare(LE, zero));
        b0 = b0.blend(zero, b0.compare(LE, zero));
        a1 = a1.blend(zero, a1.compare(LE, zero));
        b1 = b1.blend(zero, b1.compare(LE, zero));
        a2 = a2.blend(zero, a2.compare(LE, zero));
        b2 = b2.blend(zero, b2.compare(LE, zero));
        a3 = a3.blend(zero, a3.compare(LE, zero));
        b3 = b3.blend(zero, b3.compare(LE, zero));
        if (winners == null) { // as maxPool2x2Values: the rows' maximum, then the column pairs'
            IntVector v = a0.reinterpretAsInts().lanewise(UMAX, b0.reinterpretAsInts());
            ((FloatVector) v.rearrange(EVEN_LOW).lanewise(UMAX, v.rearrange(ODD_LOW)).reinterpretAsFloats()
                    .reinterpretShape(HALF, 0)).intoArray(out, o);
            v = a1.reinterpretAsInts().lanewise(UMAX, b1.reinterpretAsInts());
            ((FloatVector) v.rearrange(EVEN_LOW).lanewise(UMAX, v.rearrange(ODD_LOW)).reinterpretAsFloats()
                    .reinterpretShape(HALF, 0)).intoArray(out, o + outPlane);
            v = a2.reinterpretAsInts().lanewise(UMAX, b2.reinterpretAsInts());
            ((FloatVector) v.rearrange(EVEN_LOW).lanewise(UMAX, v.rearrange(ODD_LOW)).reinterpretAsFloats()
                    .reinterpretShape(HALF, 0)).intoArray(out, o + 2 * outPlane);
            v = a3.reinterpretAsInts().lanewise(UMAX, b3.reinterpretAsInts());
            ((FloatVector) v.rearrange(EVEN_LOW).lanewise(UMAX, v.rearrange(ODD_LOW)).reinterpretAsFloats()
                    .reinterpretShape(HALF, 0)).intoArray(out, o + 3 * outPlane);
            return;
        }
        IntVector none = IntVector.zero(INTS), one = IntVector.broadcast(INTS, 1);
        IntVector two = IntVector.broadcast(INTS, 2), three = IntVector.broadcast(INTS, 3);
        IntVector dead = IntVector.broadcast(INTS, DEAD_WINDOW);
        IntVector tl = a0.reinterpretAsInts().rearrange(EVEN_LOW);
        IntVector tr = a0.reinterpretAsInts().rearrange(ODD_LOW);
        IntVector bl = b0.reinterpretAsInts().rearrange(EVEN_LOW);
        IntVector br = b0.reinterpretAsInts().rearrange(ODD_LOW);
        IntVector m = tl.lanewise(UMAX, tr).lanewise(UMAX, bl.lanewise(UMAX, br));
        ((FloatVector) m.reinterpretAsFloats().reinterpretShape(HALF, 0)).intoArray(out, o);
        IntVector code = three.blend(two, bl.eq(m)).blend(one, tr.eq(m)).blend(none, tl.eq(m));
        code = dead.blend(code, m.reinterpretAsFloats().compare(GT, 0f).cast(INTS));
        INT_IN_BYTES.set(winners, wo,
                ((ByteVector) code.convertShape(I2B, B, 0)).reinterpretAsInts().lane(0));
        tl = a1.reinterpretAsInts().rearrange(EVEN_LOW);
        tr = a1.reinterpretAsInts().rearrange(ODD_LOW);
        bl = b1.reinterpretAsInts().rearrange(EVEN_LOW);
        br = b1.reinterpretAsInts().rearrange(ODD_LOW);
        m = tl.lanewise(UMAX, tr).lanewise(UMAX, bl.lanewise(UMAX, br));
        ((FloatVector) m.reinterpretAsFloats().reinterpretShape(HALF, 0)).intoArray(out, o + outPlane);
        code = three.blend(two, bl.eq(m)).blend(one, tr.eq(m)).blend(none, tl.eq(m));
        code = dead.blend(code, m.reinterpretAsFloats().compare(GT, 0f).cast(INTS));
        INT_IN_BYTES.set(winners, wo + outPlane,
                ((ByteVector) code.convertShape(I2B, B, 0)).reinterpretAsInts().lane(0));
        tl = a2.reinterpretAsInts().rearrange(EVEN_LOW);
        tr = a2.reinterpretAsInts().rearrange(ODD_LOW);
        bl = b2.reinterpretAsInts().rearrange(EVEN_LOW);
        br = b2.reinterpretAsInts().rearrange(ODD_LOW);
        m = tl.lanewise(UMAX, tr).lanewise(UMAX, bl.lanewise(UMAX, br));
        ((FloatVector) m.reinterpretAsFloats().reinterpretShape(HALF, 0)).intoArray(out, o + 2 * outPlane);
        code = three.blend(two, bl.eq(m)).blend(one, tr.eq(m)).blend(none, tl.eq(m));
        code = dead.blend(code, m.reinterpretAsFloats().compare(GT, 0f).cast(INTS));
        INT_IN_BYTES.set(winners, wo + 2 * outPlane,
                ((ByteVector) code.convertShape(I2B, B, 0)).reinterpretAsInts().lane(0));
        tl = a3.reinterpretAsInts().rearrange(EVEN_LOW);
        tr = a3.reinterpretAsInts().rearrange(ODD_LOW);
        bl = b3.reinterpretAsInts().rearrange(EVEN_LOW);
        br = b3.reinterpretAsInts().rearrange(ODD_LOW);
        m = tl.lanewise(UMAX, tr).lanewise(UMAX, bl.lanewise(UMAX, br));
        ((FloatVector) m.reinterpretAsFloats().reinterpretShape(HALF, 0)).intoArray(out, o + 3 * outPlane);
        code = three.blend(two, bl.eq(m)).blend(one, tr.eq(m)).blend(none, tl.eq(m));
        code = dead.blend(code, m.reinterpretAsFloats().compare(GT, 0f).cast(INTS));
        INT_IN_BYTES.set(winners, wo + 3 * outPlane,
                ((ByteVector) code.convertShape(I2B, B, 0)).reinterpretAsInts().lane(0));
    }

    /**
     * Sixteen accumulators (channel j, row q / 2, vector q % 2), each summed as {@link #tile8Wide}
     * sums it (from the bias, the taps counted down) and rectified as it does; then the two rows'
     * maximum and that of each column pair by their bits, as {@link #maxPool2x2Values} takes
     * rectified values (the pairs by two-source selects, as {@link Vectors#pair} takes them at 16
     * lanes): one pooled vector a channel, stored. Through a strip, ChestXRayNet's inference
     * stored every row of the convolution and read it back to pool it. One method for the
     * rectified case alone: with a plain tail beside this one (1,323 bytes of bytecode), C2
     * compiled the tile twice as slow in a JVM that had trained first.
     */
    private static void pooledTile4(int k, int[] taps, float[] xp, int base, int inStride, float[] wp, int wi, int block,
                                    float[] bias, int biasOffset, int oc, float[] out, int o, int outPlane) {
        // the pairs' indices loaded here: passed in, vectors are boxed unless the call is inlined
        IntVector evenIdx = pairIndices(0), oddIdx = pairIndices(1);
        FloatVector a00 = biasVector(bias, biasOffset, oc, 1), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = biasVector(bias, biasOffset, oc + 1, 1), a11 = a10, a12 = a10, a13 = a10;
        FloatVector a20 = biasVector(bias, biasOffset, oc + 2, 1), a21 = a20, a22 = a20, a23 = a20;
        FloatVector a30 = biasVector(bias, biasOffset, oc + 3, 1), a31 = a30, a32 = a30, a33 = a30;
        // the weights' index stepped down, not t * block: C2 multiplied by the spilled block every tap
        for (int t = k - 1, wt = wi + t * block; t >= 0; t--, wt -= block) {
            int at = base + taps[t];
            FloatVector x0 = FloatVector.fromArray(S, xp, at);
            FloatVector x1 = FloatVector.fromArray(S, xp, at + L);
            FloatVector x2 = FloatVector.fromArray(S, xp, at + inStride);
            FloatVector x3 = FloatVector.fromArray(S, xp, at + inStride + L);
            FloatVector w = FloatVector.broadcast(S, wp[wt]);
            a00 = x0.fma(w, a00);
            a01 = x1.fma(w, a01);
            a02 = x2.fma(w, a02);
            a03 = x3.fma(w, a03);
            w = FloatVector.broadcast(S, wp[wt + 1]);
            a10 = x0.fma(w, a10);
            a11 = x1.fma(w, a11);
            a12 = x2.fma(w, a12);
            a13 = x3.fma(w, a13);
            w = FloatVector.broadcast(S, wp[wt + 2]);
            a20 = x0.fma(w, a20);
            a21 = x1.fma(w, a21);
            a22 = x2.fma(w, a22);
            a23 = x3.fma(w, a23);
            w = FloatVector.broadcast(S, wp[wt + 3]);
            a30 = x0.fma(w, a30);
            a31 = x1.fma(w, a31);
            a32 = x2.fma(w, a32);
            a33 = x3.fma(w, a33);
        }
        // written out, not a helper: C2 left a helper taking the vectors uninlined (its node
        // count), and boxed them, 19 times slower
        FloatVector zero = FloatVector.zero(S);
        a00 = a00.blend(zero, a00.compare(LE, zero));
        a01 = a01.blend(zero, a01.compare(LE, zero));
        a02 = a02.blend(zero, a02.compare(LE, zero));
        a03 = a03.blend(zero, a03.compare(LE, zero));
        a10 = a10.blend(zero, a10.compare(LE, zero));
        a11 = a11.blend(zero, a11.compare(LE, zero));
        a12 = a12.blend(zero, a12.compare(LE, zero));
        a13 = a13.blend(zero, a13.compare(LE, zero));
        a20 = a20.blend(zero, a20.compare(LE, zero));
        a21 = a21.blend(zero, a21.compare(LE, zero));
        a22 = a22.blend(zero, a22.compare(LE, zero));
        a23 = a23.blend(zero, a23.compare(LE, zero));
        a30 = a30.blend(zero, a30.compare(LE, zero));
        a31 = a31.blend(zero, a31.compare(LE, zero));
        a32 = a32.blend(zero, a32.compare(LE, zero));
        a33 = a33.blend(zero, a33.compare(LE, zero));
        IntVector v00 = a00.reinterpretAsInts().lanewise(UMAX, a02.reinterpretAsInts());
        IntVector v01 = a01.reinterpretAsInts().lanewise(UMAX, a03.reinterpretAsInts());
        evenIdx.selectFrom(v00, v01).lanewise(UMAX, oddIdx.selectFrom(v00, v01)).reinterpretAsFloats()
                .intoArray(out, o);
        IntVector v10 = a10.reinterpretAsInts().lanewise(UMAX, a12.reinterpretAsInts());
        IntVector v11 = a11.reinterpretAsInts().lanewise(UMAX, a13.reinterpretAsInts());
        evenIdx.selectFrom(v10, v11).lanewise(UMAX, oddIdx.selectFrom(v10, v11)).reinterpretAsFloats()
                .intoArray(out, o + outPlane);
        IntVector v20 = a20.reinterpretAsInts().lanewise(UMAX, a22.reinterpretAsInts());
        IntVector v21 = a21.reinterpretAsInts().lanewise(UMAX, a23.reinterpretAsInts());
        evenIdx.selectFrom(v20, v21).lanewise(UMAX, oddIdx.selectFrom(v20, v21)).reinterpretAsFloats()
                .intoArray(out, o + 2 * outPlane);
        IntVector v30 = a30.reinterpretAsInts().lanewise(UMAX, a32.reinterpretAsInts());
        IntVector v31 = a31.reinterpretAsInts().lanewise(UMAX, a33.reinterpretAsInts());
        evenIdx.selectFrom(v30, v31).lanewise(UMAX, oddIdx.selectFrom(v30, v31)).reinterpretAsFloats()
                .intoArray(out, o + 3 * outPlane);
    }

    /**
     * {@link #pooledTile4} for training: the same sums and ReLU, then each window's four cells
     * picked from their two rows (two-source selects, as {@link #maxPool2x2} picks them), their
     * maximum by the bits and the winner's code as {@code maxPool2x2} takes them (rectified: a
     * window whose maximum is not positive is {@link #DEAD_WINDOW}), stored with the pooled
     * vector. Through a strip, training stored every row of the convolution and read it
     * back to pool it. A method of its own, the sums written out again: vectors passed to a
     * helper are boxed, and {@code pooledTile4} keeps its own profile (see there).
     */
    private static void pooledTile4Winners(int k, int[] taps, float[] xp, int base, int inStride, float[] wp, int wi,
                                           int block, float[] bias, int biasOffset, int oc, float[] out, int o,
                                           int outPlane, byte[] winners, int wo) {
        IntVector evenIdx = pairIndices(0), oddIdx = pairIndices(1);
        FloatVector a00 = biasVector(bias, biasOffset, oc, 1), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = biasVector(bias, biasOffset, oc + 1, 1), a11 = a10, a12 = a10, a13 = a10;
        FloatVector a20 = biasVector(bias, biasOffset, oc + 2, 1), a21 = a20, a22 = a20, a23 = a20;
        FloatVector a30 = biasVector(bias, biasOffset, oc + 3, 1), a31 = a30, a32 = a30, a33 = a30;
        for (int t = k - 1, wt = wi + t * block; t >= 0; t--, wt -= block) {
            int at = base + taps[t];
            FloatVector x0 = FloatVector.fromArray(S, xp, at);
            FloatVector x1 = FloatVector.fromArray(S, xp, at + L);
            FloatVector x2 = FloatVector.fromArray(S, xp, at + inStride);
            FloatVector x3 = FloatVector.fromArray(S, xp, at + inStride + L);
            FloatVector w = FloatVector.broadcast(S, wp[wt]);
            a00 = x0.fma(w, a00);
            a01 = x1.fma(w, a01);
            a02 = x2.fma(w, a02);
            a03 = x3.fma(w, a03);
            w = FloatVector.broadcast(S, wp[wt + 1]);
            a10 = x0.fma(w, a10);
            a11 = x1.fma(w, a11);
            a12 = x2.fma(w, a12);
            a13 = x3.fma(w, a13);
            w = FloatVector.broadcast(S, wp[wt + 2]);
            a20 = x0.fma(w, a20);
            a21 = x1.fma(w, a21);
            a22 = x2.fma(w, a22);
            a23 = x3.fma(w, a23);
            w = FloatVector.broadcast(S, wp[wt + 3]);
            a30 = x0.fma(w, a30);
            a31 = x1.fma(w, a31);
            a32 = x2.fma(w, a32);
            a33 = x3.fma(w, a33);
        }
        FloatVector zero = FloatVector.zero(S);
        IntVector none = IntVector.zero(INTS), one = IntVector.broadcast(INTS, 1);
        IntVector two = IntVector.broadcast(INTS, 2), three = IntVector.broadcast(INTS, 3);
        IntVector dead = IntVector.broadcast(INTS, DEAD_WINDOW);
        a00 = a00.blend(zero, a00.compare(LE, zero));
        a01 = a01.blend(zero, a01.compare(LE, zero));
        a02 = a02.blend(zero, a02.compare(LE, zero));
        a03 = a03.blend(zero, a03.compare(LE, zero));
        a10 = a10.blend(zero, a10.compare(LE, zero));
        a11 = a11.blend(zero, a11.compare(LE, zero));
        a12 = a12.blend(zero, a12.compare(LE, zero));
        a13 = a13.blend(zero, a13.compare(LE, zero));
        a20 = a20.blend(zero, a20.compare(LE, zero));
        a21 = a21.blend(zero, a21.compare(LE, zero));
        a22 = a22.blend(zero, a22.compare(LE, zero));
        a23 = a23.blend(zero, a23.compare(LE, zero));
        a30 = a30.blend(zero, a30.compare(LE, zero));
        a31 = a31.blend(zero, a31.compare(LE, zero));
        a32 = a32.blend(zero, a32.compare(LE, zero));
        a33 = a33.blend(zero, a33.compare(LE, zero));
        // per channel: the cells top-left, top-right, bottom-left, bottom-right of each window
        IntVector tl = evenIdx.selectFrom(a00.reinterpretAsInts(), a01.reinterpretAsInts());
        IntVector tr = oddIdx.selectFrom(a00.reinterpretAsInts(), a01.reinterpretAsInts());
        IntVector bl = evenIdx.selectFrom(a02.reinterpretAsInts(), a03.reinterpretAsInts());
        IntVector br = oddIdx.selectFrom(a02.reinterpretAsInts(), a03.reinterpretAsInts());
        IntVector mi = tl.lanewise(UMAX, tr).lanewise(UMAX, bl.lanewise(UMAX, br));
        FloatVector m = mi.reinterpretAsFloats();
        m.intoArray(out, o);
        // the codes in int lanes, compared by the bits: a cell equal to the maximum as a float is
        // equal as bits (rectified cells: no -0; a NaN maximum is dead below), and an int code
        // narrows to a byte without the float conversion's out-of-range fix-up
        IntVector code = three.blend(two, bl.eq(mi)).blend(one, tr.eq(mi)).blend(none, tl.eq(mi));
        code = dead.blend(code, m.compare(GT, zero).cast(INTS)); // a maximum of +0 or NaN passes no gradient
        ((ByteVector) code.convertShape(I2B, B, 0)).intoArray(winners, wo); // not storeCodes: C2 left it a call
        tl = evenIdx.selectFrom(a10.reinterpretAsInts(), a11.reinterpretAsInts());
        tr = oddIdx.selectFrom(a10.reinterpretAsInts(), a11.reinterpretAsInts());
        bl = evenIdx.selectFrom(a12.reinterpretAsInts(), a13.reinterpretAsInts());
        br = oddIdx.selectFrom(a12.reinterpretAsInts(), a13.reinterpretAsInts());
        mi = tl.lanewise(UMAX, tr).lanewise(UMAX, bl.lanewise(UMAX, br));
        m = mi.reinterpretAsFloats();
        m.intoArray(out, o + outPlane);
        code = three.blend(two, bl.eq(mi)).blend(one, tr.eq(mi)).blend(none, tl.eq(mi));
        code = dead.blend(code, m.compare(GT, zero).cast(INTS));
        ((ByteVector) code.convertShape(I2B, B, 0)).intoArray(winners, wo + outPlane);
        tl = evenIdx.selectFrom(a20.reinterpretAsInts(), a21.reinterpretAsInts());
        tr = oddIdx.selectFrom(a20.reinterpretAsInts(), a21.reinterpretAsInts());
        bl = evenIdx.selectFrom(a22.reinterpretAsInts(), a23.reinterpretAsInts());
        br = oddIdx.selectFrom(a22.reinterpretAsInts(), a23.reinterpretAsInts());
        mi = tl.lanewise(UMAX, tr).lanewise(UMAX, bl.lanewise(UMAX, br));
        m = mi.reinterpretAsFloats();
        m.intoArray(out, o + 2 * outPlane);
        code = three.blend(two, bl.eq(mi)).blend(one, tr.eq(mi)).blend(none, tl.eq(mi));
        code = dead.blend(code, m.compare(GT, zero).cast(INTS));
        ((ByteVector) code.convertShape(I2B, B, 0)).intoArray(winners, wo + 2 * outPlane);
        tl = evenIdx.selectFrom(a30.reinterpretAsInts(), a31.reinterpretAsInts());
        tr = oddIdx.selectFrom(a30.reinterpretAsInts(), a31.reinterpretAsInts());
        bl = evenIdx.selectFrom(a32.reinterpretAsInts(), a33.reinterpretAsInts());
        br = oddIdx.selectFrom(a32.reinterpretAsInts(), a33.reinterpretAsInts());
        mi = tl.lanewise(UMAX, tr).lanewise(UMAX, bl.lanewise(UMAX, br));
        m = mi.reinterpretAsFloats();
        m.intoArray(out, o + 3 * outPlane);
        code = three.blend(two, bl.eq(mi)).blend(one, tr.eq(mi)).blend(none, tl.eq(mi));
        code = dead.blend(code, m.compare(GT, zero).cast(INTS));
        ((ByteVector) code.convertShape(I2B, B, 0)).intoArray(winners, wo + 3 * outPlane);
    }

    @Override
    public void pointwiseConvolve(float[] x, int xOffset, int xPlane, int kin, int positions, float[] w, int wStride,
                                  int kout, float[] bias, int biasOffset, boolean relu, float[] out, int outOffset,
                                  int outPlane) {
        PanamaPointwise.convolve(x, xOffset, xPlane, kin, positions, w, wStride, kout, bias, biasOffset, relu, out,
                outOffset, outPlane);
    }

    @Override
    public void pointwiseWeightGradient(float[] dz, int dzOffset, int dzPlane, int kout, float[] x, int xOffset,
                                        int xPlane, int kin, int positions, float[] acc, boolean fresh) {
        PanamaPointwise.weightGradient(dz, dzOffset, dzPlane, kout, x, xOffset, xPlane, kin, positions, acc, fresh);
    }

    /**
     * Vectors of output columns in a wide tile: three for eight channels (24 accumulators), four
     * for four (16). Two vectors a tile read ten operands for sixteen FMAs (eight channels) or six
     * for eight (four), which on an Intel Xeon kept the kernel near half the FMA peak even from
     * L1; three read eleven for twenty-four, four eight for sixteen.
     */
    static int wideVectors(DirectLayout g) {
        return g.ocBlock == 8 ? 3 : 4;
    }

    /**
     * The columns of a computed row that go in wide tiles ({@link #wideVectors}); the rest, past
     * them, is one tile ({@link #splitTail}'s four vectors, else {@link #BLOCK}'s two). A row is a
     * whole number of {@code BLOCK}s, so an even number of vectors: with threes, 6 = 3 + 3, 8 =
     * 3 + 3 + 2, 16 = 4 * 3 + a split 4; with fours, 6 = 4 + 2. Only on AVX-512 (with 16
     * registers, a wide tile and its operands would fill them) and not in paired rows, whose tiles
     * are two rows of one vector.
     */
    static int wideColumns(DirectLayout g) {
        if (!WIDE_TILES || g.paired) {
            return 0;
        }
        int vectors = g.outWp / L, wide = wideVectors(g), tiles;
        if (wide == 4) {
            tiles = vectors / 4;
        } else {
            tiles = switch (vectors % 3) {
                case 0 -> vectors / 3;
                case 2 -> (vectors - 2) / 3;
                default -> (vectors - 4) / 3; // vectors >= 4: an even count one past a multiple of 3
            };
        }
        return tiles * wide * L;
    }

    /** A tile's kind in {@link #directConvolve}: two vectors, wide ({@link #wideVectors}), or split ({@link #splitTail}). */
    private static final int NARROW = 0, WIDE = 1, SPLIT = 2;

    /**
     * Whether the four vectors that {@link #wideColumns} leaves after its threes (eight channels,
     * a row of 3n + 4 vectors: 64 or 256 wide at 512 bits) go in one tile of eight channels split
     * in two fours, four vectors wide ({@link #tile4Wide} twice, eight loads for 16 FMAs), rather
     * than in two two-vector tiles of eight (ten for 16).
     */
    static boolean splitTail(DirectLayout g) {
        return WIDE_TILES && !g.paired && g.ocBlock == 8 && g.outWp / L % 3 == 1;
    }

    /** Benchmark hook: {@code -Disthmus.conv.wideTiles=false} keeps every direct tile two vectors wide. */
    private static final boolean WIDE_TILES = L >= 16
            && Boolean.parseBoolean(System.getProperty("isthmus.conv.wideTiles", "true"));

    /**
     * One tile of output channels from {@code oc}: of {@code kind} {@link #WIDE} or {@link #SPLIT}
     * as {@link #wideColumns} plans the row; else two vectors, the second read {@code xNext}
     * floats after the first and written {@code oNext} after it ({@code L} both, or a row on each
     * side in the paired layout). Eight channels where the layout chose blocks of eight
     * (AVX-512's 32 registers), four otherwise. Each kernel is its own method: C2 compiles each
     * with its own profile.
     */
    private static void tile(DirectLayout g, int kind, int k, int[] taps, float[] xp, int base, int xNext,
                             float[] wp, int wi, float[] bias, int biasOffset, int oc, boolean relu, float[] out,
                             int o, int oNext, int outPlane) {
        if (kind == SPLIT) { // eight channels as two fours, four vectors wide (splitTail)
            tile4Wide(k, taps, xp, base, wp, wi, 8, bias, biasOffset, oc, 4, relu, out, o, outPlane);
            tile4Wide(k, taps, xp, base, wp, wi + 4, 8, bias, biasOffset, oc + 4, 4, relu, out, o + 4 * outPlane,
                    outPlane);
        } else if (kind == WIDE && g.ocBlock == 8) {
            tile8Wide(k, taps, xp, base, wp, wi, bias, biasOffset, oc, relu, out, o, outPlane);
        } else if (kind == WIDE) {
            tile4Wide(k, taps, xp, base, wp, wi, DirectLayout.OC_BLOCK, bias, biasOffset, oc,
                    Math.min(DirectLayout.OC_BLOCK, g.cout - oc), relu, out, o, outPlane);
        } else if (g.ocBlock == 8) {
            tile8(k, taps, xp, base, xNext, wp, wi, bias, biasOffset, oc, relu, out, o, oNext, outPlane);
        } else {
            tile4(k, taps, xp, base, xNext, wp, wi, bias, biasOffset, oc, Math.min(DirectLayout.OC_BLOCK, g.cout - oc),
                    relu, out, o, oNext, outPlane);
        }
    }

    /**
     * Whether a call's tiles go output channels innermost: when the staged input it reads (every
     * channel, its rows) is larger than L1, so that the few rows a column block reads stay in L1
     * while every block of channels passes, and the weights stream in order. A whole image's
     * data gradient gains (resnet 16->16 on 32x32 backward: 3.0 -> 2.7 ms; vgg 64->128 on 16x16
     * the same within noise); a strip of rows on its way to pooling, whose input fits L1, keeps
     * a block of channels' weights in L1 instead (all the weights each tile cost vgg's step 6%).
     * The order changes no element's sum. A strided layout stages {@code stride^2} phases of each
     * channel, all of which a tile reads: counted as one, resnet's 16 -> 32 stride-2 forward
     * (91 KB staged) went channels outermost, each block of channels reading it from L2 (1-3%
     * slower).
     */
    private static boolean channelsInnermost(DirectLayout g, int rows) {
        long span = g.flat ? g.inPlane : (long) (rows + g.kh - 1) * g.inStride;
        return g.coutBlocks > 1 && (long) g.stride * g.stride * g.cin * span * Float.BYTES > CHANNELS_INNERMOST_BYTES;
    }

    /**
     * Staged input above which {@link #channelsInnermost}: measured between vgg's strips on their
     * way to pooling (34-35 KB, faster with a block of channels outermost) and resnet's 32->32
     * data gradient on 16x16 (44 KB, faster innermost).
     */
    private static final int CHANNELS_INNERMOST_BYTES = 40 << 10;

    /** One tile of {@link #directConvolve}: four output channels from {@code oc} ({@code valid} of them real) by two vectors. */
    private static void tile4(int k, int[] taps, float[] xp, int base, int xNext, float[] wp, int wi, float[] bias,
                              int biasOffset, int oc, int valid, boolean relu, float[] out, int o, int oNext,
                              int outPlane) {
        FloatVector a00 = biasVector(bias, biasOffset, oc, valid), a01 = a00;
        FloatVector a10 = biasVector(bias, biasOffset, oc + 1, valid - 1), a11 = a10;
        FloatVector a20 = biasVector(bias, biasOffset, oc + 2, valid - 2), a21 = a20;
        FloatVector a30 = biasVector(bias, biasOffset, oc + 3, valid - 3), a31 = a30;
        for (int t = k - 1; t >= 0; t--) { // taps and weights stored last first: the taps in order
            int at = base + taps[t];
            int wt = wi + t * DirectLayout.OC_BLOCK;
            FloatVector x0 = FloatVector.fromArray(S, xp, at);
            FloatVector x1 = FloatVector.fromArray(S, xp, at + xNext);
            FloatVector w = FloatVector.broadcast(S, wp[wt]);
            a00 = x0.fma(w, a00);
            a01 = x1.fma(w, a01);
            w = FloatVector.broadcast(S, wp[wt + 1]);
            a10 = x0.fma(w, a10);
            a11 = x1.fma(w, a11);
            w = FloatVector.broadcast(S, wp[wt + 2]);
            a20 = x0.fma(w, a20);
            a21 = x1.fma(w, a21);
            w = FloatVector.broadcast(S, wp[wt + 3]);
            a30 = x0.fma(w, a30);
            a31 = x1.fma(w, a31);
        }
        if (relu) { // Math.max(v, 0f) as a compare and a blend: the vector max costs more (see maxPool2x2)
            FloatVector zero = FloatVector.zero(S);
            a00 = a00.blend(zero, a00.compare(LE, zero));
            a01 = a01.blend(zero, a01.compare(LE, zero));
            a10 = a10.blend(zero, a10.compare(LE, zero));
            a11 = a11.blend(zero, a11.compare(LE, zero));
            a20 = a20.blend(zero, a20.compare(LE, zero));
            a21 = a21.blend(zero, a21.compare(LE, zero));
            a30 = a30.blend(zero, a30.compare(LE, zero));
            a31 = a31.blend(zero, a31.compare(LE, zero));
        }
        a00.intoArray(out, o);
        a01.intoArray(out, o + oNext);
        if (valid > 1) {
            a10.intoArray(out, o + outPlane);
            a11.intoArray(out, o + outPlane + oNext);
        }
        if (valid > 2) {
            a20.intoArray(out, o + 2 * outPlane);
            a21.intoArray(out, o + 2 * outPlane + oNext);
        }
        if (valid > 3) {
            a30.intoArray(out, o + 3 * outPlane);
            a31.intoArray(out, o + 3 * outPlane + oNext);
        }
    }

    /**
     * One tile of {@link #directConvolve}: eight output channels from {@code oc} by two vectors
     * (16 accumulators, AVX-512's 32 registers): ten loads per sixteen FMAs instead of six per
     * eight. The layout chooses it only where eight divides the channels, so every block is full.
     */
    private static void tile8(int k, int[] taps, float[] xp, int base, int xNext, float[] wp, int wi, float[] bias,
                              int biasOffset, int oc, boolean relu, float[] out, int o, int oNext, int outPlane) {
        FloatVector a00 = biasVector(bias, biasOffset, oc, 8), a01 = a00;
        FloatVector a10 = biasVector(bias, biasOffset, oc + 1, 7), a11 = a10;
        FloatVector a20 = biasVector(bias, biasOffset, oc + 2, 6), a21 = a20;
        FloatVector a30 = biasVector(bias, biasOffset, oc + 3, 5), a31 = a30;
        FloatVector a40 = biasVector(bias, biasOffset, oc + 4, 4), a41 = a40;
        FloatVector a50 = biasVector(bias, biasOffset, oc + 5, 3), a51 = a50;
        FloatVector a60 = biasVector(bias, biasOffset, oc + 6, 2), a61 = a60;
        FloatVector a70 = biasVector(bias, biasOffset, oc + 7, 1), a71 = a70;
        for (int t = k - 1; t >= 0; t--) { // taps and weights stored last first: the taps in order
            int at = base + taps[t];
            int wt = wi + t * 8;
            FloatVector x0 = FloatVector.fromArray(S, xp, at);
            FloatVector x1 = FloatVector.fromArray(S, xp, at + xNext);
            FloatVector w = FloatVector.broadcast(S, wp[wt]);
            a00 = x0.fma(w, a00);
            a01 = x1.fma(w, a01);
            w = FloatVector.broadcast(S, wp[wt + 1]);
            a10 = x0.fma(w, a10);
            a11 = x1.fma(w, a11);
            w = FloatVector.broadcast(S, wp[wt + 2]);
            a20 = x0.fma(w, a20);
            a21 = x1.fma(w, a21);
            w = FloatVector.broadcast(S, wp[wt + 3]);
            a30 = x0.fma(w, a30);
            a31 = x1.fma(w, a31);
            w = FloatVector.broadcast(S, wp[wt + 4]);
            a40 = x0.fma(w, a40);
            a41 = x1.fma(w, a41);
            w = FloatVector.broadcast(S, wp[wt + 5]);
            a50 = x0.fma(w, a50);
            a51 = x1.fma(w, a51);
            w = FloatVector.broadcast(S, wp[wt + 6]);
            a60 = x0.fma(w, a60);
            a61 = x1.fma(w, a61);
            w = FloatVector.broadcast(S, wp[wt + 7]);
            a70 = x0.fma(w, a70);
            a71 = x1.fma(w, a71);
        }
        if (relu) { // Math.max(v, 0f) as a compare and a blend: the vector max costs more (see maxPool2x2)
            FloatVector zero = FloatVector.zero(S);
            a00 = a00.blend(zero, a00.compare(LE, zero));
            a01 = a01.blend(zero, a01.compare(LE, zero));
            a10 = a10.blend(zero, a10.compare(LE, zero));
            a11 = a11.blend(zero, a11.compare(LE, zero));
            a20 = a20.blend(zero, a20.compare(LE, zero));
            a21 = a21.blend(zero, a21.compare(LE, zero));
            a30 = a30.blend(zero, a30.compare(LE, zero));
            a31 = a31.blend(zero, a31.compare(LE, zero));
            a40 = a40.blend(zero, a40.compare(LE, zero));
            a41 = a41.blend(zero, a41.compare(LE, zero));
            a50 = a50.blend(zero, a50.compare(LE, zero));
            a51 = a51.blend(zero, a51.compare(LE, zero));
            a60 = a60.blend(zero, a60.compare(LE, zero));
            a61 = a61.blend(zero, a61.compare(LE, zero));
            a70 = a70.blend(zero, a70.compare(LE, zero));
            a71 = a71.blend(zero, a71.compare(LE, zero));
        }
        a00.intoArray(out, o);
        a01.intoArray(out, o + oNext);
        a10.intoArray(out, o + outPlane);
        a11.intoArray(out, o + outPlane + oNext);
        a20.intoArray(out, o + 2 * outPlane);
        a21.intoArray(out, o + 2 * outPlane + oNext);
        a30.intoArray(out, o + 3 * outPlane);
        a31.intoArray(out, o + 3 * outPlane + oNext);
        a40.intoArray(out, o + 4 * outPlane);
        a41.intoArray(out, o + 4 * outPlane + oNext);
        a50.intoArray(out, o + 5 * outPlane);
        a51.intoArray(out, o + 5 * outPlane + oNext);
        a60.intoArray(out, o + 6 * outPlane);
        a61.intoArray(out, o + 6 * outPlane + oNext);
        a70.intoArray(out, o + 7 * outPlane);
        a71.intoArray(out, o + 7 * outPlane + oNext);
    }

    /**
     * {@link #tile8} three vectors wide ({@link #wideVectors}): 24 accumulators, eleven loads per
     * 24 FMAs. Each output gets the same FMAs in the same order as in {@link #tile8}.
     */
    private static void tile8Wide(int k, int[] taps, float[] xp, int base, float[] wp, int wi, float[] bias,
                                  int biasOffset, int oc, boolean relu, float[] out, int o, int outPlane) {
        FloatVector a00 = biasVector(bias, biasOffset, oc, 8), a01 = a00, a02 = a00;
        FloatVector a10 = biasVector(bias, biasOffset, oc + 1, 7), a11 = a10, a12 = a10;
        FloatVector a20 = biasVector(bias, biasOffset, oc + 2, 6), a21 = a20, a22 = a20;
        FloatVector a30 = biasVector(bias, biasOffset, oc + 3, 5), a31 = a30, a32 = a30;
        FloatVector a40 = biasVector(bias, biasOffset, oc + 4, 4), a41 = a40, a42 = a40;
        FloatVector a50 = biasVector(bias, biasOffset, oc + 5, 3), a51 = a50, a52 = a50;
        FloatVector a60 = biasVector(bias, biasOffset, oc + 6, 2), a61 = a60, a62 = a60;
        FloatVector a70 = biasVector(bias, biasOffset, oc + 7, 1), a71 = a70, a72 = a70;
        for (int t = k - 1; t >= 0; t--) { // as tile8
            int at = base + taps[t];
            int wt = wi + t * 8;
            FloatVector x0 = FloatVector.fromArray(S, xp, at);
            FloatVector x1 = FloatVector.fromArray(S, xp, at + L);
            FloatVector x2 = FloatVector.fromArray(S, xp, at + 2 * L);
            FloatVector w = FloatVector.broadcast(S, wp[wt]);
            a00 = x0.fma(w, a00);
            a01 = x1.fma(w, a01);
            a02 = x2.fma(w, a02);
            w = FloatVector.broadcast(S, wp[wt + 1]);
            a10 = x0.fma(w, a10);
            a11 = x1.fma(w, a11);
            a12 = x2.fma(w, a12);
            w = FloatVector.broadcast(S, wp[wt + 2]);
            a20 = x0.fma(w, a20);
            a21 = x1.fma(w, a21);
            a22 = x2.fma(w, a22);
            w = FloatVector.broadcast(S, wp[wt + 3]);
            a30 = x0.fma(w, a30);
            a31 = x1.fma(w, a31);
            a32 = x2.fma(w, a32);
            w = FloatVector.broadcast(S, wp[wt + 4]);
            a40 = x0.fma(w, a40);
            a41 = x1.fma(w, a41);
            a42 = x2.fma(w, a42);
            w = FloatVector.broadcast(S, wp[wt + 5]);
            a50 = x0.fma(w, a50);
            a51 = x1.fma(w, a51);
            a52 = x2.fma(w, a52);
            w = FloatVector.broadcast(S, wp[wt + 6]);
            a60 = x0.fma(w, a60);
            a61 = x1.fma(w, a61);
            a62 = x2.fma(w, a62);
            w = FloatVector.broadcast(S, wp[wt + 7]);
            a70 = x0.fma(w, a70);
            a71 = x1.fma(w, a71);
            a72 = x2.fma(w, a72);
        }
        if (relu) {
            FloatVector zero = FloatVector.zero(S);
            a00 = a00.blend(zero, a00.compare(LE, zero));
            a01 = a01.blend(zero, a01.compare(LE, zero));
            a02 = a02.blend(zero, a02.compare(LE, zero));
            a10 = a10.blend(zero, a10.compare(LE, zero));
            a11 = a11.blend(zero, a11.compare(LE, zero));
            a12 = a12.blend(zero, a12.compare(LE, zero));
            a20 = a20.blend(zero, a20.compare(LE, zero));
            a21 = a21.blend(zero, a21.compare(LE, zero));
            a22 = a22.blend(zero, a22.compare(LE, zero));
            a30 = a30.blend(zero, a30.compare(LE, zero));
            a31 = a31.blend(zero, a31.compare(LE, zero));
            a32 = a32.blend(zero, a32.compare(LE, zero));
            a40 = a40.blend(zero, a40.compare(LE, zero));
            a41 = a41.blend(zero, a41.compare(LE, zero));
            a42 = a42.blend(zero, a42.compare(LE, zero));
            a50 = a50.blend(zero, a50.compare(LE, zero));
            a51 = a51.blend(zero, a51.compare(LE, zero));
            a52 = a52.blend(zero, a52.compare(LE, zero));
            a60 = a60.blend(zero, a60.compare(LE, zero));
            a61 = a61.blend(zero, a61.compare(LE, zero));
            a62 = a62.blend(zero, a62.compare(LE, zero));
            a70 = a70.blend(zero, a70.compare(LE, zero));
            a71 = a71.blend(zero, a71.compare(LE, zero));
            a72 = a72.blend(zero, a72.compare(LE, zero));
        }
        a00.intoArray(out, o);
        a01.intoArray(out, o + L);
        a02.intoArray(out, o + 2 * L);
        a10.intoArray(out, o + outPlane);
        a11.intoArray(out, o + outPlane + L);
        a12.intoArray(out, o + outPlane + 2 * L);
        a20.intoArray(out, o + 2 * outPlane);
        a21.intoArray(out, o + 2 * outPlane + L);
        a22.intoArray(out, o + 2 * outPlane + 2 * L);
        a30.intoArray(out, o + 3 * outPlane);
        a31.intoArray(out, o + 3 * outPlane + L);
        a32.intoArray(out, o + 3 * outPlane + 2 * L);
        a40.intoArray(out, o + 4 * outPlane);
        a41.intoArray(out, o + 4 * outPlane + L);
        a42.intoArray(out, o + 4 * outPlane + 2 * L);
        a50.intoArray(out, o + 5 * outPlane);
        a51.intoArray(out, o + 5 * outPlane + L);
        a52.intoArray(out, o + 5 * outPlane + 2 * L);
        a60.intoArray(out, o + 6 * outPlane);
        a61.intoArray(out, o + 6 * outPlane + L);
        a62.intoArray(out, o + 6 * outPlane + 2 * L);
        a70.intoArray(out, o + 7 * outPlane);
        a71.intoArray(out, o + 7 * outPlane + L);
        a72.intoArray(out, o + 7 * outPlane + 2 * L);
    }

    /**
     * {@link #tile4} four vectors wide ({@link #wideVectors}), for channels that are not in eights;
     * or half of a block of eight ({@link #splitTail}), its weights {@code wStride} apart a tap.
     */
    private static void tile4Wide(int k, int[] taps, float[] xp, int base, float[] wp, int wi, int wStride,
                                  float[] bias, int biasOffset, int oc, int valid, boolean relu, float[] out, int o,
                                  int outPlane) {
        FloatVector a00 = biasVector(bias, biasOffset, oc, valid), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = biasVector(bias, biasOffset, oc + 1, valid - 1), a11 = a10, a12 = a10, a13 = a10;
        FloatVector a20 = biasVector(bias, biasOffset, oc + 2, valid - 2), a21 = a20, a22 = a20, a23 = a20;
        FloatVector a30 = biasVector(bias, biasOffset, oc + 3, valid - 3), a31 = a30, a32 = a30, a33 = a30;
        for (int t = k - 1, wt = wi + t * wStride; t >= 0; t--, wt -= wStride) { // as tile4; wt as in pooledTile4
            int at = base + taps[t];
            FloatVector x0 = FloatVector.fromArray(S, xp, at);
            FloatVector x1 = FloatVector.fromArray(S, xp, at + L);
            FloatVector x2 = FloatVector.fromArray(S, xp, at + 2 * L);
            FloatVector x3 = FloatVector.fromArray(S, xp, at + 3 * L);
            FloatVector w = FloatVector.broadcast(S, wp[wt]);
            a00 = x0.fma(w, a00);
            a01 = x1.fma(w, a01);
            a02 = x2.fma(w, a02);
            a03 = x3.fma(w, a03);
            w = FloatVector.broadcast(S, wp[wt + 1]);
            a10 = x0.fma(w, a10);
            a11 = x1.fma(w, a11);
            a12 = x2.fma(w, a12);
            a13 = x3.fma(w, a13);
            w = FloatVector.broadcast(S, wp[wt + 2]);
            a20 = x0.fma(w, a20);
            a21 = x1.fma(w, a21);
            a22 = x2.fma(w, a22);
            a23 = x3.fma(w, a23);
            w = FloatVector.broadcast(S, wp[wt + 3]);
            a30 = x0.fma(w, a30);
            a31 = x1.fma(w, a31);
            a32 = x2.fma(w, a32);
            a33 = x3.fma(w, a33);
        }
        if (relu) {
            FloatVector zero = FloatVector.zero(S);
            a00 = a00.blend(zero, a00.compare(LE, zero));
            a01 = a01.blend(zero, a01.compare(LE, zero));
            a02 = a02.blend(zero, a02.compare(LE, zero));
            a03 = a03.blend(zero, a03.compare(LE, zero));
            a10 = a10.blend(zero, a10.compare(LE, zero));
            a11 = a11.blend(zero, a11.compare(LE, zero));
            a12 = a12.blend(zero, a12.compare(LE, zero));
            a13 = a13.blend(zero, a13.compare(LE, zero));
            a20 = a20.blend(zero, a20.compare(LE, zero));
            a21 = a21.blend(zero, a21.compare(LE, zero));
            a22 = a22.blend(zero, a22.compare(LE, zero));
            a23 = a23.blend(zero, a23.compare(LE, zero));
            a30 = a30.blend(zero, a30.compare(LE, zero));
            a31 = a31.blend(zero, a31.compare(LE, zero));
            a32 = a32.blend(zero, a32.compare(LE, zero));
            a33 = a33.blend(zero, a33.compare(LE, zero));
        }
        a00.intoArray(out, o);
        a01.intoArray(out, o + L);
        a02.intoArray(out, o + 2 * L);
        a03.intoArray(out, o + 3 * L);
        if (valid > 1) {
            a10.intoArray(out, o + outPlane);
            a11.intoArray(out, o + outPlane + L);
            a12.intoArray(out, o + outPlane + 2 * L);
            a13.intoArray(out, o + outPlane + 3 * L);
        }
        if (valid > 2) {
            a20.intoArray(out, o + 2 * outPlane);
            a21.intoArray(out, o + 2 * outPlane + L);
            a22.intoArray(out, o + 2 * outPlane + 2 * L);
            a23.intoArray(out, o + 2 * outPlane + 3 * L);
        }
        if (valid > 3) {
            a30.intoArray(out, o + 3 * outPlane);
            a31.intoArray(out, o + 3 * outPlane + L);
            a32.intoArray(out, o + 3 * outPlane + 2 * L);
            a33.intoArray(out, o + 3 * outPlane + 3 * L);
        }
    }

    /** Channel {@code oc}'s bias in every lane, or zero: no bias, or a channel past the last ({@code valid <= 0}). */
    private static FloatVector biasVector(float[] bias, int biasOffset, int oc, int valid) {
        return FloatVector.broadcast(S, bias == null || valid <= 0 ? 0f : bias[biasOffset + oc]);
    }

    /**
     * Adds, per lane, {@code dz[oc][r][c] * xp[tap][oy0 + r][c]} over the rows and every column
     * block to {@code acc[(oc * K + tap) * L + lane]}. Channels go in fours and taps in pairs
     * (eight accumulators that stay in registers across the rows), or in fives on AVX-512
     * ({@link #weightGradientWide}).
     */
    @Override
    public void directWeightGradient(DirectLayout g, float[] xp, float[] dz, int dzOffset, int dzStride, int dzPlane,
                               int oy0, int rows, int width, float[] acc, boolean fresh) {
        int flatRows = rows;
        if (WIDE_WEIGHT_GRADIENT) {
            weightGradientWide(g, xp, dz, dzOffset, dzStride, dzPlane, oy0, flatRows, width, acc, fresh);
            return;
        }
        int k = g.cin * g.kh * g.kw;
        int[] taps = g.tapOffsets();
        for (int ob = 0; ob < g.gradientBlocks; ob++) {
            int oc = ob * DirectLayout.OC_BLOCK, valid = Math.min(DirectLayout.OC_BLOCK, g.cout - oc);
            // Channels past cout re-read the last valid one and are not stored.
            int d0 = dzOffset + oc * dzPlane, d1 = d0 + Math.min(1, valid - 1) * dzPlane;
            int d2 = d0 + Math.min(2, valid - 1) * dzPlane, d3 = d0 + Math.min(3, valid - 1) * dzPlane;
            for (int t = 0; t < k; t += 2) {
                int u = Math.min(t + 1, k - 1); // an odd last tap pairs with itself, stored once
                int x0 = taps[t] + oy0 * g.inStride, x1 = taps[u] + oy0 * g.inStride;
                int a0 = (oc * k + t) * L, a1 = (oc * k + u) * L, step = k * L;
                FloatVector s00 = startSums(acc, a0, fresh), s01 = startSums(acc, a1, fresh);
                FloatVector s10 = startSums(acc, a0 + step, fresh), s11 = startSums(acc, a1 + step, fresh);
                FloatVector s20 = startSums(acc, a0 + 2 * step, fresh), s21 = startSums(acc, a1 + 2 * step, fresh);
                FloatVector s30 = startSums(acc, a0 + 3 * step, fresh), s31 = startSums(acc, a1 + 3 * step, fresh);
                for (int r = 0; r < flatRows; r++) {
                    int dr = r * dzStride, xr = r * g.inStride;
                    for (int c = 0; c < width; c += L) {
                        FloatVector v0 = FloatVector.fromArray(S, xp, x0 + xr + c);
                        FloatVector v1 = FloatVector.fromArray(S, xp, x1 + xr + c);
                        FloatVector d = FloatVector.fromArray(S, dz, d0 + dr + c);
                        s00 = d.fma(v0, s00);
                        s01 = d.fma(v1, s01);
                        d = FloatVector.fromArray(S, dz, d1 + dr + c);
                        s10 = d.fma(v0, s10);
                        s11 = d.fma(v1, s11);
                        d = FloatVector.fromArray(S, dz, d2 + dr + c);
                        s20 = d.fma(v0, s20);
                        s21 = d.fma(v1, s21);
                        d = FloatVector.fromArray(S, dz, d3 + dr + c);
                        s30 = d.fma(v0, s30);
                        s31 = d.fma(v1, s31);
                    }
                }
                // Stored in reverse, so a self-paired last tap keeps its first accumulator.
                if (valid > 3) {
                    s31.intoArray(acc, a1 + 3 * step);
                    s30.intoArray(acc, a0 + 3 * step);
                }
                if (valid > 2) {
                    s21.intoArray(acc, a1 + 2 * step);
                    s20.intoArray(acc, a0 + 2 * step);
                }
                if (valid > 1) {
                    s11.intoArray(acc, a1 + step);
                    s10.intoArray(acc, a0 + step);
                }
                s01.intoArray(acc, a1);
                s00.intoArray(acc, a0);
            }
        }
    }

    /** A weight-gradient accumulator's starting value: zero for a group's first call, else its stored sums. */
    private static FloatVector startSums(float[] acc, int at, boolean fresh) {
        return fresh ? FloatVector.zero(S) : FloatVector.fromArray(S, acc, at);
    }

    /**
     * With 32 vector registers (AVX-512), the weight gradient takes taps in fives: 20
     * accumulators, nine loads per 20 FMAs instead of six per eight. Sixes (24 accumulators, ten
     * loads per 24 FMAs) left C2 two registers short: it loads every operand of a step before the
     * FMAs, so two sums went to the stack and back on every step (benchmarks/README.md). Under
     * AVX2's sixteen registers such a tile would spill, so 256 bits and below keep tap pairs.
     */
    private static final boolean WIDE_WEIGHT_GRADIENT = L >= 16;

    /** Taps a step of {@link #weightGradientWide} takes. */
    private static final int WIDE_TAPS = 5;

    /** {@link #weightGradient} four channels by five taps at a time; a short last group repeats its last tap. */
    private static void weightGradientWide(DirectLayout g, float[] xp, float[] dz, int dzOffset, int dzStride, int dzPlane,
                                           int oy0, int flatRows, int width, float[] acc, boolean fresh) {
        int k = g.cin * g.kh * g.kw;
        int[] taps = g.tapOffsets();
        int step = k * L;
        for (int ob = 0; ob < g.gradientBlocks; ob++) {
            int oc = ob * DirectLayout.OC_BLOCK, valid = Math.min(DirectLayout.OC_BLOCK, g.cout - oc);
            int d0 = dzOffset + oc * dzPlane, d1 = d0 + Math.min(1, valid - 1) * dzPlane;
            int d2 = d0 + Math.min(2, valid - 1) * dzPlane, d3 = d0 + Math.min(3, valid - 1) * dzPlane;
            for (int t = 0; t < k; t += WIDE_TAPS) {
                int base = oy0 * g.inStride;
                int u0 = 0, x0 = taps[t] + base;
                int u1 = (Math.min(t + 1, k - 1) - t) * L, x1 = taps[t + u1 / L] + base;
                int u2 = (Math.min(t + 2, k - 1) - t) * L, x2 = taps[t + u2 / L] + base;
                int u3 = (Math.min(t + 3, k - 1) - t) * L, x3 = taps[t + u3 / L] + base;
                int u4 = (Math.min(t + 4, k - 1) - t) * L, x4 = taps[t + u4 / L] + base;
                int a = (oc * k + t) * L; // tap t + j of channel oc + i at a + i * step + j * L
                FloatVector s00 = startSums(acc, a, fresh);
                FloatVector s01 = startSums(acc, a + u1, fresh);
                FloatVector s02 = startSums(acc, a + u2, fresh);
                FloatVector s03 = startSums(acc, a + u3, fresh);
                FloatVector s04 = startSums(acc, a + u4, fresh);
                FloatVector s10 = startSums(acc, a + step + u0, fresh);
                FloatVector s11 = startSums(acc, a + step + u1, fresh);
                FloatVector s12 = startSums(acc, a + step + u2, fresh);
                FloatVector s13 = startSums(acc, a + step + u3, fresh);
                FloatVector s14 = startSums(acc, a + step + u4, fresh);
                FloatVector s20 = startSums(acc, a + 2 * step + u0, fresh);
                FloatVector s21 = startSums(acc, a + 2 * step + u1, fresh);
                FloatVector s22 = startSums(acc, a + 2 * step + u2, fresh);
                FloatVector s23 = startSums(acc, a + 2 * step + u3, fresh);
                FloatVector s24 = startSums(acc, a + 2 * step + u4, fresh);
                FloatVector s30 = startSums(acc, a + 3 * step + u0, fresh);
                FloatVector s31 = startSums(acc, a + 3 * step + u1, fresh);
                FloatVector s32 = startSums(acc, a + 3 * step + u2, fresh);
                FloatVector s33 = startSums(acc, a + 3 * step + u3, fresh);
                FloatVector s34 = startSums(acc, a + 3 * step + u4, fresh);
                for (int r = 0; r < flatRows; r++) {
                    int dr = r * dzStride, xr = r * g.inStride;
                    for (int c = 0; c < width; c += L) {
                        FloatVector v0 = FloatVector.fromArray(S, xp, x0 + xr + c);
                        FloatVector v1 = FloatVector.fromArray(S, xp, x1 + xr + c);
                        FloatVector v2 = FloatVector.fromArray(S, xp, x2 + xr + c);
                        FloatVector v3 = FloatVector.fromArray(S, xp, x3 + xr + c);
                        FloatVector v4 = FloatVector.fromArray(S, xp, x4 + xr + c);
                        FloatVector d = FloatVector.fromArray(S, dz, d0 + dr + c);
                        s00 = d.fma(v0, s00);
                        s01 = d.fma(v1, s01);
                        s02 = d.fma(v2, s02);
                        s03 = d.fma(v3, s03);
                        s04 = d.fma(v4, s04);
                        d = FloatVector.fromArray(S, dz, d1 + dr + c);
                        s10 = d.fma(v0, s10);
                        s11 = d.fma(v1, s11);
                        s12 = d.fma(v2, s12);
                        s13 = d.fma(v3, s13);
                        s14 = d.fma(v4, s14);
                        d = FloatVector.fromArray(S, dz, d2 + dr + c);
                        s20 = d.fma(v0, s20);
                        s21 = d.fma(v1, s21);
                        s22 = d.fma(v2, s22);
                        s23 = d.fma(v3, s23);
                        s24 = d.fma(v4, s24);
                        d = FloatVector.fromArray(S, dz, d3 + dr + c);
                        s30 = d.fma(v0, s30);
                        s31 = d.fma(v1, s31);
                        s32 = d.fma(v2, s32);
                        s33 = d.fma(v3, s33);
                        s34 = d.fma(v4, s34);
                    }
                }
                // A repeated tap's accumulators hold the same sums as the real one's, so either
                // store may land last; channels past cout are not stored.
                s00.intoArray(acc, a);
                s01.intoArray(acc, a + u1);
                s02.intoArray(acc, a + u2);
                s03.intoArray(acc, a + u3);
                s04.intoArray(acc, a + u4);
                if (valid > 1) {
                    s10.intoArray(acc, a + step + u0);
                    s11.intoArray(acc, a + step + u1);
                    s12.intoArray(acc, a + step + u2);
                    s13.intoArray(acc, a + step + u3);
                    s14.intoArray(acc, a + step + u4);
                }
                if (valid > 2) {
                    s20.intoArray(acc, a + 2 * step + u0);
                    s21.intoArray(acc, a + 2 * step + u1);
                    s22.intoArray(acc, a + 2 * step + u2);
                    s23.intoArray(acc, a + 2 * step + u3);
                    s24.intoArray(acc, a + 2 * step + u4);
                }
                if (valid > 3) {
                    s30.intoArray(acc, a + 3 * step + u0);
                    s31.intoArray(acc, a + 3 * step + u1);
                    s32.intoArray(acc, a + 3 * step + u2);
                    s33.intoArray(acc, a + 3 * step + u3);
                    s34.intoArray(acc, a + 3 * step + u4);
                }
            }
        }
    }

    /**
     * 2x2 max-pooling of {@code channels} planes of activations, two input rows per output row;
     * the winner of each window (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right: the first
     * cell equal to the maximum) into {@code winners} when it is not null. Rectified cells are
     * compared as unsigned integers: +0, the positive floats and +inf are in the same order as
     * their bits, and a NaN of either sign lies above them all, as {@code Math.max} has it. The
     * vector {@code max} keeps Java's rules for any float (NaN, -0 below +0) at a price: over one
     * of ChestXRayNet's conv1 strips in L1 (8 channels, 256 wide, winners kept) a pooled vector
     * took 31 cycles with it and 19 with the integer max (Zen 4). Without winners:
     * {@link #maxPool2x2Values}.
     */
    @Override
    public void maxPool2x2(float[] a, int aOffset, int aStride, int aPlane, int channels, int pooledRows, int pooledWidth,
                           float[] y, int yOffset, int yPlane, byte[] winners, int winnersOffset, boolean rectified) {
        if (2 * pooledWidth == L) {
            maxPool2x2RowPairs(a, aOffset, aStride, aPlane, channels, pooledRows, y, yOffset, yPlane, winners,
                    winnersOffset, rectified);
            return;
        }
        if (winners == null) {
            maxPool2x2Values(a, aOffset, aStride, aPlane, channels, pooledRows, pooledWidth, y, yOffset, yPlane,
                    rectified);
            return;
        }
        IntVector evenIdx = pairIndices(0), oddIdx = pairIndices(1);
        FloatVector one = FloatVector.broadcast(S, 1f), two = FloatVector.broadcast(S, 2f), three = FloatVector.broadcast(S, 3f);
        FloatVector zero = FloatVector.zero(S), dead = FloatVector.broadcast(S, DEAD_WINDOW);
        int rest = pooledWidth % L, full = pooledWidth - rest;
        for (int ch = 0; ch < channels; ch++) {
            for (int py = 0; py < pooledRows; py++) {
                int top = aOffset + ch * aPlane + 2 * py * aStride, bottom = top + aStride;
                int o = ch * yPlane + py * pooledWidth;
                for (int px = 0; px < full; px += L) {
                    FloatVector t0 = FloatVector.fromArray(S, a, top + 2 * px), t1 = FloatVector.fromArray(S, a, top + 2 * px + L);
                    FloatVector u0 = FloatVector.fromArray(S, a, bottom + 2 * px), u1 = FloatVector.fromArray(S, a, bottom + 2 * px + L);
                    FloatVector tl = Vectors.pair(evenIdx, EVEN, t0, t1), tr = Vectors.pair(oddIdx, ODD, t0, t1);
                    FloatVector bl = Vectors.pair(evenIdx, EVEN, u0, u1), br = Vectors.pair(oddIdx, ODD, u0, u1);
                    FloatVector m = rectified ? unsignedMax(unsignedMax(tl, tr), unsignedMax(bl, br))
                            : tl.max(tr).max(bl.max(br));
                    m.intoArray(y, yOffset + o + px);
                    FloatVector code = three.blend(two, bl.eq(m)).blend(one, tr.eq(m)).blend(zero, tl.eq(m));
                    if (rectified) {
                        code = dead.blend(code, m.compare(VectorOperators.GT, zero));
                    }
                    storeCodes(code, winners, winnersOffset + o + px);
                }
            }
        }
        if (rest > 0) {
            maxPool2x2Ends(a, aOffset + 2 * full, aStride, aPlane, channels, pooledRows, pooledWidth, rest, y,
                    yOffset + full, yPlane, winners, winnersOffset + full, rectified);
        }
    }

    /**
     * {@link #maxPool2x2} without winners (inference): the two rows' maximum first, then that of
     * its column pairs, two permutes a pooled vector instead of four (the maximum is the same in
     * any order; Intel's cores have one port for permutes). A method of its own: as a second loop
     * in {@link #maxPool2x2}, C2 recompiled the method once training followed inference (the
     * winners' loop, never run until then) and stopped inlining {@link Vectors#pair} there,
     * ChestXRayNet's training step 1.6 times slower from then on.
     */
    private static void maxPool2x2Values(float[] a, int aOffset, int aStride, int aPlane, int channels,
                                         int pooledRows, int pooledWidth, float[] y, int yOffset, int yPlane,
                                         boolean rectified) {
        IntVector evenIdx = pairIndices(0), oddIdx = pairIndices(1);
        int rest = pooledWidth % L, full = pooledWidth - rest;
        for (int ch = 0; ch < channels; ch++) {
            for (int py = 0; py < pooledRows; py++) {
                int top = aOffset + ch * aPlane + 2 * py * aStride, bottom = top + aStride;
                int o = ch * yPlane + py * pooledWidth;
                for (int px = 0; px < full; px += L) {
                    FloatVector t0 = FloatVector.fromArray(S, a, top + 2 * px), t1 = FloatVector.fromArray(S, a, top + 2 * px + L);
                    FloatVector u0 = FloatVector.fromArray(S, a, bottom + 2 * px), u1 = FloatVector.fromArray(S, a, bottom + 2 * px + L);
                    FloatVector v0 = rectified ? unsignedMax(t0, u0) : t0.max(u0);
                    FloatVector v1 = rectified ? unsignedMax(t1, u1) : t1.max(u1);
                    FloatVector l = Vectors.pair(evenIdx, EVEN, v0, v1), r = Vectors.pair(oddIdx, ODD, v0, v1);
                    (rectified ? unsignedMax(l, r) : l.max(r)).intoArray(y, yOffset + o + px);
                }
            }
        }
        if (rest > 0) {
            maxPool2x2Ends(a, aOffset + 2 * full, aStride, aPlane, channels, pooledRows, pooledWidth, rest, y,
                    yOffset + full, yPlane, null, 0, rectified);
        }
    }

    /**
     * {@link #maxPool2x2} where a pooled row is half a vector (ChestXRayNet's conv5 at 16 lanes):
     * two pooled rows a vector, their four input rows whole vectors, so the winners are taken by
     * vector too; an odd last row by {@link #maxPool2x2Ends}. A row at a time, under masks, with
     * its winners a window at a time, {@code conv pooled-forward 32 12 16 20 5 1 2 1} took 1.32 ms
     * (Intel Xeon, alternated); this way 0.76.
     */
    private static void maxPool2x2RowPairs(float[] a, int aOffset, int aStride, int aPlane, int channels,
                                           int pooledRows, float[] y, int yOffset, int yPlane, byte[] winners,
                                           int winnersOffset, boolean rectified) {
        IntVector evenIdx = pairIndices(0), oddIdx = pairIndices(1);
        FloatVector one = FloatVector.broadcast(S, 1f), two = FloatVector.broadcast(S, 2f), three = FloatVector.broadcast(S, 3f);
        FloatVector zero = FloatVector.zero(S), dead = FloatVector.broadcast(S, DEAD_WINDOW);
        int width = L / 2, pairs = pooledRows / 2;
        for (int ch = 0; ch < channels; ch++) {
            for (int py = 0; py < 2 * pairs; py += 2) {
                int top = aOffset + ch * aPlane + 2 * py * aStride, o = ch * yPlane + py * width;
                FloatVector t0 = FloatVector.fromArray(S, a, top), t1 = FloatVector.fromArray(S, a, top + 2 * aStride);
                FloatVector u0 = FloatVector.fromArray(S, a, top + aStride);
                FloatVector u1 = FloatVector.fromArray(S, a, top + 3 * aStride);
                FloatVector tl = Vectors.pair(evenIdx, EVEN, t0, t1), tr = Vectors.pair(oddIdx, ODD, t0, t1);
                FloatVector bl = Vectors.pair(evenIdx, EVEN, u0, u1), br = Vectors.pair(oddIdx, ODD, u0, u1);
                FloatVector m = rectified ? unsignedMax(unsignedMax(tl, tr), unsignedMax(bl, br))
                        : tl.max(tr).max(bl.max(br));
                m.intoArray(y, yOffset + o);
                if (winners != null) {
                    FloatVector code = three.blend(two, bl.eq(m)).blend(one, tr.eq(m)).blend(zero, tl.eq(m));
                    if (rectified) {
                        code = dead.blend(code, m.compare(VectorOperators.GT, zero));
                    }
                    storeCodes(code, winners, winnersOffset + o);
                }
            }
        }
        if (pooledRows % 2 != 0) {
            int last = pooledRows - 1;
            maxPool2x2Ends(a, aOffset + 2 * last * aStride, aStride, aPlane, channels, 1, width, width, y,
                    yOffset + last * width, yPlane, winners, winnersOffset + last * width, rectified);
        }
    }

    /** The larger of {@code a} and {@code b} by their bits as unsigned integers. */
    private static FloatVector unsignedMax(FloatVector a, FloatVector b) {
        return a.reinterpretAsInts().lanewise(VectorOperators.UMAX, b.reinterpretAsInts()).reinterpretAsFloats();
    }

    /**
     * The last {@code rest} windows of each pooled row (fewer than a vector's; {@code pooledWidth}
     * apart), under masks: a row of 8 windows at 16 lanes took 1 ns per input one window at a time.
     * The winners a window at a time: their vector compares and blends here ran through the Vector
     * API's Java fallback in C2's code, allocating on every call (ChestXRayNet's conv5 and conv6,
     * found by JFR's allocation samples in a warm training step).
     */
    private static void maxPool2x2Ends(float[] a, int aOffset, int aStride, int aPlane, int channels, int pooledRows,
                                       int pooledWidth, int rest, float[] y, int yOffset, int yPlane, byte[] winners,
                                       int winnersOffset, boolean rectified) {
        IntVector evenIdx = pairIndices(0), oddIdx = pairIndices(1);
        FloatVector zero = FloatVector.zero(S);
        VectorMask<Float> low = S.indexInRange(0, 2 * rest), high = S.indexInRange(L, 2 * rest);
        VectorMask<Float> out = S.indexInRange(0, rest);
        boolean wide = 2 * rest > L;
        for (int ch = 0; ch < channels; ch++) {
            for (int py = 0; py < pooledRows; py++) {
                int top = aOffset + ch * aPlane + 2 * py * aStride, bottom = top + aStride;
                int o = ch * yPlane + py * pooledWidth;
                FloatVector t0 = FloatVector.fromArray(S, a, top, low), u0 = FloatVector.fromArray(S, a, bottom, low);
                FloatVector t1 = wide ? FloatVector.fromArray(S, a, top + L, high) : zero;
                FloatVector u1 = wide ? FloatVector.fromArray(S, a, bottom + L, high) : zero;
                FloatVector tl = Vectors.pair(evenIdx, EVEN, t0, t1), tr = Vectors.pair(oddIdx, ODD, t0, t1);
                FloatVector bl = Vectors.pair(evenIdx, EVEN, u0, u1), br = Vectors.pair(oddIdx, ODD, u0, u1);
                FloatVector m = tl.max(tr).max(bl.max(br));
                m.intoArray(y, yOffset + o, out);
                if (winners != null) { // a window at a time, from the maximum just stored
                    for (int j = 0, w = winnersOffset + o; j < rest; j++) {
                        int t = top + 2 * j, b = bottom + 2 * j;
                        winners[w + j] = (byte) ScalarConv.code(a[t], a[t + 1], a[b], y[yOffset + o + j], rectified);
                    }
                }
            }
        }
    }

    private static void storeCodes(FloatVector code, byte[] winners, int at) {
        if (B != null) {
            ((ByteVector) code.convertShape(VectorOperators.F2B, B, 0)).intoArray(winners, at);
        } else {
            for (int i = 0; i < L; i++) {
                winners[at + i] = (byte) code.lane(i);
            }
        }
    }

    private static FloatVector loadCodes(byte[] winners, int at) {
        if (B != null) {
            return (FloatVector) ByteVector.fromArray(B, winners, at).convertShape(VectorOperators.B2F, S, 0);
        }
        float[] codes = new float[L]; // 128-bit species only (tests): no byte species to load through
        for (int i = 0; i < L; i++) {
            codes[i] = winners[at + i];
        }
        return FloatVector.fromArray(S, codes, 0);
    }

    /**
     * The gradient at the 2x2 pooling's input: each window's {@code dy} at its winner, zero at the
     * other three cells (at all four where the window is {@linkplain #DEAD_WINDOW dead}). Writes rows
     * {@code [0, 2 * pooledRows)}, columns {@code [0, 2 * pooledWidth)} of each plane of {@code dz}.
     * With {@code sums}, adds each channel's window gradients to it (the bias gradient: per lane
     * over the plane's full vectors, the lanes by {@link Vectors#laneSum}, then the row ends in
     * float, the two added in double), saving a pass. A pooled row half a vector wide goes two
     * rows a vector (an odd last row at the ends): one window at a time, the unpooling took a
     * fifth of a 64 -> 128 backward on 16x16 (VGG's last convolution).
     */
    @Override
    public void maxPool2x2Backward(float[] dy, int dyOffset, int plane, byte[] winners, int winnersOffset, int channels,
                                   int pooledRows, int pooledWidth, float[] dz, int dzOffset, int dzStride, int dzPlane,
                                   double[] sums) {
        if (2 * pooledWidth == L) {
            maxPool2x2BackwardRowPairs(dy, dyOffset, plane, winners, winnersOffset, channels, pooledRows, dz, dzOffset,
                    dzStride, dzPlane, sums);
            return;
        }
        IntVector zipLowIdx = pairIndices(2), zipHighIdx = pairIndices(3);
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        FloatVector two = FloatVector.broadcast(S, 2f), three = FloatVector.broadcast(S, 3f);
        for (int ch = 0; ch < channels; ch++) {
            FloatVector sum = zero;
            float ends = 0f;
            for (int py = 0; py < pooledRows; py++) {
                int o = ch * plane + py * pooledWidth;
                int top = dzOffset + ch * dzPlane + 2 * py * dzStride, bottom = top + dzStride;
                int px = 0;
                for (; px + L <= pooledWidth; px += L) {
                    FloatVector code = loadCodes(winners, winnersOffset + o + px);
                    // the window's gradient, none where it is dead (a code past 3)
                    FloatVector g = zero.blend(FloatVector.fromArray(S, dy, dyOffset + o + px), code.compare(LE, three));
                    sum = sum.add(g);
                    FloatVector tl = zero.blend(g, code.eq(zero)), tr = zero.blend(g, code.eq(one));
                    FloatVector bl = zero.blend(g, code.eq(two)), br = zero.blend(g, code.eq(three));
                    Vectors.pair(zipLowIdx, ZIP_LOW, tl, tr).intoArray(dz, top + 2 * px);
                    Vectors.pair(zipHighIdx, ZIP_HIGH, tl, tr).intoArray(dz, top + 2 * px + L);
                    Vectors.pair(zipLowIdx, ZIP_LOW, bl, br).intoArray(dz, bottom + 2 * px);
                    Vectors.pair(zipHighIdx, ZIP_HIGH, bl, br).intoArray(dz, bottom + 2 * px + L);
                }
                for (; px < pooledWidth; px++) {
                    int code = winners[winnersOffset + o + px];
                    float g = code == DEAD_WINDOW ? 0f : dy[dyOffset + o + px];
                    ends += g;
                    ScalarConv.unpoolWindow(g, code, dz, top + 2 * px, bottom + 2 * px);
                }
            }
            if (sums != null) {
                sums[ch] += (double) Vectors.laneSum(sum) + ends;
            }
        }
    }

    /**
     * {@link #maxPool2x2Backward} where a pooled row is half a vector: two rows a vector, each
     * vector's four unpooled rows whole vectors; an odd last row a window at a time, into the
     * ends of the bias sums. A separate method: inside {@code maxPool2x2Backward}, C2 stopped
     * inlining {@link Vectors#pair} there, boxing every vector (ChestXRayNet's step 1.6x slower).
     */
    private static void maxPool2x2BackwardRowPairs(float[] dy, int dyOffset, int plane, byte[] winners,
                                                   int winnersOffset, int channels, int pooledRows, float[] dz,
                                                   int dzOffset, int dzStride, int dzPlane, double[] sums) {
        IntVector zipLowIdx = pairIndices(2), zipHighIdx = pairIndices(3);
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        FloatVector two = FloatVector.broadcast(S, 2f), three = FloatVector.broadcast(S, 3f);
        int width = L / 2, pairs = pooledRows / 2;
        for (int ch = 0; ch < channels; ch++) {
            FloatVector sum = zero;
            for (int py = 0; py < 2 * pairs; py += 2) {
                int o = ch * plane + py * width, top = dzOffset + ch * dzPlane + 2 * py * dzStride;
                FloatVector code = loadCodes(winners, winnersOffset + o);
                FloatVector g = zero.blend(FloatVector.fromArray(S, dy, dyOffset + o), code.compare(LE, three));
                sum = sum.add(g);
                FloatVector tl = zero.blend(g, code.eq(zero)), tr = zero.blend(g, code.eq(one));
                FloatVector bl = zero.blend(g, code.eq(two)), br = zero.blend(g, code.eq(three));
                Vectors.pair(zipLowIdx, ZIP_LOW, tl, tr).intoArray(dz, top);
                Vectors.pair(zipHighIdx, ZIP_HIGH, tl, tr).intoArray(dz, top + 2 * dzStride);
                Vectors.pair(zipLowIdx, ZIP_LOW, bl, br).intoArray(dz, top + dzStride);
                Vectors.pair(zipHighIdx, ZIP_HIGH, bl, br).intoArray(dz, top + 3 * dzStride);
            }
            float ends = 0f;
            if (pooledRows % 2 != 0) {
                int py = pooledRows - 1, o = ch * plane + py * width, top = dzOffset + ch * dzPlane + 2 * py * dzStride;
                for (int px = 0; px < width; px++) {
                    int code = winners[winnersOffset + o + px];
                    float g = code == DEAD_WINDOW ? 0f : dy[dyOffset + o + px];
                    ends += g;
                    ScalarConv.unpoolWindow(g, code, dz, top + 2 * px, top + dzStride + 2 * px);
                }
            }
            if (sums != null) {
                sums[ch] += (double) Vectors.laneSum(sum) + ends;
            }
        }
    }

    /** {@code a = relu? max(a + bias[c], 0) : a + bias[c]} in place over {@code channels} planes of {@code n}. */
    @Override
    public void biasActivation(float[] a, int offset, int plane, int channels, int n, float[] bias, int biasOffset,
                               boolean relu) {
        FloatVector zero = FloatVector.zero(S);
        for (int ch = 0; ch < channels; ch++) {
            float b = bias == null ? 0f : bias[biasOffset + ch];
            FloatVector bv = FloatVector.broadcast(S, b);
            int at = offset + ch * plane, i = 0;
            for (; i + L <= n; i += L) {
                FloatVector v = FloatVector.fromArray(S, a, at + i).add(bv);
                (relu ? v.blend(zero, v.compare(LE, zero)) : v).intoArray(a, at + i);
            }
            for (; i < n; i++) {
                float v = a[at + i] + b;
                a[at + i] = relu ? Math.max(v, 0f) : v;
            }
        }
    }

    @Override
    public void addResidual(float[] y, int yOffset, float[] r, int rOffset, int n, boolean relu) {
        int end = S.loopBound(n);
        if (relu) {
            addRectified(y, yOffset, r, rOffset, end);
        } else {
            for (int i = 0; i < end; i += L) {
                FloatVector.fromArray(S, y, yOffset + i).add(FloatVector.fromArray(S, r, rOffset + i))
                        .intoArray(y, yOffset + i);
            }
        }
        ScalarConv.INSTANCE.addResidual(y, yOffset + end, r, rOffset + end, n - end, relu);
    }

    /**
     * {@code y = max(y + r, 0)} (NaN kept) over {@code end} floats, a whole number of vectors: a
     * method of its own, as C2 inlined the loop into the residual pass's caller with its index
     * spilled and a safepoint poll a vector, 7.6% of {@code infer resnet 32 1}.
     */
    private static void addRectified(float[] y, int yOffset, float[] r, int rOffset, int end) {
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, y, yOffset + i).add(FloatVector.fromArray(S, r, rOffset + i));
            v.blend(zero, v.compare(VectorOperators.LT, zero)).intoArray(y, yOffset + i);
        }
    }

    /**
     * {@code dz[c][r][0, cols) = relu ? (y > 0 ? dy : 0) : dy} for {@code rows} rows of each of
     * {@code channels} planes; {@code dy} and {@code y} are dense ({@code rows * cols} per plane).
     * A plane at a time ({@link #planeGradient}), the plain copy apart: with {@code arraycopy}'s
     * call in the same loop, C2 kept the running sum on the stack, 9.5% of
     * {@code conv backward 32 16 32 32 3 2 1 1}.
     */
    @Override
    public void activationGradient(float[] dy, int dyOffset, float[] y, int yOffset, int channels, int rows, int cols,
                                   boolean relu, float[] dz, int dzOffset, int dzStride, int dzPlane, double[] sums) {
        int plane = rows * cols;
        if (!relu && sums == null) {
            for (int ch = 0; ch < channels; ch++) {
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(dy, dyOffset + ch * plane + r * cols, dz, dzOffset + ch * dzPlane + r * dzStride, cols);
                }
            }
            return;
        }
        int group = sums == null ? rows : RowGroups.rows(cols);
        for (int ch = 0; ch < channels; ch++) {
            double total = planeGradient(dy, dyOffset + ch * plane, y, yOffset + ch * plane, rows, cols, relu, dz,
                    dzOffset + ch * dzPlane, dzStride, group);
            if (sums != null) {
                sums[ch] += total;
            }
        }
    }

    /** One plane of {@link #activationGradient}: its sum, in {@link RowGroups}' order of {@code group} rows. */
    private static double planeGradient(float[] dy, int src, float[] y, int ys, int rows, int cols, boolean relu,
                                        float[] dz, int dst, int dzStride, int group) {
        FloatVector zero = FloatVector.zero(S);
        int vectorCols = cols / L * L;
        double total = 0;
        for (int first = 0; first < rows; first += group) {
            int n = Math.min(group, rows - first);
            FloatVector s = zero;
            for (int r = first; r < first + n; r++) {
                int from = src + r * cols, to = dst + r * dzStride, c = 0;
                for (; c < vectorCols; c += L) {
                    FloatVector g = FloatVector.fromArray(S, dy, from + c);
                    if (relu) {
                        g = zero.blend(g, FloatVector.fromArray(S, y, ys + r * cols + c).compare(VectorOperators.GT, zero));
                    }
                    g.intoArray(dz, to + c);
                    s = s.add(g);
                }
                for (; c < cols; c++) {
                    dz[to + c] = !relu || y[ys + r * cols + c] > 0f ? dy[from + c] : 0f;
                }
            }
            // as channelSums adds a group
            total += RowGroups.total(s, dz, dst + first * dzStride + vectorCols, dzStride, n, cols - vectorCols);
        }
        return total;
    }

    /** {@code sums[c] += sum of rows x cols of plane c}, in {@link RowGroups}' order. */
    @Override
    public void channelSums(float[] a, int offset, int stride, int plane, int channels, int rows, int cols, double[] sums) {
        int vectorCols = cols / L * L, group = RowGroups.rows(cols);
        for (int ch = 0; ch < channels; ch++) {
            double total = 0;
            for (int first = 0; first < rows; first += group) {
                int n = Math.min(group, rows - first), at = offset + ch * plane + first * stride;
                FloatVector s = FloatVector.zero(S);
                for (int r = 0; r < n; r++) {
                    for (int c = 0; c < vectorCols; c += L) {
                        s = s.add(FloatVector.fromArray(S, a, at + r * stride + c));
                    }
                }
                total += RowGroups.total(s, a, at + vectorCols, stride, n, cols - vectorCols);
            }
            sums[ch] += total;
        }
    }

    /**
     * A plane's sum as the bias gradients take it: the rows go in groups of {@link #rows} (at 512
     * bits all of a 16-wide map's rows, two of a 256-wide map's); a group's whole vectors are
     * added into one vector, row by row, its lanes summed by {@link Vectors#laneSum}, then each
     * row's tail floats summed on their own (from {@code 0f}, in order) and added, row by row; the
     * groups' sums are added in double, in order. Each lane adds at most {@value #LANE_VALUES}
     * floats before the double takes over (unless a row alone has more) and a row's tail fewer
     * than a vector's, so precision is about a row's. One group a row (the order before) made a
     * 16-wide map's bias sum 6% of its layer's backward: a lane reduction per row of one vector.
     */
    static final class RowGroups {

        /** Floats a lane adds in a group, where rows allow. */
        static final int LANE_VALUES = 32;

        private RowGroups() {}

        /** Rows per group for rows {@code cols} wide: one where a row has no whole vector. */
        static int rows(int cols) {
            int vectors = cols / L;
            return vectors == 0 ? 1 : Math.max(1, LANE_VALUES / vectors);
        }

        /**
         * A group's float sum: {@code lanes}' sum, then each of {@code n} rows' tails added, a
         * tail being {@code tail} floats from {@code tailAt + r * stride} summed from {@code 0f}.
         */
        static float total(FloatVector lanes, float[] tails, int tailAt, int stride, int n, int tail) {
            float sum = Vectors.laneSum(lanes);
            for (int r = 0; r < n && tail > 0; r++) {
                float row = 0f;
                for (int c = 0, at = tailAt + r * stride; c < tail; c++) {
                    row += tails[at + c];
                }
                sum += row;
            }
            return sum;
        }
    }

    /**
     * Whole vectors of the kernels' own species (another species in this class would split the
     * JIT's profiles of the Vector API's shared methods: it cost the weight gradient its 6-tap
     * speed-up). A run narrower than a vector is copied with the floats after it, which the next
     * runs overwrite (the runs within a vector of {@code toLimit} go float by float; the reads may
     * reach {@link #COPY_SLACK} floats from a run's start). A run that is not a
     * whole number of vectors ends with a vector overlapping the one before.
     */
    @Override
    public void copyRuns(float[] from, int fromAt, int fromStride, int runs, int width, float[] to, int toAt,
                         int toLimit) {
        if (width < L) {
            int r = 0;
            if (L <= COPY_SLACK) { // a wider vector (SVE) would read past the slack: floats, then
                for (; r < runs && toAt + L <= toLimit; r++, fromAt += fromStride, toAt += width) {
                    FloatVector.fromArray(S, from, fromAt).intoArray(to, toAt);
                }
            }
            ScalarConv.copyRuns(from, fromAt, fromStride, runs - r, width, to, toAt);
            return;
        }
        for (int r = 0; r < runs; r++, fromAt += fromStride, toAt += width) {
            int i = 0;
            for (; i + L <= width; i += L) {
                FloatVector.fromArray(S, from, fromAt + i).intoArray(to, toAt + i);
            }
            if (i < width) {
                FloatVector.fromArray(S, from, fromAt + width - L).intoArray(to, toAt + width - L);
            }
        }
    }

    /**
     * A map of one vector (ChestXRayNet's conv7: 4x4, runs of 4 floats) whose window spans two:
     * copied a run at a time, conv7 spent a third of its backward in im2col's loops, their index
     * arithmetic spilled; a vector gather per row was slower still (x1.18-1.20).
     */
    @Override
    public boolean selectsRows(int width, int count, int span) {
        return Vectors.TWO_SOURCE_SELECT && width < L && count == L && span <= 2 * L;
    }

    /** Two loads and one two-source select per row ({@link #selectsRows}); the planes' slack holds the second load. */
    @Override
    public void selectRows(float[] from, int[] offsets, int channels, int plane, int kernelH, int kernelW,
                           int tapRowStep, int tapColStep, float[] to) {
        IntVector pick = Vectors.pairIndices(offsets, 0);
        int dst = 0;
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < kernelH; ky++) {
                for (int kx = 0, at = c * plane + ky * tapRowStep; kx < kernelW; kx++, at += tapColStep, dst += L) {
                    IntVector v0 = FloatVector.fromArray(S, from, at).reinterpretAsInts();
                    IntVector v1 = FloatVector.fromArray(S, from, at + L).reinterpretAsInts();
                    pick.selectFrom(v0, v1).reinterpretAsFloats().intoArray(to, dst);
                }
            }
        }
    }

    /**
     * At step 2, two loads and one two-vector shuffle (the even lanes) per vector of output, where
     * a float-by-float copy spends more on each narrow run's loop than on its floats; other steps
     * float by float.
     */
    @Override
    public void copyStridedRuns(float[] from, int fromAt, int fromStride, int runs, int width, int step, float[] to,
                                int toAt, int toLimit) {
        if (step != 2 || 2 * L > STRIDED_SLACK) {
            ScalarConv.copyStridedRuns(from, fromAt, fromStride, runs, width, step, to, toAt);
            return;
        }
        if (width < L) {
            int r = 0;
            for (; r < runs && toAt + L <= toLimit; r++, fromAt += fromStride, toAt += width) {
                evenLanes(from, fromAt).intoArray(to, toAt);
            }
            ScalarConv.copyStridedRuns(from, fromAt, fromStride, runs - r, width, step, to, toAt);
            return;
        }
        for (int r = 0; r < runs; r++, fromAt += fromStride, toAt += width) {
            int i = 0;
            for (; i + L <= width; i += L) {
                evenLanes(from, fromAt + 2 * i).intoArray(to, toAt + i);
            }
            if (i < width) {
                evenLanes(from, fromAt + 2 * (width - L)).intoArray(to, toAt + width - L);
            }
        }
    }

    /** Whole vectors of both images' columns zipped, the rest (under a vector) as {@link ScalarConv} does. */
    @Override
    public void interleaveRows(float[] a, int aPlane, int aStride, float[] b, int bPlane, int bStride, int channels,
                               int rows, int widthA, int widthB, float[] to, int toAt, int toStride, int toPlane) {
        IntVector zipLowIdx = pairIndices(2), zipHighIdx = pairIndices(3);
        for (int ch = 0; ch < channels; ch++) {
            for (int r = 0; r < rows; r++) {
                int ao = ch * aPlane + r * aStride, bo = ch * bPlane + r * bStride, o = toAt + ch * toPlane + r * toStride;
                int c = 0;
                for (; c + L <= widthB; c += L) {
                    FloatVector va = FloatVector.fromArray(S, a, ao + c), vb = FloatVector.fromArray(S, b, bo + c);
                    Vectors.pair(zipLowIdx, ZIP_LOW, va, vb).intoArray(to, o + 2 * c);
                    Vectors.pair(zipHighIdx, ZIP_HIGH, va, vb).intoArray(to, o + 2 * c + L);
                }
                ScalarConv.interleaveRow(a, ao, b, bo, c, widthA, widthB, to, o);
            }
        }
    }

    /**
     * Step 2: a vector of even lanes from two loads per {@code L} cells; a row whose width is not
     * a multiple ends with a vector overlapping the one before, and the floats a vector would
     * read past {@code from}'s end go one by one. Other steps float by float.
     */
    @Override
    public void copyStridedRows(float[] from, int fromAt, int fromStride, int runs, int width, int step, float[] to,
                                int toAt, int toStride) {
        if (step == 1) {
            copyRows(from, fromAt, fromStride, runs, width, to, toAt, toStride);
            return;
        }
        for (int i = 0; i < runs; i++, fromAt += fromStride, toAt += toStride) {
            int j = 0;
            if (step == 2 && width >= L) {
                int last = Math.min(width, (from.length - fromAt) / 2 - L + 1); // vectors from j < last stay in from
                for (; j < last; j += L) {
                    evenLanes(from, fromAt + 2 * Math.min(j, width - L)).intoArray(to, toAt + Math.min(j, width - L));
                }
                j = Math.min(j, width);
            }
            ScalarConv.copyStrided(from, fromAt, j, width, step, to, toAt);
        }
    }

    /**
     * Step 1, a vector at a time: a row of at least a vector ends with one more vector that
     * overlaps the one before it (the same floats again), a narrower row is one masked vector.
     * Staging and unstaging a narrow map's rows went through a call to the copy stub per row.
     */
    private static void copyRows(float[] from, int fromAt, int fromStride, int runs, int width, float[] to, int toAt,
                                 int toStride) {
        if (width < L) {
            VectorMask<Float> m = S.indexInRange(0, width);
            for (int i = 0; i < runs; i++, fromAt += fromStride, toAt += toStride) {
                FloatVector.fromArray(S, from, fromAt, m).intoArray(to, toAt, m);
            }
            return;
        }
        int last = width - L;
        for (int i = 0; i < runs; i++, fromAt += fromStride, toAt += toStride) {
            for (int j = 0; j < last; j += L) {
                FloatVector.fromArray(S, from, fromAt + j).intoArray(to, toAt + j);
            }
            FloatVector.fromArray(S, from, fromAt + last).intoArray(to, toAt + last);
        }
    }

    /**
     * Each row's borders by whole vectors and a masked last one, its floats as {@link #copyRows}
     * copies them: one pass over the staged rows, where a fill of the plane and a copy over it
     * wrote the interior twice.
     */
    @Override
    public void padRows(float[] from, int fromAt, int fromStride, int runs, int width, int left, float[] to, int toAt,
                        int toStride) {
        int tail = toStride - left - width;
        for (int i = 0; i < runs; i++, fromAt += fromStride, toAt += toStride) {
            clear(to, toAt, left);
            copyRows(from, fromAt, 0, 1, width, to, toAt + left, 0);
            clear(to, toAt + left + width, tail);
        }
    }

    /** {@code to[at + j] = 0} for {@code j < n}: whole vectors, then a masked one. */
    private static void clear(float[] to, int at, int n) {
        FloatVector zero = FloatVector.zero(S);
        int j = 0;
        for (; j + L <= n; j += L) {
            zero.intoArray(to, at + j);
        }
        if (j < n) {
            zero.intoArray(to, at + j, S.indexInRange(j, n));
        }
    }

    @Override
    public void clearRuns(float[] to, int toAt, int toStride, int runs, int width) {
        FloatVector zero = FloatVector.zero(S);
        if (width < L) {
            VectorMask<Float> m = S.indexInRange(0, width);
            for (int i = 0; i < runs; i++, toAt += toStride) {
                zero.intoArray(to, toAt, m);
            }
            return;
        }
        int last = width - L;
        for (int i = 0; i < runs; i++, toAt += toStride) {
            for (int j = 0; j < last; j += L) {
                zero.intoArray(to, toAt + j);
            }
            zero.intoArray(to, toAt + last);
        }
    }

    /**
     * Two vectors of the row at a time, split by two two-vector permutes, its even and odd
     * columns stored whole into the phase each belongs to (the padding decides which), a last
     * part of a pair masked, and the few columns of padding around them zeroed as each row is
     * written. Staging the phases by strided copies and run clearing took about 5.3 us an image
     * of 16 channels of 32x32 (benchmarks/experiments/StageBench.java), 28% of a 16 -> 32
     * convolution's forward at stride 2; this, 4.2-4.5.
     */
    @Override
    public void splitPaddedRows(float[] from, int fromAt, int fromStride, int runs, int width, int padLeft, float[] to,
                                int even, int odd, int toStride, int toWidth) {
        IntVector evenIdx = pairIndices(0), oddIdx = pairIndices(1);
        // x[j] is padded[j + padLeft]: with an odd padding the row's even columns are the odd phase's
        int first = padLeft & 1, shift = padLeft >> 1; // x[2i] lands in phase `first`, column shift + i
        int xEvenTo = first == 0 ? even : odd, xOddTo = first == 0 ? odd : even, oddShift = shift + first;
        int evenCount = Math.max(0, Math.min((width + 1) / 2, toWidth - shift)); // x's even columns that land
        int oddCount = Math.max(0, Math.min(width / 2, toWidth - oddShift));
        int whole = Math.min(evenCount, oddCount) / L * L, last = Math.max(evenCount, oddCount);
        int evenFrom = Math.min(shift, toWidth), evenTo = shift + evenCount; // x's even columns' span in their phase
        int oddFrom = Math.min(oddShift, toWidth), oddTo = oddShift + oddCount;
        // The last part of a pair (at most one: last - whole <= L), its masks the same on every row.
        // Its masked loads read zeros past the row, so where no column was cut off by toWidth and a
        // whole vector fits the phase row, a lane past the columns holds the zero that belongs
        // there: stored whole, it also clears those columns (rows of 16, as Winograd stages 16x16
        // maps, were 2 masked stores and 17 single zeros a row).
        boolean tail = whole < last;
        int floats = width - 2 * whole;
        VectorMask<Float> loLanes = S.indexInRange(0, floats), hiLanes = S.indexInRange(L, floats);
        boolean loWhole = floats >= L, hiNone = floats <= L;
        FloatVector zero = FloatVector.zero(S);
        VectorMask<Float> evenLanes = S.indexInRange(whole, evenCount), oddLanes = S.indexInRange(whole, oddCount);
        boolean evenWhole = tail && evenCount == (width + 1) / 2 && shift + whole + L <= toWidth;
        boolean oddWhole = tail && oddCount == width / 2 && oddShift + whole + L <= toWidth;
        int evenClear = evenWhole ? shift + whole + L : evenTo, oddClear = oddWhole ? oddShift + whole + L : oddTo;
        // the whole pairs down the rows first, a vector of columns at a time; then each row's tail
        // and padding, skipping empty runs (all in one loop a row: 7.9-8.0 ns a row of 32 floats
        // as Winograd stages it, now 4.9-5.0; rows of 16, 9.7-10.0 -> 6.7-7.3; SplitRowsBench in
        // benchmarks/experiments, pinned, Zen 4)
        for (int k = 0; k < whole; k += L) {
            for (int i = 0; i < runs; i++) {
                int row = fromAt + i * fromStride + 2 * k;
                FloatVector lo = FloatVector.fromArray(S, from, row);
                FloatVector hi = FloatVector.fromArray(S, from, row + L);
                Vectors.pair(evenIdx, EVEN, lo, hi).intoArray(to, xEvenTo + i * toStride + shift + k);
                Vectors.pair(oddIdx, ODD, lo, hi).intoArray(to, xOddTo + i * toStride + oddShift + k);
            }
        }
        for (int i = 0; i < runs; i++) {
            int row = fromAt + i * fromStride, e = xEvenTo + i * toStride, o = xOddTo + i * toStride;
            if (evenFrom > 0) {
                clearColumns(to, e, 0, evenFrom);
            }
            if (oddFrom > 0) {
                clearColumns(to, o, 0, oddFrom);
            }
            if (tail) {
                // masked only where a lane is off: an empty mask's load (a row of 16, as Winograd
                // stages 16x16 maps) stalled as if it read, 12% of conv backward 32 32 16 32 3 1 1 1
                int at = row + 2 * whole;
                FloatVector lo = loWhole ? FloatVector.fromArray(S, from, at) : FloatVector.fromArray(S, from, at, loLanes);
                FloatVector hi = hiNone ? zero : FloatVector.fromArray(S, from, at + L, hiLanes);
                FloatVector evens = Vectors.pair(evenIdx, EVEN, lo, hi), odds = Vectors.pair(oddIdx, ODD, lo, hi);
                if (evenWhole) {
                    evens.intoArray(to, e + shift + whole);
                } else {
                    evens.intoArray(to, e + shift + whole, evenLanes);
                }
                if (oddWhole) {
                    odds.intoArray(to, o + oddShift + whole);
                } else {
                    odds.intoArray(to, o + oddShift + whole, oddLanes);
                }
            }
            if (evenClear < toWidth) {
                clearColumns(to, e, evenClear, toWidth);
            }
            if (oddClear < toWidth) {
                clearColumns(to, o, oddClear, toWidth);
            }
        }
    }

    /** {@code a[at + c] = 0} for {@code c} in {@code [from, to)}: a phase row's few columns of padding. */
    private static void clearColumns(float[] a, int at, int from, int to) {
        for (int c = from; c < to; c++) {
            a[at + c] = 0f;
        }
    }

    /** {@code from[at]}, {@code from[at + 2]}, ... : one vector's worth. */
    private static FloatVector evenLanes(float[] from, int at) {
        return Vectors.pair(pairIndices(0), EVEN, FloatVector.fromArray(S, from, at), FloatVector.fromArray(S, from, at + L));
    }

    /**
     * The indices of {@code EVEN}, {@code ODD}, {@code ZIP_LOW} or {@code ZIP_HIGH} (0 to 3) for
     * {@link Vectors#pair}; null below 16 lanes. Load them before a loop.
     */
    private static IntVector pairIndices(int which) {
        return Vectors.pairIndices(PAIR_INDICES, which);
    }

    /**
     * Step 1: vector adds, the last partial vector masked. Step 2: each vector of {@code from}
     * interleaved with zeros into two vectors added over {@code 2 * L} floats of {@code to}, so the
     * odd floats between get {@code + 0} (unchanged: the sums never hold -0). Other steps float by float.
     */
    @Override
    public void addStridedRuns(float[] from, int fromAt, int runs, int width, float[] to, int toAt, int toStride,
                               int step) {
        IntVector zipLowIdx = pairIndices(2), zipHighIdx = pairIndices(3);
        if (step > 2) {
            ScalarConv.addRuns(from, fromAt, runs, width, to, toAt, toStride, step);
            return;
        }
        FloatVector zero = FloatVector.zero(S);
        for (int r = 0; r < runs; r++, fromAt += width, toAt += toStride) {
            for (int i = 0; i < width; i += L) {
                VectorMask<Float> m = S.indexInRange(i, width);
                FloatVector d = FloatVector.fromArray(S, from, fromAt + i, m);
                if (step == 1) {
                    FloatVector.fromArray(S, to, toAt + i, m).add(d).intoArray(to, toAt + i, m);
                } else {
                    int at = toAt + 2 * i;
                    FloatVector.fromArray(S, to, at).add(Vectors.pair(zipLowIdx, ZIP_LOW, d, zero)).intoArray(to, at);
                    FloatVector.fromArray(S, to, at + L).add(Vectors.pair(zipHighIdx, ZIP_HIGH, d, zero)).intoArray(to, at + L);
                }
            }
        }
    }
}
