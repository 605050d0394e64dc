package dev.isthmus.kernels;

import static dev.isthmus.kernels.GradientCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.kernels.conv.ConvSupport;
import java.util.List;
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
 * {@link FusedConvolution} (convolution, bias, ReLU, 2x2 max-pooling in one pass) and the direct
 * convolution under {@link Convolution}, on images wide enough for the direct path at every vector
 * width (the build runs this at 128, 256 and 512 bits and on the scalar kernels). References are
 * the layers in sequence, in double: {@link ReferenceWindows#conv}, ReLU, max-pooling; the
 * backward reference routes {@code dy} through the kernel's own winners and ReLU mask (checked
 * separately to be a maximum and the sign of the output), then through the convolution's
 * gradients by their definitions. Finite differences check the plain convolution's gradients.
 */
@Tag("kernel-ops")
@Tag("vector-width")
class FusedConvolutionProperties {

    @AfterProperty
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** A convolution (direct where wide enough, strided or not) followed by the fused epilogue. */
    record Case(int batch, int cin, int cout, Window2d window, boolean relu, boolean pool, long seed, boolean winograd,
                boolean tall, boolean square) {

        Case(int batch, int cin, int cout, Window2d window, boolean relu, boolean pool, long seed) {
            this(batch, cin, cout, window, relu, pool, seed, false, false, false);
        }

        Case(int batch, int cin, int cout, Window2d window, boolean relu, boolean pool, long seed, boolean winograd,
             boolean tall) {
            this(batch, cin, cout, window, relu, pool, seed, winograd, tall, false);
        }

        /**
         * With {@code winograd}, Winograd forced on: the forward pass, and where the gradients run
         * direct, the weight gradient and (input channels in whole tiles of 8) the data gradient;
         * with {@code tall} too, F(4x2, 3x3) where the height allows (the forward and data gradient);
         * with {@code square}, F(4x4, 3x3)'s forward where the height and width allow (16 lanes).
         */
        FusedConvolution fused() {
            if (!winograd) {
                return new FusedConvolution(new Convolution(cin, cout, window), relu, pool);
            }
            System.setProperty(WINOGRAD, "true");
            System.setProperty(WINOGRAD_DATA_GRADIENT, "true");
            System.setProperty(WINOGRAD_WEIGHT_GRADIENT, "true");
            System.setProperty(WINOGRAD_TALL, Boolean.toString(tall));
            System.setProperty(WINOGRAD_LANE_SUMS, Boolean.toString(laneSums()));
            System.setProperty(WINOGRAD_SQUARE, Boolean.toString(square));
            try {
                return new FusedConvolution(new Convolution(cin, cout, window), relu, pool);
            } finally {
                System.clearProperty(WINOGRAD);
                System.clearProperty(WINOGRAD_DATA_GRADIENT);
                System.clearProperty(WINOGRAD_WEIGHT_GRADIENT);
                System.clearProperty(WINOGRAD_TALL);
                System.clearProperty(WINOGRAD_LANE_SUMS);
                System.clearProperty(WINOGRAD_SQUARE);
            }
        }

        /**
         * Whether a Winograd weight gradient that may keep the tiles in the lanes does (16 lanes,
         * F(4x2, 3x3) or F(4x4, 3x3), output channels not in pairs of vectors; 8 lanes,
         * F(4x2, 3x3)): on even seeds, so both ways are tried.
         */
        boolean laneSums() {
            return (seed & 1) == 0;
        }

        float[] random(int length, int stream) {
            return WindowCase.uniform(seed, stream, length);
        }

        float[] input() {
            return random(batch * cin * window.inSize(), 1);
        }

        float[] weights() {
            return random(cout * cin * window.kernelSize(), 2);
        }

        float[] bias() {
            return random(cout, 3);
        }

        @Override
        public String toString() {
            return "batch " + batch + ", " + fused() + " [" + fused().conv().algorithm() + "]";
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        return cases(Arbitraries.integers().between(1, 5));
    }

    private static final String WINOGRAD = "isthmus.conv.winograd";
    private static final String WINOGRAD_DATA_GRADIENT = "isthmus.conv.winogradDataGradient";
    private static final String WINOGRAD_WEIGHT_GRADIENT = "isthmus.conv.winogradWeightGradient";
    private static final String WINOGRAD_TALL = "isthmus.conv.winogradTall";
    private static final String WINOGRAD_LANE_SUMS = "isthmus.conv.winogradLaneSums";
    private static final String WINOGRAD_SQUARE = "isthmus.conv.winogradSquare";
    private static final String GEMM_WEIGHT_GRADIENT = "isthmus.conv.gemmWeightGradient";

    /**
     * Winograd's shapes (3x3, stride 1, one pixel of padding, even maps, whole tiles of 8 output
     * channels), its forward forced on: rows of one tile to several vectors of tiles with a
     * partial last vector, pooled or not, rectified or not, tiles of 2 rows or (where the
     * height is a multiple of 4) 4, or (where the width is too) 4x4.
     */
    @Provide
    Arbitrary<Case> winogradCases() {
        return winogradCases(Arbitraries.integers().between(1, 12));
    }

    /**
     * As {@link #winogradCases}, with input channels in whole tiles of 8: the data gradient by
     * Winograd too, and the weight gradient where the output channels come in whole vectors.
     */
    @Provide
    Arbitrary<Case> winogradDataGradientCases() {
        return winogradCases(Arbitraries.integers().between(1, 4).map(k -> 8 * k), Arbitraries.integers().between(1, 4));
    }

    private static Arbitrary<Case> winogradCases(Arbitrary<Integer> inChannels) {
        return winogradCases(inChannels, Arbitraries.integers().between(1, 2));
    }

    private static Arbitrary<Case> winogradCases(Arbitrary<Integer> inChannels, Arbitrary<Integer> outEights) {
        Arbitrary<int[]> shape = Combinators.combine(Arbitraries.integers().between(1, 3), inChannels,
                        outEights, Arbitraries.integers().between(1, 6),
                        Arbitraries.integers().between(1, 36))
                .as((n, ci, co, hh, hw) -> new int[] {n, ci, 8 * co, 2 * hh, 2 * hw});
        return Combinators.combine(shape, Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.of(true, false),
                        Arbitraries.of(true, false), Arbitraries.longs())
                .as((s, relu, pool, tall, square, seed) -> new Case(s[0], s[1], s[2],
                        Window2d.of(s[3], s[4], 3, 1, Padding.symmetric(1, 1)), relu, pool, seed, true, tall, square));
    }

    @Property(tries = 80, seed = Seeds.FIXED)
    void winogradForwardIsTheLayersInSequence(@ForAll("winogradCases") Case c) {
        if (KernelProvider.conv().vectorBitSize() > 0) {
            String algorithm = c.fused().conv().algorithm();
            assertTrue(algorithm.startsWith("winograd"), c.toString());
            boolean square = c.square() && KernelProvider.conv().vectorBitSize() == 512
                    && c.window().outHeight() % 4 == 0 && c.window().outWidth() % 4 == 0;
            assertEquals(square, algorithm.startsWith("winograd F(4x4, 3x3)"), c.toString());
            assertEquals(!square && c.tall() && c.window().outHeight() % 4 == 0,
                    algorithm.startsWith("winograd F(4x2, 3x3)"), c.toString());
        }
        forwardIsTheLayersInSequence(c);
    }

    /**
     * F(4x4, 3x3)'s forward on maps tall enough for several bands and, half the time, widths in
     * whole vectors of 16 (its row-phase staging), pooled or not, rectified or not: the
     * epilogue's placing and pooling past the first band.
     */
    @Provide
    Arbitrary<Case> squareCases() {
        return squareCases(Arbitraries.integers().between(1, 12), Arbitraries.integers().between(1, 2).map(k -> 8 * k));
    }

    /**
     * F(4x4, 3x3) forced on, on 1 or 2 images of heights in fours up to 12 tiles and widths in
     * 16s or fours, rectified or not, pooled or not.
     */
    private static Arbitrary<Case> squareCases(Arbitrary<Integer> inChannels, Arbitrary<Integer> outChannels) {
        Arbitrary<Integer> width = Arbitraries.oneOf(Arbitraries.integers().between(1, 4).map(k -> 16 * k),
                Arbitraries.integers().between(1, 18).map(k -> 4 * k));
        Arbitrary<int[]> shape = Combinators.combine(Arbitraries.integers().between(1, 2), inChannels, outChannels,
                        Arbitraries.integers().between(1, 12), width)
                .as((n, ci, co, tilesDown, w) -> new int[] {n, ci, co, 4 * tilesDown, w});
        return Combinators.combine(shape, Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.longs())
                .as((s, relu, pool, seed) -> new Case(s[0], s[1], s[2],
                        Window2d.of(s[3], s[4], 3, 1, Padding.symmetric(1, 1)), relu, pool, seed, true, true, true));
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void squareForwardIsTheLayersInSequence(@ForAll("squareCases") Case c) {
        if (KernelProvider.conv().vectorBitSize() == 512) {
            assertTrue(c.fused().conv().algorithm().startsWith("winograd F(4x4, 3x3)"), c.toString());
        }
        forwardIsTheLayersInSequence(c);
    }

    /** The gradients read the pooled outputs and winners F(4x4, 3x3)'s epilogue wrote. */
    @Property(tries = 30, seed = Seeds.FIXED)
    void squareBackwardIsTheChainRule(@ForAll("squareCases") Case c) {
        backwardIsTheChainRule(c);
    }

    /**
     * F(4x4, 3x3)'s data gradient (input channels in whole tiles of 8), on maps tall enough for
     * several bands and, half the time, widths in whole vectors of 16, pooled or not: from the
     * padded gradient at the output, or (output channels in 16s, not pooled) from the gradient as
     * it lies or rectified into a copy. With output channels in 16s the weight gradient is
     * F(4x4, 3x3)'s too, from the padded gradient or the one as it lies.
     */
    @Property(tries = 40, seed = Seeds.FIXED)
    void squareDataGradientIsTheChainRule(@ForAll("squareDataGradientCases") Case c) {
        if (KernelProvider.conv().vectorBitSize() == 512) {
            String algorithm = c.fused().conv().algorithm();
            assertTrue(algorithm.contains("Winograd F(4x4, 3x3) data gradient"), c.toString());
            assertEquals(c.cout() % 16 == 0, algorithm.contains("Winograd F(4x4, 3x3) weight gradient"), c.toString());
        }
        backwardIsTheChainRule(c);
    }

    @Provide
    Arbitrary<Case> squareDataGradientCases() {
        return squareCases(Arbitraries.integers().between(1, 2).map(k -> 8 * k),
                Arbitraries.oneOf(Arbitraries.integers().between(1, 12), Arbitraries.of(16, 32)));
    }

    /** The gradients read the pooled outputs and winners Winograd's epilogue wrote. */
    @Property(tries = 60, seed = Seeds.FIXED)
    void winogradBackwardIsTheChainRule(@ForAll("winogradCases") Case c) {
        backwardIsTheChainRule(c);
    }

    @Property(tries = 20, seed = Seeds.FIXED)
    void winogradGivesTheSameBitsOnAnyThreadCount(@ForAll("winogradCases") Case c) {
        sameBitsForOneAndManyThreads(c);
    }

    /**
     * The data gradient as a Winograd pass of the transposed shape, and the weight gradient by
     * Winograd where the output channels fill its register tile, from the pooled outputs and winners.
     */
    @Property(tries = 80, seed = Seeds.FIXED)
    void winogradGradientsAreTheChainRule(@ForAll("winogradDataGradientCases") Case c) {
        String algorithm = c.fused().conv().algorithm();
        int bits = KernelProvider.conv().vectorBitSize();
        if (bits > 0 && algorithm.contains("direct")) {
            assertTrue(algorithm.contains("Winograd data gradient") || algorithm.contains("Winograd F(4x2, 3x3) data gradient")
                    || algorithm.contains("Winograd F(4x4, 3x3) data gradient"), c.toString());
            boolean square = c.square() && bits == 512 && c.window().outHeight() % 4 == 0
                    && c.window().outWidth() % 4 == 0;
            assertEquals(square, algorithm.contains("F(4x4, 3x3) data gradient"), c.toString());
            assertEquals(!square && c.tall() && c.window().outHeight() % 4 == 0,
                    algorithm.contains("F(4x2, 3x3) data gradient"), c.toString());
            boolean tall = c.tall() && c.window().outHeight() % 4 == 0;
            boolean wholeVectors = c.cout() % (bits / Float.SIZE) == 0;
            assertEquals(wholeVectors, algorithm.contains("Winograd weight gradient")
                    || algorithm.contains("Winograd F(4x2, 3x3) weight gradient")
                    || algorithm.contains("Winograd F(4x4, 3x3) weight gradient"), c.toString());
            // F(4x4, 3x3)'s weight gradient where its forward is forced on (input channels in eights here)
            assertEquals(wholeVectors && square, algorithm.contains("Winograd F(4x4, 3x3) weight gradient"), c.toString());
            assertEquals(wholeVectors && tall && !square,
                    algorithm.contains("Winograd F(4x2, 3x3) weight gradient"), c.toString());
            // the tiles in the lanes where asked: at 16 lanes, the output channels short of two vectors;
            // at 8, F(4x2, 3x3)'s every shape
            boolean lanes = bits == 512 ? (tall || square) && c.cout() % 32 != 0 : bits == 256 && tall;
            assertEquals(c.laneSums() && wholeVectors && lanes, algorithm.contains("(tiles in lanes)"), c.toString());
        }
        backwardIsTheChainRule(c);
    }

    /**
     * F(4x2, 3x3)'s gradients on maps one vector wide (16 columns at 512 bits), which stage the
     * gradient two tile rows a vector, odd counts of tile rows included.
     */
    @Property(tries = 24, seed = Seeds.FIXED)
    void tallGradientsOnMapsOneVectorWideAreTheChainRule(@ForAll("oneVectorWideTallCases") Case c) {
        backwardIsTheChainRule(c);
    }

    @Provide
    Arbitrary<Case> oneVectorWideTallCases() {
        int width = Math.max(4, KernelProvider.conv().vectorBitSize() / Float.SIZE);
        return Combinators.combine(Arbitraries.integers().between(1, 2), Arbitraries.integers().between(1, 2),
                        Arbitraries.integers().between(1, 4), Arbitraries.integers().between(1, 5), Arbitraries.of(true, false),
                        Arbitraries.longs())
                .as((n, ci, co, tileRows, pool, seed) -> new Case(n, 8 * ci, 8 * co,
                        Window2d.of(4 * tileRows, width, 3, 1, Padding.symmetric(1, 1)), false, pool, seed, true, true));
    }

    /**
     * F(4x2, 3x3)'s forward on maps one vector wide, whose input transform takes two tile rows a
     * vector: bands of 8 tile rows and a last band of any count, odd ones ending on a single row;
     * any input channels, rectified or not, pooled or not.
     */
    @Property(tries = 40, seed = Seeds.FIXED)
    void tallForwardOnMapsOneVectorWideIsTheLayersInSequence(@ForAll("oneVectorWideTallForwardCases") Case c) {
        if (KernelProvider.conv().vectorBitSize() > 0) {
            assertTrue(c.fused().conv().algorithm().startsWith("winograd F(4x2, 3x3)"), c.toString());
        }
        forwardIsTheLayersInSequence(c);
    }

    @Provide
    Arbitrary<Case> oneVectorWideTallForwardCases() {
        int width = Math.max(4, KernelProvider.conv().vectorBitSize() / Float.SIZE);
        Arbitrary<int[]> shape = Combinators.combine(Arbitraries.integers().between(1, 2),
                        Arbitraries.integers().between(1, 12), Arbitraries.integers().between(1, 3),
                        Arbitraries.integers().between(1, 19))
                .as((n, ci, co, tileRows) -> new int[] {n, ci, 8 * co, 4 * tileRows});
        return Combinators.combine(shape, Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.longs())
                .as((s, relu, pool, seed) -> new Case(s[0], s[1], s[2],
                        Window2d.of(s[3], width, 3, 1, Padding.symmetric(1, 1)), relu, pool, seed, true, true));
    }

    /**
     * F(4x2, 3x3)'s gradients on maps a whole number of vector pairs wide (32 or 64 columns at 512
     * bits), whose gradient is staged a whole row at a time into the planes of its row in the tile.
     */
    @Property(tries = 16, seed = Seeds.FIXED)
    void tallGradientsOnMapsInVectorPairsAreTheChainRule(@ForAll("vectorPairsWideTallCases") Case c) {
        backwardIsTheChainRule(c);
    }

    @Provide
    Arbitrary<Case> vectorPairsWideTallCases() {
        int pair = 2 * Math.max(4, KernelProvider.conv().vectorBitSize() / Float.SIZE);
        return Combinators.combine(Arbitraries.integers().between(1, 2), Arbitraries.integers().between(1, 2),
                        Arbitraries.integers().between(1, 4), Arbitraries.integers().between(1, 3),
                        Arbitraries.integers().between(1, 2), Arbitraries.longs())
                .as((n, ci, co, tileRows, pairs, seed) -> new Case(n, 8 * ci, 16 * co,
                        Window2d.of(4 * tileRows, pairs * pair, 3, 1, Padding.symmetric(1, 1)), false, false, seed, true,
                        true));
    }

    @Property(tries = 20, seed = Seeds.FIXED)
    void winogradGradientsGiveTheSameBitsOnAnyThreadCount(@ForAll("winogradDataGradientCases") Case c) {
        sameBitsForOneAndManyThreads(c);
    }

    private static Arbitrary<Case> cases(Arbitrary<Integer> inChannels) {
        // Widths up to 70 reach the direct path's column block at every width (8, 16 or 32).
        return cases(inChannels, Arbitraries.integers().between(2, 9), Arbitraries.integers().between(2, 70));
    }

    private static Arbitrary<Case> cases(Arbitrary<Integer> inChannels, Arbitrary<Integer> height,
                                         Arbitrary<Integer> width) {
        Arbitrary<Integer> kernel = Arbitraries.integers().between(1, 5);
        Arbitrary<int[]> shape = Combinators.combine(Arbitraries.integers().between(1, 3), inChannels,
                        Arbitraries.integers().between(1, 9), height, width, kernel, kernel)
                .as((n, ci, co, h, w, kh, kw) -> new int[] {n, ci, co, h, w, kh, kw});
        Arbitrary<int[]> options = Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 4),
                        Arbitraries.integers().between(0, 4), Arbitraries.of(true, false), Arbitraries.of(true, false),
                        Arbitraries.of(1, 1, 2, 3))
                .as((kind, p1, p2, relu, pool, stride) -> new int[] {kind, p1, p2, relu ? 1 : 0, pool ? 1 : 0, stride});
        return Combinators.combine(shape, options, Arbitraries.longs()).as(FusedConvolutionProperties::make)
                .filter(c -> c != null);
    }

