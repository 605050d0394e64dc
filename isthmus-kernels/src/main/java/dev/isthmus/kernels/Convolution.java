package dev.isthmus.kernels;

import dev.isthmus.kernels.conv.ConvAlgorithm;
import dev.isthmus.kernels.conv.ConvAlgorithms;
import dev.isthmus.kernels.conv.ConvPasses;
import dev.isthmus.kernels.conv.ConvShape;
import dev.isthmus.kernels.conv.ConvSupport;
import dev.isthmus.kernels.conv.ConvTensors;
import java.util.Objects;

/**
 * 2-D convolution (cross-correlation, as in PyTorch and Keras) over NCHW float32 batches.
 * Weights are laid out {@code [Cout][Cin / groups][kh][kw]}, as PyTorch's {@code Conv2d.weight};
 * with {@code groups > 1} the channels split into that many independent convolutions (depthwise
 * when {@code groups == Cin}).
 *
 * <p>The algorithm is chosen from the shape alone, once, when the instance is made (see
 * {@link #algorithm()}): a 1x1 convolution multiplies the image in place; at stride 1 a direct
 * convolution reads every receptive field from a zero-padded copy of the image, a few output rows
 * at a time; anything else goes through im2col and SGEMM. {@link FusedConvolution} adds a ReLU and a
 * 2x2 max-pooling to the same passes, so a wide feature map is never written whole.
 *
 * <p>Images are spread over {@link Parallel}'s threads, each with its own buffers kept between
 * calls; a single image splits its output rows, or runs its SGEMM on all threads. Weight
 * gradients are summed over the batch in groups fixed by the batch size alone, then the groups in
 * order, so every result is bitwise identical for any thread count. Instances are immutable;
 * forward calls may run concurrently, and so may backward calls that write to different arrays.
 */
public final class Convolution {

    private final ConvShape shape;
    private final ConvAlgorithm algorithm;
    private final ConvSupport kernels;

    /**
     * @throws IllegalArgumentException if a channel count is not positive
     */
    public Convolution(int inChannels, int outChannels, Window2d window) {
        this(inChannels, outChannels, window, 1);
    }

    /**
     * @throws IllegalArgumentException if a channel count is not positive, or {@code groups} does
     *                                  not divide both
     */
    public Convolution(int inChannels, int outChannels, Window2d window, int groups) {
        Checks.positive("inChannels", inChannels);
        Checks.positive("outChannels", outChannels);
        this.shape = new ConvShape(inChannels, outChannels, Objects.requireNonNull(window, "window"), groups);
        this.kernels = KernelProvider.conv();
        this.algorithm = ConvAlgorithms.select(shape, KernelProvider.gemm(), kernels);
    }

    /** Square kernel, equal strides, no dilation. */
    public static Convolution of(int inChannels, int inHeight, int inWidth, int outChannels,
                            int kernel, int stride, Padding padding) {
        return new Convolution(inChannels, outChannels, Window2d.of(inHeight, inWidth, kernel, stride, padding));
    }

    public int inChannels() {
        return shape.inChannels();
    }

    public int outChannels() {
        return shape.outChannels();
    }

    public Window2d window() {
        return shape.window();
    }

    /** Channel groups: 1, or up to {@code Cin} (depthwise). */
    public int groups() {
        return shape.groups();
    }

    /** Floats per input image: {@code Cin * inHeight * inWidth}. */
    public int inputSize() {
        return shape.inputSize();
    }

    /** Floats per output image: {@code Cout * outHeight * outWidth}. */
    public int outputSize() {
        return shape.outputSize();
    }

    /** Floats in the weight tensor: {@code Cout * Cin / groups * kh * kw}. */
    public int weightSize() {
        return shape.weightSize();
    }

    /** Multiply-adds per image in the forward pass (each backward pass does as many). */
    public long macsPerImage() {
        return (long) shape.weightSize() * shape.window().outSize();
    }

    /**
     * The algorithm this shape runs: {@code direct}, {@code direct (flat)}, {@code direct (paired
     * rows)}, {@code im2col}, {@code pointwise}, {@code depthwise (lanes)} or {@code depthwise
     * (rows)} (one channel a group), or {@code grouped (...)}/{@code depthwise (...)} around one
     * of those; the parts of the backward pass that run otherwise after a comma
     * ({@code direct, SGEMM weight gradient, Winograd data gradient}); a forward pass with
     * another's gradients as {@code winograd; gradients: direct}.
     */
    public String algorithm() {
        return algorithm.name();
    }

    /**
     * {@code y = conv(x, w) + bias} for {@code batch} images.
     *
     * @param bias {@code Cout} values, or null for none
     */
    public void forward(int batch, float[] x, int xOffset, float[] w, int wOffset,
                        float[] bias, int biasOffset, float[] y, int yOffset) {
        checkForward(batch, x, xOffset, w, wOffset, bias, biasOffset);
        Checks.span("y", y, yOffset, batch, outputSize(), "batch * Cout * outH * outW");
        forward(batch, ConvTensors.local().forward(x, xOffset, w, wOffset, bias, biasOffset, false, false, y, yOffset,
                null, 0));
    }

    /**
     * A holder for this convolution's weights laid out once for many passes ({@link PreparedWeights});
     * empty until its {@link PreparedWeights#update update}.
     */
    public PreparedWeights newPreparedWeights() {
        return new PreparedWeights(this, algorithm);
    }

