package dev.isthmus.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The slice tree's laws: cutting the slices into runs, adding each run's blocks apart and
 * finishing the sum from the partials gives the whole tree's floats, whatever the cut.
 */
class SliceTreeProperties {

    private static final String SEED = "20261122";

    /** A slice count, a cut of it into contiguous runs, the values' length and their seed. */
    record Case(int slices, int[] cuts, int length, long seed) {
        @Override
        public String toString() {
            return slices + " slices cut at " + Arrays.toString(cuts) + ", " + length + " floats, seed " + seed;
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(Arbitraries.integers().between(1, 40), Arbitraries.integers().between(1, 9),
                        Arbitraries.integers().between(1, 33), Arbitraries.longs())
                .flatAs((slices, runs, length, seed) -> Arbitraries.integers().between(0, slices).array(int[].class)
                        .ofSize(runs - 1).map(cuts -> {
                            int[] sorted = cuts.clone();
                            Arrays.sort(sorted);
                            return new Case(slices, sorted, length, seed);
                        }));
    }

    /** Values over many magnitudes, so that any change of order shows in the rounding. */
    private static float[][] slices(Case c) {
        SplittableRandom r = new SplittableRandom(c.seed());
        float[][] g = new float[c.slices()][c.length()];
        for (float[] slice : g) {
            for (int k = 0; k < slice.length; k++) {
                slice[k] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-4, 5)));
            }
        }
        return g;
    }

    private static float[][] copy(float[][] g) {
        float[][] c = new float[g.length][];
        for (int i = 0; i < g.length; i++) {
            c[i] = g[i].clone();
        }
        return c;
    }

    @Property(tries = 400, seed = SEED)
    void anyCutIntoRunsGivesTheWholeTreesFloats(@ForAll("cases") Case c) {
        float[][] g = slices(c);
        float[][] whole = copy(g);
        SliceTree.sum(whole, 0, c.slices(), 0, c.length());

        float[][] parts = new float[c.slices()][];
        int lo = 0;
        for (int r = 0; r <= c.cuts().length; r++) {
            int hi = r < c.cuts().length ? c.cuts()[r] : c.slices();
            int[] starts = SliceTree.blocks(c.slices(), lo, hi);
            for (int b = 0; b < starts.length; b++) { // each worker adds its own blocks
                int end = b + 1 < starts.length ? starts[b + 1] : hi;
                float[][] mine = copy(g);
                SliceTree.sum(mine, starts[b], end, 0, c.length());
                parts[starts[b]] = mine[starts[b]];
            }
            lo = hi;
        }
        SliceTree.sum(parts, 0, c.slices(), 0, c.length());
        assertArrayEquals(whole[0], parts[0], c.toString());
    }

    @Property(tries = 300, seed = SEED)
    void blocksAreTreeNodesThatTileTheRun(@ForAll("cases") Case c) {
        int lo = c.cuts().length > 0 ? c.cuts()[0] : 0, hi = c.slices();
        int[] starts = SliceTree.blocks(c.slices(), lo, hi);
        int expected = lo;
        for (int b = 0; b < starts.length; b++) {
            int end = b + 1 < starts.length ? starts[b + 1] : hi;
            assertEquals(expected, starts[b], "blocks are contiguous");
            assertTrue(end > starts[b], "blocks are not empty");
            int width = Integer.highestOneBit(end - starts[b] - 1) << 1; // the least power of two >= the length
            width = Math.max(width, 1);
            assertTrue(starts[b] % width == 0 && (end - starts[b] == width || end == c.slices()),
                    "block [" + starts[b] + ", " + end + ") is a node of the tree over " + c.slices());
            expected = end;
        }
        assertEquals(hi, expected, "blocks cover the run");
    }

    @Test
    void theOrderIsPairsOfPairs() {
        // The ulp of 1e8 is 8, so each 1 added to +-1e8 alone is rounded away: pairs give 0, a left fold 1.
        float[][] g = {{1e8f}, {1f}, {-1e8f}, {1f}};
        SliceTree.sum(g, 0, 4, 0, 1);
        assertEquals(0f, g[0][0], "(1e8 + 1) + (-1e8 + 1)");
        assertEquals(1f, ((1e8f + 1f) + -1e8f) + 1f, "what a left fold gives");
        float[][] five = {{1e8f}, {1f}, {-1e8f}, {1f}, {3f}};
        SliceTree.sum(five, 0, 5, 0, 1);
        assertEquals(3f, five[0][0], "((g0 + g1) + (g2 + g3)) + g4");
        assertArrayEquals(new int[] {0, 8, 12}, SliceTree.blocks(16, 0, 14));
        assertArrayEquals(new int[] {5, 6, 8, 10}, SliceTree.blocks(16, 5, 11));
        assertArrayEquals(new int[] {0}, SliceTree.blocks(5, 0, 5));
        assertArrayEquals(new int[] {4}, SliceTree.blocks(5, 4, 5));
        assertArrayEquals(new int[] {}, SliceTree.blocks(5, 3, 3));
    }

    @Test
    void aRunOutsideTheTreeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SliceTree.blocks(4, 2, 5));
        assertEquals("slices [2, 5) are not within [0, 4)", e.getMessage());
    }
}
