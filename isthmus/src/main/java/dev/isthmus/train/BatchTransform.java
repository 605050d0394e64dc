package dev.isthmus.train;

import dev.isthmus.nn.Shape;
import java.util.random.RandomGenerator;

/**
 * Changes a training batch in place before the forward pass: data augmentation. {@link Trainer#fit}
 * calls it on one sample at a time, each with the generator of its place in the epoch
 * ({@link EpochPlan#augment}), so a sample's transform does not depend on its batch.
 */
@FunctionalInterface
public interface BatchTransform {

    /** {@code x} holds {@code batch} samples of {@code shape}; draws come from {@code random}. */
    void apply(float[] x, int batch, Shape shape, RandomGenerator random);
}
