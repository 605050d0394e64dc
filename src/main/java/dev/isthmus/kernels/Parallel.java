package dev.isthmus.kernels;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * The library's one executor. Kernels split their work into a fixed number of tasks whose
 * boundaries never depend on the thread count, so results are bitwise identical for any
 * number of threads; this class only decides which thread runs which task.
 *
 * <p>Sized from {@link Runtime#availableProcessors()} unless the system property
 * {@value #THREADS_PROPERTY} or {@link #setThreads(int)} says otherwise. The calling thread
 * always takes part, so one thread means no hand-off at all. A task that itself calls a
 * parallel kernel runs that kernel on its own thread, which rules out pool starvation.
 */
public final class Parallel {

    /** System property that sets the thread count at start-up. */
    public static final String THREADS_PROPERTY = "isthmus.threads";

    private static final ThreadLocal<Boolean> IN_TASK = ThreadLocal.withInitial(() -> false);
    private static volatile Pool pool = new Pool(initialThreads());

    private Parallel() {}

    /** The number of threads kernels use, the caller included. */
    public static int threads() {
        return pool.threads;
    }

    /**
     * Sets the number of threads kernels use (the calling thread included).
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (threads == pool.threads) {
            return;
        }
        Pool old = pool;
        pool = new Pool(threads);
        old.shutdown();
    }

    /**
     * Runs {@code body.accept(t)} for every {@code t} in {@code [0, tasks)}, spread over the
     * library's threads, and returns when all have finished. The first exception thrown by a
     * task is rethrown here (after the other tasks finish).
     */
    public static void forEach(int tasks, IntConsumer body) {
        Pool p = pool;
        if (tasks <= 1 || p.threads == 1 || IN_TASK.get()) {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
            return;
        }
        p.run(tasks, body);
    }

    private static int initialThreads() {
        String value = System.getProperty(THREADS_PROPERTY);
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(
                "system property " + THREADS_PROPERTY + " must be an integer >= 1, got '" + value + "'");
    }

    /** A fixed set of daemon workers; the caller is the extra thread. */
    private static final class Pool {
        final int threads;
        final ExecutorService workers;

        Pool(int threads) {
            this.threads = threads;
            AtomicInteger id = new AtomicInteger();
            this.workers = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
                Thread t = new Thread(r, "isthmus-worker-" + id.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }

        void run(int tasks, IntConsumer body) {
            AtomicInteger next = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            int helpers = Math.min(tasks, threads) - 1;
            CountDownLatch done = new CountDownLatch(helpers);
            Runnable drain = () -> {
                boolean outer = IN_TASK.get();
                IN_TASK.set(true);
                try {
                    for (int t; (t = next.getAndIncrement()) < tasks; ) {
                        if (failure.get() != null) {
                            break;
                        }
                        try {
                            body.accept(t);
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    }
                } finally {
                    IN_TASK.set(outer);
                }
            };
            for (int h = 0; h < helpers; h++) {
                workers.execute(() -> {
                    try {
                        drain.run();
                    } finally {
                        done.countDown();
                    }
                });
            }
            drain.run();
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // finish waiting: tasks write into caller's arrays
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Throwable e = failure.get();
            if (e instanceof RuntimeException re) {
                throw re;
            }
            if (e instanceof Error err) {
                throw err;
            }
            if (e != null) {
                throw new IllegalStateException(e);
            }
        }

        void shutdown() {
            if (workers != null) {
                workers.shutdown();
            }
        }
    }
}
