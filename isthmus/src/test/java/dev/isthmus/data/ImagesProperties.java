package dev.isthmus.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Laws of the area-averaging resize. */
class ImagesProperties {

    private static final String SEED = "20261124";

    @Property(tries = 200, seed = SEED)
    void areaAveragingKeepsTheMean(@ForAll @IntRange(min = 1, max = 40) int w, @ForAll @IntRange(min = 1, max = 40) int h,
            @ForAll @IntRange(min = 1, max = 40) int outW, @ForAll @IntRange(min = 1, max = 40) int outH,
            @ForAll long seed) {
        double[] src = random(w * h, seed);
        double[] out = Images.resizeArea(src, w, h, outW, outH);
        assertEquals(mean(src), mean(out), 1e-12);
    }

    @Property(tries = 100, seed = SEED)
    void integerFactorsAreBlockMeans(@ForAll @IntRange(min = 1, max = 12) int outW,
            @ForAll @IntRange(min = 1, max = 12) int outH, @ForAll @IntRange(min = 1, max = 4) int fx,
            @ForAll @IntRange(min = 1, max = 4) int fy, @ForAll long seed) {
        int w = outW * fx, h = outH * fy;
        double[] src = random(w * h, seed);
        double[] out = Images.resizeArea(src, w, h, outW, outH);
        for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
                double sum = 0;
                for (int y = oy * fy; y < (oy + 1) * fy; y++) {
                    for (int x = ox * fx; x < (ox + 1) * fx; x++) {
                        sum += src[y * w + x];
                    }
                }
                assertEquals(sum / (fx * fy), out[oy * outW + ox], 1e-14);
            }
        }
    }

    @Property(tries = 100, seed = SEED)
    void valuesStayWithinTheSourceRange(@ForAll @IntRange(min = 1, max = 30) int w,
            @ForAll @IntRange(min = 1, max = 30) int h, @ForAll @IntRange(min = 1, max = 30) int out,
            @ForAll long seed) {
        double[] src = random(w * h, seed);
        for (double v : Images.resizeArea(src, w, h, out, out)) {
            assertEquals(true, v >= -1e-15 && v <= 1 + 1e-15, "value " + v);
        }
    }

    private static double[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble();
        }
        return v;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }
}
