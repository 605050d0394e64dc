package dev.isthmus.kernels;

import static dev.isthmus.kernels.ElementwiseProperties.values;
import static dev.isthmus.kernels.GradientCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/** Cross-entropy losses against the double reference and finite differences; optimizers against torch.optim's pseudo-code. */
@Tag("kernel-ops")
class LossOptimizerProperties {

    @Provide
    Arbitrary<Integer> sizes() {
        return Arbitraries.of(1, 2, 3, 7, 9, 17, 33, 64);
    }

    private static float[] targets(long seed, int n, boolean hard) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] t = new float[n];
        for (int i = 0; i < n; i++) {
            t[i] = hard ? r.nextInt(2) : (float) r.nextDouble();
        }
        return t;
    }

    /** Gradient of a scalar loss by central differences. */
    private static double[] numeric(java.util.function.Function<double[], Double> loss, float[] x, double h) {
        return GradientCheck.numeric(a -> new double[] {loss.apply(a)}, toDouble(x), new double[] {1}, h);
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void bceEqualsReferenceAndDifferences(@ForAll("sizes") int n, @ForAll long seed, @ForAll boolean hard) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = (float) r.nextDouble(0.02, 0.98);
        }
        float[] t = targets(seed ^ 3, n, hard), grad = new float[n + 1];
        double loss = CrossEntropy.binaryCrossEntropy(p, 0, t, 0, n, grad, 1);
        double[] tt = toDouble(t);
        double want = ReferenceElementwise.bce(toDouble(p), tt);
        assertEquals(want, loss, 1e-12 * Math.max(1, want));
        GradientCheck.assertMatches("bce", grad, 1, numeric(a -> ReferenceElementwise.bce(a, tt), p, 1e-6), 1e-5);
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void bceWithLogitsEqualsBceOfSigmoid(@ForAll("sizes") int n, @ForAll long seed, @ForAll boolean hard) {
        float[] z = values(seed, n, 8, 0);
        float[] t = targets(seed ^ 3, n, hard), grad = new float[n];
        double loss = CrossEntropy.binaryCrossEntropyWithLogits(z, 0, t, 0, n, grad, 0);
        double[] tt = toDouble(t);
        double want = ReferenceElementwise.bceWithLogits(toDouble(z), tt);
        assertEquals(want, loss, 1e-9 * Math.max(1, want));
        // On the float probabilities the two kernels agree while sigmoid(z) is neither 0 nor 1 in float.
        float[] p = new float[n];
        Activations.sigmoid(z, 0, p, 0, n);
        double viaProbability = CrossEntropy.binaryCrossEntropy(p, 0, t, 0, n, new float[n], 0);
        assertEquals(loss, viaProbability, 1e-3 * Math.max(1, loss));
        GradientCheck.assertMatches("bceWithLogits", grad, 0,
                numeric(a -> ReferenceElementwise.bceWithLogits(a, tt), z, 1e-5), 1e-5);
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void softmaxCrossEntropyEqualsReferenceAndDifferences(@ForAll("sizes") int rows, @ForAll("sizes") int classes,
                                                          @ForAll long seed) {
        int r = Math.min(rows, 9);
        float[] z = values(seed, r * classes, 6, 0);
        SplittableRandom random = new SplittableRandom(seed ^ 5);
        float[] labels = new float[r];
        for (int i = 0; i < r; i++) {
            labels[i] = random.nextInt(classes);
        }
        float[] grad = new float[r * classes];
        double loss = CrossEntropy.softmaxCrossEntropy(z, 0, labels, 0, r, classes, grad, 0);
        double[] l = toDouble(labels);
        double want = ReferenceElementwise.softmaxCrossEntropy(toDouble(z), l, r, classes);
        assertEquals(want, loss, 1e-9 * Math.max(1, want));
        GradientCheck.assertMatches("softmaxCrossEntropy", grad, 0,
                numeric(a -> ReferenceElementwise.softmaxCrossEntropy(a, l, r, classes), z, 1e-5), 1e-5);
    }

    @Property(tries = 40, seed = Seeds.FIXED)
    void adamFirstStepMovesByLearningRateAgainstTheGradientSign(@ForAll("sizes") int n, @ForAll long seed) {
        float[] p = values(seed, n, 3, 0), g = values(seed ^ 7, n, 2, 0.01f);
        float[] before = p.clone();
        float lr = 1e-3f;
        Optimizers.adam(p, g, new float[n], new float[n], 0, n, 1, lr, 0.9f, 0.999f, 1e-8f, 0f, false);
        for (int i = 0; i < n; i++) {
            double moved = before[i] - (double) p[i];
            // p is rounded to float after the step: allow one ulp of p beside the relative 1e-4.
            assertEquals(lr * Math.signum(g[i]), moved, 1e-4 * lr + Math.ulp(before[i]), "p[" + i + "]");
        }
    }

    @Provide
    Arbitrary<float[]> adamSettings() {
        // lr, beta1, beta2, eps, weightDecay
        return Arbitraries.of(new float[] {1e-3f, 0.9f, 0.999f, 1e-8f, 0f}, new float[] {1e-2f, 0.8f, 0.99f, 1e-6f, 0.1f},
                new float[] {3e-4f, 0.9f, 0.999f, 1e-8f, 0.01f});
    }

    @Property(tries = 40, seed = Seeds.FIXED)
    void adamFollowsTorchOptim(@ForAll("sizes") int n, @ForAll long seed, @ForAll("adamSettings") float[] s,
                               @ForAll boolean decoupled) {
        float[] p = values(seed, n, 2, 0), m = new float[n + 2], v = new float[n + 2];
        float[] param = new float[n + 2], grad = new float[n + 2];
        System.arraycopy(p, 0, param, 2, n);
        double[] rp = toDouble(p), rm = new double[n], rv = new double[n];
        for (int t = 1; t <= 6; t++) {
            float[] g = values(seed + t, n, 1, 0);
            System.arraycopy(g, 0, grad, 2, n);
            Optimizers.adam(param, grad, m, v, 2, n, t, s[0], s[1], s[2], s[3], s[4], decoupled);
            ReferenceOptimizers.adam(rp, toDouble(g), rm, rv, t, s[0], s[1], s[2], s[3], s[4], decoupled);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(rp[i], param[2 + i], 1e-6 + 1e-6 * Math.abs(rp[i]), "p[" + i + "]");
            assertEquals(rm[i], m[2 + i], 1e-6 + 1e-5 * Math.abs(rm[i]), "m[" + i + "]");
            assertEquals(rv[i], v[2 + i], 1e-7 + 1e-5 * Math.abs(rv[i]), "v[" + i + "]");
        }
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void sgdFollowsTorchOptim(@ForAll("sizes") int n, @ForAll long seed, @ForAll("momenta") float momentum,
                              @ForAll boolean nesterov, @ForAll("decays") float weightDecay) {
        float lr = 0.05f;
        float[] param = values(seed, n, 2, 0), velocity = new float[n];
        double[] rp = toDouble(param), buf = new double[n];
        for (int t = 1; t <= 5; t++) {
            float[] g = values(seed + t, n, 1, 0);
            Optimizers.sgd(param, g, velocity, 0, n, t == 1, lr, momentum, weightDecay, nesterov && momentum != 0);
            ReferenceOptimizers.sgd(rp, toDouble(g), buf, t, lr, momentum, weightDecay, nesterov && momentum != 0);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(rp[i], param[i], 1e-5 + 1e-6 * Math.abs(rp[i]), "p[" + i + "]");
        }
    }

    @Provide
    Arbitrary<Float> momenta() {
        return Arbitraries.of(0f, 0.5f, 0.9f);
    }

    @Provide
    Arbitrary<Float> decays() {
        return Arbitraries.of(0f, 1e-4f, 0.01f);
    }
}
