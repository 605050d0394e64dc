package dev.isthmus.kernels;

import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * A random sliding-window problem: batch, channels and a {@link Window2d}, plus a seed for the
 * data. Sizes include 1, primes and odd spatial sizes; strides, dilations and all three kinds of
 * padding. Shrinks towards one small image, a 1x1 kernel and stride 1.
 */
record WindowCase(int batch, int inChannels, int outChannels, Window2d window, long seed) {

    static Arbitrary<WindowCase> arbitrary(int maxSpatial, int maxKernel) {
        Arbitrary<Integer> small = Arbitraries.integers().between(1, 4);
        Arbitrary<Integer> spatial = Arbitraries.integers().between(1, maxSpatial);
        Arbitrary<Integer> kernel = Arbitraries.integers().between(1, maxKernel);
        Arbitrary<Integer> stride = Arbitraries.integers().between(1, 3);
        Arbitrary<Integer> dilation = Arbitraries.frequency(net.jqwik.api.Tuple.of(3, 1), net.jqwik.api.Tuple.of(1, 2));
        Arbitrary<Integer> pad = Arbitraries.integers().between(0, 2);
        Arbitrary<Integer> padKind = Arbitraries.integers().between(0, 2); // valid, same, explicit
        Arbitrary<int[]> shape = Combinators.combine(small, small, Arbitraries.integers().between(1, 5), spatial, spatial, kernel, kernel)
                .as((n, ci, co, h, w, kh, kw) -> new int[] {n, ci, co, h, w, kh, kw});
        Arbitrary<int[]> steps = Combinators.combine(stride, stride, dilation, dilation, padKind, pad, pad)
                .as((sy, sx, dy, dx, kind, p1, p2) -> new int[] {sy, sx, dy, dx, kind, p1, p2});
        return Combinators.combine(shape, steps, Arbitraries.longs())
                .as(WindowCase::make)
                .filter(c -> c != null);
    }

    /** Null where the kernel does not fit the padded input (the generator filters those out). */
    private static WindowCase make(int[] s, int[] t, long seed) {
        Padding padding = switch (t[4]) {
            case 0 -> Padding.VALID;
            case 1 -> Padding.SAME;
            default -> Padding.explicit(t[5], t[6], t[6], t[5]);
        };
        try {
            Window2d w = Window2d.of(s[3], s[4], s[5], s[6], t[0], t[1], t[2], t[3], padding);
            return new WindowCase(s[0], s[1], s[2], w, seed);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    Convolution conv() {
        return new Convolution(inChannels, outChannels, window);
    }

    float[] input() {
        return random(batch * inChannels * window.inSize(), 1);
    }

    float[] weights() {
        return random(outChannels * inChannels * window.kernelSize(), 2);
    }

    float[] bias() {
        return random(outChannels, 3);
    }

    float[] outputWeights() {
        return random(batch * outChannels * window.outSize(), 4);
    }

    /** Uniform in [-1, 1), a fixed stream per purpose. */
    float[] random(int length, int stream) {
        return uniform(seed, stream, length);
    }

    /** {@code length} values uniform in [-1, 1), stream {@code stream} of a case's {@code seed}. */
    static float[] uniform(long seed, int stream, int length) {
        SplittableRandom r = new SplittableRandom(seed * 31 + stream);
        float[] a = new float[length];
        for (int i = 0; i < length; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }
}
