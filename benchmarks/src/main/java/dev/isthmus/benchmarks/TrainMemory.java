package dev.isthmus.benchmarks;

import dev.isthmus.kernels.Parallel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Trains ChestXRayNet for a number of steps on random 256x256 images, as TrainStepBenchmark
 * does, in a process of its own, then prints the process's peak resident memory (VmHWM) as
 * JSON. {@code memory-vs-torch.sh} runs it beside the same loop in PyTorch.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     dev.isthmus.benchmarks.TrainMemory [batch] [steps] [threads]
 * </pre>
 */
public final class TrainMemory {

    private TrainMemory() {}

    public static void main(String[] args) throws IOException {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        Parallel.setThreads(threads);
        ChestXRayNetStep step = new ChestXRayNetStep(batch);
        double loss = 0;
        for (int s = 0; s < steps; s++) {
            loss = step.train();
        }
        System.out.printf(java.util.Locale.ROOT, "{\"framework\": \"isthmus\", \"batch\": %d, \"steps\": %d, \"threads\": %d,"
                + " \"loss\": %.9f, \"peak_rss_mib\": %.1f}%n", batch, steps, threads, loss, peakRssKib() / 1024.0);
    }

    /** VmHWM from /proc/self/status (Linux), in KiB. */
    static long peakRssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmHWM in /proc/self/status");
    }
}
