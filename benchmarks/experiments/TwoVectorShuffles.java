import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Whether two-vector shuffles bound a staging loop: two loads of a 32-float row, its even and odd
 * lanes, two stores, three ways: {@code rearrange(VectorShuffle, v)} (what the kernels use; C2
 * makes it two one-source {@code vpermps} and a blend), {@code selectFrom(v1, v2)} with int
 * indices and with float indices (one two-source {@code vpermt2ps} or {@code vpermi2ps}).
 * Nanoseconds per row, eight rounds of 20,000 passes; {@code -Drows} rows (512: 64 KiB of input,
 * in L2), their even and odd halves stored {@code -Dos} floats apart from {@code -Doo} (17 and 1:
 * as the phases of a 32-wide map lie; 16 and 0: contiguous). No repository classes; run it as a
 * source file:
 *
 * <pre>
 * bin=$(dirname "$(benchmarks/run.sh --java)")
 * taskset -c 1 "$bin/java" --add-modules jdk.incubator.vector -XX:+UseSerialGC -Drows=512 -Dos=17 -Doo=1 \
 *   benchmarks/experiments/TwoVectorShuffles.java
 * </pre>
 */
public class TwoVectorShuffles {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    static final int L = 16; static int OS = Integer.getInteger("os", 17), OO = Integer.getInteger("oo", 1);
    static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i), ODD = VectorShuffle.fromOp(S, i -> 2 * i + 1);
    static final int[] EVEN_I = new int[L], ODD_I = new int[L];
    static { for (int i = 0; i < L; i++) { EVEN_I[i] = 2 * i; ODD_I[i] = 2 * i + 1; } }

    static void shuffles(float[] x, float[] e, float[] o, int rows) {
        for (int r = 0; r < rows; r++) {
            FloatVector lo = FloatVector.fromArray(S, x, 32 * r), hi = FloatVector.fromArray(S, x, 32 * r + L);
            lo.rearrange(EVEN, hi).intoArray(e, OS * r);
            lo.rearrange(ODD, hi).intoArray(o, OS * r + OO);
        }
    }

    static void selects(float[] x, float[] e, float[] o, int rows) {
        IntVector ev = IntVector.fromArray(I, EVEN_I, 0), od = IntVector.fromArray(I, ODD_I, 0);
        for (int r = 0; r < rows; r++) {
            IntVector lo = FloatVector.fromArray(S, x, 32 * r).reinterpretAsInts();
            IntVector hi = FloatVector.fromArray(S, x, 32 * r + L).reinterpretAsInts();
            ev.selectFrom(lo, hi).reinterpretAsFloats().intoArray(e, OS * r);
            od.selectFrom(lo, hi).reinterpretAsFloats().intoArray(o, OS * r + OO);
        }
    }

    static void fselects(float[] x, float[] e, float[] o, int rows) {
        FloatVector ev = IntVector.fromArray(I, EVEN_I, 0).convert(VectorOperators.I2F, 0).reinterpretAsFloats();
        FloatVector od = IntVector.fromArray(I, ODD_I, 0).convert(VectorOperators.I2F, 0).reinterpretAsFloats();
        for (int r = 0; r < rows; r++) {
            FloatVector lo = FloatVector.fromArray(S, x, 32 * r), hi = FloatVector.fromArray(S, x, 32 * r + L);
            ev.selectFrom(lo, hi).intoArray(e, OS * r);
            od.selectFrom(lo, hi).intoArray(o, OS * r + OO);
        }
    }

    public static void main(String[] a) {
        int rows = Integer.getInteger("rows", 512);
        float[] x = new float[32 * rows], e = new float[OS * rows + 64], o = new float[OS * rows + 64], e2 = e.clone(), o2 = o.clone();
        for (int i = 0; i < x.length; i++) x[i] = i;
        shuffles(x, e, o, rows); selects(x, e2, o2, rows);
        if (!java.util.Arrays.equals(e, e2) || !java.util.Arrays.equals(o, o2)) throw new AssertionError("differ");
        fselects(x, e2, o2, rows);
        if (!java.util.Arrays.equals(e, e2) || !java.util.Arrays.equals(o, o2)) throw new AssertionError("differ f");
        for (int round = 0; round < 8; round++) {
            StringBuilder s = new StringBuilder();
            for (int v = 0; v < 3; v++) {
                long t0 = System.nanoTime();
                for (int n = 0; n < 20000; n++) {
                    if (v == 0) shuffles(x, e, o, rows); else if (v == 1) selects(x, e, o, rows); else fselects(x, e, o, rows);
                }
                s.append(String.format(" %s %.2f", v == 0 ? "rearrange" : v == 1 ? "intSelect" : "floatSelect", (System.nanoTime() - t0) / (20000.0 * rows)));
            }
            System.out.println("ns/row:" + s);
        }
    }
}
