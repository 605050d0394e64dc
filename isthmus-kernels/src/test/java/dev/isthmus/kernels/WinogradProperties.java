package dev.isthmus.kernels;

import static dev.isthmus.kernels.GradientCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * The Winograd F(2x2, 3x3) forward pass (forced on with {@code isthmus.conv.winograd=true})
 * against the plain double reference, with its epilogue (bias, ReLU, pooling), and with the same
 * bits on any thread count. Widths from a single tile to several vectors of tiles with a partial
 * last one; bands of one and of several tile rows.
 */
@Tag("kernel-ops")
class WinogradProperties {

    private static final String FORCE = "isthmus.conv.winograd";
    private static final String TALL = "isthmus.conv.winogradTall";
    private static final String SQUARE = "isthmus.conv.winogradSquare";

    @AfterProperty
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Provide
    Arbitrary<WindowCase> winogradCases() {
        return cases(2);
    }

    /** As {@link #winogradCases}, the height a multiple of 4: F(4x2, 3x3)'s shapes. */
    @Provide
    Arbitrary<WindowCase> tallCases() {
        return cases(4);
    }

    /**
     * As {@link #tallCases}, the width a multiple of 4 too: F(4x4, 3x3)'s shapes, from one tile a
     * row (so a vector of tiles spans several tile rows) to several vectors of tiles.
     */
    @Provide
    Arbitrary<WindowCase> squareCases() {
        return cases(4, 4);
    }

    /** Winograd's shapes with heights in multiples of {@code rows} (up to 80), even widths up to 80. */
    private static Arbitrary<WindowCase> cases(int rows) {
        return cases(rows, 2);
    }

    /** Heights in multiples of {@code rows}, widths in multiples of {@code columns}, both up to 80. */
    private static Arbitrary<WindowCase> cases(int rows, int columns) {
        Arbitrary<Integer> tilesDown = Arbitraries.integers().between(1, 80 / rows);
        Arbitrary<Integer> tilesAcross = Arbitraries.integers().between(1, 80 / columns);
        Arbitrary<Integer> cin = Arbitraries.integers().between(1, 20);
        Arbitrary<Integer> cout = Arbitraries.integers().between(1, 3).map(k -> 8 * k);
        Arbitrary<Integer> batch = Arbitraries.integers().between(1, 3);
        return Combinators.combine(batch, cin, cout, tilesDown, tilesAcross, Arbitraries.longs())
                .as((n, ci, co, down, across, seed) -> new WindowCase(n, ci, co,
                        Window2d.of(rows * down, columns * across, 3, 1, Padding.symmetric(1, 1)), seed))
                .filter(c -> c.batch() * c.inChannels() * c.window().inSize() <= 40_000);
    }

    private static Convolution winograd(WindowCase c) {
        return winograd(c, false);
    }

    private static Convolution winograd(WindowCase c, boolean tall) {
        return winograd(c, tall, false);
    }

    /** Winograd forced on: F(4x4, 3x3) where {@code square}, else F(4x2, 3x3) where {@code tall}, else F(2x2, 3x3). */
    private static Convolution winograd(WindowCase c, boolean tall, boolean square) {
        System.setProperty(FORCE, "true");
        System.setProperty(TALL, Boolean.toString(tall));
        System.setProperty(SQUARE, Boolean.toString(square));
        try {
            return c.conv();
        } finally {
            System.clearProperty(FORCE);
            System.clearProperty(TALL);
            System.clearProperty(SQUARE);
        }
    }

    @Property(tries = 120, seed = Seeds.FIXED)
    void forwardEqualsReference(@ForAll("winogradCases") WindowCase c) {
        Convolution conv = winograd(c);
        if (KernelProvider.conv().vectorBitSize() > 0) {
            assertEquals("winograd", conv.algorithm().split(";")[0], conv.toString());
        }
        forwardEqualsReference(c, conv);
    }

    @Property(tries = 120, seed = Seeds.FIXED)
    void tallForwardEqualsReference(@ForAll("tallCases") WindowCase c) {
        Convolution conv = winograd(c, true);
        if (KernelProvider.conv().vectorBitSize() > 0) {
            assertEquals("winograd F(4x2, 3x3)", conv.algorithm().split(";")[0], conv.toString());
        }
        forwardEqualsReference(c, conv);
    }

    @Property(tries = 30, seed = Seeds.FIXED)
    void tallGivesTheSameBitsForOneAndManyThreads(@ForAll("tallCases") WindowCase c) {
        float[] one = forward(c, 1, true), two = forward(c, 2, true), three = forward(c, 3, true);
        assertArrayEquals(one, two, "2 threads");
        assertArrayEquals(one, three, "3 threads");
    }

    @Property(tries = 120, seed = Seeds.FIXED)
    void squareForwardEqualsReference(@ForAll("squareCases") WindowCase c) {
        Convolution conv = winograd(c, true, true);
        if (KernelProvider.conv().vectorBitSize() == 512) {
            assertEquals("winograd F(4x4, 3x3)", conv.algorithm().split(";")[0], conv.toString());
        }
        forwardEqualsReference(c, conv);
    }

    @Property(tries = 30, seed = Seeds.FIXED)
    void squareGivesTheSameBitsForOneAndManyThreads(@ForAll("squareCases") WindowCase c) {
        Parallel.setThreads(1);
        float[] one = forward(winograd(c, true, true), c);
        Parallel.setThreads(2);
        float[] two = forward(winograd(c, true, true), c);
        Parallel.setThreads(3);
        assertArrayEquals(one, two, "2 threads");
        assertArrayEquals(one, forward(winograd(c, true, true), c), "3 threads");
    }

    private static void forwardEqualsReference(WindowCase c, Convolution conv) {
        float[] x = c.input(), w = c.weights(), b = c.bias();
        float[] y = new float[c.batch() * conv.outputSize() + 3];
        conv.forward(c.batch(), x, 0, w, 0, b, 0, y, 3);
        double[] want = ReferenceWindows.conv(c.window(), c.batch(), c.inChannels(), c.outChannels(),
                toDouble(x), toDouble(w), toDouble(b));
        // the transforms add up to 16 inputs (24, F(4x2, 3x3); 36, F(4x4, 3x3)) and 9 weights before they
        // multiply: a few more roundings than direct; the same bound holds for every tile shape
        double tolerance = 4e-6 * (c.inChannels() * 9 + 1);
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(y[3 + i] - want[i]) <= tolerance)) {
                throw new AssertionError(conv + " batch " + c.batch() + ": y[" + i + "] = " + y[3 + i]
                        + ", reference " + want[i]);
            }
        }
    }

    @Property(tries = 30, seed = Seeds.FIXED)
    void sameBitsForOneAndManyThreads(@ForAll("winogradCases") WindowCase c) {
        float[] one = forward(c, 1, false), two = forward(c, 2, false), three = forward(c, 3, false);
        assertArrayEquals(one, two, "2 threads");
        assertArrayEquals(one, three, "3 threads");
    }

    private static float[] forward(WindowCase c, int threads, boolean tall) {
        Parallel.setThreads(threads);
        return forward(winograd(c, tall), c);
    }

    private static float[] forward(Convolution conv, WindowCase c) {
        float[] y = new float[c.batch() * conv.outputSize()];
        conv.forward(c.batch(), c.input(), 0, c.weights(), 0, c.bias(), 0, y, 0);
        return y;
    }
}
