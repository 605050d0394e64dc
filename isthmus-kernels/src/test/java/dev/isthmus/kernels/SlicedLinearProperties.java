package dev.isthmus.kernels;

import static dev.isthmus.kernels.GradientCheck.toDouble;
import static dev.isthmus.kernels.LinearProperties.concat;
import static dev.isthmus.kernels.LinearProperties.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.kernels.gemm.GemmSupport;
import java.util.SplittableRandom;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * SlicedLinear: the gradient, a batch's rows independent of their neighbours, the weight gradient
 * of all slices at once equal to each slice's alone added in the slice tree, and the vector
 * chains equal to the scalar ones bit for bit.
 */
@Tag("kernel-ops")
class SlicedLinearProperties {

    private static final GemmSupport SCALAR = KernelProvider.scalar().gemm();
    private static final GemmSupport PANAMA = KernelProvider.panama().gemm();

    @AfterProperty
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** {@code slices} non-empty slices of {@code batch} samples (slices <= batch), cut at random. */
    private static int[] cut(int batch, int slices, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] starts = new int[slices + 1];
        starts[slices] = batch;
        for (int s = 1; s < slices; s++) { // strictly increasing: each slice keeps at least one sample
            int low = starts[s - 1] + 1, high = batch - (slices - s);
            starts[s] = low + r.nextInt(high - low + 1);
        }
        return starts;
    }

    /** The slice tree's sum of {@code parts[lo, hi)}: the left half a power of two wide, plus the rest. */
    private static float[] treeSum(float[][] parts, int lo, int hi) {
        if (hi - lo == 1) {
            return parts[lo].clone();
        }
        int half = Integer.highestOneBit(hi - lo - 1);
        float[] left = treeSum(parts, lo, lo + half), right = treeSum(parts, lo + half, hi);
        for (int i = 0; i < left.length; i++) {
            left[i] += right[i];
        }
        return left;
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void backwardIsTheGradient(@ForAll @IntRange(min = 1, max = 6) int batch, @ForAll @IntRange(min = 1, max = 9) int in,
                               @ForAll @IntRange(min = 1, max = 7) int out, @ForAll @IntRange(min = 1, max = 6) int slices,
                               @ForAll long seed) {
        int cuts = Math.min(slices, batch);
        float[] x = random(seed, batch * in), w = random(seed + 1, out * in), b = random(seed + 2, out);
        float[] dy = random(seed + 3, batch * out);
        float[] dx = new float[x.length], dw = new float[w.length], db = new float[out];
        SlicedLinear.inputGradient(batch, in, out, dy, 0, w, 0, dx, 0);
        SlicedLinear.parameterGradients(cut(batch, cuts, seed), cuts, in, out, x, 0, dy, 0, dw, 0, db, 0);
        GradientCheck.assertMatches("dense dx", dx, 0, GradientCheck.numeric(
                xs -> ReferenceWindows.dense(batch, in, out, xs, toDouble(w), toDouble(b)), toDouble(x), toDouble(dy), 1e-3), 1e-4);
        GradientCheck.assertMatches("dense dw", dw, 0, GradientCheck.numeric(
                ws -> ReferenceWindows.dense(batch, in, out, toDouble(x), ws, toDouble(b)), toDouble(w), toDouble(dy), 1e-3), 1e-4);
        GradientCheck.assertMatches("dense dbias", db, 0, GradientCheck.numeric(
                bs -> ReferenceWindows.dense(batch, in, out, toDouble(x), toDouble(w), bs), toDouble(b), toDouble(dy), 1e-3), 1e-4);
    }

    @Property(tries = 100, seed = Seeds.FIXED)
    void forwardEqualsReference(@ForAll @IntRange(min = 1, max = 40) int batch, @ForAll @IntRange(min = 1, max = 300) int in,
                                @ForAll @IntRange(min = 1, max = 40) int out, @ForAll long seed) {
        float[] x = random(seed, batch * in), w = random(seed + 1, out * in), b = random(seed + 2, out);
        float[] y = new float[batch * out];
        SlicedLinear.forward(batch, in, out, x, 0, w, 0, b, 0, y, 0);
        double[] want = ReferenceWindows.dense(batch, in, out, toDouble(x), toDouble(w), toDouble(b));
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], y[i], 1e-6 * (in + 1), "y[" + i + "]");
        }
    }

    /** A slice computed alone (at its offset in the batch's arrays) gives its rows of the whole batch's output and input gradient. */
    @Property(tries = 60, seed = Seeds.FIXED)
    void rowsDoNotDependOnTheRowsBesideThem(@ForAll @IntRange(min = 1, max = 40) int batch,
                                            @ForAll @IntRange(min = 1, max = 300) int in,
                                            @ForAll @IntRange(min = 1, max = 70) int out,
                                            @ForAll @IntRange(min = 1, max = 9) int slices, @ForAll long seed) {
        int cuts = Math.min(slices, batch);
        int[] starts = cut(batch, cuts, seed);
        float[] x = random(seed, batch * in), w = random(seed + 1, out * in), b = random(seed + 2, out);
        float[] dy = random(seed + 3, batch * out);
        float[] y = new float[batch * out], dx = new float[batch * in];
        SlicedLinear.forward(batch, in, out, x, 0, w, 0, b, 0, y, 0);
        SlicedLinear.inputGradient(batch, in, out, dy, 0, w, 0, dx, 0);
        float[] ySliced = new float[y.length], dxSliced = new float[dx.length];
        for (int s = 0; s < cuts; s++) {
            int first = starts[s], n = starts[s + 1] - first;
            SlicedLinear.forward(n, in, out, x, first * in, w, 0, b, 0, ySliced, first * out);
            SlicedLinear.inputGradient(n, in, out, dy, first * out, w, 0, dxSliced, first * in);
        }
        assertArrayEquals(y, ySliced);
        assertArrayEquals(dx, dxSliced);
    }

    @Property(tries = 80, seed = Seeds.FIXED)
    void allSlicesAtOnceAreTheSlicesAloneAddedInTheTree(@ForAll @IntRange(min = 1, max = 40) int batch,
                                                        @ForAll @IntRange(min = 1, max = 120) int in,
                                                        @ForAll @IntRange(min = 1, max = 11) int out,
                                                        @ForAll @IntRange(min = 1, max = 17) int slices,
                                                        @ForAll long seed) {
        int cuts = Math.min(slices, batch);
        int[] starts = cut(batch, cuts, seed);
        float[] x = random(seed, batch * in), dy = random(seed + 3, batch * out);
        float[] dw = new float[out * in], db = new float[out];
        SlicedLinear.parameterGradients(starts, cuts, in, out, x, 0, dy, 0, dw, 0, db, 0);
        float[][] dws = new float[cuts][out * in], dbs = new float[cuts][out];
        for (int s = 0; s < cuts; s++) {
            int first = starts[s];
            SlicedLinear.parameterGradients(new int[] {0, starts[s + 1] - first}, 1, in, out, x, first * in, dy, first * out,
                    dws[s], 0, dbs[s], 0);
        }
        assertArrayEquals(treeSum(dws, 0, cuts), dw);
        assertArrayEquals(treeSum(dbs, 0, cuts), db);
    }

    @Property(tries = 80, seed = Seeds.FIXED)
    void vectorChainsHaveTheScalarBits(@ForAll @IntRange(min = 1, max = 13) int m, @ForAll @IntRange(min = 1, max = 100) int n,
                                       @ForAll @IntRange(min = 0, max = 40) int k, @ForAll @IntRange(min = 1, max = 17) int slices,
                                       @ForAll long seed) {
        float[] a = random(seed, m * k + 3), b = random(seed + 1, k * n + 5);
        float[] scalar = random(seed + 2, m * n + 2), panama = scalar.clone();
        SCALAR.sgemmChained(m, n, k, a, 3, k, b, 5, n, scalar, 2, n);
        PANAMA.sgemmChained(m, n, k, a, 3, k, b, 5, n, panama, 2, n);
        assertArrayEquals(scalar, panama, "chained");

        int cuts = Math.max(1, Math.min(slices, k));
        int[] starts = k == 0 ? new int[] {0, 0} : cut(k, cuts, seed);
        float[] at = random(seed + 3, k * m + 1), bt = random(seed + 4, k * n + 1);
        float[] treeScalar = random(seed + 5, m * n), treePanama = treeScalar.clone();
        SCALAR.sgemmSliceTree(starts, cuts, m, n, at, 1, m, bt, 1, n, treeScalar, 0, n);
        PANAMA.sgemmSliceTree(starts, cuts, m, n, at, 1, m, bt, 1, n, treePanama, 0, n);
        assertArrayEquals(treeScalar, treePanama, "slice tree");
    }

    @Property(tries = 15, seed = Seeds.FIXED)
    void sameBitsForOneAndManyThreads(@ForAll @IntRange(min = 8, max = 64) int batch, @ForAll @IntRange(min = 100, max = 700) int in,
                                      @ForAll @IntRange(min = 16, max = 200) int out, @ForAll @IntRange(min = 1, max = 8) int slices,
                                      @ForAll long seed) {
        int[] starts = cut(batch, slices, seed);
        float[] x = random(seed, batch * in), w = random(seed + 1, out * in), b = random(seed + 2, out);
        float[] dy = random(seed + 3, batch * out);
        float[][] results = new float[2][];
        for (int t = 0; t < 2; t++) {
            Parallel.setThreads(t == 0 ? 1 : 3);
            float[] y = new float[batch * out], dx = new float[x.length], dw = new float[w.length], db = new float[out];
            SlicedLinear.forward(batch, in, out, x, 0, w, 0, b, 0, y, 0);
            SlicedLinear.inputGradient(batch, in, out, dy, 0, w, 0, dx, 0);
            SlicedLinear.parameterGradients(starts, slices, in, out, x, 0, dy, 0, dw, 0, db, 0);
            results[t] = concat(y, dx, dw, db);
        }
        assertArrayEquals(results[0], results[1]);
    }

    @Example
    void wrongShapesAreNamed() {
        float[] x = new float[2 * 3], w = new float[4 * 3], y = new float[2 * 4];
        var e = assertThrows(IllegalArgumentException.class,
                () -> SlicedLinear.forward(2, 3, 4, x, 0, w, 0, null, 0, new float[7], 0));
        assertEquals("y is too short: batch * out = 2 * 4 = 8 values at offset 0 need length >= 8, got 7", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SlicedLinear.forward(3, 3, 4, x, 0, w, 0, null, 0, y, 0));
        assertEquals("x is too short: batch * in = 3 * 3 = 9 values at offset 0 need length >= 9, got 6", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SlicedLinear.inputGradient(2, 3, 0, y, 0, w, 0, x, 0));
        assertEquals("out must be > 0, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SlicedLinear.parameterGradients(3, 3, 4, x, 0, y, 0, w, 0, null, 0));
        assertEquals("x is too short: batch * in = 3 * 3 = 9 values at offset 0 need length >= 9, got 6", e.getMessage());
    }

    /** NaN in an input reaches exactly the outputs it feeds, as in any product. */
    @Example
    void nanPropagatesToWhatItFeeds() {
        float[] x = {1f, Float.NaN, 2f, 3f}, w = {1f, 0f, 0f, 1f}, y = new float[4]; // batch 2, in 2, out 2
        SlicedLinear.forward(2, 2, 2, x, 0, w, 0, null, 0, y, 0);
        assertTrue(Float.isNaN(y[0]) && Float.isNaN(y[1]), "sample 0 reads the NaN: " + java.util.Arrays.toString(y));
        assertEquals(2f, y[2]);
        assertEquals(3f, y[3]);
    }

    @Example
    void badSliceStartsAreNamed() {
        float[] x = new float[8], dy = new float[4], dw = new float[8];
        var e = assertThrows(IllegalArgumentException.class,
                () -> SlicedLinear.parameterGradients(new int[] {0, 3, 2}, 2, 2, 2, x, 0, dy, 0, dw, 0, null, 0));
        assertEquals("slice starts must not decrease: sliceStarts[2] = 2 < sliceStarts[1] = 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SlicedLinear.parameterGradients(new int[] {0, 2}, 2, 2, 2, x, 0, dy, 0, dw, 0, null, 0));
        assertEquals("sliceStarts needs slices + 1 = 3 entries, got 2", e.getMessage());
    }
}
