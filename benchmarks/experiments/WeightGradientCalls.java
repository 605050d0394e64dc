import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-lane weight gradient's loop (PanamaConv.weightGradientWide: four channels of dz by
 * five taps, 20 sums) called as DirectConvolution calls it: per strip of about 4,096 floats of
 * flat rows, every block of four output channels by every group of five taps, the sums loaded
 * before and stored after. "nested" compiles the FMA loop inside the loops over blocks and
 * groups; "method" gives it a method of its own. Each mode also runs without loading the sums
 * and with every group reading the same five taps (the input rows in L1). Best of 15 passes
 * over 8 images, GFLOP/s.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector benchmarks/experiments/WeightGradientCalls.java CIN SIDE COUT nested|method
 * </pre>
 * Figures: benchmarks/README.md, "Two CPUs, two speeds". The real kernel split the same way ran
 * no faster, so what this shows is the mimic's, not the kernel's.
 */
public class WeightGradientCalls {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final int L = S.length();

    static void stripNested(float[] xp, int[] taps, int base, float[] dz, int dzOff, int dzPlane, int width, int cout, int k, float[] acc, boolean loadAcc, boolean sameTap) {
        int step = k * L;
        for (int ob = 0; ob < cout / 4; ob++) {
            int oc = ob * 4;
            int d0 = dzOff + oc * dzPlane, d1 = d0 + dzPlane, d2 = d1 + dzPlane, d3 = d2 + dzPlane;
            for (int t = 0; t < k; t += 5) {
                int tt = sameTap ? 0 : t;
                int x0 = taps[tt] + base, x1 = taps[Math.min(tt + 1, k - 1)] + base, x2 = taps[Math.min(tt + 2, k - 1)] + base;
                int x3 = taps[Math.min(tt + 3, k - 1)] + base, x4 = taps[Math.min(tt + 4, k - 1)] + base;
                int a = (oc * k + Math.min(t, k - 5)) * L;
                FloatVector z = FloatVector.zero(S);
                FloatVector s00 = loadAcc ? FloatVector.fromArray(S, acc, a) : z, s01 = loadAcc ? FloatVector.fromArray(S, acc, a + L) : z,
                        s02 = loadAcc ? FloatVector.fromArray(S, acc, a + 2 * L) : z, s03 = loadAcc ? FloatVector.fromArray(S, acc, a + 3 * L) : z,
                        s04 = loadAcc ? FloatVector.fromArray(S, acc, a + 4 * L) : z;
                FloatVector s10 = loadAcc ? FloatVector.fromArray(S, acc, a + step) : z, s11 = loadAcc ? FloatVector.fromArray(S, acc, a + step + L) : z,
                        s12 = loadAcc ? FloatVector.fromArray(S, acc, a + step + 2 * L) : z, s13 = loadAcc ? FloatVector.fromArray(S, acc, a + step + 3 * L) : z,
                        s14 = loadAcc ? FloatVector.fromArray(S, acc, a + step + 4 * L) : z;
                int a2 = a + 2 * step, a3 = a + 3 * step;
                FloatVector s20 = loadAcc ? FloatVector.fromArray(S, acc, a2) : z, s21 = loadAcc ? FloatVector.fromArray(S, acc, a2 + L) : z,
                        s22 = loadAcc ? FloatVector.fromArray(S, acc, a2 + 2 * L) : z, s23 = loadAcc ? FloatVector.fromArray(S, acc, a2 + 3 * L) : z,
                        s24 = loadAcc ? FloatVector.fromArray(S, acc, a2 + 4 * L) : z;
                FloatVector s30 = loadAcc ? FloatVector.fromArray(S, acc, a3) : z, s31 = loadAcc ? FloatVector.fromArray(S, acc, a3 + L) : z,
                        s32 = loadAcc ? FloatVector.fromArray(S, acc, a3 + 2 * L) : z, s33 = loadAcc ? FloatVector.fromArray(S, acc, a3 + 3 * L) : z,
                        s34 = loadAcc ? FloatVector.fromArray(S, acc, a3 + 4 * L) : z;
                for (int c = 0; c < width; c += L) {
                    FloatVector v0 = FloatVector.fromArray(S, xp, x0 + c);
                    FloatVector v1 = FloatVector.fromArray(S, xp, x1 + c);
                    FloatVector v2 = FloatVector.fromArray(S, xp, x2 + c);
                    FloatVector v3 = FloatVector.fromArray(S, xp, x3 + c);
                    FloatVector v4 = FloatVector.fromArray(S, xp, x4 + c);
                    FloatVector g = FloatVector.fromArray(S, dz, d0 + c);
                    s00 = g.fma(v0, s00); s01 = g.fma(v1, s01); s02 = g.fma(v2, s02); s03 = g.fma(v3, s03); s04 = g.fma(v4, s04);
                    g = FloatVector.fromArray(S, dz, d1 + c);
                    s10 = g.fma(v0, s10); s11 = g.fma(v1, s11); s12 = g.fma(v2, s12); s13 = g.fma(v3, s13); s14 = g.fma(v4, s14);
                    g = FloatVector.fromArray(S, dz, d2 + c);
                    s20 = g.fma(v0, s20); s21 = g.fma(v1, s21); s22 = g.fma(v2, s22); s23 = g.fma(v3, s23); s24 = g.fma(v4, s24);
                    g = FloatVector.fromArray(S, dz, d3 + c);
                    s30 = g.fma(v0, s30); s31 = g.fma(v1, s31); s32 = g.fma(v2, s32); s33 = g.fma(v3, s33); s34 = g.fma(v4, s34);
                }
                s00.intoArray(acc, a); s01.intoArray(acc, a + L); s02.intoArray(acc, a + 2 * L); s03.intoArray(acc, a + 3 * L); s04.intoArray(acc, a + 4 * L);
                s10.intoArray(acc, a + step); s11.intoArray(acc, a + step + L); s12.intoArray(acc, a + step + 2 * L); s13.intoArray(acc, a + step + 3 * L); s14.intoArray(acc, a + step + 4 * L);
                s20.intoArray(acc, a2); s21.intoArray(acc, a2 + L); s22.intoArray(acc, a2 + 2 * L); s23.intoArray(acc, a2 + 3 * L); s24.intoArray(acc, a2 + 4 * L);
                s30.intoArray(acc, a3); s31.intoArray(acc, a3 + L); s32.intoArray(acc, a3 + 2 * L); s33.intoArray(acc, a3 + 3 * L); s34.intoArray(acc, a3 + 4 * L);
            }
        }
    }