    /**
     * {@code y = conv(x, w) + bias} for {@code batch} images, the weights laid out already.
     *
     * @throws IllegalArgumentException if {@code w} belongs to another convolution, or an array is too short
     * @throws IllegalStateException    if {@code w} was never updated
     */
    public void forward(int batch, float[] x, int xOffset, PreparedWeights w, float[] bias, int biasOffset,
                        float[] y, int yOffset) {
        float[] copy = Objects.requireNonNull(w, "w").weights(this, false);
        checkForward(batch, x, xOffset, copy, 0, bias, biasOffset);
        Checks.span("y", y, yOffset, batch, outputSize(), "batch * Cout * outH * outW");
        forward(batch, ConvTensors.local().forward(x, xOffset, copy, 0, bias, biasOffset, false, false, y, yOffset,
                null, 0).prepared(w.forward()));
    }

    /**
     * {@code dx} from {@code dy}, the weights laid out already ({@link PreparedWeights#prepareDataGradient}).
     *
     * @throws IllegalArgumentException if {@code w} belongs to another convolution, or an array is too short
     * @throws IllegalStateException    if {@code w} is not laid out for the data gradient
     */
    public void backwardData(int batch, float[] dy, int dyOffset, PreparedWeights w, float[] dx, int dxOffset) {
        float[] copy = Objects.requireNonNull(w, "w").weights(this, true);
        Checks.positive("batch", batch);
        Checks.span("dy", dy, dyOffset, batch, outputSize(), "batch * Cout * outH * outW");
        Checks.span("dx", dx, dxOffset, batch, inputSize(), "batch * Cin * H * W");
        backward(batch, ConvTensors.local().backward(null, 0, copy, 0, false, false, null, 0, null, 0, dy, dyOffset,
                null, 0, null, 0, dx, dxOffset).prepared(w.backward()));
    }

    /** {@code dx = d(loss)/dx} from {@code dy = d(loss)/dy}; dx is overwritten. */
    public void backwardData(int batch, float[] dy, int dyOffset, float[] w, int wOffset, float[] dx, int dxOffset) {
        Checks.positive("batch", batch);
        Checks.span("dy", dy, dyOffset, batch, outputSize(), "batch * Cout * outH * outW");
        Checks.span("w", w, wOffset, weightSize(), weightsShape());
        Checks.span("dx", dx, dxOffset, batch, inputSize(), "batch * Cin * H * W");
        backward(batch, ConvTensors.local().backward(null, 0, w, wOffset, false, false, null, 0, null, 0, dy, dyOffset,
                null, 0, null, 0, dx, dxOffset));
    }

    /**
     * {@code dw = d(loss)/dw} and {@code dbias = d(loss)/dbias}, summed over the batch; both are
     * overwritten.
     *
     * @param dbias {@code Cout} values, or null to skip the bias gradient
     */
    public void backwardWeights(int batch, float[] x, int xOffset, float[] dy, int dyOffset,
                                float[] dw, int dwOffset, float[] dbias, int dbiasOffset) {
        Checks.positive("batch", batch);
        Checks.span("x", x, xOffset, batch, inputSize(), "batch * Cin * H * W");
        Checks.span("dy", dy, dyOffset, batch, outputSize(), "batch * Cout * outH * outW");
        Checks.span("dw", dw, dwOffset, weightSize(), weightsShape());
        if (dbias != null) {
            Checks.span("dbias", dbias, dbiasOffset, outChannels(), "Cout");
        }
        backward(batch, ConvTensors.local().backward(x, xOffset, null, 0, false, false, null, 0, null, 0, dy, dyOffset,
                dw, dwOffset, dbias, dbiasOffset, null, 0));
    }

    void checkForward(int batch, float[] x, int xOffset, float[] w, int wOffset, float[] bias, int biasOffset) {
        Checks.positive("batch", batch);
        Checks.span("x", x, xOffset, batch, inputSize(), "batch * Cin * H * W");
        Checks.span("w", w, wOffset, weightSize(), weightsShape());
        if (bias != null) {
            Checks.span("bias", bias, biasOffset, outChannels(), "Cout");
        }
    }

    /** {@link ConvAlgorithm#stagedInput} of this shape's algorithm. */
    MapLayout stagedInput(boolean relu, boolean pool) {
        return algorithm.stagedInput(relu, pool);
    }

    /** {@link ConvAlgorithm#writesLayout} of this shape's algorithm. */
    boolean writesLayout(MapLayout layout, boolean relu, boolean pool) {
        return algorithm.writesLayout(layout, relu, pool);
    }

    /** A checked, bound forward pass (also {@link FusedConvolution}'s); the binding is cleared after it. */
    void forward(int batch, ConvTensors t) {
        try {
            ConvPasses.forward(algorithm, kernels, batch, t);
        } finally {
            t.clear();
        }
    }

    /** A checked, bound backward pass (also {@link FusedConvolution}'s); the binding is cleared after it. */
    void backward(int batch, ConvTensors t) {
        try {
            ConvPasses.backward(algorithm, batch, t);
        } finally {
            t.clear();
        }
    }

    /** How the weights' length is made, for messages. */
    private String weightsShape() {
        return groups() == 1 ? "Cout * Cin * kh * kw" : "Cout * Cin/groups * kh * kw";
    }

    int pooledHeight() {
        return shape.pooledHeight();
    }

    int pooledWidth() {
        return shape.pooledWidth();
    }

    @Override
    public String toString() {
        Window2d w = shape.window();
        return "Convolution(" + inChannels() + " -> " + outChannels() + (groups() == 1 ? "" : ", groups " + groups())
                + ", kernel " + w.kernelHeight() + "x"
                + w.kernelWidth() + ", stride " + w.strideY() + "x" + w.strideX() + ", dilation " + w.dilationY() + "x"
                + w.dilationX() + ", padding (" + w.padTop() + ", " + w.padLeft() + ", " + w.padBottom() + ", "
                + w.padRight() + "), input " + w.inHeight() + "x" + w.inWidth() + " -> " + w.outHeight() + "x"
                + w.outWidth() + ", " + algorithm.name() + ")";
    }
}
