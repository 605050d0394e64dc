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

    static void fill(Parameter p, float value) {
        java.util.Arrays.fill(p.value(), value);
    }
}