    static void stripMethod(float[] xp, int[] taps, int base, float[] dz, int dzOff, int dzPlane, int width, int cout, int k, float[] acc, boolean loadAcc, boolean sameTap) {
        int step = k * L;
        for (int ob = 0; ob < cout / 4; ob++) {
            int oc = ob * 4;
            int d0 = dzOff + oc * dzPlane, d1 = d0 + dzPlane, d2 = d1 + dzPlane, d3 = d2 + dzPlane;
            for (int t = 0; t < k; t += 5) {
                int tt = sameTap ? 0 : t;
                int x0 = taps[tt] + base, x1 = taps[Math.min(tt + 1, k - 1)] + base, x2 = taps[Math.min(tt + 2, k - 1)] + base;
                int x3 = taps[Math.min(tt + 3, k - 1)] + base, x4 = taps[Math.min(tt + 4, k - 1)] + base;
                tile(xp, x0, x1, x2, x3, x4, dz, d0, d1, d2, d3, width, acc, (oc * k + Math.min(t, k - 5)) * L, step, loadAcc);
            }
        }
    }

    static void tile(float[] xp, int x0, int x1, int x2, int x3, int x4, float[] dz, int d0, int d1, int d2, int d3, int width, float[] acc, int a, int step, boolean loadAcc) {
                FloatVector z = FloatVector.zero(S);
                FloatVector s00 = loadAcc ? FloatVector.fromArray(S, acc, a) : z, s01 = loadAcc ? FloatVector.fromArray(S, acc, a + L) : z,
                        s02 = loadAcc ? FloatVector.fromArray(S, acc, a + 2 * L) : z, s03 = loadAcc ? FloatVector.fromArray(S, acc, a + 3 * L) : z,
                        s04 = loadAcc ? FloatVector.fromArray(S, acc, a + 4 * L) : z;
                FloatVector s10 = loadAcc ? FloatVector.fromArray(S, acc, a + step) : z, s11 = loadAcc ? FloatVector.fromArray(S, acc, a + step + L) : z,
                        s12 = loadAcc ? FloatVector.fromArray(S, acc, a + step + 2 * L) : z, s13 = loadAcc ? FloatVector.fromArray(S, acc, a + step + 3 * L) : z,
                        s14 = loadAcc ? FloatVector.fromArray(S, acc, a + step + 4 * L) : z;
                int a2 = a + 2 * step, a3 = a + 3 * step;
                FloatVector s20 = loadAcc ? FloatVector.fromArray(S, acc, a2) : z, s21 = loadAcc ? FloatVector.fromArray(S, acc, a2 + L) : z,
                        s22 = loadAcc ? FloatVector.fromArray(S, acc, a2 + 2 * L) : z, s23 = loadAcc ? FloatVector.fromArray(S, acc, a2 + 3 * L) : z,
                        s24 = loadAcc ? FloatVector.fromArray(S, acc, a2 + 4 * L) : z;
                FloatVector s30 = loadAcc ? FloatVector.fromArray(S, acc, a3) : z, s31 = loadAcc ? FloatVector.fromArray(S, acc, a3 + L) : z,
                        s32 = loadAcc ? FloatVector.fromArray(S, acc, a3 + 2 * L) : z, s33 = loadAcc ? FloatVector.fromArray(S, acc, a3 + 3 * L) : z,
                        s34 = loadAcc ? FloatVector.fromArray(S, acc, a3 + 4 * L) : z;
                for (int c = 0; c < width; c += L) {
                    FloatVector v0 = FloatVector.fromArray(S, xp, x0 + c);
                    FloatVector v1 = FloatVector.fromArray(S, xp, x1 + c);
                    FloatVector v2 = FloatVector.fromArray(S, xp, x2 + c);
                    FloatVector v3 = FloatVector.fromArray(S, xp, x3 + c);
                    FloatVector v4 = FloatVector.fromArray(S, xp, x4 + c);
                    FloatVector g = FloatVector.fromArray(S, dz, d0 + c);
                    s00 = g.fma(v0, s00); s01 = g.fma(v1, s01); s02 = g.fma(v2, s02); s03 = g.fma(v3, s03); s04 = g.fma(v4, s04);
                    g = FloatVector.fromArray(S, dz, d1 + c);
                    s10 = g.fma(v0, s10); s11 = g.fma(v1, s11); s12 = g.fma(v2, s12); s13 = g.fma(v3, s13); s14 = g.fma(v4, s14);
                    g = FloatVector.fromArray(S, dz, d2 + c);
                    s20 = g.fma(v0, s20); s21 = g.fma(v1, s21); s22 = g.fma(v2, s22); s23 = g.fma(v3, s23); s24 = g.fma(v4, s24);
                    g = FloatVector.fromArray(S, dz, d3 + c);
                    s30 = g.fma(v0, s30); s31 = g.fma(v1, s31); s32 = g.fma(v2, s32); s33 = g.fma(v3, s33); s34 = g.fma(v4, s34);
                }
                s00.intoArray(acc, a); s01.intoArray(acc, a + L); s02.intoArray(acc, a + 2 * L); s03.intoArray(acc, a + 3 * L); s04.intoArray(acc, a + 4 * L);
                s10.intoArray(acc, a + step); s11.intoArray(acc, a + step + L); s12.intoArray(acc, a + step + 2 * L); s13.intoArray(acc, a + step + 3 * L); s14.intoArray(acc, a + step + 4 * L);
                s20.intoArray(acc, a2); s21.intoArray(acc, a2 + L); s22.intoArray(acc, a2 + 2 * L); s23.intoArray(acc, a2 + 3 * L); s24.intoArray(acc, a2 + 4 * L);
                s30.intoArray(acc, a3); s31.intoArray(acc, a3 + L); s32.intoArray(acc, a3 + 2 * L); s33.intoArray(acc, a3 + 3 * L); s34.intoArray(acc, a3 + 4 * L);
    }


