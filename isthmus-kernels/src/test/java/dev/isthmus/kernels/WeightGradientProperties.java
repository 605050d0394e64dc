package dev.isthmus.kernels;

import static dev.isthmus.kernels.GradientCheck.toDouble;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * The direct convolution's two weight gradients (per-lane sums, and one SGEMM per image over the
 * staged input) both equal the reference's, on the shapes the direct convolution takes.
 */
@Tag("kernel-ops")
class WeightGradientProperties {

    private static final String FORCE = "isthmus.conv.gemmWeightGradient";

    @Provide
    Arbitrary<WindowCase> directCases() {
        return WindowCase.arbitrary(24, 5).filter(c -> c.window().strideX() == 1 && c.window().strideY() == 1
                && c.window().dilationX() == 1 && c.window().dilationY() == 1 && c.conv().algorithm().startsWith("direct"));
    }

    @Property(tries = 80, seed = Seeds.FIXED)
    void bothWeightGradientsAreTheReferences(@ForAll("directCases") WindowCase c) {
        float[] x = c.input(), w = c.weights(), dy = c.outputWeights();
        double[] want = referenceWeightGradient(c, x, dy);
        for (String forced : new String[] {"false", "true"}) {
            System.setProperty(FORCE, forced);
            Convolution conv;
            try {
                conv = c.conv();
            } finally {
                System.clearProperty(FORCE);
            }
            float[] dw = c.random(w.length, 9);
            conv.backwardWeights(c.batch(), x, 0, dy, 0, dw, 0, null, 0);
            double tolerance = 1e-5 * (c.batch() * c.window().outSize() + 1);
            for (int i = 0; i < want.length; i++) {
                if (!(Math.abs(dw[i] - want[i]) <= tolerance)) {
                    throw new AssertionError(conv + " dw[" + i + "] = " + dw[i] + ", reference " + want[i]);
                }
            }
        }
    }

    /** dW[oc][ic][ky][kx] = sum over n, oy, ox of dy[n][oc][oy][ox] * x[n][ic][iy][ix], in double. */
    private static double[] referenceWeightGradient(WindowCase c, float[] x, float[] dy) {
        Window2d g = c.window();
        int inC = c.inChannels(), outC = c.outChannels();
        double[] dw = new double[outC * inC * g.kernelSize()];
        double[] xs = toDouble(x);
        for (int n = 0; n < c.batch(); n++) {
            for (int oc = 0; oc < outC; oc++) {
                for (int oy = 0; oy < g.outHeight(); oy++) {
                    for (int ox = 0; ox < g.outWidth(); ox++) {
                        double d = dy[((n * outC + oc) * g.outHeight() + oy) * g.outWidth() + ox];
                        for (int ic = 0; ic < inC; ic++) {
                            for (int ky = 0; ky < g.kernelHeight(); ky++) {
                                for (int kx = 0; kx < g.kernelWidth(); kx++) {
                                    int iy = oy - g.padTop() + ky, ix = ox - g.padLeft() + kx;
                                    if (iy >= 0 && iy < g.inHeight() && ix >= 0 && ix < g.inWidth()) {
                                        dw[((oc * inC + ic) * g.kernelHeight() + ky) * g.kernelWidth() + kx] +=
                                                d * xs[((n * inC + ic) * g.inHeight() + iy) * g.inWidth() + ix];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return dw;
    }
}
