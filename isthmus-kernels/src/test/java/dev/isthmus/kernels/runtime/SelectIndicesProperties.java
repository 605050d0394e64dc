package dev.isthmus.kernels.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;

/**
 * {@link Vectors#selectIndices}: {@code indices.selectFrom(a, b)} on int lanes moves the same
 * floats as the two-vector {@code a.rearrange(shuffle, b)} it stands for, bit for bit (NaNs with
 * payloads and negative zeros included), for any shuffle drawing on both vectors, and against a
 * plain reference written from the shuffle's definition.
 */
@Tag("kernel-ops")
@Tag("vector-width")
class SelectIndicesProperties {

    @Property(tries = 200)
    void selectFromMovesWhatTheTwoVectorShuffleMoves(@ForAll long seed) {
        Checks.selectFromMovesWhatTheTwoVectorShuffleMoves(seed);
    }

    @Property(tries = 20)
    void severalShufflesLieOneAfterAnother(@ForAll long seed) {
        Checks.severalShufflesLieOneAfterAnother(seed);
    }

    @Example
    void aShuffleOfAnotherSpeciesIsRefusedByName() {
        Checks.aShuffleOfAnotherSpeciesIsRefusedByName();
    }

    /**
     * The checks, apart: the build's run without the vector module discovers every test class,
     * and a test class whose own code names vector types fails to load there.
     */
    private static final class Checks {

        private static final int L = Vectors.LANES;

        static void selectFromMovesWhatTheTwoVectorShuffleMoves(long seed) {
            Random random = new Random(seed);
            int[] sources = new int[L]; // lane i takes lane sources[i] of the pair: < L from a, else from b
            for (int i = 0; i < L; i++) {
                sources[i] = random.nextInt(2 * L);
            }
            VectorShuffle<Float> shuffle = VectorShuffle.fromOp(Vectors.FLOATS, i -> sources[i]);
            float[] a = new float[L], b = new float[L];
            for (int i = 0; i < L; i++) {
                a[i] = Float.intBitsToFloat(random.nextInt());
                b[i] = Float.intBitsToFloat(random.nextInt());
            }
            a[0] = -0f;
            float[] expected = new float[L];
            for (int i = 0; i < L; i++) {
                expected[i] = sources[i] < L ? a[sources[i]] : b[sources[i] - L];
            }
            FloatVector va = FloatVector.fromArray(Vectors.FLOATS, a, 0), vb = FloatVector.fromArray(Vectors.FLOATS, b, 0);
            IntVector indices = IntVector.fromArray(Vectors.INTS, Vectors.selectIndices(shuffle), 0);
            float[] selected = indices.selectFrom(va.reinterpretAsInts(), vb.reinterpretAsInts()).reinterpretAsFloats()
                    .toArray();
            float[] rearranged = va.rearrange(shuffle, vb).toArray();
            assertArrayEquals(bits(expected), bits(selected), "selectFrom against the reference");
            assertArrayEquals(bits(expected), bits(rearranged), "rearrange against the reference");
        }

        static void severalShufflesLieOneAfterAnother(long seed) {
            Random random = new Random(seed);
            int first = random.nextInt(2 * L), second = random.nextInt(2 * L);
            VectorShuffle<Float> s1 = VectorShuffle.fromOp(Vectors.FLOATS, i -> (i + first) % (2 * L));
            VectorShuffle<Float> s2 = VectorShuffle.fromOp(Vectors.FLOATS, i -> (i * 3 + second) % (2 * L));
            int[] both = Vectors.selectIndices(s1, s2);
            int[] one = Vectors.selectIndices(s1), two = Vectors.selectIndices(s2);
            for (int i = 0; i < L; i++) {
                assertArrayEquals(new int[] {one[i], two[i]}, new int[] {both[i], both[L + i]});
                assertArrayEquals(new int[] {(i + first) % (2 * L), (i * 3 + second) % (2 * L)}, new int[] {one[i], two[i]});
            }
        }

        static void aShuffleOfAnotherSpeciesIsRefusedByName() {
            VectorSpecies<Float> other = Vectors.FLOATS == FloatVector.SPECIES_128 ? FloatVector.SPECIES_256
                    : FloatVector.SPECIES_128;
            VectorShuffle<Float> shuffle = VectorShuffle.iota(other, 0, 1, true);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Vectors.selectIndices(shuffle));
            assertTrue(e.getMessage().contains(other.toString()) && e.getMessage().contains(Vectors.FLOATS.toString()),
                    e.getMessage());
        }

        private static int[] bits(float[] floats) {
            int[] bits = new int[floats.length];
            for (int i = 0; i < floats.length; i++) {
                bits[i] = Float.floatToRawIntBits(floats[i]);
            }
            return bits;
        }
    }
}
