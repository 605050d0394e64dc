package dev.isthmus.train;

import dev.isthmus.nn.Parameter;
import java.util.List;

/**
 * Updates parameters in place from their gradients. Keeps its state (momenta, step count) per
 * parameter, created on the first step and reused after.
 */
public interface Optimizer {

    /** One update of every parameter from its current gradient. */
    void step(List<Parameter> parameters);

    /** Keras-style description for reports, e.g. {@code Adam(lr=0.001)}. */
    String describe();
}
