package dev.isthmus.kernels;

import java.util.random.RandomGenerator;

/**
 * Inverted dropout: in training each value is kept with probability {@code 1 - rate} and scaled
 * by {@code 1 / (1 - rate)}, so evaluation is the identity. The mask (0 or the scale) is kept
 * for the backward pass. Draws come from the caller's generator, one per element in order, so a
 * seed fixes the mask.
 */
public final class InvertedDropout {

    private InvertedDropout() {}

    /**
     * @throws IllegalArgumentException if {@code rate} is not in {@code [0, 1)}
     */
    public static void forward(float[] x, int xOffset, float[] y, int yOffset, float[] mask, int maskOffset, int n,
                               float rate, RandomGenerator random, boolean training) {
        checkRate(rate);
        Checks.span("x", x, xOffset, n, "n");
        Checks.span("y", y, yOffset, n, "n");
        if (!training || rate == 0f) {
            System.arraycopy(x, xOffset, y, yOffset, n);
            if (mask != null) {
                Checks.span("mask", mask, maskOffset, n, "n");
                java.util.Arrays.fill(mask, maskOffset, maskOffset + n, 1f);
            }
            return;
        }
        Checks.span("mask", mask, maskOffset, n, "n");
        float scale = 1f / (1f - rate);
        for (int i = 0; i < n; i++) {
            float keep = random.nextFloat() < rate ? 0f : scale;
            mask[maskOffset + i] = keep;
            y[yOffset + i] = x[xOffset + i] * keep;
        }
    }

    /**
     * As {@link #forward(float[], int, float[], int, float[], int, int, float, RandomGenerator, boolean)},
     * with value {@code i} kept unless a hash of {@code seed} and its index {@code firstIndex + i}
     * falls below the rate: the mask of a value depends on its index alone, so any slice of a batch,
     * on any thread, draws the same mask.
     */
    public static void forward(float[] x, int xOffset, float[] y, int yOffset, float[] mask, int maskOffset, int n,
                               float rate, long seed, long firstIndex, boolean training) {
        checkRate(rate);
        Checks.span("x", x, xOffset, n, "n");
        Checks.span("y", y, yOffset, n, "n");
        if (!training || rate == 0f) {
            forward(x, xOffset, y, yOffset, mask, maskOffset, n, rate, null, false);
            return;
        }
        Checks.span("mask", mask, maskOffset, n, "n");
        float scale = 1f / (1f - rate);
        for (int i = 0; i < n; i++) {
            float keep = uniform(seed, firstIndex + i) < rate ? 0f : scale;
            mask[maskOffset + i] = keep;
            y[yOffset + i] = x[xOffset + i] * keep;
        }
    }

    /** A uniform float in [0, 1) from SplitMix64's finaliser over {@code seed} and {@code index}. */
    static float uniform(long seed, long index) {
        long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 40) * 0x1.0p-24f;
    }

    /** {@code dx = dy * mask}. */
    public static void backward(float[] dy, int dyOffset, float[] mask, int maskOffset, float[] dx, int dxOffset, int n) {
        Checks.span("dy", dy, dyOffset, n, "n");
        Checks.span("mask", mask, maskOffset, n, "n");
        Checks.span("dx", dx, dxOffset, n, "n");
        for (int i = 0; i < n; i++) {
            dx[dxOffset + i] = dy[dyOffset + i] * mask[maskOffset + i];
        }
    }

    public static void checkRate(float rate) {
        if (!(rate >= 0f && rate < 1f)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        }
    }
}
