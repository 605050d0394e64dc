package dev.isthmus.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How {@link Trainer#fit} runs: epochs, batch size, the seed for shuffling, dropout and
 * augmentation, callbacks and an optional augmentation of training batches. Keras's
 * {@code fit(epochs=10, batch_size=32, shuffle=True)} by default.
 */
public final class FitOptions {

    private int epochs = 10;
    private int batchSize = 32;
    private long seed = 0;
    private boolean shuffle = true;
    private final List<Callback> callbacks = new ArrayList<>();
    private BatchTransform augmentation;

    public FitOptions epochs(int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        this.epochs = epochs;
        return this;
    }

    public FitOptions batchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        this.batchSize = batchSize;
        return this;
    }

    /** Seeds shuffling, dropout masks and augmentation: the same seed gives the same weights. */
    public FitOptions seed(long seed) {
        this.seed = seed;
        return this;
    }

    public FitOptions shuffle(boolean shuffle) {
        this.shuffle = shuffle;
        return this;
    }

    public FitOptions callback(Callback callback) {
        callbacks.add(Objects.requireNonNull(callback, "callback"));
        return this;
    }

    public FitOptions augmentation(BatchTransform augmentation) {
        this.augmentation = augmentation;
        return this;
    }

    public int epochs() {
        return epochs;
    }

    public int batchSize() {
        return batchSize;
    }

    public long seed() {
        return seed;
    }

    public boolean shuffle() {
        return shuffle;
    }

    public List<Callback> callbacks() {
        return List.copyOf(callbacks);
    }

    public BatchTransform augmentation() {
        return augmentation;
    }
}
