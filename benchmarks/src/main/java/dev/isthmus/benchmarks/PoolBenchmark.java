package dev.isthmus.benchmarks;

import dev.isthmus.kernels.MaxPooling;
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
 * ChestXRayNet's 2x2 max-pooling after each convolution, batch 16, forward (recording the argmax)
 * and backward. Scores are microseconds per call; {@code conv-table.py} reports GB/s of the
 * arrays each pass must touch (forward: x read, y and argmax written; backward: dy and argmax
 * read, dx written).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC", "-Xms2g", "-Xmx2g"})
public class PoolBenchmark {

    /** channels x input side, after conv1 .. conv6 (conv7's output is pooled globally). */
    @Param({"8x256", "8x128", "12x64", "12x32", "20x16", "20x8"})
    public String shape;

    @Param({"1", "0"})
    public int threads;

    @Param({"16"})
    public int batch;

    private MaxPooling pool;
    private float[] x, y, dy, dx;
    private int[] argmax;

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
        String[] parts = shape.split("x");
        int c = Integer.parseInt(parts[0]), side = Integer.parseInt(parts[1]);
        pool = MaxPooling.of(c, side, side, 2, 2, Padding.VALID);
        var random = new SplittableRandom(42);
        x = SgemmBenchmark.randomFloats(random, batch * pool.inputSize());
        dy = SgemmBenchmark.randomFloats(random, batch * pool.outputSize());
        y = new float[dy.length];
        argmax = new int[dy.length];
        dx = new float[x.length];
    }

    @Benchmark
    public float[] forward() {
        pool.forward(batch, x, 0, y, 0, argmax, 0);
        return y;
    }

    @Benchmark
    public float[] backward() {
        pool.backward(batch, dy, 0, argmax, 0, dx, 0);
        return dx;
    }
}
