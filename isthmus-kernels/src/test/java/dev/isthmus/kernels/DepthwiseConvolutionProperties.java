package dev.isthmus.kernels;

import static dev.isthmus.kernels.GradientCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * Depthwise convolution (one channel a group) by its own kernels (along the rows, and with the
 * channels in the lanes, each forced on half the cases), at strides 1 and 2: the forward
 * pass against the grouped double reference, both gradients against a plain double adjoint (and
 * by finite differences on small cases), the fused epilogue against the grouped route's, and the
 * same bits on any thread count. Kernels up to 5x5, each side's padding from none to one less
 * than the kernel, rows from one lane to several vectors with a partial last one.
 */
@Tag("vector-width")
class DepthwiseConvolutionProperties {

    private static final String DIRECT = "isthmus.conv.depthwiseDirect";
    private static final String LANES = "isthmus.conv.depthwiseLanes";

    @AfterProperty
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** With {@code lanes}, the channels in the lanes (where the vectors are 16 lanes), else along the rows. */
    record Case(int batch, int channels, Window2d window, long seed, boolean lanes) {

        Convolution conv() {
            System.setProperty(LANES, Boolean.toString(lanes));
            try {
                return new Convolution(channels, channels, window, channels);
            } finally {
                System.clearProperty(LANES);
            }
        }

        /** The algorithm this case runs where the kernels are vector code. */
        String algorithm() {
            return lanes && KernelProvider.conv().vectorBitSize() == 512 ? "depthwise (lanes)" : "depthwise (rows)";
        }

        float[] random(int length, int stream) {
            return WindowCase.uniform(seed, stream, length);
        }

        float[] input() {
            return random(batch * channels * window.inSize(), 1);
        }

        float[] weights() {
            return random(channels * window.kernelSize(), 2);
        }

        float[] bias() {
            return random(channels, 3);
        }

        float[] outputGradient() {
            return random(batch * channels * window.outSize(), 4);
        }

        @Override
        public String toString() {
            return conv() + ", batch " + batch;
        }
    }

    /**
     * Channels from one to a few, and around one, two and three blocks of 16 lanes (so that the
     * lanes kernel's whole and partial blocks, and blocks after the first, all run).
     */
    private static Arbitrary<Integer> channels(int max) {
        Arbitrary<Integer> few = Arbitraries.integers().between(1, Math.min(5, max));
        java.util.List<Integer> blocks = java.util.stream.Stream.of(12, 15, 16, 17, 31, 32, 33, 40)
                .filter(c -> c <= max).toList();
        return blocks.isEmpty() ? few : Arbitraries.oneOf(few, Arbitraries.of(blocks));
    }

    private static Arbitrary<Case> cases(int maxSide, int maxChannels, int maxFloats) {
        Arbitrary<int[]> shape = Combinators.combine(Arbitraries.integers().between(1, 3),
                        channels(maxChannels), Arbitraries.integers().between(1, maxSide),
                        Arbitraries.integers().between(1, maxSide), Arbitraries.integers().between(1, 5),
                        Arbitraries.integers().between(1, 5), Arbitraries.integers().between(1, 2))
                .as((n, c, h, w, kh, kw, s) -> new int[] {n, c, h, w, kh, kw, s});
        Arbitrary<int[]> pads = Arbitraries.integers().between(0, 4).array(int[].class).ofSize(4);
        return Combinators.combine(shape, pads, Arbitraries.longs(), Arbitraries.of(false, true))
                .as(DepthwiseConvolutionProperties::make)
                .filter(c -> c != null && c.batch() * c.channels() * c.window().inSize() <= maxFloats);
    }