    public static void main(String[] args) {
        int cin = Integer.parseInt(args[0]), side = Integer.parseInt(args[1]), cout = Integer.parseInt(args[2]);
        boolean nested = args[3].equals("nested");
        int stripFloats = 4096;
        int stride = side + 2, plane = (side + 3) * stride, k = cin * 9;
        float[] xp = new float[cin * plane + 64], dz = new float[cout * plane + 64], acc = new float[cout * k * L + 64];
        for (int i = 0; i < xp.length; i++) xp[i] = (i % 7) * 0.01f;
        for (int i = 0; i < dz.length; i++) dz[i] = (i % 5) * 0.01f;
        int[] taps = new int[k];
        for (int ci = 0, t = 0; ci < cin; ci++) for (int ky = 0; ky < 3; ky++) for (int kx = 0; kx < 3; kx++) taps[t++] = ci * plane + ky * stride + kx;
        int rows = Math.max(1, stripFloats / (4 * stride));
        double flops = 2.0 * cout * k * side * side;
        String[] names = {"as is", "no acc loads", "one tap group (x in L1)"};
        for (int round = 0; round < 4; round++) {
            StringBuilder line = new StringBuilder();
            for (int mode = 0; mode < 3; mode++) {
                long best = Long.MAX_VALUE;
                for (int rep = 0; rep < 15; rep++) {
                    long t0 = System.nanoTime();
                    for (int img = 0; img < 8; img++) {
                        for (int oy = 0; oy < side; oy += rows) {
                            int r = Math.min(rows, side - oy);
                            int width = ((r - 1) * stride + side + L - 1) / L * L;
                            if (nested) {
                                stripNested(xp, taps, oy * stride, dz, stride + 1 + oy * stride, plane, width, cout, k, acc, mode != 1, mode == 2);
                            } else {
                                stripMethod(xp, taps, oy * stride, dz, stride + 1 + oy * stride, plane, width, cout, k, acc, mode != 1, mode == 2);
                            }
                        }
                    }
                    best = Math.min(best, System.nanoTime() - t0);
                }
                line.append(String.format("%s %.0f   ", names[mode], flops * 8 / best));
            }
            if (round > 0) System.out.println(line.toString().strip());
        }
    }
}
