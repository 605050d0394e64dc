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
     * One Adam/AdamW step over {@code [offset, offset + n)} with the constants {@code Optimizers}
     * derives, in float as PyTorch's kernel uses them (passed one by one: a constants object per
     * call would be the only allocation of a training step).
     */
    void adam(float[] param, float[] grad, float[] m, float[] v, int offset, int n, float beta1, float oneMinusBeta1,
              float beta2, float oneMinusBeta2, float eps, float stepSize, float biasCorrection2Sqrt, float decay,
              float weightDecay, boolean decoupled);
}
