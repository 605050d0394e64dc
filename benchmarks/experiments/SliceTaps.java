import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-lane weight gradient's FMA loop alone, over one flat row of {@code width} floats in
 * Java arrays: "4x5 loads" is PanamaConv.weightGradientWide's tile (four channels of dz by five
 * taps, each tap its own, mostly line-splitting, load); "3x6 loads" three channels by two kernel
 * rows of three taps; "3x6 sliced" the same with each kernel row's three taps made from two loads
 * and two {@code slice}s (fewer loads, no split ones beyond the array's own offset); "2x9 sliced"
 * two channels by a whole 3x3. Best of 150 passes of 200 calls, GFLOP/s.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector benchmarks/experiments/SliceTaps.java [width] [shift]
 * </pre>
 * 1088 floats keep the rows in L1, 4352 in L2. Figures: benchmarks/README.md, "Two CPUs, two speeds".
 */
public class SliceTaps {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final int L = S.length();

    // current: 4 channels x 5 taps, each tap its own load
    static float five(float[] x, float[] d, int[] xo, int[] dof, int width) {
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00, s04 = s00;
        FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00, s14 = s00;
        FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00, s24 = s00;
        FloatVector s30 = s00, s31 = s00, s32 = s00, s33 = s00, s34 = s00;
        int x0 = xo[0], x1 = xo[1], x2 = xo[2], x3 = xo[3], x4 = xo[4], d0 = dof[0], d1 = dof[1], d2 = dof[2], d3 = dof[3];
        for (int c = 0; c < width; c += L) {
            FloatVector v0 = FloatVector.fromArray(S, x, x0 + c);
            FloatVector v1 = FloatVector.fromArray(S, x, x1 + c);
            FloatVector v2 = FloatVector.fromArray(S, x, x2 + c);
            FloatVector v3 = FloatVector.fromArray(S, x, x3 + c);
            FloatVector v4 = FloatVector.fromArray(S, x, x4 + c);
            FloatVector g = FloatVector.fromArray(S, d, d0 + c);
            s00 = g.fma(v0, s00); s01 = g.fma(v1, s01); s02 = g.fma(v2, s02); s03 = g.fma(v3, s03); s04 = g.fma(v4, s04);
            g = FloatVector.fromArray(S, d, d1 + c);
            s10 = g.fma(v0, s10); s11 = g.fma(v1, s11); s12 = g.fma(v2, s12); s13 = g.fma(v3, s13); s14 = g.fma(v4, s14);
            g = FloatVector.fromArray(S, d, d2 + c);
            s20 = g.fma(v0, s20); s21 = g.fma(v1, s21); s22 = g.fma(v2, s22); s23 = g.fma(v3, s23); s24 = g.fma(v4, s24);
            g = FloatVector.fromArray(S, d, d3 + c);
            s30 = g.fma(v0, s30); s31 = g.fma(v1, s31); s32 = g.fma(v2, s32); s33 = g.fma(v3, s33); s34 = g.fma(v4, s34);
        }
        return s00.add(s01).add(s02).add(s03).add(s04).add(s10).add(s11).add(s12).add(s13).add(s14)
                .add(s20).add(s21).add(s22).add(s23).add(s24).add(s30).add(s31).add(s32).add(s33).add(s34)
                .reduceLanes(VectorOperators.ADD);
    }

    // 3 channels x 6 taps (two kernel rows of three columns), each row two loads and two slices
    static float sixSliced(float[] x, float[] d, int[] xo, int[] dof, int width, boolean slice) {
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00, s04 = s00, s05 = s00;
        FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00, s14 = s00, s15 = s00;
        FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00, s24 = s00, s25 = s00;
        int r0 = xo[0], r1 = xo[3], d0 = dof[0], d1 = dof[1], d2 = dof[2];
        for (int c = 0; c < width; c += L) {
            FloatVector v0, v1, v2, v3, v4, v5;
            if (slice) {
                FloatVector a = FloatVector.fromArray(S, x, r0 + c), b = FloatVector.fromArray(S, x, r0 + c + L);
                v0 = a; v1 = a.slice(1, b); v2 = a.slice(2, b);
                a = FloatVector.fromArray(S, x, r1 + c); b = FloatVector.fromArray(S, x, r1 + c + L);
                v3 = a; v4 = a.slice(1, b); v5 = a.slice(2, b);
            } else {
                v0 = FloatVector.fromArray(S, x, r0 + c); v1 = FloatVector.fromArray(S, x, r0 + c + 1); v2 = FloatVector.fromArray(S, x, r0 + c + 2);
                v3 = FloatVector.fromArray(S, x, r1 + c); v4 = FloatVector.fromArray(S, x, r1 + c + 1); v5 = FloatVector.fromArray(S, x, r1 + c + 2);
            }
            FloatVector g = FloatVector.fromArray(S, d, d0 + c);
            s00 = g.fma(v0, s00); s01 = g.fma(v1, s01); s02 = g.fma(v2, s02); s03 = g.fma(v3, s03); s04 = g.fma(v4, s04); s05 = g.fma(v5, s05);
            g = FloatVector.fromArray(S, d, d1 + c);
            s10 = g.fma(v0, s10); s11 = g.fma(v1, s11); s12 = g.fma(v2, s12); s13 = g.fma(v3, s13); s14 = g.fma(v4, s14); s15 = g.fma(v5, s15);
            g = FloatVector.fromArray(S, d, d2 + c);
            s20 = g.fma(v0, s20); s21 = g.fma(v1, s21); s22 = g.fma(v2, s22); s23 = g.fma(v3, s23); s24 = g.fma(v4, s24); s25 = g.fma(v5, s25);
        }
        return s00.add(s01).add(s02).add(s03).add(s04).add(s05).add(s10).add(s11).add(s12).add(s13).add(s14).add(s15)
                .add(s20).add(s21).add(s22).add(s23).add(s24).add(s25).reduceLanes(VectorOperators.ADD);
    }

    // 2 channels x 9 taps (a whole 3x3), three rows of two loads and two slices
    static float nineSliced(float[] x, float[] d, int[] xo, int[] dof, int width) {
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00, s04 = s00, s05 = s00, s06 = s00, s07 = s00, s08 = s00;
        FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00, s14 = s00, s15 = s00, s16 = s00, s17 = s00, s18 = s00;
        int r0 = xo[0], r1 = xo[3], r2 = xo[5], d0 = dof[0], d1 = dof[1];
        for (int c = 0; c < width; c += L) {
            FloatVector g0 = FloatVector.fromArray(S, d, d0 + c), g1 = FloatVector.fromArray(S, d, d1 + c);
            FloatVector a = FloatVector.fromArray(S, x, r0 + c), b = FloatVector.fromArray(S, x, r0 + c + L);
            FloatVector v = a; s00 = g0.fma(v, s00); s10 = g1.fma(v, s10);
            v = a.slice(1, b); s01 = g0.fma(v, s01); s11 = g1.fma(v, s11);
            v = a.slice(2, b); s02 = g0.fma(v, s02); s12 = g1.fma(v, s12);
            a = FloatVector.fromArray(S, x, r1 + c); b = FloatVector.fromArray(S, x, r1 + c + L);
            v = a; s03 = g0.fma(v, s03); s13 = g1.fma(v, s13);
            v = a.slice(1, b); s04 = g0.fma(v, s04); s14 = g1.fma(v, s14);
            v = a.slice(2, b); s05 = g0.fma(v, s05); s15 = g1.fma(v, s15);
            a = FloatVector.fromArray(S, x, r2 + c); b = FloatVector.fromArray(S, x, r2 + c + L);
            v = a; s06 = g0.fma(v, s06); s16 = g1.fma(v, s16);
            v = a.slice(1, b); s07 = g0.fma(v, s07); s17 = g1.fma(v, s17);
            v = a.slice(2, b); s08 = g0.fma(v, s08); s18 = g1.fma(v, s18);
        }
        return s00.add(s01).add(s02).add(s03).add(s04).add(s05).add(s06).add(s07).add(s08).add(s10).add(s11).add(s12).add(s13).add(s14).add(s15).add(s16).add(s17).add(s18)
                .reduceLanes(VectorOperators.ADD);
    }

    public static void main(String[] args) {
        int width = args.length > 0 ? Integer.parseInt(args[0]) : 1088, stride = width + 2 * L;
        int shift = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        float[] x = new float[20 * stride + 64], d = new float[8 * stride + 64];
        for (int i = 0; i < x.length; i++) x[i] = (i % 7) * 0.01f;
        for (int i = 0; i < d.length; i++) d[i] = (i % 5) * 0.01f;
        int[] xo = new int[6], dof = new int[4];
        for (int t = 0; t < 5; t++) xo[t] = shift + (t / 3) * stride + t % 3;
        xo[3] = shift + stride; xo[5] = shift + 2 * stride;
        for (int ch = 0; ch < 4; ch++) dof[ch] = shift + ch * stride + 8;
        String[] names = {"4x5 loads", "3x6 loads", "3x6 sliced", "2x9 sliced"};
        double[] flopsPerCol = {20, 18, 18, 18};
        float sink = 0;
        for (int round = 0; round < 4; round++) {
            StringBuilder line = new StringBuilder();
            for (int mode = 0; mode < 4; mode++) {
                long best = Long.MAX_VALUE;
                for (int rep = 0; rep < 150; rep++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < 200; i++) {
                        sink += switch (mode) {
                            case 0 -> five(x, d, xo, dof, width);
                            case 1 -> sixSliced(x, d, xo, dof, width, false);
                            case 2 -> sixSliced(x, d, xo, dof, width, true);
                            default -> nineSliced(x, d, xo, dof, width);
                        };
                    }
                    best = Math.min(best, System.nanoTime() - t0);
                }
                line.append(String.format("%s %.0f   ", names[mode], flopsPerCol[mode] * 2 * width * 200 / best));
            }
            if (round > 0) System.out.println(line.toString().strip());
        }
        if (sink == 42) System.out.println();
    }
}
