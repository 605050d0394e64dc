package dev.isthmus.cli;

import dev.isthmus.io.ModelCheckpoint;
import dev.isthmus.train.Callback;
import dev.isthmus.train.FitContext;
import java.util.Map;

/**
 * A progress bar per epoch (batches, loss, accuracy, images/s, time left), redrawn in place on a
 * terminal at most ten times a second, then replaced by one line with the epoch's training and
 * validation figures and whether the checkpoint was saved. Off a terminal only those lines are
 * printed.
 */
final class ProgressReporter implements Callback {

    private static final long REDRAW_NANOS = 100_000_000L;

    private final Screen screen;
    private final ModelCheckpoint checkpoint;
    private long epochStart, lastDraw;
    private int width;

    ProgressReporter(Screen screen, ModelCheckpoint checkpoint) {
        this.screen = screen;
        this.checkpoint = checkpoint;
    }

    @Override
    public void onEpochBegin(FitContext context, int epoch) {
        width = screen.width();
        epochStart = System.nanoTime();
        lastDraw = epochStart;
        int batches = (context.samples() + context.batchSize() - 1) / context.batchSize();
        screen.live(ProgressLine.bar(epoch + 1, context.epochs(), 0, batches, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, width));
    }

    @Override
    public void onBatchEnd(FitContext context, int epoch, int batch, int batches, Map<String, Double> logs) {
        long now = System.nanoTime();
        if (!screen.isTerminal() || (now - lastDraw < REDRAW_NANOS && batch + 1 < batches)) {
            return;
        }
        lastDraw = now;
        double seconds = (now - epochStart) / 1e9;
        int seen = Math.min(context.samples(), (batch + 1) * context.batchSize());
        double left = seconds / (batch + 1) * (batches - batch - 1);
        screen.live(ProgressLine.bar(epoch + 1, context.epochs(), batch + 1, batches, logs.get("loss"),
                logs.get("accuracy"), seen / seconds, left, width));
    }

    @Override
    public void onEpochEnd(FitContext context, int epoch, Map<String, Double> logs) {
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        screen.println(ProgressLine.epochEnd(epoch + 1, context.epochs(), logs.get("loss"), logs.get("accuracy"),
                logs.getOrDefault("val_loss", Double.NaN), logs.getOrDefault("val_accuracy", Double.NaN), seconds,
                checkpoint.improvedAt(epoch), screen.isTerminal() ? width : Integer.MAX_VALUE));
    }
}
