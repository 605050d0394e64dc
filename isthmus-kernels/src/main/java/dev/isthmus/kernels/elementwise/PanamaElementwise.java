package dev.isthmus.kernels.elementwise;

import dev.isthmus.kernels.runtime.Vectors;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element-wise kernels on the Vector API: full vectors, then the scalar kernels for the tail,
 * so every element is computed by exactly one of two well-tested paths. Same contracts as
 * {@link ScalarElementwise} (NaN propagates; in place allowed). Sigmoid and tanh are the scalar
 * kernels' (see {@link #sigmoid}): bit for bit, whether or not C2 has compiled them.
 */
public final class PanamaElementwise implements ElementwiseSupport {

    private static final VectorSpecies<Float> S = Vectors.FLOATS;
    private static final int L = S.length();
    private static final ScalarElementwise TAIL = ScalarElementwise.INSTANCE;

    /** Loaded by name by the kernel provider, once the vector module is known to be present. */
    public PanamaElementwise() {}

    @Override
    public int vectorBitSize() {
        return S.vectorBitSize();
    }

    private static int body(int n) {
        return n - n % L;
    }

    @Override
    public void relu(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int end = body(n); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.blend(zero, v.compare(VectorOperators.LT, zero)).intoArray(y, yo + i); // NaN is not < 0: kept
        }
        TAIL.relu(x, xo + i, y, yo + i, n - i);
    }

    @Override
    public void reluBackward(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int n) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int end = body(n); i < end; i += L) {
            VectorMask<Float> positive = FloatVector.fromArray(S, y, yo + i).compare(VectorOperators.GT, zero);
            zero.blend(FloatVector.fromArray(S, dy, dyo + i), positive).intoArray(dx, dxo + i);
        }
        TAIL.reluBackward(y, yo + i, dy, dyo + i, dx, dxo + i, n - i);
    }

    @Override
    public void leakyRelu(float[] x, int xo, float[] y, int yo, int n, float alpha) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int end = body(n); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.blend(v.mul(alpha), v.compare(VectorOperators.LT, zero)).intoArray(y, yo + i);
        }
        TAIL.leakyRelu(x, xo + i, y, yo + i, n - i, alpha);
    }

    @Override
    public void leakyReluBackward(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int n, float alpha) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int end = body(n); i < end; i += L) {
            FloatVector g = FloatVector.fromArray(S, dy, dyo + i);
            VectorMask<Float> positive = FloatVector.fromArray(S, y, yo + i).compare(VectorOperators.GT, zero);
            g.mul(alpha).blend(g, positive).intoArray(dx, dxo + i);
        }
        TAIL.leakyReluBackward(y, yo + i, dy, dyo + i, dx, dxo + i, n - i, alpha);
    }

    /**
     * The scalar kernel's: the Vector API's {@code EXP} (and {@code TANH}) is a C2 intrinsic whose
     * results differ by an ulp from the per-lane {@code Math.exp} that runs before C2 compiles
     * the call, so a vectorised sigmoid would make results depend on the JIT's timing.
     * {@code Math.exp} and {@code Math.tanh} give the same bits interpreted or compiled.
     */
    @Override
    public void sigmoid(float[] x, int xo, float[] y, int yo, int n) {
        TAIL.sigmoid(x, xo, y, yo, n);
    }

    @Override
    public void sigmoidBackward(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int end = body(n); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, y, yo + i);
            FloatVector.fromArray(S, dy, dyo + i).mul(v).mul(one.sub(v)).intoArray(dx, dxo + i);
        }
        TAIL.sigmoidBackward(y, yo + i, dy, dyo + i, dx, dxo + i, n - i);
    }

    /** The scalar kernel's, as {@link #sigmoid}. */
    @Override
    public void tanh(float[] x, int xo, float[] y, int yo, int n) {
        TAIL.tanh(x, xo, y, yo, n);
    }

    @Override
    public void tanhBackward(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int end = body(n); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, y, yo + i);
            FloatVector.fromArray(S, dy, dyo + i).mul(one.sub(v.mul(v))).intoArray(dx, dxo + i);
        }
        TAIL.tanhBackward(y, yo + i, dy, dyo + i, dx, dxo + i, n - i);
    }

    /*
     * The batch-norm sums below keep two accumulators per sum, for even and odd vectors, so the adds'
     * latency does not bound the loop (a 1024-float plane is 64 dependent adds with one), then add
     * them, and their lanes in a fixed order (Vectors.laneSum). gradientSums and reluGradientSums
     * share that order, so the fused kernel gives the same floats as the two apart.
     */

    @Override
    public void shiftedSums(float[] x, int xo, int n, float shift, double[] out, int at) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, q0 = s0, q1 = s0, shiftV = FloatVector.broadcast(S, shift);
        int i = 0, end = body(n);
        for (; i + L < end; i += 2 * L) {
            FloatVector d0 = FloatVector.fromArray(S, x, xo + i).sub(shiftV);
            FloatVector d1 = FloatVector.fromArray(S, x, xo + i + L).sub(shiftV);
            s0 = s0.add(d0);
            q0 = d0.fma(d0, q0);
            s1 = s1.add(d1);
            q1 = d1.fma(d1, q1);
        }
        if (i < end) {
            FloatVector d = FloatVector.fromArray(S, x, xo + i).sub(shiftV);
            s0 = s0.add(d);
            q0 = d.fma(d, q0);
            i += L;
        }
        float s = Vectors.laneSum(s0.add(s1)), q = Vectors.laneSum(q0.add(q1));
        for (; i < n; i++) {
            float d = x[xo + i] - shift;
            s += d;
            q = Math.fma(d, d, q);
        }
        out[at] += s;
        out[at + 1] += q;
    }

    @Override
    public void sum(float[] x, int xo, int n, double[] out, int at) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0;
        int i = 0, end = body(n);
        for (; i + L < end; i += 2 * L) {
            s0 = s0.add(FloatVector.fromArray(S, x, xo + i));
            s1 = s1.add(FloatVector.fromArray(S, x, xo + i + L));
        }
        if (i < end) {
            s0 = s0.add(FloatVector.fromArray(S, x, xo + i));
            i += L;
        }
        float s = Vectors.laneSum(s0.add(s1));
        for (; i < n; i++) {
            s += x[xo + i];
        }
        out[at] += s;
    }

    @Override
    public void gradientSums(float[] x, float[] dy, int o, int n, float mean, double[] out, int at) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, p0 = s0, p1 = s0, meanV = FloatVector.broadcast(S, mean);
        int i = 0, end = body(n);
        for (; i + L < end; i += 2 * L) {
            FloatVector g0 = FloatVector.fromArray(S, dy, o + i), g1 = FloatVector.fromArray(S, dy, o + i + L);
            s0 = s0.add(g0);
            p0 = g0.fma(FloatVector.fromArray(S, x, o + i).sub(meanV), p0);
            s1 = s1.add(g1);
            p1 = g1.fma(FloatVector.fromArray(S, x, o + i + L).sub(meanV), p1);
        }
        if (i < end) {
            FloatVector g = FloatVector.fromArray(S, dy, o + i);
            s0 = s0.add(g);
            p0 = g.fma(FloatVector.fromArray(S, x, o + i).sub(meanV), p0);
            i += L;
        }
        float s = Vectors.laneSum(s0.add(s1)), p = Vectors.laneSum(p0.add(p1));
        for (; i < n; i++) {
            float g = dy[o + i];
            s += g;
            p = Math.fma(g, x[o + i] - mean, p);
        }
        out[at] += s;
        out[at + 1] += p;
    }

    @Override
    public void reluGradientSums(float[] x, float[] dy, int o, int n, float mean, float meanLow, float a, float b,
                                 float[] dz, double[] out, int at) {
        FloatVector zero = FloatVector.zero(S), s0 = zero, s1 = zero, p0 = zero, p1 = zero;
        FloatVector meanV = FloatVector.broadcast(S, mean), lowV = FloatVector.broadcast(S, meanLow);
        FloatVector av = FloatVector.broadcast(S, a), bv = FloatVector.broadcast(S, b);
        int i = 0, end = body(n);
        for (; i + L < end; i += 2 * L) {
            FloatVector x0 = FloatVector.fromArray(S, x, o + i).sub(meanV);
            FloatVector x1 = FloatVector.fromArray(S, x, o + i + L).sub(meanV);
            FloatVector g0 = zero.blend(FloatVector.fromArray(S, dy, o + i),
                    x0.sub(lowV).fma(av, bv).compare(VectorOperators.GT, zero));
            FloatVector g1 = zero.blend(FloatVector.fromArray(S, dy, o + i + L),
                    x1.sub(lowV).fma(av, bv).compare(VectorOperators.GT, zero));
            g0.intoArray(dz, o + i);
            g1.intoArray(dz, o + i + L);
            s0 = s0.add(g0);
            p0 = g0.fma(x0, p0);
            s1 = s1.add(g1);
            p1 = g1.fma(x1, p1);
        }
        if (i < end) {
            FloatVector x0 = FloatVector.fromArray(S, x, o + i).sub(meanV);
            FloatVector g = zero.blend(FloatVector.fromArray(S, dy, o + i),
                    x0.sub(lowV).fma(av, bv).compare(VectorOperators.GT, zero));
            g.intoArray(dz, o + i);
            s0 = s0.add(g);
            p0 = g.fma(x0, p0);
            i += L;
        }
        float s = Vectors.laneSum(s0.add(s1)), p = Vectors.laneSum(p0.add(p1));
        for (; i < n; i++) { // the tail: as gradientSums
            float g = Math.fma(x[o + i] - mean - meanLow, a, b) > 0f ? dy[o + i] : 0f;
            dz[o + i] = g;
            s += g;
            p = Math.fma(g, x[o + i] - mean, p);
        }
        out[at] += s;
        out[at + 1] += p;
    }

    @Override
    public void affine(float[] x, int xo, int n, float shift, float shiftLow, float a, float b, float[] y, int yo) {
        FloatVector sv = FloatVector.broadcast(S, shift), lv = FloatVector.broadcast(S, shiftLow);
        FloatVector av = FloatVector.broadcast(S, a), bv = FloatVector.broadcast(S, b);
        int i = 0;
        for (int end = body(n); i < end; i += L) {
            FloatVector.fromArray(S, x, xo + i).sub(sv).sub(lv).fma(av, bv).intoArray(y, yo + i);
        }
        TAIL.affine(x, xo + i, n - i, shift, shiftLow, a, b, y, yo + i);
    }

    @Override
    public void affineRelu(float[] x, int xo, int n, float shift, float shiftLow, float a, float b, float[] y, int yo) {
        FloatVector zero = FloatVector.zero(S), sv = FloatVector.broadcast(S, shift), lv = FloatVector.broadcast(S, shiftLow);
        FloatVector av = FloatVector.broadcast(S, a), bv = FloatVector.broadcast(S, b);
        int i = 0;
        for (int end = body(n); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i).sub(sv).sub(lv).fma(av, bv);
            v.blend(zero, v.compare(VectorOperators.LT, zero)).intoArray(y, yo + i); // as relu: NaN kept
        }
        TAIL.affineRelu(x, xo + i, n - i, shift, shiftLow, a, b, y, yo + i);
    }

    @Override
    public void affineGradient(float[] dy, float[] x, int o, int n, float a, float b, float c, float[] dx) {
        FloatVector av = FloatVector.broadcast(S, a), bv = FloatVector.broadcast(S, b), cv = FloatVector.broadcast(S, c);
        int i = 0;
        for (int end = body(n); i < end; i += L) {
            av.fma(FloatVector.fromArray(S, dy, o + i), bv.fma(FloatVector.fromArray(S, x, o + i), cv))
                    .intoArray(dx, o + i);
        }
        TAIL.affineGradient(dy, x, o + i, n - i, a, b, c, dx);
    }

    /** The scalar kernel's arithmetic, operation for operation, so both give the same bits. */
    @Override
    public void adam(float[] param, float[] grad, float[] m, float[] v, int offset, int n, float beta1, float oneMinusBeta1,
                     float beta2, float oneMinusBeta2, float eps, float stepSize, float biasCorrection2Sqrt, float decay,
                     float weightDecay, boolean decoupled) {
        FloatVector b1 = FloatVector.broadcast(S, beta1), a1 = FloatVector.broadcast(S, oneMinusBeta1);
        FloatVector b2 = FloatVector.broadcast(S, beta2), a2 = FloatVector.broadcast(S, oneMinusBeta2);
        FloatVector epsV = FloatVector.broadcast(S, eps), stepSizeV = FloatVector.broadcast(S, stepSize);
        FloatVector bc2 = FloatVector.broadcast(S, biasCorrection2Sqrt);
        FloatVector decayV = FloatVector.broadcast(S, decay), weightDecayV = FloatVector.broadcast(S, weightDecay);
        int i = offset;
        for (int end = offset + body(n); i < end; i += L) {
            FloatVector p = FloatVector.fromArray(S, param, i), g = FloatVector.fromArray(S, grad, i);
            if (decoupled) {
                p = p.mul(decayV);
            } else if (weightDecay != 0f) {
                g = g.add(p.mul(weightDecayV));
            }
            FloatVector mi = b1.mul(FloatVector.fromArray(S, m, i)).add(a1.mul(g));
            FloatVector vi = b2.mul(FloatVector.fromArray(S, v, i)).add(a2.mul(g).mul(g));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector denom = vi.sqrt().div(bc2).add(epsV);
            p.sub(stepSizeV.mul(mi).div(denom)).intoArray(param, i);
        }
        TAIL.adam(param, grad, m, v, i, offset + n - i, beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, stepSize,
                biasCorrection2Sqrt, decay, weightDecay, decoupled);
    }
}
