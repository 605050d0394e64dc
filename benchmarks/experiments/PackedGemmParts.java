package dev.isthmus.kernels.gemm;

import java.lang.reflect.Method;
import java.util.SplittableRandom;

/**
 * Where a square SGEMM on the packed path spends its time: the whole {@code PackedGemm.gemm}
 * call, then its loops replayed with each part timed on its own (packing B, packing A, the
 * macro-kernels), so each part runs with the caches as the others leave them, and beside them a
 * transposed B's packing of the same panel (B^T, for comparison: the product uses the plain
 * one). Microseconds per product; one thread. It reaches the package's private methods, so it
 * lives in the package and runs on the class path beside the kernels' jar:
 *
 * <pre>
 * J=isthmus-kernels/target/isthmus-kernels-0.1.0-SNAPSHOT.jar
 * javac --add-modules jdk.incubator.vector -cp $J -d /tmp/parts benchmarks/experiments/PackedGemmParts.java
 * taskset -c 1 java --add-modules jdk.incubator.vector -cp /tmp/parts:$J dev.isthmus.kernels.gemm.PackedGemmParts 1024
 * </pre>
 * n must be wider than {@code Blocking.narrowN} (so A is packed). Figures: benchmarks/README.md,
 * "A packed by transposes" and "SGEMM: B packed four panels at a time".
 */
public class PackedGemmParts {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        Blocking blocking = PackedGemm.BLOCKING;
        if (n <= blocking.narrowN()) {
            throw new IllegalArgumentException("n must be above narrowN " + blocking.narrowN() + ", got " + n);
        }
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextDouble(-1, 1);
            b[i] = (float) random.nextDouble(-1, 1);
        }
        Method packB = PackedGemm.class.getDeclaredMethod("packB", boolean.class, float[].class, int.class, int.class,
                int.class, int.class, int.class, int.class, float[].class);
        Method packA = PackedGemm.class.getDeclaredMethod("packA", boolean.class, float[].class, int.class, int.class,
                int[].class, float.class, int.class, int.class, int.class, int.class, float[].class);
        Method macro = PackedGemm.class.getDeclaredMethod("macroKernel", int.class, int.class, int.class, float[].class,
                float[].class, int.class, int.class, int.class, float[].class, int.class, float[].class, float[].class,
                int.class, int.class, boolean.class, float.class);
        packB.setAccessible(true);
        packA.setAccessible(true);
        macro.setAccessible(true);
        int kcMax = blocking.kc(), mcMax = blocking.mc();
        if (n > blocking.nc()) {
            throw new IllegalArgumentException("n must be at most one B panel, nc " + blocking.nc() + ", got " + n);
        }
        float[] bp = new float[kcMax * blocking.nc()], ap = new float[mcMax * kcMax];
        float[] tile = new float[blocking.mr() * blocking.nr()];
        double flops = 2.0 * n * n * n;
        int replays = 20;
        for (int round = 0; round < 10; round++) {
            long start = System.nanoTime();
            int calls = 0;
            while (System.nanoTime() - start < 500_000_000L) {
                PackedGemm.gemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
                calls++;
            }
            double whole = (System.nanoTime() - start) / 1e3 / calls;
            long inB = 0, inA = 0, inMacro = 0, inBt = 0;
            for (int replay = 0; replay < replays; replay++) {
                for (int pc = 0; pc < n; pc += kcMax) {
                    int kc = Math.min(kcMax, n - pc);
                    long t0 = System.nanoTime();
                    packB.invoke(null, false, b, 0, n, pc, kc, 0, n, bp);
                    inB += System.nanoTime() - t0;
                    long tt = System.nanoTime();
                    packB.invoke(null, true, b, 0, n, pc, kc, 0, n, bp); // B^T's packing, for comparison
                    inBt += System.nanoTime() - tt;
                    packB.invoke(null, false, b, 0, n, pc, kc, 0, n, bp);
                    for (int ic = 0; ic < n; ic += mcMax) {
                        int mc = Math.min(mcMax, n - ic);
                        long t1 = System.nanoTime();
                        packA.invoke(null, false, a, 0, n, null, 1f, ic, mc, pc, kc, ap);
                        long t2 = System.nanoTime();
                        // packed B: panel jr at jr * kc, rows NR apart; a narrow last panel after the full ones
                        int tail = n / blocking.nr() * blocking.nr() * kc;
                        macro.invoke(null, mc, n, kc, ap, bp, 0, kc, blocking.nr(), bp, tail, tile, c, ic * n, n,
                                pc == 0, pc == 0 ? 0f : 1f);
                        inMacro += System.nanoTime() - t2;
                        inA += t2 - t1;
                    }
                }
            }
            double macroUs = inMacro / 1e3 / replays;
            System.out.printf("n %d: gemm %.1f us (%.1f GFLOP/s); parts: pack B %.1f (B^T %.1f), pack A %.1f,"
                            + " macro-kernels %.1f us (%.1f GFLOP/s)%n", n, whole, flops / whole / 1e3,
                    inB / 1e3 / replays, inBt / 1e3 / replays, inA / 1e3 / replays, macroUs, flops / macroUs / 1e3);
        }
    }
}