    /** Null where a padding is not narrower than the kernel or the kernel does not fit (filtered out). */
    private static Case make(int[] s, int[] p, long seed, boolean lanes) {
        int kh = s[4], kw = s[5];
        if (p[0] >= kh || p[2] >= kh || p[1] >= kw || p[3] >= kw) {
            return null;
        }
        try {
            Window2d w = Window2d.of(s[2], s[3], kh, kw, s[6], s[6], 1, 1, Padding.explicit(p[0], p[1], p[2], p[3]));
            return new Case(s[0], s[1], w, seed, lanes);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        return cases(40, 40, 40_000);
    }

    @Provide
    Arbitrary<Case> smallCases() {
        return cases(7, 3, 200);
    }

    @Property(tries = 150, seed = Seeds.FIXED)
    void forwardEqualsReference(@ForAll("cases") Case c) {
        Convolution conv = c.conv();
        if (KernelProvider.conv().vectorBitSize() > 0 && c.channels() > 1) { // one channel is no group
            assertEquals(c.algorithm(), conv.algorithm(), c.toString());
        }
        float[] x = c.input(), w = c.weights(), b = c.bias();
        float[] y = new float[c.batch() * conv.outputSize() + 2];
        onFreshThread(() -> conv.forward(c.batch(), x, 0, w, 0, b, 0, y, 2));
        double[] want = ReferenceWindows.conv(c.window(), c.batch(), c.channels(), c.channels(), c.channels(),
                toDouble(x), toDouble(w), toDouble(b));
        double tolerance = 1e-6 * (c.window().kernelSize() + 1);
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(y[2 + i] - want[i]) <= tolerance)) {
                throw new AssertionError(c + ": y[" + i + "] = " + y[2 + i] + ", reference " + want[i]);
            }
        }
    }

    /** Both gradients and the bias gradient against the plain adjoint of the forward pass, in double. */
    @Property(tries = 150, seed = Seeds.FIXED)
    void gradientsEqualTheAdjoint(@ForAll("cases") Case c) {
        Convolution conv = c.conv();
        int batch = c.batch();
        float[] x = c.input(), w = c.weights(), b = c.bias(), dy = c.outputGradient();
        float[] dx = c.random(x.length, 9), dw = c.random(w.length, 10), db = c.random(b.length, 11);
        onFreshThread(() -> {
            conv.backwardData(batch, dy, 0, w, 0, dx, 0);
            conv.backwardWeights(batch, x, 0, dy, 0, dw, 0, db, 0);
        });
        double[][] want = adjoint(c, toDouble(x), toDouble(w), toDouble(dy));
        int taps = c.window().kernelSize(), terms = batch * c.window().outSize();
        assertClose(c + " dx", dx, want[0], 1e-6 * (taps + 1));
        assertClose(c + " dw", dw, want[1], 1e-6 * (terms + 1));
        assertClose(c + " dbias", db, want[2], 1e-6 * (terms + 1));
    }

    @Property(tries = 40, seed = Seeds.FIXED)
    void gradientsAreTheGradients(@ForAll("smallCases") Case c) {
        Convolution conv = c.conv();
        int batch = c.batch(), ch = c.channels();
        float[] x = c.input(), w = c.weights(), b = c.bias(), dy = c.outputGradient();
        float[] dx = new float[x.length], dw = new float[w.length], db = new float[b.length];
        conv.backwardData(batch, dy, 0, w, 0, dx, 0);
        conv.backwardWeights(batch, x, 0, dy, 0, dw, 0, db, 0);
        GradientCheck.assertMatches(c + " dx", dx, 0, GradientCheck.numeric(xs -> ReferenceWindows.conv(c.window(),
                batch, ch, ch, ch, xs, toDouble(w), null), toDouble(x), toDouble(dy), 1e-3), 1e-4);
        GradientCheck.assertMatches(c + " dw", dw, 0, GradientCheck.numeric(ws -> ReferenceWindows.conv(c.window(),
                batch, ch, ch, ch, toDouble(x), ws, toDouble(b)), toDouble(w), toDouble(dy), 1e-3), 1e-4);
    }

    /**
     * With ReLU and 2x2 max-pooling fused, forward and backward give what the grouped route gives
     * (the same epilogue after another order of sums): the winners and masks the epilogue wrote
     * are read back by the backward pass.
     */
    @Property(tries = 60, seed = Seeds.FIXED)
    void fusedEpilogueMatchesTheGroupedRoute(@ForAll("cases") Case c) {
        if (c.window().outHeight() < 2 || c.window().outWidth() < 2) {
            return;
        }
        float[][] direct = fused(c, true), grouped = fused(c, false);
        String[] names = {"y", "dw", "db", "dx"};
        for (int r = 0; r < names.length; r++) {
            double[] want = toDouble(grouped[r]);
            assertClose(c + " " + names[r], direct[r], want, 2e-5 * (c.window().kernelSize() + 1)
                    * (r == 1 || r == 2 ? c.batch() * c.window().outSize() : 1));
        }
    }

    private static float[][] fused(Case c, boolean direct) {
        System.setProperty(DIRECT, Boolean.toString(direct));
        FusedConvolution f;
        try {
            f = new FusedConvolution(c.conv(), true, true);
        } finally {
            System.clearProperty(DIRECT);
        }
        int batch = c.batch();
        float[] x = c.input(), w = c.weights(), b = c.bias();
        float[] y = new float[batch * f.outputSize()], dy = c.random(y.length, 5);
        byte[] winners = new byte[batch * f.winnersSize()];
        f.forward(batch, x, 0, w, 0, b, 0, y, 0, winners, 0);
        float[] dw = new float[w.length], db = new float[b.length], dx = new float[x.length];
        f.backward(batch, x, 0, w, 0, y, 0, dy, 0, winners, 0, dw, 0, db, 0, dx, 0);
        return new float[][] {y, dw, db, dx};
    }

    @Property(tries = 30, seed = Seeds.FIXED)
    void sameBitsForOneAndManyThreads(@ForAll("cases") Case c) {
        float[][] one = runAll(c, 1), three = runAll(c, 3);
        for (int r = 0; r < one.length; r++) {
            assertArrayEquals(one[r], three[r], "result " + r + " with 3 threads");
        }
    }

    private static float[][] runAll(Case c, int threads) {
        Parallel.setThreads(threads);
        Convolution conv = c.conv();
        int batch = c.batch();
        float[] x = c.input(), w = c.weights(), b = c.bias(), dy = c.outputGradient();
        float[] y = new float[batch * conv.outputSize()], dx = new float[x.length];
        float[] dw = new float[w.length], db = new float[b.length];
        conv.forward(batch, x, 0, w, 0, b, 0, y, 0);
        conv.backwardData(batch, dy, 0, w, 0, dx, 0);
        conv.backwardWeights(batch, x, 0, dy, 0, dw, 0, db, 0);
        return new float[][] {y, dx, dw, db};
    }

    @Example
    void depthwiseIsNamedAndOtherGroupsKeepTheGroupedRoute() {
        Window2d same = Window2d.of(8, 8, 3, 1, Padding.SAME);
        int bits = KernelProvider.conv().vectorBitSize();
        if (bits > 0) { // the channels in the lanes at 16 lanes, else along the rows
            String kernel = bits == 512 ? "depthwise (lanes)" : "depthwise (rows)";
            assertEquals(kernel, new Convolution(4, 4, same, 4).algorithm());
            assertEquals(kernel, new Convolution(4, 4, Window2d.of(81, 81, 3, 2, Padding.SAME), 4).algorithm());
        }
        // a channel multiplier, a stride of 3, a dilation: the grouped route
        assertEquals("depthwise (im2col)", new Convolution(4, 8, same, 4).algorithm());
        assertEquals("depthwise (im2col)", new Convolution(4, 4, Window2d.of(9, 9, 3, 3, Padding.SAME), 4).algorithm());
        assertEquals("depthwise (im2col)", new Convolution(4, 4, Window2d.of(9, 9, 3, 3, 1, 1, 2, 2, Padding.SAME), 4)
                .algorithm());
    }

    /**
     * Runs {@code work} on a new thread, the kernels on that thread alone: its workspace arrays are
     * new and exactly as long as the kernels ask (a thread's arrays only grow), so a kernel that
     * reads past the slack it asked for fails here.
     */
    private static void onFreshThread(Runnable work) {
        Parallel.setThreads(1);
        Throwable[] failure = new Throwable[1];
        Thread thread = new Thread(() -> {
            try {
                work.run();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        if (failure[0] != null) {
            throw new AssertionError("on a fresh thread: " + failure[0], failure[0]);
        }
    }

    /** dx, dw and dbias of {@code sum(dy * conv(x, w))}, loop by loop in double. */
    private static double[][] adjoint(Case c, double[] x, double[] w, double[] dy) {
        Window2d g = c.window();
        int ch = c.channels(), kh = g.kernelHeight(), kw = g.kernelWidth();
        double[] dx = new double[x.length], dw = new double[w.length], db = new double[ch];
        for (int n = 0; n < c.batch(); n++) {
            for (int k = 0; k < ch; k++) {
                int xPlane = (n * ch + k) * g.inSize(), yPlane = (n * ch + k) * g.outSize();
                for (int oy = 0; oy < g.outHeight(); oy++) {
                    for (int ox = 0; ox < g.outWidth(); ox++) {
                        double d = dy[yPlane + oy * g.outWidth() + ox];
                        db[k] += d;
                        for (int a = 0; a < kh; a++) {
                            int iy = oy * g.strideY() + a - g.padTop();
                            for (int b = 0; b < kw; b++) {
                                int ix = ox * g.strideX() + b - g.padLeft();
                                if (iy >= 0 && iy < g.inHeight() && ix >= 0 && ix < g.inWidth()) {
                                    int xi = xPlane + iy * g.inWidth() + ix, wi = (k * kh + a) * kw + b;
                                    dx[xi] += w[wi] * d;
                                    dw[wi] += x[xi] * d;
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {dx, dw, db};
    }

    private static void assertClose(String what, float[] got, double[] want, double tolerance) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(got[i] - want[i]) <= tolerance)) {
                throw new AssertionError(what + "[" + i + "] = " + got[i] + ", reference " + want[i] + " (tolerance "
                        + tolerance + ")");
            }
        }
    }
}
