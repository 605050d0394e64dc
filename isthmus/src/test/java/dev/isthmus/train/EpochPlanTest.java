package dev.isthmus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isthmus.data.Augmentation;
import dev.isthmus.nn.Shape;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EpochPlanTest {

    @Test
    void eachEpochShufflesWithItsOwnSplitOfTheSeed() {
        SplittableRandom seeds = new SplittableRandom(42);
        for (int epoch = 0; epoch < 3; epoch++) {
            SplittableRandom r = seeds.split();
            int[] order = new int[10];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            for (int i = order.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            EpochPlan plan = EpochPlan.of(42, epoch, 10, true);
            assertArrayEquals(order, plan.order(), "epoch " + epoch);
            assertEquals(r.nextLong(), plan.dropoutSeed(), "epoch " + epoch);
        }
        int[] identity = {0, 1, 2, 3};
        assertArrayEquals(identity, EpochPlan.of(42, 2, 4, false).order());
    }

    private static float[] images(int n, Shape shape) {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[n * shape.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void aSamplesAugmentationDependsOnItsPlaceAloneNotOnItsBatch() {
        Shape shape = Shape.of(1, 9, 7);
        Augmentation augmentation = new Augmentation();
        EpochPlan plan = EpochPlan.of(5, 1, 20, true);
        float[] whole = images(6, shape), parts = whole.clone();
        plan.augment(augmentation, whole, 0, 6, 10, shape); // places 10..15 as one batch
        plan.augment(augmentation, parts, 0, 2, 10, shape); // ... as a batch of 2, then one of 4
        plan.augment(augmentation, parts, 2, 4, 12, shape);
        assertArrayEquals(whole, parts);

        float[] a = images(1, shape), b = a.clone();
        plan.augment(augmentation, a, 0, 1, 3, shape);
        plan.augment(augmentation, b, 0, 1, 4, shape);
        assertFalse(Arrays.equals(a, b), "the same image at two places is transformed two ways");
        float[] c = images(1, shape);
        EpochPlan.of(5, 2, 20, true).augment(augmentation, c, 0, 1, 3, shape);
        assertFalse(Arrays.equals(a, c), "and at the same place in another epoch, another way");
    }

    @Test
    void badArgumentsAreNamed() {
        assertEquals("epoch and count must be >= 0, got -1 and 3",
                assertThrows(IllegalArgumentException.class, () -> EpochPlan.of(1, -1, 3, true)).getMessage());
        EpochPlan plan = EpochPlan.of(1, 0, 3, true);
        assertThrows(IndexOutOfBoundsException.class, () -> plan.augmentationRandom(3));
        assertThrows(IndexOutOfBoundsException.class,
                () -> plan.augment(new Augmentation(), new float[10], 0, 2, 0, Shape.of(1, 2, 3)));
    }
}
