package dev.isthmus.kernels;

import static dev.isthmus.kernels.GradientCheck.toDouble;
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

/**
 * Transposed convolution against its definition (each input value scatters the kernel) and its
 * gradients by finite differences, for PyTorch's padding and output padding and Keras's "same"
 * and "valid". Runs on the selected kernels; the build runs it scalar too.
 */
@Tag("kernel-ops")
class TransposedConvolutionProperties {

    record Case(int batch, int inC, int outC, int side, int kernel, int stride, int padding, int outputPadding,
                int kerasPadding, long seed) {

        /** PyTorch's arguments, or (kerasPadding 1 or 2) Keras's "valid" or "same". */
        TransposedConvolution conv() {
            return switch (kerasPadding) {
                case 1 -> TransposedConvolution.of(inC, side, side + 1, outC, kernel, stride, Padding.VALID);
                case 2 -> TransposedConvolution.of(inC, side, side + 1, outC, kernel, stride, Padding.SAME);
                default -> TransposedConvolution.of(inC, side, side + 1, outC, kernel, stride, padding, outputPadding);
            };
        }

        float[] random(int length, int stream) {
            return WindowCase.uniform(seed, stream, length);
        }

        double[] reference(TransposedConvolution t, double[] x, double[] w, double[] b) {
            return ReferenceWindows.convTranspose(t.convolution().window(), batch, inC, outC, x, w, b);
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Integer> small = Arbitraries.integers().between(1, 3);
        Arbitrary<int[]> sizes = Combinators.combine(small, small, small, Arbitraries.integers().between(1, 5),
                Arbitraries.integers().between(1, 4), Arbitraries.integers().between(1, 3))
                .as((n, ci, co, side, k, s) -> new int[] {n, ci, co, side, k, s});
        return Combinators.combine(sizes, Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 2), Arbitraries.longs())
                .as((z, p, op, keras, seed) -> new Case(z[0], z[1], z[2], z[3], z[4], z[5], Math.min(p, z[4] - 1),
                        Math.min(op, z[5] - 1), keras, seed))
                .filter(c -> {
                    try {
                        c.conv();
                        return true;
                    } catch (IllegalArgumentException e) {
                        return false;
                    }
                });
    }

    @Property(tries = 100, seed = Seeds.FIXED)
    void forwardEqualsTheScatterDefinition(@ForAll("cases") Case c) {
        TransposedConvolution t = c.conv();
        float[] x = c.random(c.batch() * t.inputSize(), 1), w = c.random(t.weightSize(), 2), b = c.random(c.outC(), 3);
        float[] y = c.random(c.batch() * t.outputSize(), 4); // stale values must be overwritten
        t.forward(c.batch(), x, 0, w, 0, b, 0, y, 0);
        double[] want = c.reference(t, toDouble(x), toDouble(w), toDouble(b));
        double tolerance = 1e-6 * (c.inC() * c.kernel() * c.kernel() + 1);
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(y[i] - want[i]) <= tolerance)) {
                throw new AssertionError(t + " batch " + c.batch() + ": y[" + i + "] = " + y[i] + ", reference " + want[i]);
            }
        }
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void gradientsAreTheGradients(@ForAll("cases") Case c) {
        TransposedConvolution t = c.conv();
        int batch = c.batch();
        float[] x = c.random(batch * t.inputSize(), 1), w = c.random(t.weightSize(), 2), b = c.random(c.outC(), 3);
        float[] dy = c.random(batch * t.outputSize(), 5);
        float[] dx = c.random(x.length, 6), dw = c.random(w.length, 7), db = c.random(b.length, 8);
        t.backwardData(batch, dy, 0, w, 0, dx, 0);
        t.backwardWeights(batch, x, 0, dy, 0, dw, 0, db, 0);
        GradientCheck.assertMatches(t + " dx", dx, 0, GradientCheck.numeric(
                xs -> c.reference(t, xs, toDouble(w), null), toDouble(x), toDouble(dy), 1e-3), 1e-4);
        GradientCheck.assertMatches(t + " dw", dw, 0, GradientCheck.numeric(
                ws -> c.reference(t, toDouble(x), ws, toDouble(b)), toDouble(w), toDouble(dy), 1e-3), 1e-4);
        GradientCheck.assertMatches(t + " dbias", db, 0, GradientCheck.numeric(
                bs -> c.reference(t, toDouble(x), toDouble(w), bs), toDouble(b), toDouble(dy), 1e-3), 1e-4);
    }

    @Example
    void outputSizesAreTheFrameworks() {
        TransposedConvolution t = TransposedConvolution.of(4, 7, 5, 2, 3, 2, 1, 1); // PyTorch
        assertEquals(14, t.outHeight());
        assertEquals(10, t.outWidth());
        assertEquals(21, TransposedConvolution.of(4, 7, 7, 2, 3, 3, Padding.SAME).outHeight()); // Keras
        assertEquals(21, TransposedConvolution.of(4, 7, 7, 2, 2, 3, Padding.VALID).outHeight());
        assertEquals(23, TransposedConvolution.of(4, 7, 7, 2, 5, 3, Padding.VALID).outHeight());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TransposedConvolution.of(4, 7, 7, 2, 3, 2, 1, 2));
        assertEquals("outputPadding must be in [0, stride = 2), got 2", e.getMessage());
    }
}
