package dev.isthmus.train;

import dev.isthmus.nn.Shape;
import java.util.random.RandomGenerator;

/** Changes a training batch in place before the forward pass: data augmentation. */
@FunctionalInterface
public interface BatchTransform {

    /** {@code x} holds {@code batch} samples of {@code shape}; draws come from {@code random} (seeded per epoch). */
    void apply(float[] x, int batch, Shape shape, RandomGenerator random);
}
