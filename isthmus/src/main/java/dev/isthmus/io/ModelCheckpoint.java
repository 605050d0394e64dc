package dev.isthmus.io;

import dev.isthmus.train.Callback;
import dev.isthmus.train.FitContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Saves the model after each epoch that improves a monitored metric ({@code val_loss} by
 * default, as the seeds' lesson keeps its best model), as Keras's
 * {@code ModelCheckpoint(save_best_only=True)}. Writes are atomic: the file always holds the
 * last best model, whole, even if training is killed mid-write. A NaN metric never counts as
 * an improvement. Each save records the epoch (from 1) and the metric, and the
 * {@link ModelMetadata} when one is given.
 */
public final class ModelCheckpoint implements Callback {

    private final Path file;
    private final String monitor;
    private final ModelMetadata metadata;
    private double best;
    private int bestEpoch = -1;

    public ModelCheckpoint(Path file) {
        this(file, "val_loss");
    }

    public ModelCheckpoint(Path file, String monitor) {
        this(file, monitor, null);
    }

    /** Saves {@code metadata} (may be null) with every checkpoint. */
    public ModelCheckpoint(Path file, String monitor, ModelMetadata metadata) {
        this.file = file;
        this.monitor = monitor;
        this.metadata = metadata;
    }

    @Override
    public void onTrainBegin(FitContext context) {
        best = monitor.endsWith("loss") ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        bestEpoch = -1;
    }

    @Override
    public void onEpochEnd(FitContext context, int epoch, Map<String, Double> logs) {
        Double value = logs.get(monitor);
        if (value == null) {
            throw new IllegalArgumentException("ModelCheckpoint monitors '" + monitor + "', which this fit does not"
                    + " report; it reports " + logs.keySet() + " (pass validation data for val_ metrics)");
        }
        boolean improved = monitor.endsWith("loss") ? value < best : value > best;
        if (!improved) {
            return;
        }
        best = value;
        bestEpoch = epoch;
        try {
            ModelFiles.save(context.model(), file, metadata, Map.of("epoch", Integer.toString(epoch + 1),
                    monitor, String.format(Locale.ROOT, "%.6f", value)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the checkpoint to " + file, e);
        }
    }

    /** Whether the last epoch improved the metric (and so was saved). */
    public boolean improvedAt(int epoch) {
        return bestEpoch == epoch;
    }

    public int bestEpoch() {
        return bestEpoch;
    }

    public double best() {
        return best;
    }

    public Path file() {
        return file;
    }
}
