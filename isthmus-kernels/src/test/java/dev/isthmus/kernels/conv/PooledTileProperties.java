package dev.isthmus.kernels.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.kernels.Padding;
import dev.isthmus.kernels.Window2d;
import java.util.Random;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;

/**
 * The direct kernel's pooled tiles ({@link ConvSupport#directConvolvePooled}) against the plain
 * kernels in sequence ({@link ScalarConv#directConvolve} with ReLU, then
 * {@link ScalarConv#maxPool2x2}): the pooled floats and each window's winner, bit for bit, with
 * and without winners, into an output whose rows and planes have gaps. The inputs and weights
 * make ties (many cells rectified to +0, repeated small values), negative zeros, infinities and
 * NaNs of both signs, where a winner's code depends on the exact comparison (and a window whose
 * maximum is +0 or NaN is coded dead, {@link ConvSupport#DEAD_WINDOW}). The Panama kernels
 * pool in their tiles at 16 lanes and at 8 (another tile): the {@code vector-512} and
 * {@code vector-256} runs check both.
 */
@Tag("vector-width")
class PooledTileProperties {

    private static final float NEGATIVE_NAN = Float.intBitsToFloat(0xffc00000);

    @Property(tries = 150, seed = "20261207")
    void pooledTilesAreTheConvolutionThenThePooling(@ForAll @IntRange(min = 1, max = 5) int cin,
                                                    @ForAll @IntRange(min = 1, max = 4) int quads,
                                                    @ForAll @IntRange(min = 2, max = 9) int height,
                                                    @ForAll @IntRange(min = 1, max = 3) int widthTiles,
                                                    @ForAll boolean fiveByFive, @ForAll boolean withWinners,
                                                    @ForAll @IntRange(min = 0, max = 3) int gap,
                                                    @ForAll long seed) {
        ConvSupport kernels = new PanamaConv();
        if (kernels.directLanes() != 16 && kernels.directLanes() != 8) {
            return; // no pooled tiles at this width (see eightAndSixteenLanesPoolInTiles)
        }
        int cout = 4 * quads, k = fiveByFive ? 5 : 3, width = widthTiles * 2 * kernels.directLanes();
        Window2d w = Window2d.of(height, width, k, 1, Padding.symmetric(k / 2, k / 2));
        DirectLayout g = DirectLayout.forward(cin, cout, w, kernels.directBlock(), kernels.directWideChannels());
        assertTrue(g != null && kernels.poolsInTiles(g, true), "pooled tiles for " + g);
        Random random = new Random(seed);
        float[] x = new float[cin * height * width], weights = new float[cout * cin * k * k], bias = new float[cout];
        for (int i = 0; i < x.length; i++) {
            x[i] = cell(random);
        }
        for (int i = 0; i < weights.length; i++) {
            weights[i] = random.nextInt(8) == 0 ? 0f : random.nextInt(3) * 0.25f - 0.25f;
        }
        for (int i = 0; i < cout; i++) {
            bias[i] = random.nextInt(3) * 0.5f - 0.5f;
        }
        float[] xp = new float[g.stagedSize()], wp = new float[g.packedWeightsSize()];
        g.stage(x, 0, xp, ScalarConv.INSTANCE);
        g.pack(weights, 0, false, wp);

        int rows = 2 * (height / 2), pw = width / 2, ph = rows / 2;
        float[] strip = new float[cout * rows * g.outWp];
        ScalarConv.INSTANCE.directConvolve(g, xp, wp, 0, bias, 0, true, 0, rows, strip, 0, g.outWp, rows * g.outWp);
        int stride = pw + gap, plane = ph * stride + gap, at = 1 + gap;
        float[] want = new float[at + cout * plane], got = new float[want.length];
        java.util.Arrays.fill(got, -7f); // the gaps are left alone
        java.util.Arrays.fill(want, -7f);
        byte[] wantWinners = withWinners ? new byte[want.length] : null, gotWinners = withWinners ? new byte[want.length] : null;
        for (int ch = 0; ch < cout; ch++) { // the plain pooling a plane at a time: its output rows are dense
            float[] pooled = new float[ph * pw];
            byte[] codes = new byte[ph * pw];
            ScalarConv.INSTANCE.maxPool2x2(strip, ch * rows * g.outWp, g.outWp, rows * g.outWp, 1, ph, pw, pooled, 0,
                    ph * pw, codes, 0, true);
            for (int py = 0; py < ph; py++) {
                System.arraycopy(pooled, py * pw, want, at + ch * plane + py * stride, pw);
                if (withWinners) {
                    System.arraycopy(codes, py * pw, wantWinners, at + ch * plane + py * stride, pw);
                }
            }
        }
        // two calls, the second from row 2, as the threads' bands split an image
        int split = rows > 2 ? 2 : rows;
        kernels.directConvolvePooled(g, xp, 0, wp, 0, bias, 0, 0, split, got, at, stride, plane, gotWinners, at);
        if (split < rows) {
            kernels.directConvolvePooled(g, xp, 0, wp, 0, bias, 0, split, rows - split, got, at + stride, stride,
                    plane, gotWinners, at + stride);
        }
        String where = cin + "->" + cout + " " + k + "x" + k + " on " + height + "x" + width + ", seed " + seed;
        assertArrayEquals(want, got, where); // floatToIntBits: a NaN is a NaN, +0 is not -0
        if (withWinners) {
            assertArrayEquals(wantWinners, gotWinners, where);
        }
    }

    /** The property is not vacuous: at 16 and 8 lanes the kernels pool in their tiles. */
    @Property(tries = 1)
    void eightAndSixteenLanesPoolInTiles() {
        ConvSupport kernels = new PanamaConv();
        Assume.that(kernels.directLanes() == 16 || kernels.directLanes() == 8);
        Window2d w = Window2d.of(8, 64, 3, 1, Padding.symmetric(1, 1));
        DirectLayout g = DirectLayout.forward(2, 8, w, kernels.directBlock(), kernels.directWideChannels());
        assertTrue(g != null && kernels.poolsInTiles(g, true),
                "8 channels 64 wide pool in tiles at " + kernels.directLanes() + " lanes: " + g);
    }

    /** A cell: mostly a few repeated values (ties), now and then an edge case. */
    private static float cell(Random random) {
        return switch (random.nextInt(16)) {
            case 0 -> 0f;
            case 1 -> -0f;
            case 2 -> random.nextInt(6) == 0 ? Float.NaN : 1f;
            case 3 -> random.nextInt(6) == 0 ? NEGATIVE_NAN : -1f;
            case 4 -> random.nextInt(4) == 0 ? Float.POSITIVE_INFINITY : 2f;
            case 5 -> random.nextInt(4) == 0 ? Float.NEGATIVE_INFINITY : -2f;
            case 6, 7, 8, 9 -> random.nextInt(3) * 0.5f;
            default -> (float) random.nextGaussian();
        };
    }
}
