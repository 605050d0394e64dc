package dev.isthmus.benchmarks;

import dev.isthmus.kernels.Kernels;
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
 * Row-major SGEMM {@code C[m x n] = A[m x k] * B[k x n]}: square sizes and the shapes
 * ChestXRayNet's im2col convolutions produce, at 1 thread and all threads. Scores are
 * microseconds per call; {@code sgemm-table.py} turns them into GFLOP/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 7, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
public class SgemmBenchmark {

    /** m x k x n: squares, then conv1 forward (8,72,16384), conv3 (12,108,1024), conv7 (50,500,16), conv1 weight-gradient-like (16384,8,72). */
    @Param({"256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048",
            "8x72x16384", "12x108x1024", "50x500x16", "16384x8x72"})
    public String mkn;

    /** Threads; 0 means all available processors. */
    @Param({"1", "0"})
    public int threads;

    private int m, n, k;
    private float[] a, b, c;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = mkn.split("x");
        m = Integer.parseInt(parts[0]);
        k = Integer.parseInt(parts[1]);
        n = Integer.parseInt(parts[2]);
        Parallel.setThreads(threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
        var random = new SplittableRandom(42);
        a = randomFloats(random, m * k);
        b = randomFloats(random, k * n);
        c = new float[m * n];
        verify();
    }

    @Benchmark
    public float[] sgemm() {
        Kernels.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
        return c;
    }

    /** A broken kernel must not post a score: spot-check C against double dot products. */
    private void verify() {
        sgemm();
        var random = new SplittableRandom(7);
        for (int s = 0; s < 64; s++) {
            int i = random.nextInt(m), j = random.nextInt(n);
            double want = 0, mag = 0;
            for (int p = 0; p < k; p++) {
                want += (double) a[i * k + p] * b[p * n + j];
                mag += Math.abs((double) a[i * k + p] * b[p * n + j]);
            }
            if (Math.abs(c[i * n + j] - want) > 1e-5 * (k + 2) * mag + 1e-30) {
                throw new IllegalStateException("sgemm is wrong at C(" + i + "," + j + "): " + c[i * n + j] + " vs " + want);
            }
        }
    }

    static float[] randomFloats(SplittableRandom random, int length) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }
}
