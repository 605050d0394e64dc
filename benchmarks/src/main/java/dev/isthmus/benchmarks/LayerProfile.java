package dev.isthmus.benchmarks;

import dev.isthmus.kernels.Parallel;
import dev.isthmus.nn.Execution;
import dev.isthmus.nn.LayerProfiler;

import java.util.List;
import java.util.Locale;

/**
 * Where a training step of a benchmark network ({@link BenchmarkNets}; ChestXRayNet unless a name
 * comes first) spends its time: each layer's forward and backward, and their share of the step,
 * averaged over steps after a warm-up of as many steps and at least {@value #WARM_UP_SECONDS}
 * seconds (a fresh JVM takes about 6 s to reach ResNet's training speed; 15 steps at batch 128
 * left C2 compiling, and read the 16 -> 16 forwards 25% slow). Not a JMH benchmark (it reads
 * the execution's own per-layer timers), so quote it as a breakdown, not a throughput figure.
 * Layer times are summed over the threads that ran them (slices of the batch run on several
 * threads at once), so shares are of the summed time; the first line gives the wall time.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     dev.isthmus.benchmarks.LayerProfile [net] [batch] [threads] [steps]
 * </pre>
 */
public final class LayerProfile {

    private static final int WARM_UP_SECONDS = 10;

    private LayerProfile() {}

    public static void main(String[] args) {
        BenchmarkNets net = BenchmarkNets.CHESTXRAYNET;
        if (args.length > 0 && !args[0].matches("\\d+")) {
            net = BenchmarkNets.named(args[0]);
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 40;
        Parallel.setThreads(threads);
        NetStep step = new NetStep(net, batch);
        Execution e = step.execution;
        long warmUntil = System.nanoTime() + WARM_UP_SECONDS * 1_000_000_000L;
        for (int w = 0; w < steps || System.nanoTime() < warmUntil; w++) {
            step.forwardBackward();
            step.adam.step(step.parameters);
        }
        long optimizerNanos = 0, total = 0;
        LayerProfiler profiler = LayerProfiler.attach(e);
        for (int s = 0; s < steps; s++) {
            long t0 = System.nanoTime();
            step.forwardBackward();
            long t1 = System.nanoTime();
            step.adam.step(step.parameters);
            long t2 = System.nanoTime();
            optimizerNanos += t2 - t1;
            total += t2 - t0;
        }
        List<LayerProfiler.LayerTime> times = profiler.times();
        long summed = optimizerNanos;
        for (LayerProfiler.LayerTime t : times) {
            summed += t.forwardNanos() + t.backwardNanos();
        }
        System.out.printf(Locale.ROOT, "%s training step, batch %d, %d threads, %d slices: %.2f ms per step"
                        + " (%.0f images/s); layers and update %.2f thread-ms per step%n%n",
                net.name().toLowerCase(Locale.ROOT), batch, threads, e.slices(), total / 1e6 / steps, batch * 1e9 * steps / total, summed / 1e6 / steps);
        System.out.println("| layer | type | forward ms | backward ms | share |");
        System.out.println("|---|---|---|---|---|");
        for (LayerProfiler.LayerTime t : times) {
            System.out.printf(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.1f%% |%n", t.layer(), t.type(),
                    t.forwardNanos() / 1e6 / steps, t.backwardNanos() / 1e6 / steps,
                    100.0 * (t.forwardNanos() + t.backwardNanos()) / summed);
        }
        System.out.printf(Locale.ROOT, "| (Adam update) | | | %.3f | %.1f%% |%n", optimizerNanos / 1e6 / steps,
                100.0 * optimizerNanos / summed);
    }
}
