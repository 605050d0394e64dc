import java.util.Arrays;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packing a row-major A into the SGEMM's eight-row micro-panels (element (i, p) of a panel at
 * {@code p * 8 + i}), two ways: "copy", element by element as PackedGemm.packA did before (alpha 1), and
 * "transposed", eight rows' vectors turned by three rounds of two-vector permutes
 * ({@code selectFrom}) as PackedGemm.transposeRows does now. Packs all of an n x n A into blocks
 * of 168 rows by 256 columns (the AVX-512 blocking), checks both give the same floats, and
 * times each pass, the two alternated, microseconds.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector benchmarks/experiments/PackATranspose.java [n]
 * </pre>
 * AVX-512 only (16 lanes). Figures: benchmarks/README.md, "A packed by transposes".
 */
public class PackATranspose {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final int L = 16, MR = 8, KC = 256, MC = 168;

    static void copy(float[] a, int lda, int ic, int mc, int pc, int kc, float[] ap) {
        for (int ir = 0; ir < mc; ir += MR) {
            int panel = ir * kc, r0 = (ic + ir) * lda + pc;
            for (int p = 0; p < kc; p++) {
                for (int i = 0; i < MR; i++) {
                    ap[panel + p * MR + i] = a[r0 + i * lda + p];
                }
            }
        }
    }

    /** Indices for selectFrom(x, y) interleaving runs of {@code run} lanes of x and y, low or high halves. */
    static float[] interleave(int run, boolean high) {
        float[] lanes = new float[L];
        for (int j = 0; j < L; j++) {
            int pair = j / (2 * run), at = j % (2 * run);
            lanes[j] = (at < run ? pair * run + at : L + pair * run + at - run) + (high ? L / 2 : 0);
        }
        return lanes;
    }

    static final float[] I1L = interleave(1, false), I1H = interleave(1, true), I2L = interleave(2, false),
            I2H = interleave(2, true), I4L = interleave(4, false), I4H = interleave(4, true);

    static void transposed(float[] a, int lda, int ic, int mc, int pc, int kc, float[] ap) {
        FloatVector r1l = FloatVector.fromArray(S, I1L, 0), r1h = FloatVector.fromArray(S, I1H, 0);
        FloatVector r2l = FloatVector.fromArray(S, I2L, 0), r2h = FloatVector.fromArray(S, I2H, 0);
        FloatVector r4l = FloatVector.fromArray(S, I4L, 0), r4h = FloatVector.fromArray(S, I4H, 0);
        for (int ir = 0; ir < mc; ir += MR) {
            int panel = ir * kc, s = (ic + ir) * lda + pc;
            for (int p = 0; p < kc; p += L) {
                FloatVector a0 = FloatVector.fromArray(S, a, s + p), a1 = FloatVector.fromArray(S, a, s + lda + p);
                FloatVector a2 = FloatVector.fromArray(S, a, s + 2 * lda + p), a3 = FloatVector.fromArray(S, a, s + 3 * lda + p);
                FloatVector a4 = FloatVector.fromArray(S, a, s + 4 * lda + p), a5 = FloatVector.fromArray(S, a, s + 5 * lda + p);
                FloatVector a6 = FloatVector.fromArray(S, a, s + 6 * lda + p), a7 = FloatVector.fromArray(S, a, s + 7 * lda + p);
                FloatVector t01l = r1l.selectFrom(a0, a1), t01h = r1h.selectFrom(a0, a1);
                FloatVector t23l = r1l.selectFrom(a2, a3), t23h = r1h.selectFrom(a2, a3);
                FloatVector t45l = r1l.selectFrom(a4, a5), t45h = r1h.selectFrom(a4, a5);
                FloatVector t67l = r1l.selectFrom(a6, a7), t67h = r1h.selectFrom(a6, a7);
                FloatVector u03a = r2l.selectFrom(t01l, t23l), u03b = r2h.selectFrom(t01l, t23l);
                FloatVector u03c = r2l.selectFrom(t01h, t23h), u03d = r2h.selectFrom(t01h, t23h);
                FloatVector u47a = r2l.selectFrom(t45l, t67l), u47b = r2h.selectFrom(t45l, t67l);
                FloatVector u47c = r2l.selectFrom(t45h, t67h), u47d = r2h.selectFrom(t45h, t67h);
                int d = panel + p * MR;
                r4l.selectFrom(u03a, u47a).intoArray(ap, d);
                r4h.selectFrom(u03a, u47a).intoArray(ap, d + L);
                r4l.selectFrom(u03b, u47b).intoArray(ap, d + 2 * L);
                r4h.selectFrom(u03b, u47b).intoArray(ap, d + 3 * L);
                r4l.selectFrom(u03c, u47c).intoArray(ap, d + 4 * L);
                r4h.selectFrom(u03c, u47c).intoArray(ap, d + 5 * L);
                r4l.selectFrom(u03d, u47d).intoArray(ap, d + 6 * L);
                r4h.selectFrom(u03d, u47d).intoArray(ap, d + 7 * L);
            }
        }
    }

    static void pass(boolean viaTranspose, float[] a, int n, float[] ap) {
        for (int pc = 0; pc < n; pc += KC) {
            for (int ic = 0; ic < n; ic += MC) {
                int mc = Math.min(MC, n - ic) / MR * MR; // whole panels: the edge takes the copy in the library
                if (viaTranspose) {
                    transposed(a, n, ic, mc, pc, KC, ap);
                } else {
                    copy(a, n, ic, mc, pc, KC, ap);
                }
            }
        }
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 512;
        if (n % KC != 0) {
            throw new IllegalArgumentException("n must be a multiple of " + KC + ", got " + n);
        }
        float[] a = new float[n * n];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextDouble(-1, 1);
        }
        float[] viaCopy = new float[MC * KC], viaTranspose = new float[MC * KC];
        copy(a, n, 0, MC, 0, KC, viaCopy);
        transposed(a, n, 0, MC, 0, KC, viaTranspose);
        if (!Arrays.equals(viaCopy, viaTranspose)) {
            throw new AssertionError("the transposed panels differ from the copied ones");
        }
        for (int round = 0; round < 10; round++) {
            double[] us = new double[2];
            for (int way = 0; way < 2; way++) {
                long start = System.nanoTime();
                int passes = 0;
                while (System.nanoTime() - start < 300_000_000L) {
                    pass(way == 1, a, n, viaCopy);
                    passes++;
                }
                us[way] = (System.nanoTime() - start) / 1e3 / passes;
            }
            System.out.printf("n %d: copy %.1f us, transposed %.1f us%n", n, us[0], us[1]);
        }
    }
}
