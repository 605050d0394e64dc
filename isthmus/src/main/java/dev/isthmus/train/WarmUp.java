package dev.isthmus.train;

import dev.isthmus.kernels.Parallel;
import dev.isthmus.nn.Model;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Trains a throwaway network, or runs a model's predictions, on random data in a background
 * thread, so that the JIT compiles the vector kernels while the caller does something else (reads
 * its images, say). Until C2 has compiled them the kernels run interpreted, about a hundred times
 * slower, and a cold JVM's first steps wait on it: the main job's first batch took over 3 s,
 * against 20 ms once warm. The warm-up's kernels run on its thread alone, so the library's other
 * threads stay free for the caller's own parallel work.
 *
 * <p>Nothing the caller computes depends on it: the throwaway network is the supplier's own model
 * (a prediction only reads its model), the data are random, and the kernels give the same bits compiled or interpreted
 * ({@code JitIndependenceTest}). It stops by itself once its steps stop getting faster (the
 * kernels are compiled; later steps would only take a core from the caller), or at
 * {@link #close()}, which waits for the step under way, so the library's threads are free again
 * when it returns.
 */
public final class WarmUp implements AutoCloseable {

    private final Thread thread;
    private volatile boolean stop;
    private volatile int steps;
    private volatile boolean settled;
    private volatile Throwable failure;

    /** {@code stepMaker} builds, on the warm-up's thread, the step it then repeats. */
    private WarmUp(Supplier<Runnable> stepMaker) {
        // on its own thread alone: the caller's parallel work (decoding or drawing images) keeps the workers
        thread = Thread.ofPlatform().name("isthmus-warm-up").daemon()
                .unstarted(() -> Parallel.onCallingThread(() -> run(stepMaker)));
    }

    /**
     * Starts training {@code network.get()} (a model the caller does not otherwise use, built like
     * the one it will train) with {@code loss} and Adam on random batches of {@code batchSize}.
     *
     * @throws IllegalArgumentException if {@code batchSize < 1}
     */
    public static WarmUp start(Supplier<Model> network, Loss loss, int batchSize) {
        Objects.requireNonNull(network, "network must not be null");
        Objects.requireNonNull(loss, "loss must not be null");
        checkBatch(batchSize);
        return started(new WarmUp(() -> {
            Model model = network.get();
            if (model == null) {
                throw new IllegalArgumentException("the network supplier returned null instead of a model");
            }
            Trainer trainer = new Trainer(model, loss, new Adam(1e-3));
            Dataset batch = randomBatch(model, loss, batchSize);
            FitOptions options = new FitOptions().epochs(1).batchSize(batchSize);
            return () -> trainer.fit(batch, batch, options); // one step, and one evaluation for inference's kernels
        }));
    }

    /**
     * Starts running {@code model}'s predictions on random batches of {@code batchSize}: the
     * kernels of inference only (the model is read, never changed, so it may be the caller's own).
     *
     * @throws IllegalArgumentException if {@code batchSize < 1}
     */
    public static WarmUp inference(Model model, int batchSize) {
        Objects.requireNonNull(model, "model must not be null");
        checkBatch(batchSize);
        return started(new WarmUp(() -> {
            float[] x = randomInputs(model, batchSize);
            return () -> model.predict(x, batchSize);
        }));
    }

    private static void checkBatch(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
    }

    private static WarmUp started(WarmUp warmUp) {
        warmUp.thread.start();
        return warmUp;
    }

    /** Whether the warm-up stopped by itself, its steps no longer getting faster. */
    public boolean settled() {
        return settled;
    }

    /** Steps finished so far: training steps (each with its evaluation), or predictions. */
    public int steps() {
        return steps;
    }

    private void run(Supplier<Runnable> stepMaker) {
        try {
            Runnable step = stepMaker.get();
            Plateau plateau = new Plateau();
            while (!stop) {
                long begin = System.nanoTime();
                step.run();
                long end = System.nanoTime();
                steps++;
                if (plateau.reached(end - begin, end)) {
                    settled = true;
                    return;
                }
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        }
    }

    /**
     * When a step's time has stopped falling: no step 10% faster than the fastest before it for a
     * second (C2 takes up to one for a big kernel, and a step of a half-compiled network can be
     * fast already). Warm-up steps past that point only take a core from the caller.
     */
    private static final class Plateau {
        private static final long PATIENCE_NANOS = 1_000_000_000L;
        private static final int MIN_STEPS = 10;
        private long fastest = Long.MAX_VALUE, lastGain;
        private int steps;

        boolean reached(long stepNanos, long now) {
            steps++;
            if (stepNanos < fastest * 0.9) {
                lastGain = now;
            }
            fastest = Math.min(fastest, stepNanos);
            return steps >= MIN_STEPS && now - lastGain >= PATIENCE_NANOS;
        }
    }

    private static float[] randomInputs(Model model, int n) {
        SplittableRandom random = new SplittableRandom(0);
        float[] x = new float[n * model.inputShape().size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble();
        }
        return x;
    }

    private static Dataset randomBatch(Model model, Loss loss, int n) {
        float[] x = randomInputs(model, n);
        int targets = model.outputShape().size();
        // 0/1 targets suit a binary loss and a regression; a categorical loss takes class indices
        int perSample = loss.targetSize(targets);
        float[] y = new float[n * perSample];
        for (int i = 0; i < y.length; i++) {
            y[i] = loss.task() == Loss.Task.CATEGORICAL ? i % targets : i % 2;
        }
        return new Dataset(x, y, n, model.inputShape(), perSample);
    }

    /**
     * Stops after the step under way and waits for it.
     *
     * @throws IllegalStateException if the warm-up failed (the network or loss did not fit)
     */
    @Override
    public void close() {
        stop = true;
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new IllegalStateException("warm-up failed: " + failure.getMessage(), failure);
        }
    }
}
