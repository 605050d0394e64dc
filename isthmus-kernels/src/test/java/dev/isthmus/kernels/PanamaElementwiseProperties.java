package dev.isthmus.kernels;

import dev.isthmus.kernels.elementwise.ScalarElementwise;
import dev.isthmus.kernels.elementwise.ElementwiseSupport;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;

/**
 * The Panama element-wise kernels against the scalar ones, at every vector width the build forces:
 * ReLU, leaky ReLU, sigmoid, tanh, their backward passes, batch norm's affine map with a ReLU
 * and Adam bit for bit, NaN and infinities alike; batch norm's sums (each kernel adds in its own
 * order) against sums in double, on finite values.
 */
@Tag("vector-width")
class PanamaElementwiseProperties {

    private static final ElementwiseSupport PANAMA = KernelProvider.panama().elementwise();
    private static final ElementwiseSupport SCALAR = ScalarElementwise.INSTANCE;

    private static float[] values(long seed, int n, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = switch (r.nextInt(40)) {
                case 0 -> Float.NaN;
                case 1 -> Float.POSITIVE_INFINITY;
                case 2 -> Float.NEGATIVE_INFINITY;
                case 3 -> -0f;
                default -> (float) (r.nextGaussian() * scale);
            };
        }
        return a;
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void reluAndLeakyReluMatchBitForBit(@ForAll @IntRange(min = 1, max = 150) int n, @ForAll long seed) {
        float[] x = values(seed, n, 3), dy = values(seed + 1, n, 1);
        float[] a = new float[n], b = new float[n];
        PANAMA.relu(x, 0, a, 0, n);
        SCALAR.relu(x, 0, b, 0, n);
        assertArrayEquals(b, a, "relu");
        PANAMA.reluBackward(x, 0, dy, 0, a, 0, n);
        SCALAR.reluBackward(x, 0, dy, 0, b, 0, n);
        assertArrayEquals(b, a, "relu backward");
        PANAMA.leakyRelu(x, 0, a, 0, n, 0.2f);
        SCALAR.leakyRelu(x, 0, b, 0, n, 0.2f);
        assertArrayEquals(b, a, "leaky relu");
        PANAMA.leakyReluBackward(x, 0, dy, 0, a, 0, n, 0.2f);
        SCALAR.leakyReluBackward(x, 0, dy, 0, b, 0, n, 0.2f);
        assertArrayEquals(b, a, "leaky relu backward");
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void sigmoidAndTanhMatchBitForBit(@ForAll @IntRange(min = 1, max = 150) int n, @ForAll long seed) {
        float[] x = values(seed, n, 20);
        float[] a = new float[n], b = new float[n];
        PANAMA.sigmoid(x, 0, a, 0, n);
        SCALAR.sigmoid(x, 0, b, 0, n);
        assertArrayEquals(b, a, "sigmoid");
        PANAMA.tanh(x, 0, a, 0, n);
        SCALAR.tanh(x, 0, b, 0, n);
        assertArrayEquals(b, a, "tanh");
    }

    @Property(tries = 40, seed = Seeds.FIXED)
    void adamMatchesBitForBit(@ForAll @IntRange(min = 1, max = 150) int n, @ForAll long seed,
                              @ForAll boolean decoupled, @ForAll @IntRange(min = 1, max = 5) int steps) {
        float[] p1 = values(seed, n + 2, 1), g = values(seed + 1, n + 2, 1), p2 = p1.clone();
        float[] m1 = new float[n + 2], v1 = new float[n + 2], m2 = new float[n + 2], v2 = new float[n + 2];
        for (int t = 1; t <= steps; t++) {
            float stepSize = (float) (1e-3 / (1 - Math.pow(0.9, t))), bc2 = (float) Math.sqrt(1 - Math.pow(0.999, t));
            PANAMA.adam(p1, g, m1, v1, 1, n, 0.9f, 0.1f, 0.999f, 0.001f, 1e-8f, stepSize, bc2, 1 - 1e-5f, 0.01f, decoupled);
            SCALAR.adam(p2, g, m2, v2, 1, n, 0.9f, 0.1f, 0.999f, 0.001f, 1e-8f, stepSize, bc2, 1 - 1e-5f, 0.01f, decoupled);
        }
        assertArrayEquals(p2, p1, "parameters");
        assertArrayEquals(m2, m1, "first moments");
        assertArrayEquals(v2, v1, "second moments");
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void affineReluMatchesBitForBit(@ForAll @IntRange(min = 1, max = 150) int n, @ForAll long seed) {
        float[] x = values(seed, n, 3), a = new float[n], b = new float[n];
        PANAMA.affineRelu(x, 0, n, 0.25f, 1e-9f, 1.5f, -0.5f, a, 0);
        SCALAR.affineRelu(x, 0, n, 0.25f, 1e-9f, 1.5f, -0.5f, b, 0);
        assertArrayEquals(b, a, "affine relu");
        SCALAR.affine(x, 0, n, 0.25f, 1e-9f, 1.5f, -0.5f, b, 0);
        SCALAR.relu(b, 0, b, 0, n);
        assertArrayEquals(b, a, "affine then relu");
    }

    /** The batch-norm sums (their float order is each kernel's own) against sums in double, finite values only. */
    @Property(tries = 60, seed = Seeds.FIXED)
    void batchNormSumsMatchDoubleSums(@ForAll @IntRange(min = 1, max = 300) int n, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n + 1], dy = new float[n + 1];
        for (int i = 0; i <= n; i++) {
            x[i] = (float) (2 + r.nextGaussian());
            dy[i] = (float) r.nextGaussian();
        }
        float mean = 2.1f, low = 1e-8f, a = 0.9f, b = -0.2f;
        double sum = 0, abs = 0, squares = 0, gradient = 0, product = 0, masked = 0, maskedProduct = 0;
        for (int i = 1; i <= n; i++) {
            double d = x[i] - mean;
            sum += x[i];
            abs += Math.abs(x[i]);
            squares += d * d;
            gradient += dy[i];
            product += dy[i] * d;
            if (Math.fma(x[i] - mean - low, a, b) > 0f) {
                masked += dy[i];
                maskedProduct += dy[i] * d;
            }
        }
        double tolerance = 1e-5 * (abs + n);
        for (ElementwiseSupport k : new ElementwiseSupport[] {PANAMA, SCALAR}) {
            double[] out = new double[2];
            k.sum(x, 1, n, out, 0);
            assertEquals(sum, out[0], tolerance, "sum");
            out[0] = 0;
            k.shiftedSums(x, 1, n, mean, out, 0);
            assertEquals(sum - n * (double) mean, out[0], tolerance, "shifted sum");
            assertEquals(squares, out[1], tolerance, "squares");
            out[0] = out[1] = 0;
            k.gradientSums(x, dy, 1, n, mean, out, 0);
            assertEquals(gradient, out[0], tolerance, "gradient sum");
            assertEquals(product, out[1], tolerance, "gradient product");
            float[] dz = new float[n + 1];
            double[] fused = new double[2], apart = new double[2];
            k.reluGradientSums(x, dy, 1, n, mean, low, a, b, dz, fused, 0);
            assertEquals(masked, fused[0], tolerance, "masked sum");
            assertEquals(maskedProduct, fused[1], tolerance, "masked product");
            k.gradientSums(x, dz, 1, n, mean, apart, 0);
            assertArrayEquals(apart, fused, "the fused kernel sums as gradientSums does");
        }
    }
}
