package dev.isthmus.kernels;

import static dev.isthmus.kernels.GradientCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * Grouped and depthwise convolution against the grouped double reference: forward, both
 * gradients by finite differences, a group equal to an ungrouped convolution on its channels, and
 * thread-count independence. Runs on the selected kernels; the build runs it scalar too.
 */
@Tag("kernel-ops")
class GroupedConvolutionProperties {

    @AfterProperty
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** A window case, with its channels split into 1 to 3 groups of 1 to 3 input and output channels. */
    record GroupedCase(WindowCase c, int groups, int inPerGroup, int outPerGroup) {
        int inChannels() {
            return groups * inPerGroup;
        }

        int outChannels() {
            return groups * outPerGroup;
        }

        Convolution conv() {
            return new Convolution(inChannels(), outChannels(), c.window(), groups);
        }

        float[] input() {
            return c.random(c.batch() * inChannels() * c.window().inSize(), 1);
        }

        float[] weights() {
            return c.random(outChannels() * inPerGroup * c.window().kernelSize(), 2);
        }

        float[] bias() {
            return c.random(outChannels(), 3);
        }

        float[] outputWeights() {
            return c.random(c.batch() * outChannels() * c.window().outSize(), 4);
        }

        double[] reference(double[] x, double[] w, double[] b) {
            return ReferenceWindows.conv(c.window(), c.batch(), inChannels(), outChannels(), groups, x, w, b);
        }

        @Override
        public String toString() {
            return conv() + ", batch " + c.batch();
        }
    }

    private static Arbitrary<GroupedCase> grouped(int maxSpatial, int maxKernel) {
        Arbitrary<Integer> small = Arbitraries.integers().between(1, 3);
        return Combinators.combine(WindowCase.arbitrary(maxSpatial, maxKernel), Arbitraries.integers().between(2, 3),
                small, small).as(GroupedCase::new);
    }

    @Provide
    Arbitrary<GroupedCase> cases() {
        return grouped(11, 4);
    }

    @Provide
    Arbitrary<GroupedCase> smallCases() {
        return grouped(6, 3).filter(g -> g.c().batch() * g.inChannels() * g.c().window().inSize() <= 150);
    }

    @Property(tries = 100, seed = Seeds.FIXED)
    void forwardEqualsReference(@ForAll("cases") GroupedCase g) {
        Convolution conv = g.conv();
        float[] x = g.input(), w = g.weights(), b = g.bias();
        float[] y = new float[g.c().batch() * conv.outputSize() + 2];
        conv.forward(g.c().batch(), x, 0, w, 0, b, 0, y, 2);
        double[] want = g.reference(toDouble(x), toDouble(w), toDouble(b));
        double tolerance = 1e-6 * (g.inPerGroup() * g.c().window().kernelSize() + 1);
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(y[2 + i] - want[i]) <= tolerance)) {
                throw new AssertionError(g + ": y[" + i + "] = " + y[2 + i] + ", reference " + want[i]);
            }
        }
    }

    @Property(tries = 50, seed = Seeds.FIXED)
    void gradientsAreTheGradients(@ForAll("smallCases") GroupedCase g) {
        Convolution conv = g.conv();
        int batch = g.c().batch();
        float[] x = g.input(), w = g.weights(), b = g.bias(), dy = g.outputWeights();
        float[] dx = g.c().random(x.length, 9), dw = g.c().random(w.length, 10), db = g.c().random(b.length, 11);
        conv.backwardData(batch, dy, 0, w, 0, dx, 0);
        conv.backwardWeights(batch, x, 0, dy, 0, dw, 0, db, 0);
        GradientCheck.assertMatches(g + " dx", dx, 0, GradientCheck.numeric(
                xs -> g.reference(xs, toDouble(w), null), toDouble(x), toDouble(dy), 1e-3), 1e-4);
        GradientCheck.assertMatches(g + " dw", dw, 0, GradientCheck.numeric(
                ws -> g.reference(toDouble(x), ws, toDouble(b)), toDouble(w), toDouble(dy), 1e-3), 1e-4);
        GradientCheck.assertMatches(g + " dbias", db, 0, GradientCheck.numeric(
                bs -> g.reference(toDouble(x), toDouble(w), bs), toDouble(b), toDouble(dy), 1e-3), 1e-4);
    }

    @Property(tries = 30, seed = Seeds.FIXED)
    void sameBitsForOneAndManyThreads(@ForAll("cases") GroupedCase g) {
        float[][] one = runAll(g, 1), three = runAll(g, 3);
        for (int r = 0; r < one.length; r++) {
            assertArrayEquals(one[r], three[r], "result " + r + " with 3 threads");
        }
    }

    private static float[][] runAll(GroupedCase g, int threads) {
        Parallel.setThreads(threads);
        Convolution conv = g.conv();
        int batch = g.c().batch();
        float[] x = g.input(), w = g.weights(), b = g.bias(), dy = g.outputWeights();
        float[] y = new float[batch * conv.outputSize()], dx = new float[x.length];
        float[] dw = new float[w.length], db = new float[b.length];
        conv.forward(batch, x, 0, w, 0, b, 0, y, 0);
        conv.backwardData(batch, dy, 0, w, 0, dx, 0);
        conv.backwardWeights(batch, x, 0, dy, 0, dw, 0, db, 0);
        return new float[][] {y, dx, dw, db};
    }

    @Example
    void depthwiseIsNamedAndGroupsMustDivideTheChannels() {
        Window2d w = Window2d.of(8, 8, 3, 1, Padding.SAME);
        assertEquals("depthwise (im2col)", new Convolution(4, 8, w, 4).algorithm());
        assertEquals("grouped (pointwise)", new Convolution(4, 6, Window2d.of(8, 8, 1, 1, Padding.VALID), 2).algorithm());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Convolution(4, 6, w, 4));
        assertEquals("groups must be >= 1 and divide both channel counts, got groups=4, inChannels=4, outChannels=6",
                e.getMessage());
    }
}
