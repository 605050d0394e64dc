package dev.isthmus.kernels.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.kernels.runtime.Vectors;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;

/**
 * The 8-lane pieces of the Winograd weight gradient against plain loops:
 * {@link WinogradConvolution#transpose8} moves every float to its transposed place and touches
 * nothing else, and {@link WinogradConvolution#accumulateLanes8} adds, for each pair of channels,
 * the products over the tiles into the right cell of its block ({@link WinogradConvolution#sumsPair})
 * on top of what was there. The {@code vector-256} run (and a default run on an AVX2 machine)
 * checks them; at other widths they do not run.
 */
@Tag("vector-width")
class WinogradLaneProperties {

    private static final int L = Vectors.FLOATS.length();

    @Property(tries = 60, seed = "20261208")
    void transpose8MovesEachFloatToItsTransposedPlace(@ForAll @IntRange(min = 8, max = 40) int fromStride,
                                                      @ForAll @IntRange(min = 8, max = 40) int toStride,
                                                      @ForAll @IntRange(min = 0, max = 9) int at,
                                                      @ForAll @IntRange(min = 0, max = 9) int toAt,
                                                      @ForAll long seed) {
        if (L != 8) {
            return;
        }
        Random random = new Random(seed);
        float[] from = new float[at + 8 * fromStride + 8];
        for (int i = 0; i < from.length; i++) {
            from[i] = random.nextFloat();
        }
        float[] to = new float[toAt + 8 * toStride + 8], want = new float[to.length];
        for (int i = 0; i < to.length; i++) {
            to[i] = want[i] = -1 - i;
        }
        for (int r = 0; r < 8; r++) {
            for (int c = 0; c < 8; c++) {
                want[toAt + c * toStride + r] = from[at + r * fromStride + c];
            }
        }
        WinogradConvolution.transpose8(from, at, fromStride, to, toAt, toStride);
        for (int i = 0; i < to.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(to[i]), "to[" + i + "]");
        }
    }

    @Property(tries = 60, seed = "20261208")
    void laneSumsAreTheProductsSummedIntoTheirBlocks(@ForAll @IntRange(min = 1, max = 3) int inQuads,
                                                     @ForAll @IntRange(min = 1, max = 5) int outPairs,
                                                     @ForAll @IntRange(min = 1, max = 4) int vectors,
                                                     @ForAll long seed) {
        if (L != 8) {
            return;
        }
        int cin = 4 * inQuads, cout = 2 * outPairs, tiles = vectors * L, blockTiles = tiles + L;
        int vb = 3, mb = 5, cb = 7;
        Random random = new Random(seed);
        // small integers: every sum exact, so any order of adding gives the same floats
        float[] v = new float[vb + cin * blockTiles], dm = new float[mb + cout * blockTiles];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextInt(7) - 3;
        }
        for (int i = 0; i < dm.length; i++) {
            dm[i] = random.nextInt(7) - 3;
        }
        float[] sums = new float[cb + cin * cout + 8], want = new float[sums.length];
        for (int i = 0; i < sums.length; i++) {
            sums[i] = want[i] = random.nextInt(5);
        }
        for (int ic = 0; ic < cin; ic++) {
            for (int oc = 0; oc < cout; oc++) {
                float total = 0;
                for (int t = 0; t < tiles; t++) {
                    total += v[vb + ic * blockTiles + t] * dm[mb + oc * blockTiles + t];
                }
                want[cb + WinogradConvolution.sumsPair(ic, oc, cout, true)] += total;
            }
        }
        WinogradConvolution.accumulateLanes8(cin, cout, blockTiles, v, vb, dm, mb, tiles, sums, cb);
        for (int i = 0; i < sums.length; i++) {
            assertEquals(want[i], sums[i], "sums[" + i + "] (cin " + cin + ", cout " + cout + ", tiles " + tiles + ")");
        }
    }
}
