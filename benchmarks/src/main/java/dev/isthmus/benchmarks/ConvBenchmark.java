package dev.isthmus.benchmarks;

import dev.isthmus.kernels.Convolution;
import dev.isthmus.kernels.Padding;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * ChestXRayNet's seven convolutions ("same" padding, stride 1) at batch 16: forward, backward
 * data and backward weights (with bias), at 1 thread and all threads. Scores are microseconds per
 * call; each pass does {@code 2 * batch * Cout * Cin * kh * kw * outH * outW} flops, which
 * {@code conv-table.py} turns into GFLOP/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC", "-Xms2g", "-Xmx2g"})
public class ConvBenchmark {

    /** name: Cin, Cout, kernel, input side. */
    @Param({"conv1", "conv2", "conv3", "conv4", "conv5", "conv6", "conv7"})
    public String layer;

    @Param({"1", "0"})
    public int threads;

    @Param({"16"})
    public int batch;

    private Convolution conv;
    private float[] x, w, b, y, dy, dx, dw, db;

    static Convolution chestXRayNetLayer(String layer) {
        return switch (layer) {
            case "conv1" -> Convolution.of(1, 256, 256, 8, 3, 1, Padding.SAME);
            case "conv2" -> Convolution.of(8, 128, 128, 8, 3, 1, Padding.SAME);
            case "conv3" -> Convolution.of(8, 64, 64, 12, 3, 1, Padding.SAME);
            case "conv4" -> Convolution.of(12, 32, 32, 12, 3, 1, Padding.SAME);
            case "conv5" -> Convolution.of(12, 16, 16, 20, 5, 1, Padding.SAME);
            case "conv6" -> Convolution.of(20, 8, 8, 20, 5, 1, Padding.SAME);
            case "conv7" -> Convolution.of(20, 4, 4, 50, 5, 1, Padding.SAME);
            default -> throw new IllegalArgumentException("layer must be conv1..conv7, got " + layer);
        };
    }

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
        conv = chestXRayNetLayer(layer);
        var random = new SplittableRandom(42);
        x = SgemmBenchmark.randomFloats(random, batch * conv.inputSize());
        w = SgemmBenchmark.randomFloats(random, conv.weightSize());
        b = SgemmBenchmark.randomFloats(random, conv.outChannels());
        dy = SgemmBenchmark.randomFloats(random, batch * conv.outputSize());
        y = new float[batch * conv.outputSize()];
        dx = new float[x.length];
        dw = new float[w.length];
        db = new float[b.length];
    }

    @Benchmark
    public float[] forward() {
        conv.forward(batch, x, 0, w, 0, b, 0, y, 0);
        return y;
    }

    @Benchmark
    public float[] backwardData() {
        conv.backwardData(batch, dy, 0, w, 0, dx, 0);
        return dx;
    }

    @Benchmark
    public float[] backwardWeights() {
        conv.backwardWeights(batch, x, 0, dy, 0, dw, 0, db, 0);
        return dw;
    }
}
