package dev.isthmus.kernels.elementwise;

/**
 * The element-wise kernels in plain Java: the fallback when the Vector API is unavailable, the
 * tail of every Panama loop, and the readable specification the Panama kernels are tested against.
 */
public final class ScalarElementwise implements ElementwiseSupport {

    public static final ScalarElementwise INSTANCE = new ScalarElementwise();

    private ScalarElementwise() {}

    @Override
    public int vectorBitSize() {
        return 0;
    }

    @Override
    public void relu(float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xOffset + i];
            y[yOffset + i] = v < 0f ? 0f : v; // -0 and NaN pass through, as torch.relu
        }
    }

    @Override
    public void reluBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n) {
        for (int i = 0; i < n; i++) {
            dx[dxOffset + i] = y[yOffset + i] > 0f ? dy[dyOffset + i] : 0f;
        }
    }

    @Override
    public void leakyRelu(float[] x, int xOffset, float[] y, int yOffset, int n, float alpha) {
        for (int i = 0; i < n; i++) {
            float v = x[xOffset + i];
            y[yOffset + i] = v < 0f ? alpha * v : v;
        }
    }

    @Override
    public void leakyReluBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n,
                                  float alpha) {
        for (int i = 0; i < n; i++) {
            float g = dy[dyOffset + i];
            dx[dxOffset + i] = y[yOffset + i] > 0f ? g : alpha * g;
        }
    }

    @Override
    public void sigmoid(float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] = sigmoid(x[xOffset + i]);
        }
    }

    /** Computed so that no intermediate overflows; NaN propagates. */
    public static float sigmoid(float x) {
        if (x >= 0f) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    @Override
    public void sigmoidBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n) {
        for (int i = 0; i < n; i++) {
            float v = y[yOffset + i];
            dx[dxOffset + i] = dy[dyOffset + i] * v * (1f - v);
        }
    }

    @Override
    public void tanh(float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] = (float) Math.tanh(x[xOffset + i]);
        }
    }

    @Override
    public void tanhBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n) {
        for (int i = 0; i < n; i++) {
            float v = y[yOffset + i];
            dx[dxOffset + i] = dy[dyOffset + i] * (1f - v * v);
        }
    }

    @Override
    public void shiftedSums(float[] x, int xo, int n, float shift, double[] out, int at) {
        float s = 0f, q = 0f;
        for (int i = xo; i < xo + n; i++) {
            float d = x[i] - shift;
            s += d;
            q = Math.fma(d, d, q);
        }
        out[at] += s;
        out[at + 1] += q;
    }

    @Override
    public void sum(float[] x, int xo, int n, double[] out, int at) {
        float s = 0f;
        for (int i = xo; i < xo + n; i++) {
            s += x[i];
        }
        out[at] += s;
    }

    @Override
    public void gradientSums(float[] x, float[] dy, int o, int n, float mean, double[] out, int at) {
        float s = 0f, p = 0f;
        for (int i = o; i < o + n; i++) {
            float g = dy[i];
            s += g;
            p = Math.fma(g, x[i] - mean, p);
        }
        out[at] += s;
        out[at + 1] += p;
    }

    @Override
    public void reluGradientSums(float[] x, float[] dy, int o, int n, float mean, float meanLow, float a, float b,
                                 float[] dz, double[] out, int at) {
        float s = 0f, p = 0f;
        for (int i = o; i < o + n; i++) {
            float g = Math.fma(x[i] - mean - meanLow, a, b) > 0f ? dy[i] : 0f;
            dz[i] = g;
            s += g;
            p = Math.fma(g, x[i] - mean, p);
        }
        out[at] += s;
        out[at + 1] += p;
    }

    @Override
    public void affine(float[] x, int xo, int n, float shift, float shiftLow, float a, float b, float[] y, int yo) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = Math.fma(x[xo + i] - shift - shiftLow, a, b);
        }
    }

    @Override
    public void affineRelu(float[] x, int xo, int n, float shift, float shiftLow, float a, float b, float[] y, int yo) {
        for (int i = 0; i < n; i++) {
            float v = Math.fma(x[xo + i] - shift - shiftLow, a, b);
            y[yo + i] = v < 0f ? 0f : v; // as relu
        }
    }

    @Override
    public void affineGradient(float[] dy, float[] x, int o, int n, float a, float b, float c, float[] dx) {
        for (int i = o; i < o + n; i++) {
            dx[i] = Math.fma(a, dy[i], Math.fma(b, x[i], c));
        }
    }

    @Override
    public void adam(float[] param, float[] grad, float[] m, float[] v, int offset, int n, float beta1,
                     float oneMinusBeta1, float beta2, float oneMinusBeta2, float eps, float stepSize,
                     float biasCorrection2Sqrt, float decay, float weightDecay, boolean decoupled) {
        for (int i = offset; i < offset + n; i++) {
            float p = param[i];
            float g = grad[i];
            if (decoupled) {
                p *= decay;
            } else if (weightDecay != 0f) {
                g += weightDecay * p;
            }
            float mi = beta1 * m[i] + oneMinusBeta1 * g;
            float vi = beta2 * v[i] + oneMinusBeta2 * g * g;
            m[i] = mi;
            v[i] = vi;
            float denom = (float) Math.sqrt(vi) / biasCorrection2Sqrt + eps;
            param[i] = p - stepSize * mi / denom;
        }
    }
}
