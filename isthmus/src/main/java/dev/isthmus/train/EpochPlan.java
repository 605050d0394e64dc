package dev.isthmus.train;

import dev.isthmus.nn.Shape;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * What {@link Trainer#fit} draws for one epoch, from the fit's seed and the epoch's number alone:
 * the order of the samples, the seed of the dropout masks, and a generator per sample for
 * augmentation. Any program that splits an epoch between threads or machines gets the same draws
 * by asking for the same plan.
 *
 * <p>Augmentation draws from a generator of its own for each place in the epoch, so a sample's
 * transform depends on where it falls, never on the samples augmented before it.
 */
public final class EpochPlan {

    private final int[] order;
    private final long dropoutSeed;
    private final long augmentationSeed;

    private EpochPlan(int[] order, long dropoutSeed, long augmentationSeed) {
        this.order = order;
        this.dropoutSeed = dropoutSeed;
        this.augmentationSeed = augmentationSeed;
    }

    /**
     * The plan of epoch {@code epoch} (from 0) of a fit over {@code count} samples seeded with
     * {@code seed}: each epoch splits its own generator off the seed's, then shuffles with it
     * (Fisher-Yates) and draws the dropout seed and the augmentation seed.
     *
     * @throws IllegalArgumentException if {@code epoch} or {@code count} is negative
     */
    public static EpochPlan of(long seed, int epoch, int count, boolean shuffle) {
        if (epoch < 0 || count < 0) {
            throw new IllegalArgumentException("epoch and count must be >= 0, got " + epoch + " and " + count);
        }
        SplittableRandom seeds = new SplittableRandom(seed);
        for (int e = 0; e < epoch; e++) {
            seeds.split();
        }
        SplittableRandom epochRandom = seeds.split();
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        if (shuffle) {
            for (int i = count - 1; i > 0; i--) {
                int j = epochRandom.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        long dropout = epochRandom.nextLong();
        return new EpochPlan(order, dropout, epochRandom.nextLong());
    }

    /** The number of samples. */
    public int count() {
        return order.length;
    }

    /** The sample at place {@code position} of the epoch. */
    public int sample(int position) {
        return order[position];
    }

    /** The order of the samples: a copy. */
    public int[] order() {
        return order.clone();
    }

    /** For {@code Execution.seed}: the dropout masks of the epoch's passes. */
    public long dropoutSeed() {
        return dropoutSeed;
    }

    /** The generator that augments the sample at place {@code position} of the epoch. */
    public SplittableRandom augmentationRandom(int position) {
        Objects.checkIndex(position, order.length);
        return new SplittableRandom(mix(augmentationSeed + 0x9E3779B97F4A7C15L * (position + 1L)));
    }

    /**
     * Augments samples {@code [first, first + count)} of {@code x} in place, the sample at
     * {@code first + i} being the one at place {@code firstPosition + i} of the epoch: each is
     * transformed alone ({@code batch} 1) with its own {@link #augmentationRandom}.
     */
    public void augment(BatchTransform transform, float[] x, int first, int count, int firstPosition, Shape shape) {
        Objects.requireNonNull(transform, "transform");
        int size = shape.size();
        Objects.checkFromIndexSize((long) first * size, (long) count * size, x.length);
        float[] one = new float[size];
        for (int i = 0; i < count; i++) {
            System.arraycopy(x, (first + i) * size, one, 0, size);
            transform.apply(one, 1, shape, augmentationRandom(firstPosition + i));
            System.arraycopy(one, 0, x, (first + i) * size, size);
        }
    }

    /** Stafford's variant 13 of the SplitMix64 finaliser: neighbouring places get unrelated seeds. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
