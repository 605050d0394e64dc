package dev.isthmus.kernels;

import static dev.isthmus.kernels.GradientCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.Tag;

/** Max, average and global average pooling against the plain double reference. */
@Tag("kernel-ops")
class PoolingProperties {

    @AfterProperty
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Provide
    Arbitrary<WindowCase> cases() {
        return WindowCase.arbitrary(13, 4).filter(PoolingProperties::poolable);
    }

    @Provide
    Arbitrary<WindowCase> smallCases() {
        return WindowCase.arbitrary(7, 3).filter(PoolingProperties::poolable)
                .filter(c -> c.batch() * c.inChannels() * c.window().inSize() <= 200);
    }

    private static boolean poolable(WindowCase c) {
        try {
            c.window().requirePoolingPadding("pool");
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static MaxPooling maxPool(WindowCase c) {
        return new MaxPooling(c.inChannels(), c.window());
    }

    /** Distinct values (a random permutation of a grid), so finite differences see no ties. */
    private static float[] distinct(WindowCase c, int length) {
        SplittableRandom r = new SplittableRandom(c.seed());
        float[] a = new float[length];
        for (int i = 0; i < length; i++) {
            a[i] = (i - length / 2) * 0.01f;
        }
        for (int i = length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    @Property(tries = 150, seed = Seeds.FIXED)
    void maxPoolEqualsReferenceAndPointsAtTheWinner(@ForAll("cases") WindowCase c) {
        MaxPooling pool = maxPool(c);
        // Values from a small set, so windows hold ties.
        float[] x = c.random(c.batch() * pool.inputSize(), 1);
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.round(x[i] * 2) / 2f;
        }
        int out = c.batch() * pool.outputSize();
        float[] y = new float[out];
        int[] arg = new int[out];
        pool.forward(c.batch(), x, 0, y, 0, arg, 0);
        double[] want = ReferenceWindows.maxPool(c.window(), c.batch() * c.inChannels(), toDouble(x));
        Window2d w = c.window();
        for (int o = 0; o < out; o++) {
            assertEquals(want[o], y[o], 0.0, "y[" + o + "]");
            int plane = o / w.outSize(), at = arg[o];
            if (at < 0) { // a dilated window with no cell on the input: -inf, no winner
                assertEquals(Float.NEGATIVE_INFINITY, y[o]);
                continue;
            }
            assertEquals(y[o], x[plane * w.inSize() + at], 0.0, "argmax of output " + o + " holds the max");
            int oy = (o % w.outSize()) / w.outWidth(), ox = o % w.outWidth();
            assertEquals(firstWinner(w, x, plane, oy, ox), at, "ties go to the first cell, output " + o);
        }
    }

    /** The first cell in row-major window order that holds the window's maximum. */
    private static int firstWinner(Window2d w, float[] x, int plane, int oy, int ox) {
        int best = -1;
        for (int ky = 0; ky < w.kernelHeight(); ky++) {
            for (int kx = 0; kx < w.kernelWidth(); kx++) {
                int iy = oy * w.strideY() - w.padTop() + ky * w.dilationY();
                int ix = ox * w.strideX() - w.padLeft() + kx * w.dilationX();
                if (iy >= 0 && iy < w.inHeight() && ix >= 0 && ix < w.inWidth()) {
                    int at = iy * w.inWidth() + ix;
                    if (best < 0 || x[plane * w.inSize() + at] > x[plane * w.inSize() + best]) {
                        best = at;
                    }
                }
            }
        }
        return best;
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void maxPoolBackwardIsTheGradient(@ForAll("smallCases") WindowCase c) {
        MaxPooling pool = maxPool(c);
        float[] x = distinct(c, c.batch() * pool.inputSize());
        int out = c.batch() * pool.outputSize();
        float[] y = new float[out], dy = c.random(out, 4), dx = c.random(x.length, 9);
        int[] arg = new int[out];
        pool.forward(c.batch(), x, 0, y, 0, arg, 0);
        pool.backward(c.batch(), dy, 0, arg, 0, dx, 0);
        double[] numeric = GradientCheck.numeric(
                xs -> emptyWindowsToZero(ReferenceWindows.maxPool(c.window(), c.batch() * c.inChannels(), xs)),
                toDouble(x), toDouble(dy), 1e-3);
        GradientCheck.assertMatches(pool + " dx", dx, 0, numeric, 1e-4);
    }

    /** A window with no input cell is -inf whatever x is: a constant, so 0 for differencing. */
    private static double[] emptyWindowsToZero(double[] y) {
        for (int i = 0; i < y.length; i++) {
            if (y[i] == Double.NEGATIVE_INFINITY) {
                y[i] = 0;
            }
        }
        return y;
    }

    /** Backward conserves the gradient's sum and puts it only where some output's argmax points. */
    @Property(tries = 100, seed = Seeds.FIXED)
    void maxPoolBackwardConservesTheGradient(@ForAll("cases") WindowCase c) {
        MaxPooling pool = maxPool(c);
        float[] x = c.random(c.batch() * pool.inputSize(), 1);
        int out = c.batch() * pool.outputSize();
        float[] y = new float[out], dx = new float[x.length];
        float[] dy = c.random(out, 4);
        for (int i = 0; i < out; i++) {
            dy[i] = Math.abs(dy[i]) + 0.5f; // positive, so nothing cancels
        }
        int[] arg = new int[out];
        pool.forward(c.batch(), x, 0, y, 0, arg, 0);
        pool.backward(c.batch(), dy, 0, arg, 0, dx, 0);
        boolean[] winner = new boolean[x.length];
        Window2d w = c.window();
        double sumDy = 0, sumDx = 0;
        for (int o = 0; o < out; o++) {
            if (arg[o] >= 0) {
                winner[(o / w.outSize()) * w.inSize() + arg[o]] = true;
                sumDy += dy[o];
            }
        }
        for (int i = 0; i < x.length; i++) {
            sumDx += dx[i];
            if (!winner[i]) {
                assertEquals(0f, dx[i], 0f, "gradient at " + i + ", which no output chose");
            }
        }
        assertEquals(sumDy, sumDx, 1e-5 * sumDy);
    }

    @Property(tries = 100, seed = Seeds.FIXED)
    void avgPoolEqualsReference(@ForAll("cases") WindowCase c, @ForAll boolean countPadding) {
        AveragePooling pool = new AveragePooling(c.inChannels(), c.window(), countPadding);
        float[] x = c.random(c.batch() * pool.inputSize(), 1);
        float[] y = new float[c.batch() * pool.outputSize()];
        pool.forward(c.batch(), x, 0, y, 0);
        double[] want = ReferenceWindows.avgPool(c.window(), c.batch() * c.inChannels(), toDouble(x), countPadding);
        for (int o = 0; o < want.length; o++) {
            assertEquals(want[o], y[o], 1e-6 * c.window().kernelSize(), "y[" + o + "]");
        }
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void avgPoolBackwardIsTheGradient(@ForAll("smallCases") WindowCase c, @ForAll boolean countPadding) {
        AveragePooling pool = new AveragePooling(c.inChannels(), c.window(), countPadding);
        float[] x = c.random(c.batch() * pool.inputSize(), 1);
        float[] dy = c.random(c.batch() * pool.outputSize(), 4), dx = c.random(x.length, 9);
        pool.backward(c.batch(), dy, 0, dx, 0);
        double[] numeric = GradientCheck.numeric(
                xs -> ReferenceWindows.avgPool(c.window(), c.batch() * c.inChannels(), xs, countPadding),
                toDouble(x), toDouble(dy), 1e-3);
        GradientCheck.assertMatches("avg pool dx", dx, 0, numeric, 1e-4);
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void globalAvgPoolIsTheMeanAndItsGradient(@ForAll("smallCases") WindowCase c) {
        int planes = c.batch() * c.inChannels(), size = c.window().inSize();
        float[] x = c.random(planes * size, 1), y = new float[planes], dy = c.random(planes, 4);
        float[] dx = c.random(x.length, 9);
        GlobalAveragePooling.forward(planes, size, x, 0, y, 0);
        GlobalAveragePooling.backward(planes, size, dy, 0, dx, 0);
        Window2d whole = Window2d.of(c.window().inHeight(), c.window().inWidth(), c.window().inHeight(),
                c.window().inWidth(), 1, 1, 1, 1, Padding.VALID);
        double[] want = ReferenceWindows.avgPool(whole, planes, toDouble(x), false);
        for (int p = 0; p < planes; p++) {
            assertEquals(want[p], y[p], 1e-6, "mean of plane " + p);
        }
        double[] numeric = GradientCheck.numeric(xs -> ReferenceWindows.avgPool(whole, planes, xs, false),
                toDouble(x), toDouble(dy), 1e-3);
        GradientCheck.assertMatches("global avg pool dx", dx, 0, numeric, 1e-4);
    }

    /** Planes past the float chunk (2,048) that is summed before the sum goes to double. */
    @Property(tries = 20, seed = Seeds.FIXED)
    void globalAvgPoolOfPlanesLongerThanAChunkIsTheMean(@ForAll @IntRange(min = 1, max = 3) int planes,
                                                        @ForAll @IntRange(min = 2040, max = 7000) int size,
                                                        @ForAll long seed) {
        float[] x = WindowCase.uniform(seed, 1, planes * size), y = new float[planes];
        GlobalAveragePooling.forward(planes, size, x, 0, y, 0);
        for (int p = 0; p < planes; p++) {
            double sum = 0;
            for (int i = 0; i < size; i++) {
                sum += x[p * size + i];
            }
            assertEquals(sum / size, y[p], 1e-6, "mean of plane " + p + " of " + size);
        }
    }

    @Property(tries = 30, seed = Seeds.FIXED)
    void sameBitsForOneAndManyThreads(@ForAll("cases") WindowCase c) {
        float[][] one = runAll(c, 1), three = runAll(c, 3);
        for (int r = 0; r < one.length; r++) {
            assertArrayEquals(one[r], three[r], "result " + r);
        }
    }

    private static float[][] runAll(WindowCase c, int threads) {
        Parallel.setThreads(threads);
        MaxPooling max = maxPool(c);
        AveragePooling avg = new AveragePooling(c.inChannels(), c.window(), true);
        float[] x = c.random(c.batch() * max.inputSize(), 1), dy = c.random(c.batch() * max.outputSize(), 4);
        float[] y = new float[dy.length], dx = new float[x.length], ya = new float[dy.length], dxa = new float[x.length];
        int[] arg = new int[dy.length];
        max.forward(c.batch(), x, 0, y, 0, arg, 0);
        max.backward(c.batch(), dy, 0, arg, 0, dx, 0);
        avg.forward(c.batch(), x, 0, ya, 0);
        avg.backward(c.batch(), dy, 0, dxa, 0);
        return new float[][] {y, dx, ya, dxa};
    }

    @Example
    void nanWinsItsWindowAndInfinityPropagates() {
        MaxPooling pool = MaxPooling.of(1, 2, 4, 2, 2, Padding.VALID);
        float[] x = {1, Float.NaN, 5, 6, 3, 2, Float.POSITIVE_INFINITY, 0};
        float[] y = new float[2];
        int[] arg = new int[2];
        pool.forward(1, x, 0, y, 0, arg, 0);
        assertEquals(Float.NaN, y[0]);
        assertEquals(1, arg[0]);
        assertEquals(Float.POSITIVE_INFINITY, y[1]);
        assertEquals(6, arg[1]);
    }
}
