package dev.isthmus.kernels.elementwise;

/**
 * The element-wise kernels, implemented twice: {@link ScalarElementwise} (plain Java, also the
 * specification) and {@code PanamaElementwise} (Vector API). Arguments arrive already checked by
 * the public classes ({@code Activations}, {@code Optimizers}); implementations never validate
 * and never allocate. NaN propagates; forward and backward may run in place.
 */
public interface ElementwiseSupport {

    /** Vector width in bits the kernels run at; 0 for scalar. */
    int vectorBitSize();

    void relu(float[] x, int xOffset, float[] y, int yOffset, int n);

    void reluBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n);

    void leakyRelu(float[] x, int xOffset, float[] y, int yOffset, int n, float alpha);

    void leakyReluBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n, float alpha);

    void sigmoid(float[] x, int xOffset, float[] y, int yOffset, int n);

    void sigmoidBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n);

    void tanh(float[] x, int xOffset, float[] y, int yOffset, int n);

    void tanhBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n);

    /**
     * Batch-norm statistics over one plane: {@code out[at] += sum(x - shift)} and
     * {@code out[at + 1] += sum((x - shift)^2)} over {@code x[xo, xo + n)}, summed in float
     * within the call and added in double.
     */
    void shiftedSums(float[] x, int xo, int n, float shift, double[] out, int at);

    /** {@code out[at] += sum(x)} over {@code x[xo, xo + n)}, summed in float within the call and added in double. */
    void sum(float[] x, int xo, int n, double[] out, int at);

    /**
     * Batch-norm gradient sums over one plane: {@code out[at] += sum(dy)} and
     * {@code out[at + 1] += sum(dy * (x - mean))}, summed in float within the call and added in double.
     */
    void gradientSums(float[] x, float[] dy, int o, int n, float mean, double[] out, int at);

    /**
     * {@link #gradientSums} behind a ReLU, in one pass: ReLU's backward {@code dz = y > 0 ? dy : 0}
     * with {@code y > 0} taken from the input as {@link #affine} computes it
     * ({@code ((x - mean) - meanLow) * a + b > 0}, the same test), {@code dz} written, then
     * {@code out[at] += sum(dz)} and {@code out[at + 1] += sum(dz * (x - mean))}: the same floats as
     * {@link #reluBackward} on the output followed by {@link #gradientSums}, without reading the output.
     */
    void reluGradientSums(float[] x, float[] dy, int o, int n, float mean, float meanLow, float a, float b, float[] dz,
                          double[] out, int at);

    /**
     * {@code y = ((x - shift) - shiftLow) * a + b} over {@code n} values: batch norm's per-channel
     * map, the subtractions first and the shift in two floats (its rounding error the second), so
     * values far from zero with a small spread keep their precision.
     */
    void affine(float[] x, int xo, int n, float shift, float shiftLow, float a, float b, float[] y, int yo);

    /** {@link #affine} then {@link #relu}, in one pass: the same floats as the two. */
    void affineRelu(float[] x, int xo, int n, float shift, float shiftLow, float a, float b, float[] y, int yo);

    /** {@code dx = a * dy + b * x + c} over {@code n} values (batch norm's input gradient, per channel). */
    void affineGradient(float[] dy, float[] x, int o, int n, float a, float b, float c, float[] dx);

    /**
     * One Adam/AdamW step over {@code [offset, offset + n)} with the constants {@code Optimizers}
     * derives, in float as PyTorch's kernel uses them (passed one by one: a constants object per
     * call would be the only allocation of a training step).
     */
    void adam(float[] param, float[] grad, float[] m, float[] v, int offset, int n, float beta1, float oneMinusBeta1,
              float beta2, float oneMinusBeta2, float eps, float stepSize, float biasCorrection2Sqrt, float decay,
              float weightDecay, boolean decoupled);
}
