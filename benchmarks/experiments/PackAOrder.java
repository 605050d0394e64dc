package dev.isthmus.kernels.gemm;

import java.lang.reflect.Method;
import java.util.SplittableRandom;

/**
 * Whether packing A along whole rows is faster than in K blocks: {@code PackedGemm.packA} of a
 * 168-row block (MC on AVX-512) of a 1024 x 1024 A, all 1024 of k in one call against four
 * calls of 256 (KC, the product's order, each block's rows 1 KiB runs 4 KiB apart), A evicted
 * from the caches before each (a 64 MB array written over), as the product leaves it. Microseconds
 * per block; one thread. Like PackedGemmParts, it lives in the package:
 *
 * <pre>
 * J=isthmus-kernels/target/isthmus-kernels-0.1.0-SNAPSHOT.jar
 * javac --add-modules jdk.incubator.vector -cp $J -d /tmp/pao benchmarks/experiments/PackAOrder.java
 * taskset -c 1 java --add-modules jdk.incubator.vector -cp /tmp/pao:$J dev.isthmus.kernels.gemm.PackAOrder
 * </pre>
 * Figures: benchmarks/README.md, "Three stalls around the convolution kernels".
 */
public class PackAOrder {
    public static void main(String[] args) throws Exception {
        int n = 1024, mc = 168;
        float[] a = new float[n * n];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextDouble(-1, 1);
        }
        float[] evict = new float[16 << 20];
        Method packA = PackedGemm.class.getDeclaredMethod("packA", boolean.class, float[].class, int.class, int.class,
                int[].class, float.class, int.class, int.class, int.class, int.class, float[].class);
        packA.setAccessible(true);
        float[] big = new float[mc * n], small = new float[mc * 256];
        float sink = 0;
        for (int round = 0; round < 12; round++) {
            long whole = 0, blocks = 0;
            for (int rep = 0; rep < 20; rep++) {
                for (int ic = 0; ic + mc <= n; ic += mc) {
                    evict(evict);
                    long t0 = System.nanoTime();
                    packA.invoke(null, false, a, 0, n, null, 1f, ic, mc, 0, n, big);
                    whole += System.nanoTime() - t0;
                    evict(evict);
                    long t1 = System.nanoTime();
                    for (int pc = 0; pc < n; pc += 256) {
                        packA.invoke(null, false, a, 0, n, null, 1f, ic, mc, pc, 256, small);
                    }
                    blocks += System.nanoTime() - t1;
                    sink += big[7] + small[9];
                }
            }
            System.out.printf("per 168 x 1024 block: all k %.1f us, four blocks of 256 %.1f us%n", whole / 1e3 / 120, blocks / 1e3 / 120);
        }
        System.out.println(sink == 12345f ? "!" : ""); // keeps the packed copies live
    }

    /** A float in every cache line of {@code evict} (64 MB) written: A leaves the caches. */
    private static void evict(float[] evict) {
        for (int i = 0; i < evict.length; i += 16) {
            evict[i] += 1f;
        }
    }
}
