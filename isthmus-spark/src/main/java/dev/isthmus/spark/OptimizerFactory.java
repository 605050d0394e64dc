package dev.isthmus.spark;

import dev.isthmus.train.Optimizer;
import java.io.Serializable;

/**
 * Makes the optimizer on each worker, e.g. {@code () -> new Adam(1e-3)}: an optimizer holds
 * state tied to one model's parameters, so the workers each make their own and restore its state
 * from the checkpoint ({@link Optimizer#saveState}).
 */
@FunctionalInterface
public interface OptimizerFactory extends Serializable {

    Optimizer create();
}
