package dev.isthmus.nn;

import java.util.Arrays;
import java.util.Objects;

/**
 * The fixed order in which the slices' parameter gradients are added: a binary tree over the
 * slices, each node the sum of its left half and its right half, halves a power of two wide.
 * For 8 slices that is {@code ((g0 + g1) + (g2 + g3)) + ((g4 + g5) + (g6 + g7))}; for 5,
 * {@code ((g0 + g1) + (g2 + g3)) + g4}.
 *
 * <p>A tree, rather than adding slice after slice, so that the work can be cut between machines
 * without changing a bit: whoever computes a contiguous run of slices adds each of its
 * {@linkplain #blocks subtrees} locally and passes on one partial sum per subtree, and whoever
 * finishes the sum puts those partials where the tree has them ({@link #sum} skips the places a
 * partial already covers). Any cut gives the single machine's floats, and each partial is one
 * parameter-sized array, however many slices it holds.
 */
public final class SliceTree {

    private SliceTree() {}

    /**
     * Adds {@code parts[lo, hi)} in tree order into {@code parts[lo]}, elements {@code [from, to)}.
     * {@code [lo, hi)} is the whole tree ({@code 0} and the slice count) or one of its
     * {@linkplain #blocks blocks}. A null entry is a slice already inside the partial of an
     * earlier entry (a block someone else summed): it is skipped.
     */
    public static void sum(float[][] parts, int lo, int hi, int from, int to) {
        Objects.checkFromToIndex(lo, hi, parts.length);
        for (int width = 1; lo + width < hi; width <<= 1) {
            for (int s = lo; s + width < hi; s += 2 * width) {
                float[] right = parts[s + width];
                if (right == null) {
                    continue;
                }
                float[] left = parts[s];
                for (int k = from; k < to; k++) {
                    left[k] += right[k];
                }
            }
        }
    }

    /**
     * The tree's nodes that together cover slices {@code [lo, hi)} of a tree over
     * {@code slices} slices, largest first from the left: each entry is a node's first slice,
     * and it ends where the next begins ({@code hi} for the last). Their partial sums, placed at
     * their first slice, are what {@link #sum} needs of this run of slices.
     *
     * @throws IllegalArgumentException unless {@code 0 <= lo <= hi <= slices}
     */
    public static int[] blocks(int slices, int lo, int hi) {
        if (lo < 0 || lo > hi || hi > slices) {
            throw new IllegalArgumentException("slices [" + lo + ", " + hi + ") are not within [0, " + slices + ")");
        }
        int[] starts = new int[Math.max(1, 2 * Integer.SIZE)];
        int count = 0;
        int root = Integer.highestOneBit(Math.max(1, slices - 1)) << 1; // the tree's width, a power of two
        for (int a = lo; a < hi; count++) {
            int width = a == 0 ? root : Integer.lowestOneBit(a);
            while (Math.min(a + width, slices) > hi) {
                width >>= 1;
            }
            starts[count] = a;
            a = Math.min(a + width, slices);
        }
        return Arrays.copyOf(starts, count);
    }
}
