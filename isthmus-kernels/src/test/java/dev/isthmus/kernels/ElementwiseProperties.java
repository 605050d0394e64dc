package dev.isthmus.kernels;

import static dev.isthmus.kernels.GradientCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/** Activations, softmax and dropout against the double reference, finite differences and their laws. */
@Tag("kernel-ops")
class ElementwiseProperties {

    static final float ALPHA = 0.01f;

    @Provide
    Arbitrary<Integer> sizes() {
        return Arbitraries.of(1, 2, 3, 5, 7, 8, 9, 13, 16, 17, 31, 33, 64, 100);
    }

    @Provide
    Arbitrary<Float> scales() {
        return Arbitraries.of(1f, 5f, 100f);
    }

    /** Uniform in [-scale, scale], each at least {@code gap} away from 0. */
    static float[] values(long seed, int n, float scale, float gap) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            float v = (float) r.nextDouble(gap, scale);
            a[i] = r.nextBoolean() ? v : -v;
        }
        return a;
    }

    static void assertClose(String what, double[] want, float[] got, double rel, double abs) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], abs + rel * Math.abs(want[i]), what + "[" + i + "]");
        }
    }

    interface Forward {
        void apply(float[] x, int xOffset, float[] y, int yOffset, int n);
    }

    interface Backward {
        void apply(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n);
    }

    /** Forward at an offset equals the reference, in place gives the same bits, backward matches differences. */
    private static void check(String what, Forward forward, Backward backward, Function<double[], double[]> reference,
                              float[] x, long seed, double rel, double abs) {
        int n = x.length;
        float[] padded = new float[n + 3];
        System.arraycopy(x, 0, padded, 3, n);
        float[] y = new float[n + 2];
        forward.apply(padded, 3, y, 2, n);
        float[] yAt0 = java.util.Arrays.copyOfRange(y, 2, n + 2);
        assertClose(what, reference.apply(toDouble(x)), yAt0, rel, abs);
        float[] inPlace = x.clone();
        forward.apply(inPlace, 0, inPlace, 0, n);
        assertArrayEquals(yAt0, inPlace, what + " in place");

        float[] dy = values(seed ^ 1, n, 1, 0.1f);
        float[] dx = new float[n];
        backward.apply(yAt0, 0, dy, 0, dx, 0, n);
        double[] numeric = GradientCheck.numeric(reference, toDouble(x), toDouble(dy), 1e-4);
        // From float y, y (1 - y) and 1 - y^2 carry an absolute error of a few float epsilons (times |dy| <= 1).
        GradientCheck.assertMatches(what, dx, 0, numeric, 1e-4, 1e-6);
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void reluEqualsReference(@ForAll("sizes") int n, @ForAll("scales") float scale, @ForAll long seed) {
        check("relu", Activations::relu, Activations::reluBackward, ReferenceElementwise::relu,
                values(seed, n, scale, 0.01f), seed, 0, 0);
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void leakyReluEqualsReference(@ForAll("sizes") int n, @ForAll("scales") float scale, @ForAll long seed) {
        check("leakyRelu", (x, xo, y, yo, m) -> Activations.leakyRelu(x, xo, y, yo, m, ALPHA),
                (y, yo, dy, dyo, dx, dxo, m) -> Activations.leakyReluBackward(y, yo, dy, dyo, dx, dxo, m, ALPHA),
                x -> ReferenceElementwise.leakyRelu(x, ALPHA), values(seed, n, scale, 0.01f), seed, 1e-6, 0);
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void sigmoidEqualsReference(@ForAll("sizes") int n, @ForAll("scales") float scale, @ForAll long seed) {
        check("sigmoid", Activations::sigmoid, Activations::sigmoidBackward, ReferenceElementwise::sigmoid,
                values(seed, n, scale, 0), seed, 1e-6, 1e-30);
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void tanhEqualsReference(@ForAll("sizes") int n, @ForAll("scales") float scale, @ForAll long seed) {
        check("tanh", Activations::tanh, Activations::tanhBackward, ReferenceElementwise::tanh,
                values(seed, n, scale, 0), seed, 1e-6, 1e-30);
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void softmaxEqualsReferenceAndRowsSumToOne(@ForAll("sizes") int rows, @ForAll("sizes") int cols,
                                               @ForAll("scales") float scale, @ForAll long seed) {
        int r = Math.min(rows, 5);
        Function<double[], double[]> reference = x -> ReferenceElementwise.softmax(x, r, cols);
        float[] x = values(seed, r * cols, scale, 0);
        check("softmax", (a, ao, b, bo, n) -> Activations.softmax(a, ao, b, bo, r, cols),
                (y, yo, dy, dyo, dx, dxo, n) -> Activations.softmaxBackward(y, yo, dy, dyo, dx, dxo, r, cols),
                reference, x, seed, 1e-5, 1e-7);
        float[] y = new float[x.length];
        Activations.softmax(x, 0, y, 0, r, cols);
        for (int i = 0; i < r; i++) {
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += y[i * cols + j];
            }
            assertEquals(1, sum, 1e-5, "row " + i + " sum");
        }
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void softmaxIgnoresARowConstant(@ForAll("sizes") int cols, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = values(seed, 3 * cols, 5, 0);
        float[] shifted = x.clone();
        for (int r = 0; r < 3; r++) {
            float c = (float) random.nextDouble(-50, 50);
            for (int j = 0; j < cols; j++) {
                shifted[r * cols + j] += c;
            }
        }
        float[] y = new float[x.length], ys = new float[x.length];
        Activations.softmax(x, 0, y, 0, 3, cols);
        Activations.softmax(shifted, 0, ys, 0, 3, cols);
        for (int i = 0; i < y.length; i++) {
            // The shift rounds each input by up to half an ulp of 50: a relative change of ~4e-6 in the output.
            assertEquals(y[i], ys[i], 1e-7 + 2e-5 * y[i], "y[" + i + "]");
        }
    }

    @Property(tries = 40, seed = Seeds.FIXED)
    void dropoutKeepsScalesAndReplaysItsMask(@ForAll("sizes") int n, @ForAll long seed,
                                             @ForAll("rates") float rate) {
        float[] x = values(seed, n, 5, 0);
        float[] y = new float[n], mask = new float[n], y2 = new float[n], mask2 = new float[n];
        InvertedDropout.forward(x, 0, y, 0, mask, 0, n, rate, new SplittableRandom(seed), true);
        InvertedDropout.forward(x, 0, y2, 0, mask2, 0, n, rate, new SplittableRandom(seed), true);
        assertArrayEquals(mask, mask2, "same seed, same mask");
        assertArrayEquals(y, y2);
        float scale = 1f / (1f - rate);
        for (int i = 0; i < n; i++) {
            assertTrue(mask[i] == 0f || mask[i] == scale, "mask[" + i + "] = " + mask[i]);
            assertEquals(x[i] * mask[i], y[i], 0f, "y[" + i + "]");
            if (mask[i] != 0f) {
                assertEquals(x[i] / (1 - rate), y[i], 1e-6 * Math.abs(y[i]), "kept y[" + i + "]");
            }
        }
        float[] dy = values(seed ^ 2, n, 1, 0), dx = new float[n];
        InvertedDropout.backward(dy, 0, mask, 0, dx, 0, n);
        for (int i = 0; i < n; i++) {
            assertEquals(dy[i] * mask[i], dx[i], 0f, "dx[" + i + "]");
        }
        float[] eval = new float[n];
        InvertedDropout.forward(x, 0, eval, 0, null, 0, n, rate, new SplittableRandom(seed), false);
        assertArrayEquals(x, eval, "evaluation is the identity");
    }

    @Provide
    Arbitrary<Float> rates() {
        return Arbitraries.of(0f, 0.1f, 0.5f, 0.9f);
    }

    @Property(tries = 1, seed = Seeds.FIXED)
    void dropoutKeepsAboutOneMinusRate() {
        int n = 20_000;
        float[] x = new float[n], y = new float[n], mask = new float[n];
        java.util.Arrays.fill(x, 1f);
        InvertedDropout.forward(x, 0, y, 0, mask, 0, n, 0.3f, new SplittableRandom(7), true);
        int kept = 0;
        for (float m : mask) {
            kept += m != 0f ? 1 : 0;
        }
        assertEquals(0.7, kept / (double) n, 0.02);
    }

    /** The counter-based masks: a value's mask depends on the seed and its index alone, however the range is split. */
    @Property(tries = 40, seed = Seeds.FIXED)
    void indexedDropoutMasksDoNotDependOnTheSplit(@ForAll("sizes") int n, @ForAll long seed, @ForAll("rates") float rate,
                                                  @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 200) int cut) {
        float[] x = values(seed, n, 5, 0);
        float[] y = new float[n], mask = new float[n], y2 = new float[n], mask2 = new float[n];
        InvertedDropout.forward(x, 0, y, 0, mask, 0, n, rate, seed, 1000, true);
        int k = Math.min(cut, n);
        InvertedDropout.forward(x, 0, y2, 0, mask2, 0, k, rate, seed, 1000, true);
        InvertedDropout.forward(x, k, y2, k, mask2, k, n - k, rate, seed, 1000 + k, true);
        assertArrayEquals(mask, mask2, "one call or two, the same mask");
        assertArrayEquals(y, y2);
        float scale = 1f / (1f - rate);
        for (int i = 0; i < n; i++) {
            assertTrue(mask[i] == 0f || mask[i] == scale, "mask[" + i + "] = " + mask[i]);
            assertEquals(x[i] * mask[i], y[i], 0f, "y[" + i + "]");
        }
    }

    @Property(tries = 1, seed = Seeds.FIXED)
    void indexedDropoutKeepsAboutOneMinusRateAndSeedsDiffer() {
        int n = 20_000;
        float[] x = new float[n], y = new float[n], mask = new float[n], other = new float[n];
        java.util.Arrays.fill(x, 1f);
        InvertedDropout.forward(x, 0, y, 0, mask, 0, n, 0.3f, 7L, 0L, true);
        InvertedDropout.forward(x, 0, y, 0, other, 0, n, 0.3f, 8L, 0L, true);
        int kept = 0, same = 0;
        for (int i = 0; i < n; i++) {
            kept += mask[i] != 0f ? 1 : 0;
            same += (mask[i] != 0f) == (other[i] != 0f) ? 1 : 0;
        }
        assertEquals(0.7, kept / (double) n, 0.02);
        assertEquals(0.58, same / (double) n, 0.02, "another seed, an independent mask (0.7^2 + 0.3^2 agree)");
    }
}
