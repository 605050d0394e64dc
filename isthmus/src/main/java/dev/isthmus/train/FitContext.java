package dev.isthmus.train;

import dev.isthmus.nn.Model;

/** What callbacks see of a running {@code fit}: the model, the plan, and a way to stop. */
public final class FitContext {

    private final Model model;
    private final int epochs;
    private final int samples;
    private final int batchSize;
    private volatile boolean stopRequested;
    private String stopReason;

    /** For a fit loop: {@code epochs} planned over {@code samples} samples in batches of {@code batchSize}. */
    public FitContext(Model model, int epochs, int samples, int batchSize) {
        this.model = model;
        this.epochs = epochs;
        this.samples = samples;
        this.batchSize = batchSize;
    }

    public Model model() {
        return model;
    }

    public int epochs() {
        return epochs;
    }

    public int samples() {
        return samples;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Ends training after the current epoch. */
    public void stop(String reason) {
        stopRequested = true;
        stopReason = reason;
    }

    public void stop() {
        stop("stopped by a callback");
    }

    public boolean stopRequested() {
        return stopRequested;
    }

    public String stopReason() {
        return stopReason;
    }
}
