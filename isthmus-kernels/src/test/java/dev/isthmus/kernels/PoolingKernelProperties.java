package dev.isthmus.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.isthmus.kernels.conv.ConvSupport;
import dev.isthmus.kernels.conv.ScalarConv;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;

/**
 * The fused convolution's 2x2 max-pooling kernel against the plain one ({@link ScalarConv}), bit
 * for bit with its winners, on the cells that decide a maximum's edge cases: ties, zeros of both
 * signs, infinities and NaNs of both signs (x86's default NaN has its sign bit set). Rectified
 * planes hold what a ReLU leaves (+0, positives, +inf, NaN), which the vector kernel compares by
 * their bits; the others hold anything.
 */
@Tag("kernel-ops")
@Tag("vector-width")
class PoolingKernelProperties {

    private static final ConvSupport KERNELS = KernelProvider.conv();
    private static final float NEGATIVE_NAN = Float.intBitsToFloat(0xffc00000);

    /** A cell: mostly a few repeated values (ties), now and then an edge case. */
    private static float cell(Random random, boolean rectified) {
        int pick = random.nextInt(rectified ? 12 : 16);
        return switch (pick) {
            case 0 -> 0f;
            case 1 -> Float.NaN;
            case 2 -> NEGATIVE_NAN;
            case 3 -> Float.POSITIVE_INFINITY;
            case 4, 5, 6 -> random.nextInt(3) * 0.5f; // ties, zero among them
            case 12 -> -0f;
            case 13 -> Float.NEGATIVE_INFINITY;
            case 14 -> -random.nextInt(3) * 0.5f;
            default -> rectified ? random.nextFloat() * 4f : (float) random.nextGaussian();
        };
    }

    @Property(tries = 300, seed = Seeds.FIXED)
    void maxPoolingMatchesThePlainKernel(@ForAll @IntRange(min = 1, max = 3) int channels,
                                         @ForAll @IntRange(min = 1, max = 3) int pooledRows,
                                         @ForAll @IntRange(min = 1, max = 40) int pooledWidth,
                                         @ForAll @IntRange(min = 0, max = 5) int gap,
                                         @ForAll boolean rectified, @ForAll boolean withWinners,
                                         @ForAll long seed) {
        Random random = new Random(seed);
        int aStride = 2 * pooledWidth + gap, aPlane = 2 * pooledRows * aStride + gap, aOffset = gap;
        float[] a = new float[aOffset + channels * aPlane];
        for (int i = 0; i < a.length; i++) {
            a[i] = cell(random, rectified);
        }
        int yPlane = pooledRows * pooledWidth + gap, yOffset = 1;
        float[] want = new float[yOffset + channels * yPlane + 2], got = want.clone();
        byte[] wantWinners = withWinners ? new byte[want.length] : null;
        byte[] gotWinners = withWinners ? new byte[want.length] : null;
        ScalarConv.INSTANCE.maxPool2x2(a, aOffset, aStride, aPlane, channels, pooledRows, pooledWidth, want, yOffset,
                yPlane, wantWinners, yOffset, rectified);
        KERNELS.maxPool2x2(a, aOffset, aStride, aPlane, channels, pooledRows, pooledWidth, got, yOffset, yPlane,
                gotWinners, yOffset, rectified);
        assertArrayEquals(want, got); // floatToIntBits: a NaN is a NaN, +0 is not -0
        if (withWinners) {
            assertArrayEquals(wantWinners, gotWinners);
        }
    }
}
