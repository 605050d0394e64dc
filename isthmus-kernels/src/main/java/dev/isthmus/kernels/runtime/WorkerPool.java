package dev.isthmus.kernels.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The library's one executor, behind the public {@code dev.isthmus.kernels.Parallel}. Kernels
 * split their work into a fixed number of tasks whose boundaries never depend on the thread
 * count, so results are bitwise identical for any number of threads; this class only decides
 * which thread runs which task.
 *
 * <p>Sized from {@link Runtime#availableProcessors()} unless the system property
 * {@value #THREADS_PROPERTY} or {@link #setThreads(int)} says otherwise. The calling thread
 * always takes part, so one thread means no hand-off at all. A task that itself calls a
 * parallel kernel runs that kernel on its own thread, which rules out pool starvation; so does a
 * call made while another thread's parallel kernel holds the workers.
 */
public final class WorkerPool {

    /** System property that sets the thread count at start-up. */
    public static final String THREADS_PROPERTY = "isthmus.threads";

    private static final ThreadLocal<Boolean> IN_TASK = ThreadLocal.withInitial(() -> false);
    private static volatile Pool pool = new Pool(initialThreads());

    private WorkerPool() {}

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

    /** Runs {@code body} with every parallel loop it makes on the calling thread alone. */
    public static void alone(Runnable body) {
        boolean outer = IN_TASK.get();
        IN_TASK.set(true);
        try {
            body.run();
        } finally {
            IN_TASK.set(outer);
        }
    }

    /** True on a thread that is running a parallel task: kernels called there run on that thread alone. */
    public static boolean inTask() {
        return IN_TASK.get();
    }

    /**
     * True when {@link #forEach} would run {@code tasks} on the calling thread anyway: kernels
     * then loop themselves instead of building a lambda, so a step inside a task allocates nothing.
     */
    public static boolean sequential(int tasks) {
        return tasks <= 1 || pool.threads == 1 || IN_TASK.get();
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

    /**
     * A fixed set of daemon workers; the caller is the extra thread. Workers spin briefly on a
     * generation counter before parking: kernels arrive back to back (layer after layer), and
     * waking a parked thread costs tens of microseconds on a virtual machine, as much as a small
     * GEMM. One job runs at a time; a caller that finds the pool busy runs its job alone.
     */
    private static final class Pool {
        /** How long an idle worker spins before it parks. */
        private static final long SPIN_NANOS = 200_000;

        final int threads;
        private final Worker[] workers;
        private final ReentrantLock submit = new ReentrantLock();
        /** The one job object, reset for every loop under {@link #submit}: a loop allocates nothing. */
        private final Job job = new Job();
        private volatile long generation;
        private volatile boolean shutdown;

        Pool(int threads) {
            this.threads = threads;
            this.workers = new Worker[threads - 1];
            for (int w = 0; w < workers.length; w++) {
                workers[w] = new Worker(this, "isthmus-worker-" + (w + 1));
                workers[w].thread.start();
            }
        }

        void run(int tasks, IntConsumer body) {
            if (!submit.tryLock()) {
                runAlone(tasks, body); // another thread's job holds the workers
                return;
            }
            if (shutdown) { // replaced by setThreads after the caller picked it up
                submit.unlock();
                runAlone(tasks, body);
                return;
            }
            Job j = job;
            Throwable failure;
            try {
                j.start(tasks, body, workers.length);
                generation++; // publishes the job's fields to the workers
                for (Worker w : workers) {
                    if (w.parked) {
                        LockSupport.unpark(w.thread);
                    }
                }
                j.drain();
                // Every worker takes part in every job (most find no task left), so wait for all.
                while (j.pending.get() > 0) {
                    Thread.onSpinWait();
                }
            } finally {
                failure = j.failure.get();
                j.body = null; // do not keep the caller's arrays reachable
                submit.unlock();
            }
            rethrow(failure);
        }

        private static void runAlone(int tasks, IntConsumer body) {
            boolean outer = IN_TASK.get(); // as alone(), without a lambda: a loop allocates nothing
            IN_TASK.set(true);
            try {
                for (int t = 0; t < tasks; t++) {
                    body.accept(t);
                }
            } finally {
                IN_TASK.set(outer);
            }
        }

        /** Waits for a running job to finish, then lets the workers exit. */
        void shutdown() {
            submit.lock();
            try {
                shutdown = true;
                generation++;
                for (Worker w : workers) {
                    LockSupport.unpark(w.thread);
                }
            } finally {
                submit.unlock();
            }
        }

        private static final class Worker implements Runnable {
            final Pool pool;
            final Thread thread;
            volatile boolean parked;
            /**
             * The last generation this worker has served, read here rather than when the thread
             * starts: a job submitted before the thread first runs must still count on it.
             */
            private long seen;

            Worker(Pool pool, String name) {
                this.pool = pool;
                this.seen = pool.generation;
                this.thread = new Thread(this, name);
                this.thread.setDaemon(true);
            }

            @Override
            public void run() {
                IN_TASK.set(true);
                while (true) {
                    long start = System.nanoTime();
                    while (pool.generation == seen && System.nanoTime() - start < SPIN_NANOS) {
                        Thread.onSpinWait();
                    }
                    if (pool.generation == seen) {
                        parked = true;
                        if (pool.generation == seen) { // re-check: the submitter reads parked after bumping
                            LockSupport.park(this);
                        }
                        parked = false;
                        continue;
                    }
                    seen = pool.generation;
                    if (pool.shutdown) {
                        return;
                    }
                    Job j = pool.job; // reset for generation 'seen': the next waits for this worker
                    try {
                        j.drain();
                    } finally {
                        j.pending.decrementAndGet();
                    }
                }
            }
        }
    }

    /**
     * One parallel loop: tasks are claimed from a shared counter by the caller and workers. The
     * pool reuses one instance; plain fields are published by the generation bump that follows
     * {@link #start}.
     */
    private static final class Job {
        int tasks;
        IntConsumer body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger pending = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        void start(int tasks, IntConsumer body, int workers) {
            this.tasks = tasks;
            this.body = body;
            next.set(0);
            failure.set(null);
            pending.set(workers);
        }

        void drain() {
            boolean outer = IN_TASK.get();
            IN_TASK.set(true);
            try {
                for (int t; (t = next.getAndIncrement()) < tasks; ) {
                    if (failure.get() != null) {
                        return;
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
        }
    }

    private static void rethrow(Throwable e) {
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
}
