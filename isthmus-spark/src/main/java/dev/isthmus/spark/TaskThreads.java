package dev.isthmus.spark;

import dev.isthmus.kernels.Parallel;

/**
 * The library's threads on an executor: as many as Spark gives a task ({@code spark.task.cpus}),
 * so the tasks an executor runs side by side never ask for more cores than it has. A task that
 * finds the pool busy runs alone on its own thread ({@link Parallel}), which is one core too.
 * Left alone when the JVM was started with {@code -Disthmus.threads}: the user chose.
 */
final class TaskThreads {

    private TaskThreads() {}

    static void use(int taskCpus) {
        if (System.getProperty(Parallel.THREADS_PROPERTY) == null && Parallel.threads() != taskCpus) {
            Parallel.setThreads(Math.max(1, taskCpus));
        }
    }
}
