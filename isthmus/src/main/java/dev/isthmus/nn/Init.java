package dev.isthmus.nn;

import java.util.random.RandomGenerator;

/** PyTorch's default initialisations, drawn from an explicit generator. */
final class Init {

    private Init() {}

    /**
     * Uniform in {@code [-1/sqrt(fanIn), 1/sqrt(fanIn))}: PyTorch's {@code Conv2d} and
     * {@code Linear} weights (kaiming_uniform with a = sqrt(5)) and biases alike.
     */
    static void uniformFanIn(Parameter p, int fanIn, RandomGenerator rng) {
        double bound = 1.0 / Math.sqrt(fanIn);
        float[] v = p.value();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
    }

    /** A weight (and optional bias) by scheme; see {@link Initializer}. */
    static void weightsAndBias(Parameter weight, Parameter bias, int fanIn, int fanOut, RandomGenerator rng,
                               Initializer scheme) {
        if (scheme == Initializer.KERAS || scheme == Initializer.HE) {
            double limit = scheme == Initializer.KERAS ? Math.sqrt(6.0 / (fanIn + fanOut)) : Math.sqrt(6.0 / fanIn);
            float[] v = weight.value();
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((rng.nextDouble() * 2 - 1) * limit);
            }
            if (bias != null) {
                fill(bias, 0f);
            }
        } else {
            uniformFanIn(weight, fanIn, rng);
            if (bias != null) {
                uniformFanIn(bias, fanIn, rng);
            }
        }
    }

    static void fill(Parameter p, float value) {
        java.util.Arrays.fill(p.value(), value);
    }
}
