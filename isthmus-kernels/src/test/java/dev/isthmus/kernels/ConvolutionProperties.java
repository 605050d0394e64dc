package dev.isthmus.kernels;

import static dev.isthmus.kernels.GradientCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.Tag;

/**
 * Convolution against the plain double reference: forward, both backward passes by finite
 * differences, linearity, and thread-count independence. Runs on whichever kernels this JVM
 * selected; the build runs it with Panama and with {@code -Disthmus.simd=false}.
 */
@Tag("kernel-ops")
class ConvolutionProperties {

    @AfterProperty
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Provide
    Arbitrary<WindowCase> cases() {
        return WindowCase.arbitrary(13, 5);
    }

    /** Small enough to difference every input and weight. */
    @Provide
    Arbitrary<WindowCase> smallCases() {
        return WindowCase.arbitrary(7, 3).filter(c -> c.batch() * c.inChannels() * c.window().inSize() <= 200);
    }

    /** Strided windows on images wide enough for the direct kernels on the image's phases. */
    @Provide
    Arbitrary<WindowCase> stridedDirectCases() {
        return WindowCase.arbitrary(48, 5).filter(c -> c.window().strideX() > 1
                && c.conv().algorithm().startsWith("direct (strided"));
    }

    /**
     * 1x1 windows at stride 2 without padding on maps up to 48 wide: whole register tiles and
     * their tails (the gradients in the tiles where the output has 64 to 256 positions).
     */
    @Provide
    Arbitrary<WindowCase> stridedPointwiseCases() {
        return WindowCase.arbitrary(48, 1).filter(c -> c.conv().algorithm().startsWith("pointwise (strided)"));
    }

