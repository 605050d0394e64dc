import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code PackATranspose.java} for AVX2's tile: four rows of 8 lanes packed into micro-panels
 * (element (i, p) at {@code p * 4 + i}) by the element-by-element copy and by two rounds of
 * two-vector permutes; checks they agree, then times all of an n x n A each way, alternated,
 * microseconds. Run it with AVX2 only:
 *
 * <pre>
 * taskset -c 1 java -XX:UseAVX=2 --add-modules jdk.incubator.vector benchmarks/experiments/PackATransposeAvx2.java 512
 * </pre>
 * Figures: benchmarks/README.md, "A packed by transposes" (not kept: no faster in the product).
 */
public class PackATransposeAvx2 {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int L = 8, MR = 4, KC = 256, MC = 168;
    static void copy(float[] a, int lda, int ic, int mc, int pc, int kc, float[] ap) {
        for (int ir = 0; ir < mc; ir += MR) {
            int panel = ir * kc, r0 = (ic + ir) * lda + pc;
            for (int p = 0; p < kc; p++) for (int i = 0; i < MR; i++) ap[panel + p * MR + i] = a[r0 + i * lda + p];
        }
    }
    static float[] interleave(int run, boolean high) {
        float[] lanes = new float[L];
        for (int j = 0; j < L; j++) {
            int pair = j / (2 * run), at = j % (2 * run);
            lanes[j] = (at < run ? pair * run + at : L + pair * run + at - run) + (high ? L / 2 : 0);
        }
        return lanes;
    }
    static final float[] I1L = interleave(1, false), I1H = interleave(1, true), I2L = interleave(2, false), I2H = interleave(2, true);
    static void transposed(float[] a, int lda, int ic, int mc, int pc, int kc, float[] ap) {
        FloatVector r1l = FloatVector.fromArray(S, I1L, 0), r1h = FloatVector.fromArray(S, I1H, 0);
        FloatVector r2l = FloatVector.fromArray(S, I2L, 0), r2h = FloatVector.fromArray(S, I2H, 0);
        for (int ir = 0; ir < mc; ir += MR) {
            int panel = ir * kc, s = (ic + ir) * lda + pc;
            for (int p = 0; p < kc; p += L) {
                FloatVector a0 = FloatVector.fromArray(S, a, s + p), a1 = FloatVector.fromArray(S, a, s + lda + p);
                FloatVector a2 = FloatVector.fromArray(S, a, s + 2 * lda + p), a3 = FloatVector.fromArray(S, a, s + 3 * lda + p);
                FloatVector t01l = r1l.selectFrom(a0, a1), t01h = r1h.selectFrom(a0, a1);
                FloatVector t23l = r1l.selectFrom(a2, a3), t23h = r1h.selectFrom(a2, a3);
                int d = panel + p * MR;
                r2l.selectFrom(t01l, t23l).intoArray(ap, d);
                r2h.selectFrom(t01l, t23l).intoArray(ap, d + L);
                r2l.selectFrom(t01h, t23h).intoArray(ap, d + 2 * L);
                r2h.selectFrom(t01h, t23h).intoArray(ap, d + 3 * L);
            }
        }
    }
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 512;
        if (n % KC != 0) {
            throw new IllegalArgumentException("n must be a multiple of " + KC + ", got " + n);
        }
        float[] a = new float[n * n];
        for (int i = 0; i < a.length; i++) a[i] = i * 0.5f;
        float[] x = new float[MC * KC], y = new float[MC * KC];
        copy(a, n, 0, MC, 0, KC, x); transposed(a, n, 0, MC, 0, KC, y);
        if (!Arrays.equals(x, y)) {
            throw new AssertionError("the transposed panels differ from the copied ones");
        }
        for (int round = 0; round < 8; round++) {
            double[] us = new double[2];
            for (int way = 0; way < 2; way++) {
                long t0 = System.nanoTime(); int passes = 0;
                while (System.nanoTime() - t0 < 300_000_000L) {
                    for (int pc = 0; pc < n; pc += KC) for (int ic = 0; ic < n; ic += MC) {
                        int mc = Math.min(MC, n - ic) / MR * MR;
                        if (way == 0) copy(a, n, ic, mc, pc, KC, x); else transposed(a, n, ic, mc, pc, KC, x);
                    }
                    passes++;
                }
                us[way] = (System.nanoTime() - t0) / 1e3 / passes;
            }
            System.out.printf("copy %.1f us, transposed %.1f us%n", us[0], us[1]);
        }
    }
}
