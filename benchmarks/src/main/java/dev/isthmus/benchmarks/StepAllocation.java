package dev.isthmus.benchmarks;

import com.sun.management.ThreadMXBean;
import dev.isthmus.kernels.Parallel;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Bytes a warm training step and a warm inference pass allocate, on one thread (the kernels'
 * own work on the calling thread alone, so the calling thread's count is all of it):
 * <pre>
 *   java --add-modules jdk.incubator.vector -XX:+UseSerialGC -cp benchmarks/target/benchmarks.jar \
 *       dev.isthmus.benchmarks.StepAllocation [NET ...]      (default: chestxraynet resnet vgg)
 * </pre>
 * Each net at batch 8 takes 400 training steps and inference passes of warm-up ({@code -Dwarm=N}),
 * then ten of each are counted by {@link ThreadMXBean#getCurrentThreadAllocatedBytes()}. To see
 * where the bytes come from, record JFR's {@code jdk.ObjectAllocationSample} from the warm JVM
 * ({@code jcmd PID JFR.start}) rather than from its start: a recording from the start changes
 * what C2 compiles.
 */
public final class StepAllocation {

    private StepAllocation() {}

    public static void main(String[] args) {
        Parallel.setThreads(1);
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        int warm = Integer.getInteger("warm", 400), counted = 10;
        for (String net : args.length == 0 ? new String[] {"chestxraynet", "resnet", "vgg"} : args) {
            NetStep step = new NetStep(BenchmarkNets.named(net), 8);
            for (int i = 0; i < warm; i++) {
                step.train();
                step.infer();
            }
            long t0 = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < counted; i++) {
                step.train();
            }
            long t1 = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < counted; i++) {
                step.infer();
            }
            long t2 = mx.getCurrentThreadAllocatedBytes();
            System.out.printf(Locale.ROOT, "%s, batch 8, one thread: %,d bytes a training step, %,d an inference pass%n",
                    net, (t1 - t0) / counted, (t2 - t1) / counted);
        }
    }
}
