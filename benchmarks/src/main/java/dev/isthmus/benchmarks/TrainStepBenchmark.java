package dev.isthmus.benchmarks;

import dev.isthmus.kernels.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * ChestXRayNet (input 1x256x256) end to end: one training step (forward in training mode, BCE,
 * backward, Adam update) and one inference pass, at batch 1 (the single-image latency), 16 and 64,
 * 1 thread and all threads.
 * Scores are milliseconds per call; images/s = batch * 1000 / score ({@code train-table.py}).
 * {@code -prof gc} shows the allocation per step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 8, time = 2) // C2 settles late in the many kernels a step runs; -prof gc needs it settled
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC", "-Xms4g", "-Xmx4g"})
public class TrainStepBenchmark {

    @Param({"1", "16", "64"})
    public int batch;

    @Param({"1", "0"})
    public int threads;

    private ChestXRayNetStep step;

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
        step = new ChestXRayNetStep(batch);
    }

    @Benchmark
    public double trainStep() {
        return step.train();
    }

    @Benchmark
    public float[] inference() {
        return step.infer();
    }
}
