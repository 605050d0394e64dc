package dev.isthmus.cli;

import dev.isthmus.io.ModelCheckpoint;
import dev.isthmus.train.Callback;
import dev.isthmus.train.FitContext;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a training run says and keeps when it is stopped from outside: Ctrl-C, SIGTERM, or the
 * end of the process that launched it ({@link ParentWatch}). The JVM then runs this shutdown
 * hook while training goes on in the main thread until the JVM halts, so the hook waits for a
 * checkpoint save under way to finish and lets no new one start: the best model stays whole.
 * Then it says where the run stopped and what was kept
 * ({@code interrupted at epoch 4/10; best model so far (epoch 3, val_loss 0.6904) in}, then the
 * file's path),
 * releases the run folder's lock, and removes the folder if nothing was written into it.
 */
final class RunGuard implements Callback, AutoCloseable {

    private final Screen screen;
    private final RunFolder run;
    private volatile ModelCheckpoint checkpoint;
    private final ReentrantLock saving = new ReentrantLock();
    private final Thread hook = new Thread(this::interrupted, "isthmus-interrupted");
    private volatile int epoch = -1, epochs;
    private volatile boolean trained, finished;

    /** Guards {@code run} from now on: an interruption while the images load is reported too. */
    RunGuard(Screen screen, RunFolder run) {
        this.screen = screen;
        this.run = run;
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** {@code checkpoint} as a callback that saves under the lock the shutdown hook takes. */
    Callback guard(ModelCheckpoint checkpoint) {
        this.checkpoint = checkpoint;
        return new Callback() {
            @Override
            public void onTrainBegin(FitContext context) {
                checkpoint.onTrainBegin(context);
            }

            @Override
            public void onEpochEnd(FitContext context, int epoch, Map<String, Double> logs) {
                saving.lock();
                try {
                    checkpoint.onEpochEnd(context, epoch, logs);
                } finally {
                    saving.unlock();
                }
            }
        };
    }

    @Override
    public void onTrainBegin(FitContext context) {
        epochs = context.epochs();
    }

    @Override
    public void onEpochBegin(FitContext context, int epoch) {
        this.epoch = epoch;
    }

    @Override
    public void onTrainEnd(FitContext context) {
        trained = true;
    }

    private void interrupted() {
        if (finished) {
            return;
        }
        saving.lock(); // never released: the JVM is stopping, and no save may start now
        screen.stopLive(); // training goes on until the JVM halts: no more bars
        String where = trained ? "after training" : epoch < 0 ? "before training started"
                : "at epoch " + (epoch + 1) + "/" + epochs;
        String kept;
        ModelCheckpoint checkpoint = this.checkpoint;
        if (checkpoint != null && checkpoint.bestEpoch() >= 0) {
            // the path on a line of its own: a run folder's path would wrap an 80-column line
            kept = String.format(Locale.ROOT, "best model so far (epoch %d, val_loss %.4f) in%n  %s",
                    checkpoint.bestEpoch() + 1, checkpoint.best(), checkpoint.file());
        } else if (run.discardIfEmpty()) {
            kept = "nothing saved; removed the empty run folder" + System.lineSeparator() + "  " + run.path();
        } else {
            kept = "no model saved yet; what was written is in" + System.lineSeparator() + "  " + run.path();
        }
        run.close();
        screen.println("interrupted " + where + "; " + kept);
    }

    /** The run ended on its own: the hook has nothing to say. */
    @Override
    public void close() {
        finished = true;
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to; it sees finished
        }
    }
}
