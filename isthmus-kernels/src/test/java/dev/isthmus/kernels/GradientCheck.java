package dev.isthmus.kernels;

import java.util.function.Function;

/**
 * Central finite differences of a double-precision function, for checking backward passes.
 * A kernel's backward, given {@code dy = weights}, must return the gradient of the scalar
 * {@code sum_i weights[i] * f(x)[i]}; {@link #numeric} computes that gradient numerically and
 * {@link #assertMatches} compares, reporting the worst element.
 */
final class GradientCheck {

    private GradientCheck() {}

    /** d/dx_j of {@code sum_i weights[i] * f(x)[i]}, by central differences with step {@code h}. */
    static double[] numeric(Function<double[], double[]> f, double[] x, double[] weights, double h) {
        double[] grad = new double[x.length];
        double[] probe = x.clone();
        for (int j = 0; j < x.length; j++) {
            probe[j] = x[j] + h;
            double up = dot(weights, f.apply(probe));
            probe[j] = x[j] - h;
            double down = dot(weights, f.apply(probe));
            probe[j] = x[j];
            grad[j] = (up - down) / (2 * h);
        }
        return grad;
    }

    /**
     * Fails unless every {@code |analytic - numeric| <= tolerance * (scale + |numeric|)}, where
     * {@code scale} is the largest |numeric| (so tiny entries of a large gradient are judged
     * against its size).
     */
    static void assertMatches(String what, float[] analytic, int offset, double[] numeric, double tolerance) {
        assertMatches(what, analytic, offset, numeric, tolerance, 0);
    }

    /**
     * As above, with {@code absolute} added to every allowance: for backward passes that work from
     * a float output, whose rounding (e.g. of {@code 1 - y} near saturation) bounds the absolute
     * error however small the whole gradient is.
     */
    static void assertMatches(String what, float[] analytic, int offset, double[] numeric, double tolerance,
                              double absolute) {
        double scale = 0;
        for (double v : numeric) {
            scale = Math.max(scale, Math.abs(v));
        }
        int worst = -1;
        double worstExcess = 0;
        for (int j = 0; j < numeric.length; j++) {
            double err = Math.abs(analytic[offset + j] - numeric[j]);
            double allowed = tolerance * (scale + Math.abs(numeric[j]) + 1e-6) + absolute;
            if (!(err <= allowed) && (worst < 0 || err / allowed > worstExcess)) {
                worst = j;
                worstExcess = err / allowed;
            }
        }
        if (worst >= 0) {
            throw new AssertionError(what + ": gradient differs at index " + worst + ": analytic "
                    + analytic[offset + worst] + ", numeric " + numeric[worst] + " (largest |numeric| " + scale
                    + ", tolerance " + tolerance + ")");
        }
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