    @Property(tries = 150, seed = Seeds.FIXED)
    void forwardEqualsReference(@ForAll("cases") WindowCase c) {
        assertForwardIsTheReference(c);
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void stridedDirectForwardEqualsReference(@ForAll("stridedDirectCases") WindowCase c) {
        assertForwardIsTheReference(c);
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void stridedPointwiseForwardEqualsReference(@ForAll("stridedPointwiseCases") WindowCase c) {
        assertForwardIsTheReference(c);
    }

    /**
     * Both gradients against their definitions (too many inputs to difference): {@code dx} the
     * transposed convolution of {@code dy}, zeros where no output samples; {@code dW} and the
     * bias's the sums of {@code dy} times the sampled inputs.
     */
    @Property(tries = 60, seed = Seeds.FIXED)
    void stridedPointwiseGradientsAreTheirDefinitions(@ForAll("stridedPointwiseCases") WindowCase c) {
        Convolution conv = c.conv();
        Window2d g = c.window();
        int batch = c.batch(), cin = c.inChannels(), cout = c.outChannels();
        float[] x = c.input(), w = c.weights(), b = c.bias(), dy = c.outputWeights();
        float[] dx = c.random(x.length, 9), dw = c.random(w.length, 10), db = c.random(b.length, 11);
        conv.backwardData(batch, dy, 0, w, 0, dx, 0);
        conv.backwardWeights(batch, x, 0, dy, 0, dw, 0, db, 0);
        double[] wantDx = ReferenceWindows.convTranspose(g, batch, cout, cin, toDouble(dy), toDouble(w), null);
        double[] wantDw = new double[w.length], wantDb = new double[b.length];
        int p = g.outSize();
        for (int n = 0; n < batch; n++) {
            for (int oc = 0; oc < cout; oc++) {
                for (int oy = 0; oy < g.outHeight(); oy++) {
                    for (int ox = 0; ox < g.outWidth(); ox++) {
                        double d = dy[(n * cout + oc) * p + oy * g.outWidth() + ox];
                        wantDb[oc] += d;
                        for (int ic = 0; ic < cin; ic++) {
                            wantDw[oc * cin + ic] += d * x[(n * cin + ic) * g.inSize()
                                    + oy * g.strideY() * g.inWidth() + ox * g.strideX()];
                        }
                    }
                }
            }
        }
        assertClose(conv + " dx", dx, wantDx, 1e-6 * (cout + 1));
        assertClose(conv + " dw", dw, wantDw, 1e-6 * (batch * p + 1));
        assertClose(conv + " dbias", db, wantDb, 1e-6 * (batch * p + 1));
    }

    private static void assertClose(String what, float[] got, double[] want, double tolerance) {
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(got[i] - want[i]) <= tolerance)) {
                throw new AssertionError(what + "[" + i + "] = " + got[i] + ", reference " + want[i]);
            }
        }
    }

    private static void assertForwardIsTheReference(WindowCase c) {
        Convolution conv = c.conv();
        float[] x = c.input(), w = c.weights(), b = c.bias();
        float[] y = new float[c.batch() * conv.outputSize() + 3];
        conv.forward(c.batch(), x, 0, w, 0, b, 0, y, 3);
        double[] want = ReferenceWindows.conv(c.window(), c.batch(), c.inChannels(), c.outChannels(),
                toDouble(x), toDouble(w), toDouble(b));
        // Each output sums at most K + 1 terms of magnitude <= 1.
        double tolerance = 1e-6 * (c.inChannels() * c.window().kernelSize() + 1);
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(y[3 + i] - want[i]) <= tolerance)) {
                throw new AssertionError(conv + " batch " + c.batch() + ": y[" + i + "] = " + y[3 + i]
                        + ", reference " + want[i]);
            }
        }
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void backwardDataIsTheGradient(@ForAll("smallCases") WindowCase c) {
        Convolution conv = c.conv();
        float[] x = c.input(), w = c.weights(), dy = c.outputWeights();
        float[] dx = c.random(x.length, 9); // stale contents must be overwritten
        conv.backwardData(c.batch(), dy, 0, w, 0, dx, 0);
        double[] numeric = GradientCheck.numeric(
                xs -> ReferenceWindows.conv(c.window(), c.batch(), c.inChannels(), c.outChannels(), xs, toDouble(w), null),
                toDouble(x), toDouble(dy), 1e-3);
        GradientCheck.assertMatches(conv + " dx", dx, 0, numeric, 1e-4);
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void backwardWeightsIsTheGradient(@ForAll("smallCases") WindowCase c) {
        Convolution conv = c.conv();
        float[] x = c.input(), w = c.weights(), b = c.bias(), dy = c.outputWeights();
        float[] dw = c.random(w.length, 9), db = c.random(b.length, 10);
        conv.backwardWeights(c.batch(), x, 0, dy, 0, dw, 0, db, 0);
        double[] numericW = GradientCheck.numeric(
                ws -> ReferenceWindows.conv(c.window(), c.batch(), c.inChannels(), c.outChannels(), toDouble(x), ws, toDouble(b)),
                toDouble(w), toDouble(dy), 1e-3);
        GradientCheck.assertMatches(conv + " dw", dw, 0, numericW, 1e-4);
        double[] numericB = GradientCheck.numeric(
                bs -> ReferenceWindows.conv(c.window(), c.batch(), c.inChannels(), c.outChannels(), toDouble(x), toDouble(w), bs),
                toDouble(b), toDouble(dy), 1e-3);
        GradientCheck.assertMatches(conv + " dbias", db, 0, numericB, 1e-4);
    }

    /** conv(2 x1 + x2) = 2 conv(x1) + conv(x2), and the same in the weights (no bias). */
    @Property(tries = 40, seed = Seeds.FIXED)
    void linearInInputAndWeights(@ForAll("cases") WindowCase c) {
        Convolution conv = c.conv();
        float[] x1 = c.input(), x2 = c.random(x1.length, 11), w1 = c.weights(), w2 = c.random(w1.length, 12);
        float[] xSum = new float[x1.length], wSum = new float[w1.length];
        for (int i = 0; i < x1.length; i++) {
            xSum[i] = 2 * x1[i] + x2[i];
        }
        for (int i = 0; i < w1.length; i++) {
            wSum[i] = 2 * w1[i] + w2[i];
        }
        int out = c.batch() * conv.outputSize();
        float[] a = new float[out], b = new float[out], s = new float[out];
        double tolerance = 1e-5 * (c.inChannels() * c.window().kernelSize() + 1);
        conv.forward(c.batch(), x1, 0, w1, 0, null, 0, a, 0);
        conv.forward(c.batch(), x2, 0, w1, 0, null, 0, b, 0);
        conv.forward(c.batch(), xSum, 0, w1, 0, null, 0, s, 0);
        assertLinear("input", a, b, s, tolerance);
        conv.forward(c.batch(), x1, 0, w2, 0, null, 0, b, 0);
        conv.forward(c.batch(), x1, 0, wSum, 0, null, 0, s, 0);
        assertLinear("weights", a, b, s, tolerance);
    }

    private static void assertLinear(String in, float[] a, float[] b, float[] sum, double tolerance) {
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(2.0 * a[i] + b[i] - sum[i]) <= tolerance)) {
                throw new AssertionError("not linear in the " + in + " at " + i + ": 2*" + a[i] + " + " + b[i] + " vs " + sum[i]);
            }
        }
    }

    @Property(tries = 30, seed = Seeds.FIXED)
    void sameBitsForOneAndManyThreads(@ForAll("cases") WindowCase c) {
        float[][] one = runAll(c, 1), three = runAll(c, 3), two = runAll(c, 2);
        for (int r = 0; r < one.length; r++) {
            assertArrayEquals(one[r], three[r], "result " + r + " with 3 threads");
            assertArrayEquals(one[r], two[r], "result " + r + " with 2 threads");
        }
    }

    private static float[][] runAll(WindowCase c, int threads) {
        Parallel.setThreads(threads);
        Convolution conv = c.conv();
        float[] x = c.input(), w = c.weights(), b = c.bias(), dy = c.outputWeights();
        float[] y = new float[c.batch() * conv.outputSize()], dx = new float[x.length];
        float[] dw = new float[w.length], db = new float[b.length];
        conv.forward(c.batch(), x, 0, w, 0, b, 0, y, 0);
        conv.backwardData(c.batch(), dy, 0, w, 0, dx, 0);
        conv.backwardWeights(c.batch(), x, 0, dy, 0, dw, 0, db, 0);
        return new float[][] {y, dx, dw, db};
    }
}
