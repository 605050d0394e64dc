package dev.isthmus.train;

import java.util.Map;

/**
 * Hooks into {@link Trainer#fit}: at the start and end of training, of each epoch and of each
 * batch. {@code logs} carry the metrics so far ({@code loss}, {@code accuracy}, {@code val_loss}, ...).
 * A callback may ask training to stop with {@link FitContext#stop()}.
 */
public interface Callback {

    default void onTrainBegin(FitContext context) {}

    default void onEpochBegin(FitContext context, int epoch) {}

    /** After each batch: running means over the epoch so far. */
    default void onBatchEnd(FitContext context, int epoch, int batch, int batches, Map<String, Double> logs) {}

    /** After each epoch, validation included. */
    default void onEpochEnd(FitContext context, int epoch, Map<String, Double> logs) {}

    default void onTrainEnd(FitContext context) {}
}
