import jdk.incubator.vector.*;
/**
 * Does the direct tile's tap loop escape C2's loop strip mining (on under G1) if it needs fewer
 * general registers? PanamaConv.tile8's loop (8 channels by 2 vectors) four ways over a staged
 * 64-channel 56x56 image laid flat: as it is ("cur"), the weights' index computed from the tap
 * ("wiFromT"), counting down to 0 so that the limit needs no register ("down": it sums the taps
 * in reverse, so the library would have to store taps and packed weights reversed to keep its
 * order), and counting up from -k to 0 ("neg"). GFLOP/s, best of 10 passes, two rounds.
 *
 * <pre>
 * java -XX:+UseG1GC --add-modules jdk.incubator.vector benchmarks/experiments/TapLoopOrder.java
 * java -XX:+UseSerialGC --add-modules jdk.incubator.vector benchmarks/experiments/TapLoopOrder.java
 * </pre>
 */
public class TapLoopOrder {
 static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
 static final int L = 16;
    static float cur(int k, int[] taps, float[] xp, int base, float[] wp, int wi) {
        FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S), a10 = FloatVector.zero(S), a11 = FloatVector.zero(S), a20 = FloatVector.zero(S), a21 = FloatVector.zero(S), a30 = FloatVector.zero(S), a31 = FloatVector.zero(S), a40 = FloatVector.zero(S), a41 = FloatVector.zero(S), a50 = FloatVector.zero(S), a51 = FloatVector.zero(S), a60 = FloatVector.zero(S), a61 = FloatVector.zero(S), a70 = FloatVector.zero(S), a71 = FloatVector.zero(S);
        for (int t = 0; t < k; t++, wi += 8) {
            int at = base + taps[t];
            FloatVector x0 = FloatVector.fromArray(S, xp, at);
            FloatVector x1 = FloatVector.fromArray(S, xp, at + L);
            FloatVector w0 = FloatVector.broadcast(S, wp[wi + 0]);
            a00 = x0.fma(w0, a00);
            a01 = x1.fma(w0, a01);
            FloatVector w1 = FloatVector.broadcast(S, wp[wi + 1]);
            a10 = x0.fma(w1, a10);
            a11 = x1.fma(w1, a11);
            FloatVector w2 = FloatVector.broadcast(S, wp[wi + 2]);
            a20 = x0.fma(w2, a20);
            a21 = x1.fma(w2, a21);
            FloatVector w3 = FloatVector.broadcast(S, wp[wi + 3]);
            a30 = x0.fma(w3, a30);
            a31 = x1.fma(w3, a31);
            FloatVector w4 = FloatVector.broadcast(S, wp[wi + 4]);
            a40 = x0.fma(w4, a40);
            a41 = x1.fma(w4, a41);
            FloatVector w5 = FloatVector.broadcast(S, wp[wi + 5]);
            a50 = x0.fma(w5, a50);
            a51 = x1.fma(w5, a51);
            FloatVector w6 = FloatVector.broadcast(S, wp[wi + 6]);
            a60 = x0.fma(w6, a60);
            a61 = x1.fma(w6, a61);
            FloatVector w7 = FloatVector.broadcast(S, wp[wi + 7]);
            a70 = x0.fma(w7, a70);
            a71 = x1.fma(w7, a71);
        }
        return a00.add(a01).add(a10).add(a11).add(a20).add(a21).add(a30).add(a31).add(a40).add(a41).add(a50).add(a51).add(a60).add(a61).add(a70).add(a71).reduceLanes(VectorOperators.ADD);
    }
    static float wiFromT(int k, int[] taps, float[] xp, int base, float[] wp, int wi) {
        FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S), a10 = FloatVector.zero(S), a11 = FloatVector.zero(S), a20 = FloatVector.zero(S), a21 = FloatVector.zero(S), a30 = FloatVector.zero(S), a31 = FloatVector.zero(S), a40 = FloatVector.zero(S), a41 = FloatVector.zero(S), a50 = FloatVector.zero(S), a51 = FloatVector.zero(S), a60 = FloatVector.zero(S), a61 = FloatVector.zero(S), a70 = FloatVector.zero(S), a71 = FloatVector.zero(S);
        for (int t = 0; t < k; t++) {
            int at = base + taps[t];
            int wq = wi + (t << 3);
            FloatVector x0 = FloatVector.fromArray(S, xp, at);
            FloatVector x1 = FloatVector.fromArray(S, xp, at + L);
            FloatVector w0 = FloatVector.broadcast(S, wp[wq + 0]);
            a00 = x0.fma(w0, a00);
            a01 = x1.fma(w0, a01);
            FloatVector w1 = FloatVector.broadcast(S, wp[wq + 1]);
            a10 = x0.fma(w1, a10);
            a11 = x1.fma(w1, a11);
            FloatVector w2 = FloatVector.broadcast(S, wp[wq + 2]);
            a20 = x0.fma(w2, a20);
            a21 = x1.fma(w2, a21);
            FloatVector w3 = FloatVector.broadcast(S, wp[wq + 3]);
            a30 = x0.fma(w3, a30);
            a31 = x1.fma(w3, a31);
            FloatVector w4 = FloatVector.broadcast(S, wp[wq + 4]);
            a40 = x0.fma(w4, a40);
            a41 = x1.fma(w4, a41);
            FloatVector w5 = FloatVector.broadcast(S, wp[wq + 5]);
            a50 = x0.fma(w5, a50);
            a51 = x1.fma(w5, a51);
            FloatVector w6 = FloatVector.broadcast(S, wp[wq + 6]);
            a60 = x0.fma(w6, a60);
            a61 = x1.fma(w6, a61);
            FloatVector w7 = FloatVector.broadcast(S, wp[wq + 7]);
            a70 = x0.fma(w7, a70);
            a71 = x1.fma(w7, a71);
        }
        return a00.add(a01).add(a10).add(a11).add(a20).add(a21).add(a30).add(a31).add(a40).add(a41).add(a50).add(a51).add(a60).add(a61).add(a70).add(a71).reduceLanes(VectorOperators.ADD);
    }
    static float down(int k, int[] taps, float[] xp, int base, float[] wp, int wi) {
        FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S), a10 = FloatVector.zero(S), a11 = FloatVector.zero(S), a20 = FloatVector.zero(S), a21 = FloatVector.zero(S), a30 = FloatVector.zero(S), a31 = FloatVector.zero(S), a40 = FloatVector.zero(S), a41 = FloatVector.zero(S), a50 = FloatVector.zero(S), a51 = FloatVector.zero(S), a60 = FloatVector.zero(S), a61 = FloatVector.zero(S), a70 = FloatVector.zero(S), a71 = FloatVector.zero(S);
        for (int t = k - 1; t >= 0; t--) {
            int at = base + taps[t];
            int wq = wi + (t << 3);
            FloatVector x0 = FloatVector.fromArray(S, xp, at);
            FloatVector x1 = FloatVector.fromArray(S, xp, at + L);
            FloatVector w0 = FloatVector.broadcast(S, wp[wq + 0]);
            a00 = x0.fma(w0, a00);
            a01 = x1.fma(w0, a01);
            FloatVector w1 = FloatVector.broadcast(S, wp[wq + 1]);
            a10 = x0.fma(w1, a10);
            a11 = x1.fma(w1, a11);
            FloatVector w2 = FloatVector.broadcast(S, wp[wq + 2]);
            a20 = x0.fma(w2, a20);
            a21 = x1.fma(w2, a21);
            FloatVector w3 = FloatVector.broadcast(S, wp[wq + 3]);
            a30 = x0.fma(w3, a30);
            a31 = x1.fma(w3, a31);
            FloatVector w4 = FloatVector.broadcast(S, wp[wq + 4]);
            a40 = x0.fma(w4, a40);
            a41 = x1.fma(w4, a41);
            FloatVector w5 = FloatVector.broadcast(S, wp[wq + 5]);
            a50 = x0.fma(w5, a50);
            a51 = x1.fma(w5, a51);
            FloatVector w6 = FloatVector.broadcast(S, wp[wq + 6]);
            a60 = x0.fma(w6, a60);
            a61 = x1.fma(w6, a61);
            FloatVector w7 = FloatVector.broadcast(S, wp[wq + 7]);
            a70 = x0.fma(w7, a70);
            a71 = x1.fma(w7, a71);
        }
        return a00.add(a01).add(a10).add(a11).add(a20).add(a21).add(a30).add(a31).add(a40).add(a41).add(a50).add(a51).add(a60).add(a61).add(a70).add(a71).reduceLanes(VectorOperators.ADD);
    }
    static float neg(int k, int[] taps, float[] xp, int base, float[] wp, int wi) {
        FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S), a10 = FloatVector.zero(S), a11 = FloatVector.zero(S), a20 = FloatVector.zero(S), a21 = FloatVector.zero(S), a30 = FloatVector.zero(S), a31 = FloatVector.zero(S), a40 = FloatVector.zero(S), a41 = FloatVector.zero(S), a50 = FloatVector.zero(S), a51 = FloatVector.zero(S), a60 = FloatVector.zero(S), a61 = FloatVector.zero(S), a70 = FloatVector.zero(S), a71 = FloatVector.zero(S);
        for (int t = -k; t < 0; t++) {
            int at = base + taps[k + t];
            int wq = wi + ((k + t) << 3);
            FloatVector x0 = FloatVector.fromArray(S, xp, at);
            FloatVector x1 = FloatVector.fromArray(S, xp, at + L);
            FloatVector w0 = FloatVector.broadcast(S, wp[wq + 0]);
            a00 = x0.fma(w0, a00);
            a01 = x1.fma(w0, a01);
            FloatVector w1 = FloatVector.broadcast(S, wp[wq + 1]);
            a10 = x0.fma(w1, a10);
            a11 = x1.fma(w1, a11);
            FloatVector w2 = FloatVector.broadcast(S, wp[wq + 2]);
            a20 = x0.fma(w2, a20);
            a21 = x1.fma(w2, a21);
            FloatVector w3 = FloatVector.broadcast(S, wp[wq + 3]);
            a30 = x0.fma(w3, a30);
            a31 = x1.fma(w3, a31);
            FloatVector w4 = FloatVector.broadcast(S, wp[wq + 4]);
            a40 = x0.fma(w4, a40);
            a41 = x1.fma(w4, a41);
            FloatVector w5 = FloatVector.broadcast(S, wp[wq + 5]);
            a50 = x0.fma(w5, a50);
            a51 = x1.fma(w5, a51);
            FloatVector w6 = FloatVector.broadcast(S, wp[wq + 6]);
            a60 = x0.fma(w6, a60);
            a61 = x1.fma(w6, a61);
            FloatVector w7 = FloatVector.broadcast(S, wp[wq + 7]);
            a70 = x0.fma(w7, a70);
            a71 = x1.fma(w7, a71);
        }
        return a00.add(a01).add(a10).add(a11).add(a20).add(a21).add(a30).add(a31).add(a40).add(a41).add(a50).add(a51).add(a60).add(a61).add(a70).add(a71).reduceLanes(VectorOperators.ADD);
    }
    public static void main(String[] args) {
        int cin = 64, stride = 57, rows = 60, plane = stride * rows, k = cin * 9;
        int[] taps = new int[k];
        for (int ic = 0, t = 0; ic < cin; ic++) for (int ky = 0; ky < 3; ky++) for (int kx = 0; kx < 3; kx++) taps[t++] = ic * plane + ky * stride + kx;
        float[] xp = new float[cin * plane + 256], wp = new float[k * 8 * 8];
        for (int i = 0; i < xp.length; i++) xp[i] = (i % 13) * 0.01f;
        for (int i = 0; i < wp.length; i++) wp[i] = (i % 5) * 0.1f;
        int positions = 56 * stride, block = 32; float sink = 0;
        String[] names = {"cur","wiFromT","down","neg"};
        for (int round = 0; round < 4; round++) {
            StringBuilder line = new StringBuilder();
            for (int v = 0; v < names.length; v++) {
                long best = Long.MAX_VALUE;
                for (int rep = 0; rep < 10; rep++) {
                    long t0 = System.nanoTime();
                    for (int ob = 0; ob < 8; ob++) for (int c = 0; c + block <= positions; c += block) {
                        int w = ob * k * 8;
                        sink += switch (v) { case 0 -> cur(k, taps, xp, c, wp, w); case 1 -> wiFromT(k, taps, xp, c, wp, w); case 2 -> down(k, taps, xp, c, wp, w); default -> neg(k, taps, xp, c, wp, w); };
                    }
                    best = Math.min(best, System.nanoTime() - t0);
                }
                line.append(String.format("%s %.0f  ", names[v], 2.0 * 8 * 8 * k * (positions / block) * block / best));
            }
            if (round > 0) System.out.println(line);
        }
        if (sink == 42) System.out.println();
    }
}
