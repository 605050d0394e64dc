package dev.isthmus.kernels.runtime;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species every Panama kernel uses, in one place: the CPU's preferred float species,
 * or the width a test forces with {@value #VECTOR_BITS_PROPERTY}. Only the Panama kernels load
 * this class, and only after the kernel provider has found the vector module; nothing else names
 * a Vector API type in a static initialiser.
 *
 * <p>Each kernel class copies the species into its own {@code static final} field, and uses one
 * float species per class: C2 profiles the Vector API's shared methods per call site, and a second
 * species in the same class has cost a kernel its speed.
 *
 * <p>A vector or mask that crosses a call C2 does not inline is boxed, an allocation a call and
 * the Java fallback for what uses it: pass indices and bounds to a large helper and make the mask
 * there (Winograd's weight transforms and the Dense slice tree allocated megabytes a step so).
 * {@code StepAllocation} in benchmarks/ counts the bytes a warm step allocates, which should be
 * next to none.
 */
public final class Vectors {

    /** Test hook: {@code -Disthmus.vectorBitSize=128|256|512} forces the vector width. */
    public static final String VECTOR_BITS_PROPERTY = "isthmus.vectorBitSize";

    /** The float species of every kernel. */
    public static final VectorSpecies<Float> FLOATS = floats();

    /** Its lane count. */
    public static final int LANES = FLOATS.length();

    /** Half the width (256 bits under AVX-512), for a last SGEMM panel half a vector wide; null below 256 bits. */
    public static final VectorSpecies<Float> HALF_FLOATS = FLOATS.vectorBitSize() >= 256
            ? VectorSpecies.of(float.class, VectorShape.forBitSize(FLOATS.vectorBitSize() / 2)) : null;

    /** Bytes, one per float lane (pooling winners); null below 8 lanes, where no byte species that narrow exists. */
    public static final VectorSpecies<Byte> BYTES = LANES >= 8
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * LANES)) : null;

    /** Int lanes in the float species' shape: the indices of {@link #selectIndices}' permutes. */
    public static final VectorSpecies<Integer> INTS = FLOATS.withLanes(int.class);

    /**
     * A two-vector {@code a.rearrange(shuffle, b)} as the indices of {@code indices.selectFrom(a, b)}
     * on int lanes ({@code 0 .. L - 1} lanes of {@code a}, {@code L .. 2L - 1} of {@code b}), the
     * same floats moved. C2 compiles that {@code selectFrom} to one two-source permute
     * ({@code vpermi2d}); the two-vector {@code rearrange} is two one-source permutes and a blend,
     * three shuffle-port instructions where Intel's cores have one shuffle port. Load the indices
     * into a local before the loop that uses them: a {@code selectFrom} on float indices converts
     * and checks them on every call.
     */
    public static int[] selectIndices(VectorShuffle<Float> shuffle) {
        if (shuffle.vectorSpecies() != FLOATS) {
            throw new IllegalArgumentException("shuffle must be of the kernels' species " + FLOATS + ", got "
                    + shuffle.vectorSpecies());
        }
        int[] lanes = shuffle.toArray(); // a lane of b reads as its index minus 2L
        for (int i = 0; i < lanes.length; i++) {
            if (lanes[i] < 0) {
                lanes[i] += 2 * lanes.length;
            }
        }
        return lanes;
    }

    /**
     * Whether {@link #pair} takes {@code selectFrom}: at 16 lanes, AVX-512's two-source permute.
     * AVX2 has none (C2 would emulate it), so narrower vectors keep the two-vector rearrange.
     */
    public static final boolean TWO_SOURCE_SELECT = LANES == 16 || Boolean.getBoolean("isthmus.select");

    /**
     * Vector {@code which} of a {@link #selectIndices} table, for {@link #pair}: load it into a
     * local before the loop. Null where {@link #TWO_SOURCE_SELECT} is false (the table may be empty).
     */
    public static IntVector pairIndices(int[] table, int which) {
        return TWO_SOURCE_SELECT ? IntVector.fromArray(INTS, table, which * LANES) : null;
    }

    /**
     * {@code a.rearrange(shuffle, b)}: at 16 lanes as {@code indices.selectFrom(a, b)} on int lanes
     * ({@code indices} the {@link #pairIndices} of the same shuffle), one permute instead of two
     * and a blend. Small enough that C2 inlines it, so no vector crosses a call. But each call
     * parses into three reinterprets and the permute: in a method already near C2's
     * {@code NodeCountInliningCutoff}, C2 stopped inlining the last ones (each then boxed its
     * vectors; F(4x4)'s {@code stagePhase}, {@code pool}, F(4x2)'s {@code transformTallRun}).
     * There, permute in int lanes ({@code IntVector.selectFrom}, reinterpreting once a load and a
     * store; under AVX2 C2 lowers it to the rearrange's permutes and blend, measured level), or
     * keep the rearrange.
     */
    public static FloatVector pair(IntVector indices, VectorShuffle<Float> shuffle, FloatVector a, FloatVector b) {
        return TWO_SOURCE_SELECT ? indices.selectFrom(a.reinterpretAsInts(), b.reinterpretAsInts()).reinterpretAsFloats()
                : a.rearrange(shuffle, b);
    }

    /** The {@link #selectIndices} of {@code shuffles}, one after another. */
    @SafeVarargs
    public static int[] selectIndices(VectorShuffle<Float>... shuffles) {
        int[] all = new int[shuffles.length * LANES];
        for (int i = 0; i < shuffles.length; i++) {
            System.arraycopy(selectIndices(shuffles[i]), 0, all, i * LANES, LANES);
        }
        return all;
    }

    /** Lane {@code i} and lane {@code i ^ h} for {@link #laneSum}'s steps; null where {@code h} is not below the lanes. */
    private static final VectorShuffle<Float> XOR_8 = xor(8), XOR_4 = xor(4), XOR_2 = xor(2), XOR_1 = xor(1);

    private static VectorShuffle<Float> xor(int h) {
        return h < LANES ? VectorShuffle.fromOp(FLOATS, i -> i ^ h) : null;
    }

    /**
     * The sum of {@code v}'s lanes by halving: each lane {@code i} plus lane {@code i ^ L/2}, then
     * {@code i ^ L/4}, and so on down to {@code i ^ 1}; lane 0 at the end. A fixed order, unlike
     * {@code reduceLanes}, whose order depends on the JIT; log2(L) dependent adds, not L. The
     * shuffles are constants (static finals, the widths' tests folded), so C2 emits them as such.
     */
    public static float laneSum(FloatVector v) {
        for (int h = LANES / 2; h >= 16; h /= 2) { // wider than 512 bits (SVE): the same order, shuffles made here
            v = v.add(v.rearrange(xor(h)));
        }
        if (LANES >= 16) {
            v = v.add(v.rearrange(XOR_8));
        }
        if (LANES >= 8) {
            v = v.add(v.rearrange(XOR_4));
        }
        if (LANES >= 4) {
            v = v.add(v.rearrange(XOR_2));
        }
        if (LANES >= 2) {
            v = v.add(v.rearrange(XOR_1));
        }
        return v.lane(0);
    }

    private Vectors() {}

    private static VectorSpecies<Float> floats() {
        String forced = System.getProperty(VECTOR_BITS_PROPERTY);
        if (forced == null || forced.isBlank()) {
            return FloatVector.SPECIES_PREFERRED;
        }
        int bits;
        try {
            bits = Integer.parseInt(forced.strip());
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("system property " + VECTOR_BITS_PROPERTY
                    + " must be 128, 256 or 512, got '" + forced + "'");
        }
        return VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }
}
