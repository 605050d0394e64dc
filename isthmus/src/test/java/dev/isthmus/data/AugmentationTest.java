package dev.isthmus.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.Shape;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class AugmentationTest {

    private static final Shape SHAPE = Shape.of(2, 12, 10);

    private static float[] batch(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * SHAPE.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void noRangesAndNoFlipIsTheIdentityBitForBit() {
        float[] x = batch(5, 1), before = x.clone();
        new Augmentation(Augmentation.Config.NONE).apply(x, 5, SHAPE, new SplittableRandom(3));
        assertArrayEquals(before, x);
    }

    @Test
    void theSameSeedGivesTheSameBatch() {
        float[] a = batch(4, 1), b = a.clone(), c = a.clone();
        Augmentation augmentation = new Augmentation();
        augmentation.apply(a, 4, SHAPE, new SplittableRandom(9));
        augmentation.apply(b, 4, SHAPE, new SplittableRandom(9));
        augmentation.apply(c, 4, SHAPE, new SplittableRandom(10));
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        assertEquals(4 * SHAPE.size(), a.length);
        for (float v : a) {
            assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void aFlipExactlyMirrorsEachRow() {
        int n = 16;
        float[] x = batch(n, 2), before = x.clone();
        new Augmentation(new Augmentation.Config(0, 0, 0, 0, true)).apply(x, n, SHAPE, new SplittableRandom(5));
        // replay the draws: six per image, the sixth decides the flip
        SplittableRandom replay = new SplittableRandom(5);
        int flipped = 0;
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < 5; k++) {
                replay.nextDouble();
            }
            boolean flip = replay.nextDouble() < 0.5;
            flipped += flip ? 1 : 0;
            for (int c = 0; c < 2; c++) {
                for (int r = 0; r < 12; r++) {
                    for (int col = 0; col < 10; col++) {
                        int at = b * SHAPE.size() + (c * 12 + r) * 10;
                        assertEquals(before[at + (flip ? 9 - col : col)], x[at + col], "image " + b);
                    }
                }
            }
        }
        assertTrue(flipped > 0 && flipped < n, flipped + " of " + n + " flipped");
    }

    /** A generator that returns the given doubles in turn. */
    private static RandomGenerator draws(double... values) {
        Deque<Double> queue = new ArrayDeque<>();
        for (double v : values) {
            queue.add(v);
        }
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new AssertionError("only nextDouble is expected");
            }

            @Override
            public double nextDouble() {
                return queue.remove();
            }
        };
    }

    @Test
    void aWidthShiftMovesTheImageAndRepeatsTheEdge() {
        Shape shape = Shape.of(1, 3, 8);
        float[] x = new float[24];
        for (int i = 0; i < 24; i++) {
            x[i] = i;
        }
        // width shift 0.25 of 8 columns, u = 0.75: ty = +1 column; zooms at u = 0.5 are exactly 1
        new Augmentation(new Augmentation.Config(0, 0, 0.25, 0.1, false)).apply(x, 1, shape,
                draws(0.3, 0.3, 0.75, 0.5, 0.5, 0.9));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 7, 9, 10, 11, 12, 13, 14, 15, 15, 17, 18, 19, 20, 21, 22, 23, 23},
                x);
    }

    @Test
    void aQuarterTurnRotatesAboutTheCentre() {
        int n = 5;
        Shape shape = Shape.of(1, n, n);
        float[] x = batch(1, 4);
        x = Arrays.copyOf(x, n * n);
        float[] before = x.clone();
        // rotation range 180, u = 0.75: theta = +90 degrees
        new Augmentation(new Augmentation.Config(180, 0, 0, 0, false)).apply(x, 1, shape,
                draws(0.75, 0.5, 0.5, 0.5, 0.5, 0.9));
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                // input (row, col) = o + R (p - o) with R = [[0, -1], [1, 0]]
                assertEquals(before[(n - 1 - c) * n + r], x[r * n + c], 1e-5, "(" + r + ", " + c + ")");
            }
        }
    }

    @Test
    void configRangesAreChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Augmentation.Config(10, 1.5, 0, 0, false));
        assertTrue(e.getMessage().contains("heightShift") && e.getMessage().contains("1.5"), e.getMessage());
        assertEquals(new Augmentation.Config(10, 0.1, 0.1, 0.1, true), Augmentation.Config.DEFAULTS);
    }
}
