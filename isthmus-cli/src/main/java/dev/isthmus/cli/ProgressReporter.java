package dev.isthmus.cli;

import dev.isthmus.io.ModelCheckpoint;
import dev.isthmus.train.Callback;
import dev.isthmus.train.FitContext;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar per epoch (batches, loss, accuracy, images/s, ETA) and a line per epoch with the
 * validation figures and whether the checkpoint improved.
 */
final class ProgressReporter implements Callback {

    private final PrintStream out;
    private final ModelCheckpoint checkpoint;
    private ProgressBar bar;
    private long epochStart;
    private int seen;

    ProgressReporter(PrintStream out, ModelCheckpoint checkpoint) {
        this.out = out;
        this.checkpoint = checkpoint;
    }

    @Override
    public void onEpochBegin(FitContext context, int epoch) {
        int batches = (context.samples() + context.batchSize() - 1) / context.batchSize();
        bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, context.epochs()))
                .setInitialMax(batches).setStyle(ProgressBarStyle.ASCII).setUnit(" batches", 1).continuousUpdate()
                .build(); // on standard error; redrawn in place on a terminal
        epochStart = System.nanoTime();
        seen = 0;
    }

    @Override
    public void onBatchEnd(FitContext context, int epoch, int batch, int batches, Map<String, Double> logs) {
        seen = Math.min(context.samples(), (batch + 1) * context.batchSize());
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        bar.stepTo(batch + 1);
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f acc %.3f %.0f img/s", logs.get("loss"),
                logs.get("accuracy"), seen / seconds));
    }

    @Override
    public void onEpochEnd(FitContext context, int epoch, Map<String, Double> logs) {
        bar.close();
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        out.printf(Locale.ROOT, "epoch %d/%d: loss %.4f, accuracy %.3f, val_loss %.4f, val_accuracy %.3f, %.1f s%s%n",
                epoch + 1, context.epochs(), logs.get("loss"), logs.get("accuracy"),
                logs.getOrDefault("val_loss", Double.NaN), logs.getOrDefault("val_accuracy", Double.NaN), seconds,
                checkpoint.improvedAt(epoch) ? ", val_loss improved: saved" : "");
    }
}
