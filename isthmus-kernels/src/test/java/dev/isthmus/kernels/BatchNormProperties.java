package dev.isthmus.kernels;

import static dev.isthmus.kernels.GradientCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;

/** Batch normalisation against a plain double reference, with gradient checks. */
@Tag("kernel-ops")
class BatchNormProperties {

    private static final float EPS = 1e-5f;

    /** Training-mode forward in double: per channel, (x - mean) / sqrt(biased var + eps) * gamma + beta. */
    static double[] reference(double[] x, int batch, int channels, int plane, double[] gamma, double[] beta) {
        double[] y = new double[x.length];
        int count = batch * plane;
        for (int c = 0; c < channels; c++) {
            double mean = 0, var = 0;
            for (int n = 0; n < batch; n++) {
                for (int i = 0; i < plane; i++) {
                    mean += x[(n * channels + c) * plane + i];
                }
            }
            mean /= count;
            for (int n = 0; n < batch; n++) {
                for (int i = 0; i < plane; i++) {
                    var += Math.pow(x[(n * channels + c) * plane + i] - mean, 2);
                }
            }
            var /= count;
            for (int n = 0; n < batch; n++) {
                for (int i = 0; i < plane; i++) {
                    int at = (n * channels + c) * plane + i;
                    y[at] = (x[at] - mean) / Math.sqrt(var + EPS) * gamma[c] + beta[c];
                }
            }
        }
        return y;
    }

    private static float[] random(long seed, int n, double scale, double shift) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale + shift);
        }
        return a;
    }

    @Property(tries = 80, seed = Seeds.FIXED)
    void trainingForwardEqualsReferenceAndUpdatesRunningStatistics(
            @ForAll @IntRange(min = 1, max = 5) int batch, @ForAll @IntRange(min = 1, max = 6) int channels,
            @ForAll @IntRange(min = 1, max = 30) int plane, @ForAll long seed) {
        if (batch * plane < 2) {
            return;
        }
        int n = batch * channels * plane;
        float[] x = random(seed, n, 3, 1.5), gamma = random(seed + 1, channels, 1, 0), beta = random(seed + 2, channels, 1, 0);
        float[] rm = random(seed + 3, channels, 1, 0), rv = random(seed + 4, channels, 0.1, 1);
        float[] rm0 = rm.clone(), rv0 = rv.clone();
        float[] y = new float[n], mean = new float[channels], invStd = new float[channels];
        BatchNorm.forwardTraining(x, 0, batch, channels, plane, gamma, beta, rm, rv, 0.1f, EPS, y, 0, mean, invStd);
        double[] want = reference(toDouble(x), batch, channels, plane, toDouble(gamma), toDouble(beta));
        for (int i = 0; i < n; i++) {
            assertEquals(want[i], y[i], 1e-4 * (1 + Math.abs(want[i])), "y[" + i + "]");
        }
        for (int c = 0; c < channels; c++) {
            double m = 0, s = 0;
            int count = batch * plane;
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < plane; i++) {
                    m += x[(b * channels + c) * plane + i];
                }
            }
            m /= count;
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < plane; i++) {
                    s += Math.pow(x[(b * channels + c) * plane + i] - m, 2);
                }
            }
            assertEquals(0.9 * rm0[c] + 0.1 * m, rm[c], 1e-5 * (1 + Math.abs(m)), "running mean " + c);
            assertEquals(0.9 * rv0[c] + 0.1 * s / (count - 1), rv[c], 1e-4 * (1 + s / count), "running var " + c);
        }
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void backwardIsTheGradient(@ForAll @IntRange(min = 1, max = 3) int batch, @ForAll @IntRange(min = 1, max = 3) int channels,
                               @ForAll @IntRange(min = 1, max = 7) int plane, @ForAll long seed) {
        if (batch * plane < 4) {
            return; // with 2 or 3 values a channel's output barely depends on x: float noise would dominate
        }
        int n = batch * channels * plane;
        float[] x = random(seed, n, 1, 0.5), gamma = random(seed + 1, channels, 1, 0), beta = random(seed + 2, channels, 1, 0);
        float[] dy = random(seed + 5, n, 1, 0);
        float[] y = new float[n], mean = new float[channels], invStd = new float[channels];
        BatchNorm.forwardTraining(x, 0, batch, channels, plane, gamma, beta, new float[channels], new float[channels],
                0.1f, EPS, y, 0, mean, invStd);
        float[] dx = new float[n], dgamma = new float[channels], dbeta = new float[channels];
        BatchNorm.backward(x, dy, batch, channels, plane, gamma, mean, invStd, dx, dgamma, dbeta);
        GradientCheck.assertMatches("batch norm dx", dx, 0, GradientCheck.numeric(
                xs -> reference(xs, batch, channels, plane, toDouble(gamma), toDouble(beta)), toDouble(x), toDouble(dy), 1e-3), 2e-3);
        GradientCheck.assertMatches("batch norm dgamma", dgamma, 0, GradientCheck.numeric(
                gs -> reference(toDouble(x), batch, channels, plane, gs, toDouble(beta)), toDouble(gamma), toDouble(dy), 1e-3), 1e-3);
        GradientCheck.assertMatches("batch norm dbeta", dbeta, 0, GradientCheck.numeric(
                bs -> reference(toDouble(x), batch, channels, plane, toDouble(gamma), bs), toDouble(beta), toDouble(dy), 1e-3), 1e-3);
    }

    @Example
    void evaluationUsesRunningStatistics() {
        float[] x = {1, 2, 3, 4}, y = new float[4];
        BatchNorm.forwardEvaluation(x, 0, 2, 1, 2, new float[] {2}, new float[] {1}, new float[] {2}, new float[] {4}, 0f, y, 0);
        assertEquals(0f, y[0]); // (1 - 2) / 2 * 2 + 1
        assertEquals(3f, y[3]); // (4 - 2) / 2 * 2 + 1
    }

    @Example
    void badArgumentsAreNamed() {
        float[] x = new float[4], c = new float[1];
        assertEquals("eps must be >= 0, got -1.0", assertThrows(IllegalArgumentException.class,
                () -> BatchNorm.forwardEvaluation(x, 0, 2, 1, 2, c, c, c, c, -1f, x, 0)).getMessage());
        assertEquals("momentum must be in [0, 1], got 1.5", assertThrows(IllegalArgumentException.class,
                () -> BatchNorm.forwardTraining(x, 0, 2, 1, 2, c, c, c, c, 1.5f, 0f, x, 0, c, c)).getMessage());
        assertEquals("batch norm in training needs more than one value per channel, got batch 1 x plane 1",
                assertThrows(IllegalArgumentException.class,
                        () -> BatchNorm.forwardTraining(x, 0, 1, 1, 1, c, c, c, c, 0.1f, 0f, x, 0, c, c)).getMessage());
    }
}
