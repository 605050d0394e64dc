package dev.isthmus.cli;

import dev.isthmus.kernels.KernelSelection;
import dev.isthmus.kernels.Kernels;
import dev.isthmus.kernels.Parallel;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Which kernels this JVM runs, and a short SGEMM throughput check. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the kernel selection and a short SGEMM throughput figure.")
final class InfoCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.out.println("Isthmus on Java " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors()
                + " processors");
        // the reason on a line of its own: with it, the kernel line ran past 80 columns
        KernelSelection kernels = Kernels.selection();
        System.out.println("kernels: " + kernels.implementation()
                + (kernels.vectorBitSize() > 0 ? ", " + kernels.vectorBitSize() + "-bit vectors" : ""));
        System.out.println("  (" + kernels.reason() + ")");
        System.out.println("threads: " + Parallel.threads());
        for (int size : new int[] {256, 512, 1024}) {
            System.out.printf("sgemm %4d^3: %6.1f GFLOP/s (median of 7, %d threads)%n", size, sgemmGflops(size),
                    Parallel.threads());
        }
        return 0;
    }

    /** Median throughput of a square SGEMM after a short warm-up; a rough figure, not a benchmark. */
    static double sgemmGflops(int size) {
        var random = new SplittableRandom(size);
        float[] a = new float[size * size], b = new float[size * size], c = new float[size * size];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextDouble(-1, 1);
            b[i] = (float) random.nextDouble(-1, 1);
        }
        long flops = 2L * size * size * size;
        int reps = (int) Math.max(3, 2_000_000_000L / flops);
        double[] seconds = new double[7];
        // at least half a second: the first size's calls start interpreted, and 3 x reps of 256^3
        // (about 20 ms once compiled) left C2 mid-way (147 GFLOP/s on two threads against 330)
        long warmUntil = System.nanoTime() + 500_000_000L;
        for (int warm = 0; warm < 3 * reps || System.nanoTime() < warmUntil; warm++) {
            Kernels.matmul(size, size, size, a, b, c);
        }
        for (int s = 0; s < seconds.length; s++) {
            long t0 = System.nanoTime();
            for (int r = 0; r < reps; r++) {
                Kernels.matmul(size, size, size, a, b, c);
            }
            seconds[s] = (System.nanoTime() - t0) * 1e-9 / reps;
        }
        Arrays.sort(seconds);
        return flops / seconds[seconds.length / 2] * 1e-9;
    }
}
