package dev.isthmus.benchmarks;

import dev.isthmus.kernels.Parallel;
import java.util.concurrent.TimeUnit;
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

/**
 * The benchmark networks ({@link BenchmarkNets}: the ResNet-style and VGG-style nets, and
 * ChestXRayNet) end to end: a training step and an inference pass at batch 32 and 128, one
 * thread and all. Scores are milliseconds per call. The same workloads alternate with PyTorch's
 * in {@code vs-torch.sh}, which is where the ratios come from.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC", "-Xms4g", "-Xmx4g"})
public class NetworksBenchmark {

    @Param({"resnet", "vgg", "chestxraynet"})
    public String net;

    @Param({"32", "128"})
    public int batch;

    @Param({"1", "0"})
    public int threads;

    private NetStep step;

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
        step = new NetStep(BenchmarkNets.named(net), batch);
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