    private static Case make(int[] s, int[] o, long seed) {
        int kh = s[5], kw = s[6];
        Padding padding = switch (o[0]) {
            case 0 -> Padding.VALID;
            case 1 -> Padding.SAME;
            default -> Padding.explicit(Math.min(o[1], kh - 1), Math.min(o[2], kw - 1), Math.min(o[2], kh - 1),
                    Math.min(o[1], kw - 1));
        };
        try {
            Window2d w = Window2d.of(s[3], s[4], kh, kw, o[5], o[5], 1, 1, padding);
            boolean pool = o[4] == 1 && w.outHeight() >= 2 && w.outWidth() >= 2;
            return new Case(s[0], s[1], s[2], w, o[3] == 1, pool, seed);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The layers in sequence, in double: pool(relu(conv(x) + b)). */
    private static double[] reference(Case c, float[] x, float[] w, float[] b) {
        Window2d g = c.window();
        double[] z = ReferenceWindows.conv(g, c.batch(), c.cin(), c.cout(), toDouble(x), toDouble(w), toDouble(b));
        if (c.relu()) {
            for (int i = 0; i < z.length; i++) {
                z[i] = Math.max(z[i], 0);
            }
        }
        if (!c.pool()) {
            return z;
        }
        Window2d pool = Window2d.of(g.outHeight(), g.outWidth(), 2, 2, Padding.VALID);
        return ReferenceWindows.maxPool(pool, c.batch() * c.cout(), z);
    }

    private static double tolerance(Case c) {
        return 1e-5 * (c.cin() * c.window().kernelSize() + 1);
    }

    @Property(tries = 120, seed = Seeds.FIXED)
    void forwardIsTheLayersInSequence(@ForAll("cases") Case c) {
        FusedConvolution f = c.fused();
        float[] x = c.input(), w = c.weights(), b = c.bias();
        float[] y = c.random(c.batch() * f.outputSize() + 5, 9); // stale contents must be overwritten
        byte[] winners = new byte[c.batch() * f.winnersSize() + 2];
        f.forward(c.batch(), x, 0, w, 0, b, 0, y, 5, winners, 2);
        double[] want = reference(c, x, w, b);
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(y[5 + i] - want[i]) <= tolerance(c))) {
                throw new AssertionError(c + ": y[" + i + "] = " + y[5 + i] + ", reference " + want[i]);
            }
        }
        if (c.pool()) {
            assertWinnersHoldTheMaximum(c, x, w, b, y, 5, winners, 2);
        }
    }

    /**
     * Inference pools without winners (rectified, on AVX-512, in the direct kernel's register
     * tiles where rows are whole tiles of 32 columns and channels come in fours): the training
     * pass's bits (with winners: in tiles of their own where rectified, else through a strip;
     * the tiles against the plain kernels in {@code conv.PooledTileProperties}), rectified or
     * not, inputs with zeros, negative zeros and NaN, on one thread and two, and a lone image
     * split over threads.
     */
    @Property(tries = 60, seed = Seeds.FIXED)
    void inferencePoolingGivesTheTrainingPassBits(@ForAll("pooledTileCases") Case c) {
        FusedConvolution f = c.fused();
        float[] x = c.input(), w = c.weights(), b = c.bias();
        for (int i = 0; i < x.length; i += 11) {
            x[i] = i % 3 == 0 ? -0f : i % 3 == 1 ? Float.NaN : 0f;
        }
        float[] want = new float[c.batch() * f.outputSize()];
        f.forward(c.batch(), x, 0, w, 0, b, 0, want, 0, new byte[c.batch() * f.winnersSize()], 0);
        assertOnThreadsAndAlone(c, want, f.outputSize(), 3,
                (images, y, at) -> f.forward(images, x, 0, w, 0, b, 0, y, at, null, 0));
    }

    /**
     * Inference in padded layouts: the input staged by the caller in {@link FusedConvolution#stagedInput}
     * (zeros around NaN-free cells) or dense, the output written into a padded layout of random
     * margins over stale NaNs, or dense: the cells hold the training pass's bits and every other
     * float of an output image is +0. A padded layout is taken exactly where the pass pools in its
     * tiles; elsewhere {@code infer} refuses it, naming it.
     */
    @Property(tries = 40, seed = Seeds.FIXED)
    void inferenceInPaddedLayoutsGivesTheTrainingPassBits(@ForAll("pooledTileCases") Case c) {
        FusedConvolution f = c.fused();
        float[] x = c.input(), w = c.weights(), b = c.bias();
        for (int i = 0; i < x.length; i += 13) {
            x[i] = i % 3 == 0 ? -0f : i % 3 == 1 ? Float.NaN : 0f;
        }
        float[] want = new float[c.batch() * f.outputSize()];
        f.forward(c.batch(), x, 0, w, 0, b, 0, want, 0, new byte[c.batch() * f.winnersSize()], 0);
        PreparedWeights prepared = f.conv().newPreparedWeights();
        prepared.update(w, 0);
        Window2d win = c.window();
        MapLayout dense = MapLayout.dense(c.cin(), win.inHeight(), win.inWidth()), staged = f.stagedInput();
        MapLayout out = MapLayout.dense(c.cout(), f.outHeight(), f.outWidth());
        int margin = (int) Math.floorMod(c.seed(), 7L);
        MapLayout padded = new MapLayout(out.channels(), out.height(), out.width(),
                3 + margin + out.channels() * (out.height() * (out.width() + margin) + 2 * margin) + margin, 3 + margin,
                out.width() + margin, out.height() * (out.width() + margin) + 2 * margin);
        boolean tiles = !staged.isDense();
        assertEquals(tiles, f.writes(padded), c + ": a staged input and a padded output go together");
        MapLayout wrong = MapLayout.dense(c.cin() + 1, win.inHeight(), win.inWidth());
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> f.infer(c.batch(), x, 0,
                wrong, prepared, b, 0, new float[c.batch() * out.imageSize()], 0, out));
        assertEquals("xLayout must be the input's dense layout " + dense + " or stagedInput() " + staged + ", got "
                + wrong, refused.getMessage());
        assertEquals("batch must be > 0, got 0", assertThrows(IllegalArgumentException.class, () -> f.infer(0, x, 0,
                dense, prepared, b, 0, new float[out.imageSize()], 0, out)).getMessage());
        if (!staged.isDense()) { // the dense x is too short for the staged layout
            assertTrue(assertThrows(IllegalArgumentException.class, () -> f.infer(c.batch(), x, 0, staged, prepared, b,
                    0, new float[c.batch() * out.imageSize()], 0, out)).getMessage().startsWith("x is too short"));
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> f.infer(c.batch(), x, 0, dense, prepared, b, 0,
                new float[c.batch() * out.imageSize() - 1], 0, out)).getMessage().startsWith("y is too short"));
        if (!tiles) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.infer(c.batch(), x, 0,
                    dense, prepared, b, 0, new float[c.batch() * padded.imageSize()], 0, padded));
            assertTrue(e.getMessage().startsWith("yLayout must hold"), e.getMessage());
        }
        for (MapLayout in : tiles ? List.of(dense, staged) : List.of(dense)) {
            float[] xs = inLayout(x, c.batch(), in, 5);
            for (MapLayout o : tiles ? List.of(out, padded) : List.of(out)) {
                for (int threads = 1; threads <= 2; threads++) {
                    Parallel.setThreads(threads);
                    for (int images : new int[] {c.batch(), 1}) {
                        float[] y = new float[7 + images * o.imageSize()];
                        java.util.Arrays.fill(y, Float.NaN); // stale contents, the zeros included, are overwritten
                        f.infer(images, xs, 5, in, prepared, b, 0, y, 7, o);
                        String where = c + ", " + images + " images on " + threads + " threads, from " + in + " into "
                                + o;
                        assertArrayEquals(java.util.Arrays.copyOf(want, images * f.outputSize()),
                                fromLayout(y, 7, images, o), where);
                        assertZerosAround(y, 7, images, o, where);
                    }
                }
            }
        }
    }

    /** {@code n} dense images in {@code layout} from {@code at}, zeros elsewhere (NaN before {@code at}). */
    static float[] inLayout(float[] dense, int n, MapLayout layout, int at) {
        float[] a = new float[at + n * layout.imageSize()];
        java.util.Arrays.fill(a, 0, at, Float.NaN);
        int size = layout.channels() * layout.height() * layout.width(), i = 0;
        for (int img = 0; img < n; img++) {
            for (int ch = 0; ch < layout.channels(); ch++) {
                for (int r = 0; r < layout.height(); r++) {
                    for (int s = 0; s < layout.width(); s++) {
                        a[cell(layout, at, img, ch, r, s)] = dense[i++];
                    }
                }
            }
        }
        assertEquals(n * size, i);
        return a;
    }

    /** The cells of {@code n} images in {@code layout} from {@code at}, dense. */
    static float[] fromLayout(float[] a, int at, int n, MapLayout layout) {
        float[] dense = new float[n * layout.channels() * layout.height() * layout.width()];
        int i = 0;
        for (int img = 0; img < n; img++) {
            for (int ch = 0; ch < layout.channels(); ch++) {
                for (int r = 0; r < layout.height(); r++) {
                    for (int s = 0; s < layout.width(); s++) {
                        dense[i++] = a[cell(layout, at, img, ch, r, s)];
                    }
                }
            }
        }
        return dense;
    }

    private static int cell(MapLayout l, int at, int img, int ch, int r, int s) {
        return at + img * l.imageSize() + l.offset() + ch * l.plane() + r * l.rowStride() + s;
    }

    /** Every float of the images that is not a cell is +0. */
    private static void assertZerosAround(float[] a, int at, int n, MapLayout l, String where) {
        boolean[] isCell = new boolean[n * l.imageSize()];
        for (int img = 0; img < n; img++) {
            for (int ch = 0; ch < l.channels(); ch++) {
                for (int r = 0; r < l.height(); r++) {
                    for (int s = 0; s < l.width(); s++) {
                        isCell[cell(l, 0, img, ch, r, s)] = true;
                    }
                }
            }
        }
        for (int i = 0; i < isCell.length; i++) {
            if (!isCell[i] && Float.floatToRawIntBits(a[at + i]) != 0) {
                throw new AssertionError(where + ": float " + i + " is not a cell and holds " + a[at + i]);
            }
        }
    }

    /** An inference pass of {@code images} images into {@code y} from {@code at}. */
    private interface Pass {
        void run(int images, float[] y, int at);
    }

    /**
     * {@code pass} gives {@code want} on one thread and two, over a buffer's stale contents from
     * {@code at}, and its first image's part of it for a lone image (split over the threads).
     */
    private static void assertOnThreadsAndAlone(Case c, float[] want, int outputSize, int at, Pass pass) {
        for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            float[] y = c.random(want.length + at, 9); // stale contents must be overwritten
            pass.run(c.batch(), y, at);
            assertArrayEquals(want, java.util.Arrays.copyOfRange(y, at, at + want.length), c + " on " + threads
                    + " threads");
            float[] one = new float[outputSize];
            pass.run(1, one, 0);
            assertArrayEquals(java.util.Arrays.copyOf(want, one.length), one, c + ", a lone image, on " + threads
                    + " threads");
        }
    }

    /** Pooled, "same" 3x3 and 5x5 windows on widths of 32 to 96 (and 40), channels out in fours or not. */
    @Provide
    Arbitrary<Case> pooledTileCases() {
        Arbitrary<int[]> shape = Combinators.combine(Arbitraries.integers().between(1, 2),
                        Arbitraries.integers().between(1, 9), Arbitraries.of(4, 6, 8, 12, 16),
                        Arbitraries.integers().between(2, 21), Arbitraries.of(32, 40, 64, 96), Arbitraries.of(3, 5))
                .as((n, ci, co, h, wd, k) -> new int[] {n, ci, co, h, wd, k});
        return Combinators.combine(shape, Arbitraries.of(true, false), Arbitraries.longs())
                .as((s, relu, seed) -> new Case(s[0], s[1], s[2],
                        Window2d.of(s[3], s[4], s[5], 1, Padding.symmetric(s[5] / 2, s[5] / 2)), relu, true, seed));
    }

    /**
     * Each recorded winner is a cell of its window whose (reference) value is the window's
     * maximum; after a ReLU, a window whose maximum is not positive is coded dead instead.
     */
    private static void assertWinnersHoldTheMaximum(Case c, float[] x, float[] w, float[] b, float[] y, int yOffset,
                                                    byte[] winners, int winnersOffset) {
        Window2d g = c.window();
        double[] z = ReferenceWindows.conv(g, c.batch(), c.cin(), c.cout(), toDouble(x), toDouble(w), toDouble(b));
        int ph = g.outHeight() / 2, pw = g.outWidth() / 2;
        for (int plane = 0; plane < c.batch() * c.cout(); plane++) {
            for (int py = 0; py < ph; py++) {
                for (int px = 0; px < pw; px++) {
                    int o = (plane * ph + py) * pw + px, code = winners[winnersOffset + o];
                    boolean dead = c.relu() && !(y[yOffset + o] > 0);
                    assertEquals(dead, code == ConvSupport.DEAD_WINDOW, c + ": window " + o + " max " + y[yOffset + o]
                            + " coded " + code);
                    if (dead) {
                        continue;
                    }
                    assertTrue(code >= 0 && code <= 3, "winner code " + code);
                    double v = z[(plane * g.outHeight() + 2 * py + code / 2) * g.outWidth() + 2 * px + code % 2];
                    if (c.relu()) {
                        v = Math.max(v, 0);
                    }
                    if (!(Math.abs(v - y[yOffset + o]) <= tolerance(c))) {
                        throw new AssertionError(c + ": window " + o + " winner " + code + " holds " + v + ", max " + y[yOffset + o]);
                    }
                }
            }
        }
    }

    @Property(tries = 100, seed = Seeds.FIXED)
    void backwardIsTheChainRule(@ForAll("cases") Case c) {
        chainRule(c, true);
    }

    /**
     * A first layer (no data gradient), pooled: the weight and bias gradients by the chain rule,
     * and the same bits on one thread and two.
     */
    @Property(tries = 100, seed = Seeds.FIXED)
    void backwardWithoutDataGradientIsTheChainRule(@ForAll("pooledCases") Case c) {
        chainRule(c, false);
    }

    @Provide
    Arbitrary<Case> pooledCases() {
        return cases(Arbitraries.integers().between(1, 3)).filter(Case::pool);
    }

    /**
     * As above on images tall enough that the weight gradient takes several strips of rows (a
     * strip holds 16384 floats of four channels' padded rows), each unpooled just before it: odd
     * heights leave a last row the pooling drops, which must read as zero after a strip's rows.
     */
    @Property(tries = 25, seed = Seeds.FIXED)
    void tallBackwardWithoutDataGradientIsTheChainRule(@ForAll("tallPooledCases") Case c) {
        // Thousands of products a sum, in float: an allowance of a few roundings of each, on top
        // of the relative one (a wrong row would be off by whole products, near 1).
        chainRule(c, false, 4 * Math.ulp(1f) * c.batch() * c.window().outSize());
    }

    @Provide
    Arbitrary<Case> tallPooledCases() {
        return cases(Arbitraries.integers().between(1, 2), Arbitraries.integers().between(60, 150),
                Arbitraries.integers().between(30, 70)).filter(Case::pool);
    }

    private static void chainRule(Case c, boolean dataGradient) {
        chainRule(c, dataGradient, 0);
    }

    private static void chainRule(Case c, boolean dataGradient, double absolute) {
        FusedConvolution f = c.fused();
        Window2d g = c.window();
        float[] x = c.input(), w = c.weights(), b = c.bias();
        float[] y = new float[c.batch() * f.outputSize()];
        byte[] winners = new byte[c.batch() * f.winnersSize()];
        f.forward(c.batch(), x, 0, w, 0, b, 0, y, 0, winners, 0);
        float[] dy = c.random(y.length, 4);
        float[] dw = c.random(w.length, 5), db = c.random(b.length, 6), dx = dataGradient ? c.random(x.length, 7) : null;
        float[] mask = c.pool() ? null : y; // pooled, the winners' codes carry the ReLU's mask: y is not read
        f.backward(c.batch(), x, 0, w, 0, mask, 0, dy, 0, winners, 0, dw, 0, db, 0, dx, 0);

        // dz: dy at each window's winner, where the ReLU let it through (by y, not by the codes).
        double[] dz = new double[c.batch() * c.cout() * g.outSize()];
        int ph = g.outHeight() / 2, pw = g.outWidth() / 2;
        for (int plane = 0; plane < c.batch() * c.cout(); plane++) {
            if (!c.pool()) {
                for (int i = 0; i < g.outSize(); i++) {
                    int o = plane * g.outSize() + i;
                    dz[o] = !c.relu() || y[o] > 0 ? dy[o] : 0;
                }
                continue;
            }
            for (int py = 0; py < ph; py++) {
                for (int px = 0; px < pw; px++) {
                    int o = (plane * ph + py) * pw + px, code = winners[o];
                    if (!c.relu() || y[o] > 0) {
                        dz[(plane * g.outHeight() + 2 * py + code / 2) * g.outWidth() + 2 * px + code % 2] = dy[o];
                    }
                }
            }
        }
        double[][] want = convGradients(c, toDouble(x), toDouble(w), dz);
        double tolerance = 1e-5;
        if (dataGradient) {
            GradientCheck.assertMatches(c + " dx", dx, 0, want[0], tolerance);
        }
        GradientCheck.assertMatches(c + " dw", dw, 0, want[1], tolerance, absolute);
        GradientCheck.assertMatches(c + " dbias", db, 0, want[2], tolerance, absolute);
        for (int threads = 1; threads <= 2 && !dataGradient; threads++) { // the same bits on one thread and two
            Parallel.setThreads(threads);
            float[] again = new float[w.length + b.length];
            f.backward(c.batch(), x, 0, w, 0, mask, 0, dy, 0, winners, 0, again, 0, again, w.length, null, 0);
            assertArrayEquals(dw, java.util.Arrays.copyOf(again, w.length), c + ": dw on " + threads + " threads");
            assertArrayEquals(db, java.util.Arrays.copyOfRange(again, w.length, again.length),
                    c + ": dbias on " + threads + " threads");
        }
    }

    /** dx, dw and dbias of a convolution from the gradient at its output, by the definitions, in double. */
    private static double[][] convGradients(Case c, double[] x, double[] w, double[] dz) {
        Window2d g = c.window();
        double[] dx = new double[x.length], dw = new double[w.length], db = new double[c.cout()];
        for (int n = 0; n < c.batch(); n++) {
            for (int oc = 0; oc < c.cout(); oc++) {
                for (int oy = 0; oy < g.outHeight(); oy++) {
                    for (int ox = 0; ox < g.outWidth(); ox++) {
                        double d = dz[((n * c.cout() + oc) * g.outHeight() + oy) * g.outWidth() + ox];
                        db[oc] += d;
                        for (int ic = 0; ic < c.cin(); ic++) {
                            for (int ky = 0; ky < g.kernelHeight(); ky++) {
                                for (int kx = 0; kx < g.kernelWidth(); kx++) {
                                    int iy = oy * g.strideY() - g.padTop() + ky, ix = ox * g.strideX() - g.padLeft() + kx;
                                    if (iy < 0 || iy >= g.inHeight() || ix < 0 || ix >= g.inWidth()) {
                                        continue;
                                    }
                                    int wi = ((oc * c.cin() + ic) * g.kernelHeight() + ky) * g.kernelWidth() + kx;
                                    int xi = ((n * c.cin() + ic) * g.inHeight() + iy) * g.inWidth() + ix;
                                    dw[wi] += d * x[xi];
                                    dx[xi] += d * w[wi];
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {dx, dw, db};
    }

    /** Few enough inputs and weights to difference each (mostly 2 to 4 rows of a wide image). */
    @Provide
    Arbitrary<Case> smallCases() {
        return cases().filter(c -> c.cin() * c.window().inSize() <= 200 && c.cout() * c.cin() * c.window().kernelSize() <= 150);
    }

    /** The plain convolution on the direct path: its gradients are those of the reference forward. */
    @Property(tries = 30, seed = Seeds.FIXED)
    void directConvolutionGradientsAreFiniteDifferences(@ForAll("smallCases") Case c) {
        Convolution conv = new Convolution(c.cin(), c.cout(), c.window());
        int batch = 1;
        float[] x = c.random(c.cin() * c.window().inSize(), 1), w = c.weights(), b = c.bias();
        float[] dy = c.random(conv.outputSize(), 4);
        float[] dx = c.random(x.length, 7), dw = c.random(w.length, 5), db = c.random(b.length, 6);
        conv.backwardData(batch, dy, 0, w, 0, dx, 0);
        conv.backwardWeights(batch, x, 0, dy, 0, dw, 0, db, 0);
        Window2d g = c.window();
        double[] numericX = GradientCheck.numeric(
                xs -> ReferenceWindows.conv(g, batch, c.cin(), c.cout(), xs, toDouble(w), null), toDouble(x), toDouble(dy), 1e-3);
        GradientCheck.assertMatches(conv + " dx", dx, 0, numericX, 1e-4);
        double[] numericW = GradientCheck.numeric(
                ws -> ReferenceWindows.conv(g, batch, c.cin(), c.cout(), toDouble(x), ws, null), toDouble(w), toDouble(dy), 1e-3);
        GradientCheck.assertMatches(conv + " dw", dw, 0, numericW, 1e-4);
        double[] numericB = GradientCheck.numeric(
                bs -> ReferenceWindows.conv(g, batch, c.cin(), c.cout(), toDouble(x), toDouble(w), bs), toDouble(b), toDouble(dy), 1e-3);
        GradientCheck.assertMatches(conv + " dbias", db, 0, numericB, 1e-4);
    }

    @Property(tries = 40, seed = Seeds.FIXED)
    void sameBitsForOneAndManyThreads(@ForAll("cases") Case c) {
        float[][] one = runAll(c, 1), two = runAll(c, 2), three = runAll(c, 3);
        for (int r = 0; r < one.length; r++) {
            assertArrayEquals(one[r], two[r], c + ": result " + r + " with 2 threads");
            assertArrayEquals(one[r], three[r], c + ": result " + r + " with 3 threads");
        }
    }

    private static float[][] runAll(Case c, int threads) {
        Parallel.setThreads(threads);
        FusedConvolution f = c.fused();
        float[] x = c.input(), w = c.weights(), b = c.bias();
        float[] y = new float[c.batch() * f.outputSize()], one = new float[f.outputSize()];
        byte[] winners = new byte[c.batch() * f.winnersSize()];
        f.forward(c.batch(), x, 0, w, 0, b, 0, y, 0, winners, 0);
        f.forward(1, x, 0, w, 0, b, 0, one, 0, null, 0); // a lone image splits its rows over threads
        float[] dy = c.random(y.length, 4), dw = new float[w.length], db = new float[b.length], dx = new float[x.length];
        f.backward(c.batch(), x, 0, w, 0, y, 0, dy, 0, winners, 0, dw, 0, db, 0, dx, 0);
        return new float[][] {y, one, dw, db, dx};
    }

    /**
     * The residual pass gives the bits of the steps in sequence: the convolution, the residual
     * added, ReLU as the layer ({@code v < 0 ? 0 : v}). Residuals with zeros, negative zeros and
     * NaN, so the ReLU's edge cases meet the sum; on 1 and 2 threads, a lone image too.
     */
    @Property(tries = 80, seed = Seeds.FIXED)
    void residualPassIsConvolutionThenAddThenRelu(@ForAll("cases") Case c) {
        residualIsConvolutionThenAddThenRelu(c);
    }

    /**
     * F(4x4, 3x3) adds the residual as it places each vector of outputs (whole runs of tiles, and
     * the runs cut at a tile row's end, widths in fours): the same bits.
     */
    @Property(tries = 60, seed = Seeds.FIXED)
    void squareResidualPassIsConvolutionThenAddThenRelu(@ForAll("squareCases") Case c) {
        if (KernelProvider.conv().vectorBitSize() == 512) {
            assertTrue(c.fused().conv().algorithm().startsWith("winograd F(4x4, 3x3)"), c.toString());
        }
        residualIsConvolutionThenAddThenRelu(c);
    }

    private static void residualIsConvolutionThenAddThenRelu(Case c) {
        if (c.pool()) {
            return;
        }
        FusedConvolution f = c.fused(), plain = new FusedConvolution(c.fused().conv(), false, false);
        float[] x = c.input(), w = c.weights(), b = c.bias();
        int size = c.batch() * f.outputSize();
        float[] r = c.random(size + 3, 5);
        for (int i = 3; i < r.length; i += 7) {
            r[i] = i % 3 == 0 ? -0f : i % 3 == 1 ? Float.NaN : 0f;
        }
        float[] want = new float[size];
        plain.forward(c.batch(), x, 0, w, 0, b, 0, want, 0, null, 0);
        for (int i = 0; i < size; i++) {
            float v = want[i] + r[3 + i];
            want[i] = c.relu() && v < 0f ? 0f : v;
        }
        assertOnThreadsAndAlone(c, want, f.outputSize(), 4,
                (images, y, at) -> f.forwardResidual(images, x, 0, w, 0, b, 0, r, 3, y, at));
    }

    /** Strided convolutions whose gradients run on the image's phases (every kernel size, stride 2 and 3). */
    @Provide
    Arbitrary<Case> phaseGradientCases() {
        return cases(Arbitraries.integers().between(4, 9))
                .filter(c -> c.fused().conv().algorithm().contains("phase gradients"));
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void phaseGradientsAreTheChainRule(@ForAll("phaseGradientCases") Case c) {
        backwardIsTheChainRule(c);
        sameBitsForOneAndManyThreads(c);
    }

    /**
     * "Same" maps half a block wide (16 at 512 bits, 8 at 256) with an even height: paired rows,
     * two rows a tile. Every kernel size up to 5x5 (even ones pad unevenly), both channel tiles
     * (eight, and four with a partial last block), pooled or not; the gradients read the same
     * staging, and a lone image's bands split at even rows.
     */
    @Provide
    Arbitrary<Case> pairedRowsCases() {
        int width = Math.max(2, KernelProvider.conv().directBlock() / 2);
        Arbitrary<int[]> shape = Combinators.combine(Arbitraries.integers().between(1, 3),
                        Arbitraries.integers().between(1, 6), Arbitraries.integers().between(1, 17),
                        Arbitraries.integers().between(1, 7), Arbitraries.integers().between(1, 5),
                        Arbitraries.integers().between(1, 5))
                .as((n, ci, co, halfH, kh, kw) -> new int[] {n, ci, co, 2 * halfH, kh, kw});
        return Combinators.combine(shape, Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.longs())
                .as((s, relu, pool, seed) -> new Case(s[0], s[1], s[2],
                        Window2d.of(s[3], width, s[4], s[5], 1, 1, 1, 1, Padding.SAME), relu, pool, seed))
                .filter(c -> c.window().kernelSize() > 1); // a 1x1 is pointwise
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void pairedRowsAreTheLayersAndTheChainRule(@ForAll("pairedRowsCases") Case c) {
        if (KernelProvider.conv().vectorBitSize() > 0) {
            assertTrue(c.fused().conv().algorithm().startsWith("direct (paired rows)"), c.toString());
        }
        forwardIsTheLayersInSequence(c);
        backwardIsTheChainRule(c);
        sameBitsForOneAndManyThreads(c);
    }

    /** Paired rows with the per-lane weight gradient (the rule gives them SGEMM's), which reads the same staging. */
    @Example
    void pairedRowsWithPerLaneWeightGradient() {
        int width = Math.max(2, KernelProvider.conv().directBlock() / 2);
        System.setProperty(GEMM_WEIGHT_GRADIENT, "false");
        try {
            for (int k = 2; k <= 5; k++) {
                Case c = new Case(2, 3, 12, Window2d.of(6, width, k, k, 1, 1, 1, 1, Padding.SAME), k % 2 == 1, k == 3, k);
                assertFalse(c.fused().conv().algorithm().contains("SGEMM"), c.toString());
                forwardIsTheLayersInSequence(c);
                backwardIsTheChainRule(c);
                sameBitsForOneAndManyThreads(c);
            }
        } finally {
            System.clearProperty(GEMM_WEIGHT_GRADIENT);
        }
    }

    /**
     * A pooled first layer laid flat with the per-lane weight gradient (the rule gives flat
     * layouts SGEMM's): the whole plane is one computed row there, so it must not take the
     * strips of rows that a first layer's unpooled gradient is cut into elsewhere.
     */
    @Example
    void flatFirstLayerWithPerLaneWeightGradient() {
        System.setProperty(GEMM_WEIGHT_GRADIENT, "false");
        try {
            int flat = 0, block = KernelProvider.conv().directBlock();
            for (int width = Math.max(2, block / 2 + 1); width <= 3 * block && flat < 4; width++) { // widths the rule lays flat
                int cin = 1 + 2 * (flat % 2);
                Case c = new Case(2, cin, 5, Window2d.of(8, width, 3, 3, 1, 1, 1, 1, Padding.SAME), cin == 1, true,
                        width);
                if (c.fused().conv().algorithm().contains("flat")) {
                    assertFalse(c.fused().conv().algorithm().contains("SGEMM"), c.toString());
                    chainRule(c, false);
                    flat++;
                }
            }
            assertTrue(KernelProvider.conv().vectorBitSize() == 0 || flat > 0, "no flat layout among the cases");
        } finally {
            System.clearProperty(GEMM_WEIGHT_GRADIENT);
        }
    }

    /**
     * Strided maps whose output is half a block wide with an even height: the flat staging
     * computed in paired rows. Strides 2 and 3, kernels wider than the stride up to 6x6, both
     * channel tiles, pooled or not (where the strided layout is chosen: enough blocks).
     */
    @Provide
    Arbitrary<Case> stridedPairedRowsCases() {
        int width = Math.max(2, KernelProvider.conv().directBlock() / 2);
        Arbitrary<int[]> shape = Combinators.combine(Arbitraries.integers().between(1, 3),
                        Arbitraries.integers().between(1, 6), Arbitraries.integers().between(1, 17),
                        Arbitraries.integers().between(4, 8), Arbitraries.integers().between(2, 3),
                        Arbitraries.integers().between(0, 2))
                .as((n, ci, co, halfH, stride, extra) -> new int[] {n, ci, co, 2 * halfH, stride, stride + 1 + extra});
        return Combinators.combine(shape, Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.longs())
                .as((s, relu, pool, seed) -> new Case(s[0], s[1], s[2],
                        Window2d.of(s[4] * s[3], s[4] * width, s[5], s[5], s[4], s[4], 1, 1, Padding.SAME), relu, pool,
                        seed))
                .filter(c -> c.fused().conv().algorithm().startsWith("direct (strided")); // not too few blocks
    }

    @Property(tries = 40, seed = Seeds.FIXED)
    void stridedPairedRowsAreTheLayersAndTheChainRule(@ForAll("stridedPairedRowsCases") Case c) {
        if (KernelProvider.conv().vectorBitSize() > 0) {
            assertTrue(c.fused().conv().algorithm().startsWith("direct (strided, paired rows)"), c.toString());
        }
        forwardIsTheLayersInSequence(c);
        backwardIsTheChainRule(c);
        sameBitsForOneAndManyThreads(c);
    }

    /** The random cases reach the strided layout now and then; this one always, pooled and rectified. */
    @Example
    void stridedDirectConvolutionFusesReluAndPooling() {
        Case c = new Case(2, 3, 8, Window2d.of(48, 48, 3, 3, 2, 2, 1, 1, Padding.SAME), true, true, 11);
        assertTrue(c.fused().conv().algorithm().startsWith("direct (strided"), c.toString());
        forwardIsTheLayersInSequence(c);
        backwardIsTheChainRule(c);
        sameBitsForOneAndManyThreads(c);
    }

    /**
     * resnet's 16 -> 32 stride-2 layer itself (explicit padding of one), its forward and its data
     * gradient's four phases in paired rows at 512 bits; and an input one column narrower, whose
     * odd column phase is a column short of the even one (a paired phase beside one that is not,
     * interleaved into the same rows).
     */
    @Example
    void resnetStrideTwoLayerIsTheLayersAndTheChainRule() {
        for (int inW : new int[] {32, 31}) {
            for (boolean relu : new boolean[] {true, false}) {
                Case c = new Case(2, 16, 32, Window2d.of(32, inW, 3, 3, 2, 2, 1, 1, Padding.explicit(1, 1, 1, 1)), relu,
                        false, inW);
                String algorithm = c.fused().conv().algorithm();
                assertTrue(algorithm.contains("phase gradients"), algorithm);
                if (KernelProvider.conv().directBlock() == 32 && inW == 32) {
                    assertTrue(algorithm.startsWith("direct (strided, paired rows)"), algorithm);
                }
                forwardIsTheLayersInSequence(c);
                backwardIsTheChainRule(c);
                sameBitsForOneAndManyThreads(c);
            }
        }
    }

    /** resnet's 16 -> 32 stride-2 3x3 takes its gradients on the phases; 64 input channels keep im2col's. */
    @Example
    void phaseGradientsFollowTheRule() {
        Window2d resnet = Window2d.of(32, 32, 3, 3, 2, 2, 1, 1, Padding.explicit(1, 1, 1, 1));
        assertTrue(new Convolution(16, 32, resnet).algorithm().contains("phase gradients"),
                new Convolution(16, 32, resnet).algorithm());
        Window2d wide = Window2d.of(56, 56, 3, 3, 2, 2, 1, 1, Padding.explicit(1, 1, 1, 1));
        assertTrue(new Convolution(64, 128, wide).algorithm().endsWith("gradients: im2col"),
                new Convolution(64, 128, wide).algorithm());
    }

    /**
     * A 1x1 stride-2 projection runs in register tiles with up to 32 input channels (64 on maps
     * of a tile or more), its gradients too while its per-lane weight sums and its map stay
     * small; wider ones keep im2col.
     */
    @Example
    void stridedPointwiseFollowsTheRule() {
        Window2d resnet = Window2d.of(32, 32, 1, 1, 2, 2, 1, 1, Padding.VALID);
        assertEquals("pointwise (strided)", new Convolution(16, 32, resnet).algorithm());
        Window2d wider = Window2d.of(16, 16, 1, 1, 2, 2, 1, 1, Padding.VALID);
        assertEquals("pointwise (strided); gradients: im2col", new Convolution(64, 128, wider).algorithm());
        assertEquals("im2col", new Convolution(128, 256, wider).algorithm());
        Window2d large = Window2d.of(56, 56, 1, 1, 2, 2, 1, 1, Padding.VALID);
        assertEquals("pointwise (strided); gradients: im2col", new Convolution(16, 32, large).algorithm());
        Window2d small = Window2d.of(14, 14, 1, 1, 2, 2, 1, 1, Padding.VALID);
        assertEquals("pointwise (strided); gradients: im2col", new Convolution(16, 32, small).algorithm());
        assertEquals("im2col", new Convolution(64, 128, small).algorithm());
        Case c = new Case(2, 24, 24, Window2d.of(12, 12, 1, 1, 2, 2, 1, 1, Padding.VALID), true, false, 9);
        assertEquals("pointwise (strided); gradients: im2col", c.fused().conv().algorithm());
        forwardIsTheLayersInSequence(c);
        backwardIsTheChainRule(c);
        sameBitsForOneAndManyThreads(c);
        Case pooled = new Case(3, 4, 8, Window2d.of(30, 30, 1, 1, 2, 2, 1, 1, Padding.VALID), true, true, 11);
        assertEquals("pointwise (strided)", pooled.fused().conv().algorithm());
        forwardIsTheLayersInSequence(pooled);
        backwardIsTheChainRule(pooled);
        sameBitsForOneAndManyThreads(pooled);
    }

    /**
     * A 28-wide map rounds its rows up to 32 columns at 256 and 512 bits; laid flat, its 12 rows
     * compute 29 columns each (one zero column between rows serves as both borders), 352 in all
     * against 384. A lone image still splits its rows over threads (the row layout's bands), to
     * the same bits.
     */
    @Example
    void mapsJustUnderABlockWideLayFlat() {
        Case c = new Case(2, 3, 8, Window2d.of(12, 28, 3, 3, 1, 1, 1, 1, Padding.SAME), true, false, 5);
        if (KernelProvider.conv().directBlock() >= 16) {
            assertEquals("direct (flat), SGEMM weight gradient", c.fused().conv().algorithm());
        }
        forwardIsTheLayersInSequence(c);
        backwardIsTheChainRule(c);
        sameBitsForOneAndManyThreads(c);
    }

    /**
     * An 8x8 "same" 5x5 (ChestXRayNet's conv6) at 512 bits: 10 positions a row, 96 in all, three
     * blocks laid flat, the fewest that take that path; pooled and rectified, its SGEMM weight gradient.
     */
    @Example
    void threeBlocksLayFlat() {
        Case c = new Case(3, 4, 8, Window2d.of(8, 8, 5, 5, 1, 1, 1, 1, Padding.SAME), true, true, 7);
        if (KernelProvider.conv().directBlock() == 32) {
            assertEquals("direct (flat), SGEMM weight gradient", c.fused().conv().algorithm());
        }
        forwardIsTheLayersInSequence(c);
        backwardIsTheChainRule(c);
        sameBitsForOneAndManyThreads(c);
    }

    @Example
    void chestXRayNetLayersTakeTheDirectPathAtEveryWidth() {
        // conv1..conv4 of ChestXRayNet: stride 1, "same", outputs 256, 128, 64 and 32 wide.
        assertEquals("direct", Convolution.of(1, 256, 256, 8, 3, 1, Padding.SAME).algorithm());
        assertEquals("direct", Convolution.of(8, 128, 128, 8, 3, 1, Padding.SAME).algorithm());
        assertEquals("direct", Convolution.of(8, 64, 64, 12, 3, 1, Padding.SAME).algorithm());
        assertEquals("direct", Convolution.of(12, 32, 32, 12, 3, 1, Padding.SAME).algorithm());
        // conv5, 16 wide, narrower than a block at 512 bits: rows laid end to end there.
        assertTrue(Convolution.of(12, 16, 16, 20, 5, 1, Padding.SAME).algorithm().startsWith("direct"));
        // conv6, 8 wide: three blocks laid flat at 512 bits, paired rows at 256, rows below
        assertTrue(Convolution.of(20, 8, 8, 20, 5, 1, Padding.SAME).algorithm().startsWith("direct"));
        assertTrue(Convolution.of(12, 32, 32, 12, 3, 2, Padding.SAME).algorithm().startsWith("direct (strided"),
                "stride 2 reads the image's phases (in paired rows at 512 bits)");
    }

    @Example
    void badArgumentsAreNamed() {
        Convolution conv = Convolution.of(2, 6, 6, 3, 3, 1, Padding.SAME);
        FusedConvolution f = new FusedConvolution(conv, true, true);
        assertEquals(3 * 3 * 3, f.outputSize());
        float[] x = new float[2 * 36], w = new float[3 * 2 * 9], y = new float[f.outputSize()], dy = new float[f.outputSize()];
        byte[] winners = new byte[f.winnersSize()];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> f.forward(1, x, 0, w, 0, null, 0, new float[5], 0, winners, 0));
        assertEquals("y is too short: batch * outputSize() = 1 * 27 = 27 values at offset 0 need length >= 27, got 5",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> f.backward(1, x, 0, w, 0, y, 0, dy, 0, null, 0, new float[w.length], 0, null, 0, null, 0));
        assertEquals("winners (from the forward pass) are needed for the pooling's gradient, got null", e.getMessage());
        FusedConvolution unpooled = new FusedConvolution(conv, true, false); // pooled, the winners carry the mask
        float[] dyUnpooled = new float[unpooled.outputSize()];
        e = assertThrows(IllegalArgumentException.class, () -> unpooled.backward(1, x, 0, w, 0, null, 0, dyUnpooled, 0,
                null, 0, new float[w.length], 0, null, 0, null, 0));
        assertEquals("y (the forward output) is needed for the ReLU's gradient, got null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new FusedConvolution(Convolution.of(1, 1, 8, 1, 1, 1, Padding.VALID), false, true));
        assertEquals("2x2 max-pooling needs a convolution output of at least 2x2, got 1x8", e.getMessage());
    }

    @Example
    void residualArgumentsAreNamed() {
        Convolution conv = Convolution.of(2, 6, 6, 3, 3, 1, Padding.SAME);
        FusedConvolution f = new FusedConvolution(conv, true, false);
        float[] x = new float[2 * 2 * 36], w = new float[3 * 2 * 9], y = new float[2 * f.outputSize()];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> f.forwardResidual(2, x, 0, w, 0, null, 0, new float[200], 0, y, 0));
        assertEquals("r is too short: batch * outputSize() = 2 * 108 = 216 values at offset 0 need length >= 216,"
                + " got 200", e.getMessage());
        float[] both = new float[3 * f.outputSize()];
        e = assertThrows(IllegalArgumentException.class,
                () -> f.forwardResidual(2, x, 0, w, 0, null, 0, both, 100, both, 0));
        assertEquals("r [100, 316) overlaps y [0, 216) in the same array: the convolution writes y before r is added",
                e.getMessage());
        f.forwardResidual(1, x, 0, w, 0, null, 0, both, 108, both, 0); // one image each: apart
        NullPointerException npe = assertThrows(NullPointerException.class,
                () -> f.forwardResidual(2, x, 0, w, 0, null, 0, null, 0, y, 0));
        assertEquals("r", npe.getMessage());
        IllegalStateException ise = assertThrows(IllegalStateException.class,
                () -> new FusedConvolution(conv, true, true).forwardResidual(1, x, 0, w, 0, null, 0, y, 0, both, 0));
        assertEquals("a residual is added to the convolution's own output: FusedConvolution(" + conv
                + ", relu, max-pool 2x2) pools it", ise.getMessage());
    }
}
