package dev.isthmus.kernels;

import dev.isthmus.kernels.runtime.WorkerPool;
import java.util.function.IntConsumer;

/**
 * The library's threads. Kernels split their work into a fixed number of tasks whose boundaries
 * never depend on the thread count, so results are bitwise identical for any number of threads;
 * the pool only decides which thread runs which task.
 *
 * <p>Sized from {@link Runtime#availableProcessors()} unless the system property
 * {@value #THREADS_PROPERTY} or {@link #setThreads(int)} says otherwise. The calling thread
 * always takes part, so one thread means no hand-off at all. A task that itself calls a parallel
 * kernel runs that kernel on its own thread, which rules out pool starvation; so does a call made
 * while another thread's parallel kernel holds the workers.
 */
public final class Parallel {

    /** System property that sets the thread count at start-up. */
    public static final String THREADS_PROPERTY = WorkerPool.THREADS_PROPERTY;

    private Parallel() {}

    /** The number of threads kernels use, the caller included. */
    public static int threads() {
        return WorkerPool.threads();
    }

    /**
     * Sets the number of threads kernels use (the calling thread included).
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static void setThreads(int threads) {
        WorkerPool.setThreads(threads);
    }

    /**
     * Runs {@code body.accept(t)} for every {@code t} in {@code [0, tasks)}, spread over the
     * library's threads, and returns when all have finished. The first exception thrown by a
     * task is rethrown here (after the other tasks finish).
     */
    public static void forEach(int tasks, IntConsumer body) {
        WorkerPool.forEach(tasks, body);
    }

    /**
     * Runs {@code body} with every kernel it calls on the calling thread alone, leaving the
     * library's other threads to other callers (a background job that should not take them from
     * the foreground, say). The results are the same bits as on any thread count.
     */
    public static void onCallingThread(Runnable body) {
        java.util.Objects.requireNonNull(body, "body must not be null");
        WorkerPool.alone(body);
    }
}
