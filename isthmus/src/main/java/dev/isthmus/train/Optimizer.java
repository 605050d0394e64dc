package dev.isthmus.train;

import dev.isthmus.nn.Parameter;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters in place from their gradients. Keeps its state (momenta, step count) per
 * parameter, created on the first step and reused after.
 */
public interface Optimizer {

    /** One update of every parameter from its current gradient. */
    void step(List<Parameter> parameters);

    /** Keras-style description for reports, e.g. {@code Adam(lr=0.001)}. */
    String describe();

    /**
     * A copy of what this optimizer keeps for {@code parameters} (moments, step count), by name,
     * for a checkpoint: {@link #restoreState} puts it into a new optimizer of the same
     * configuration, which then continues bit for bit. Names are the parameter's index in the list
     * and PyTorch's name for the buffer ({@code 0.exp_avg}), or the optimizer's own counters
     * ({@code step}). An optimizer that keeps nothing returns an empty map.
     *
     * @throws UnsupportedOperationException if the optimizer cannot save its state (the default)
     */
    default Map<String, float[]> saveState(List<Parameter> parameters) {
        throw new UnsupportedOperationException(describe() + " cannot save its state (Optimizer.saveState), so training"
                + " with it cannot resume from a checkpoint");
    }

    /**
     * Replaces this optimizer's state for {@code parameters} with {@code state} from
     * {@link #saveState} (the same parameters in the same order).
     *
     * @throws IllegalArgumentException naming the entry that is missing or has the wrong size
     * @throws UnsupportedOperationException if the optimizer cannot (the default)
     */
    default void restoreState(List<Parameter> parameters, Map<String, float[]> state) {
        throw new UnsupportedOperationException(describe() + " cannot restore its state (Optimizer.restoreState), so"
                + " training with it cannot resume from a checkpoint");
    }
}
