package dev.isthmus.benchmarks;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The machine's single-precision FMA peak as the JIT reaches it: twelve independent vector
 * accumulators (enough to cover FMA latency times throughput on current x86 cores) updated in a
 * loop with no memory traffic. The "% of peak" column in benchmarks/README.md divides by this,
 * measured in the same run, rather than by a datasheet figure.
 *
 * <p>Score: vector FMA instructions per microsecond; GFLOP/s = score * lanes * 2 / 1000 (the
 * {@code lanes} parameter records the preferred species' lane count; the table script does the
 * arithmetic). {@code allThreads} runs one copy on every core at once.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC"})
public class FmaPeakBenchmark {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int ROUNDS = 1000;
    static final int CHAINS = 12;

    /** Lanes of the preferred species: a parameter only so that it lands in the JSON result. */
    @org.openjdk.jmh.annotations.Param({"0"})
    public int lanes;

    public float x = 1.0000001f, y = 0.9999999f;

    @org.openjdk.jmh.annotations.Setup
    public void checkLanes() {
        if (lanes != SPECIES.length()) {
            throw new IllegalStateException("run with -p lanes=" + SPECIES.length() + " (the preferred species here)");
        }
    }

    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(ROUNDS * CHAINS)
    public float oneThread() {
        return fmaLoop();
    }

    @Benchmark
    @Threads(Threads.MAX)
    @OperationsPerInvocation(ROUNDS * CHAINS)
    public float allThreads() {
        return fmaLoop();
    }

    /** Prints the preferred species' lane count, for {@code -p lanes=...}. */
    public static void main(String[] args) {
        System.out.println(SPECIES.length());
    }

    private float fmaLoop() {
        FloatVector a = FloatVector.broadcast(SPECIES, x), b = FloatVector.broadcast(SPECIES, y);
        FloatVector c0 = a, c1 = b, c2 = a, c3 = b, c4 = a, c5 = b;
        FloatVector c6 = a, c7 = b, c8 = a, c9 = b, c10 = a, c11 = b;
        for (int r = 0; r < ROUNDS; r++) {
            c0 = c0.fma(a, b);
            c1 = c1.fma(a, b);
            c2 = c2.fma(a, b);
            c3 = c3.fma(a, b);
            c4 = c4.fma(a, b);
            c5 = c5.fma(a, b);
            c6 = c6.fma(a, b);
            c7 = c7.fma(a, b);
            c8 = c8.fma(a, b);
            c9 = c9.fma(a, b);
            c10 = c10.fma(a, b);
            c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
