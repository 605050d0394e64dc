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
 * Row-major SGEMM {@code C[m x n] = A[m x k] * B[k x n]} (with a {@code :bt} suffix,
 * {@code A * B^T}, B stored {@code n x k}): square sizes and the products ChestXRayNet's training
 * step still hands to SGEMM, at 1 thread and all threads. Scores are microseconds per call;
 * {@code sgemm-table.py} turns them into GFLOP/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 7, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC", "-Xms2g", "-Xmx2g"})
public class SgemmBenchmark {

    /**
     * m x k x n: squares, then the im2col products of ChestXRayNet's two narrow convolutions, per
     * image: conv6 (8x8 map, 20 -> 20 channels, 5x5) forward and data gradient 20x500x64, weight
     * gradient 20x64x500:bt; conv7 (4x4 map, 20 -> 50, 5x5) forward 50x500x16, data gradient
     * 20x1250x16, weight gradient 50x16x500:bt. (The wider layers run the direct convolution.)
     */
    @Param({"256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048",
            "20x500x64", "20x64x500:bt", "50x500x16", "20x1250x16", "50x16x500:bt"})
    public String mkn;

    /** Threads; 0 means all available processors. */
    @Param({"1", "0"})
    public int threads;

    private int m, n, k;
    private boolean transB;
    private float[] a, b, c;

    @Setup(Level.Trial)
    public void setUp() {
        transB = mkn.endsWith(":bt");
        String[] parts = mkn.replace(":bt", "").split("x");
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
        Kernels.sgemm(false, transB, m, n, k, 1f, a, 0, k, b, 0, transB ? k : n, 0f, c, 0, n);
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
                double bpj = transB ? b[j * k + p] : b[p * n + j];
                want += (double) a[i * k + p] * bpj;
                mag += Math.abs((double) a[i * k + p] * bpj);
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
