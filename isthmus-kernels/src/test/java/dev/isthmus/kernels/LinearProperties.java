package dev.isthmus.kernels;

import static dev.isthmus.kernels.GradientCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.Tag;

/** Linear forward and backward against the plain double reference. */
@Tag("kernel-ops")
class LinearProperties {

    @AfterProperty
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    static float[] random(long seed, int length) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[length];
        for (int i = 0; i < length; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    @Property(tries = 100, seed = Seeds.FIXED)
    void forwardEqualsReference(@ForAll @IntRange(min = 1, max = 40) int batch, @ForAll @IntRange(min = 1, max = 70) int in,
                                @ForAll @IntRange(min = 1, max = 40) int out, @ForAll long seed) {
        float[] x = random(seed, batch * in), w = random(seed + 1, out * in), b = random(seed + 2, out);
        float[] y = new float[batch * out];
        Linear.forward(batch, in, out, x, 0, w, 0, b, 0, y, 0);
        double[] want = ReferenceWindows.dense(batch, in, out, toDouble(x), toDouble(w), toDouble(b));
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], y[i], 1e-6 * (in + 1), "y[" + i + "]");
        }
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void backwardIsTheGradient(@ForAll @IntRange(min = 1, max = 6) int batch, @ForAll @IntRange(min = 1, max = 9) int in,
                               @ForAll @IntRange(min = 1, max = 7) int out, @ForAll long seed) {
        float[] x = random(seed, batch * in), w = random(seed + 1, out * in), b = random(seed + 2, out);
        float[] dy = random(seed + 3, batch * out);
        float[] dx = new float[x.length], dw = new float[w.length], db = new float[out];
        Linear.backward(batch, in, out, x, 0, w, 0, dy, 0, dx, 0, dw, 0, db, 0);
        GradientCheck.assertMatches("dense dx", dx, 0, GradientCheck.numeric(
                xs -> ReferenceWindows.dense(batch, in, out, xs, toDouble(w), toDouble(b)), toDouble(x), toDouble(dy), 1e-3), 1e-4);
        GradientCheck.assertMatches("dense dw", dw, 0, GradientCheck.numeric(
                ws -> ReferenceWindows.dense(batch, in, out, toDouble(x), ws, toDouble(b)), toDouble(w), toDouble(dy), 1e-3), 1e-4);
        GradientCheck.assertMatches("dense dbias", db, 0, GradientCheck.numeric(
                bs -> ReferenceWindows.dense(batch, in, out, toDouble(x), toDouble(w), bs), toDouble(b), toDouble(dy), 1e-3), 1e-4);
    }

    @Property(tries = 20, seed = Seeds.FIXED)
    void sameBitsForOneAndManyThreads(@ForAll @IntRange(min = 1, max = 64) int batch, @ForAll @IntRange(min = 1, max = 300) int in,
                                      @ForAll @IntRange(min = 1, max = 200) int out, @ForAll long seed) {
        float[] x = random(seed, batch * in), w = random(seed + 1, out * in), b = random(seed + 2, out);
        float[] dy = random(seed + 3, batch * out);
        float[][] results = new float[2][];
        for (int t = 0; t < 2; t++) {
            Parallel.setThreads(t == 0 ? 1 : 3);
            float[] y = new float[batch * out], dx = new float[x.length], dw = new float[w.length], db = new float[out];
            Linear.forward(batch, in, out, x, 0, w, 0, b, 0, y, 0);
            Linear.backward(batch, in, out, x, 0, w, 0, dy, 0, dx, 0, dw, 0, db, 0);
            results[t] = concat(y, dx, dw, db);
        }
        assertArrayEquals(results[0], results[1]);
    }

    static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] all = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
