package dev.isthmus.nn;

import dev.isthmus.kernels.Padding;
import dev.isthmus.kernels.TransposedConvolution;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Transposed 2-D convolution, as Keras's {@code Conv2DTranspose} and PyTorch's
 * {@code ConvTranspose2d}: {@code y = activation(convT(x, weight) + bias)}, weight
 * {@code [Cin, filters, kh, kw]} (PyTorch's layout). Padding is Keras's {@code "valid"} (output
 * side {@code (in - 1) * stride + max(kernel, stride)}) or {@code "same"} ({@code in * stride}),
 * or PyTorch's {@code padding} and {@code output_padding} ({@link #padding(int, int)}).
 */
public final class Conv2DTranspose extends Layer {

    private final int filters;
    private final int kernelSize;
    private int stride = 1;
    private Padding padding = Padding.VALID;
    private int torchPadding = -1, outputPadding;
    private Activation activation = Activation.LINEAR;
    private boolean useBias = true;
    private TransposedConvolution kernel;
    private Parameter weight, bias;

    /**
     * @throws IllegalArgumentException if {@code filters} or {@code kernelSize} is not positive
     */
    public Conv2DTranspose(int filters, int kernelSize) {
        if (filters <= 0 || kernelSize <= 0) {
            throw new IllegalArgumentException("Conv2DTranspose needs filters and kernel size > 0, got filters=" + filters
                    + ", kernel=" + kernelSize);
        }
        this.filters = filters;
        this.kernelSize = kernelSize;
    }

    public Conv2DTranspose stride(int stride) {
        checkUnbuilt();
        if (stride < 1) {
            throw new IllegalArgumentException("stride must be >= 1, got " + stride);
        }
        this.stride = stride;
        return this;
    }

    /** Keras's {@code "valid"} or {@code "same"}. */
    public Conv2DTranspose padding(Padding padding) {
        checkUnbuilt();
        this.padding = Objects.requireNonNull(padding, "padding");
        this.torchPadding = -1;
        return this;
    }

    /** PyTorch's {@code padding} (cells cut from each side) and {@code output_padding} (in {@code [0, stride)}). */
    public Conv2DTranspose padding(int padding, int outputPadding) {
        checkUnbuilt();
        if (padding < 0) {
            throw new IllegalArgumentException("padding must be >= 0, got " + padding);
        }
        this.torchPadding = padding;
        this.outputPadding = outputPadding;
        return this;
    }

    public Conv2DTranspose activation(Activation activation) {
        checkUnbuilt();
        this.activation = Objects.requireNonNull(activation, "activation");
        return this;
    }

    public Conv2DTranspose useBias(boolean useBias) {
        checkUnbuilt();
        this.useBias = useBias;
        return this;
    }

    private void checkUnbuilt() {
        if (outputShape() != null) {
            throw new IllegalStateException("configure " + this + " before applying it");
        }
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = Layers.map("filters", filters, "kernel_size", kernelSize, "strides", stride,
                "padding", torchPadding < 0 ? Layers.padding(padding) : List.of(torchPadding, outputPadding),
                "activation", activation.toString(), "use_bias", useBias);
        return config;
    }

    @Override
    protected Shape build(List<Shape> inputs) {
        Shape in = single(this, inputs);
        if (in.rank() != 3) {
            throw shapeError("(channels, height, width)", in);
        }
        if (activation == Activation.SOFTMAX) {
            throw new IllegalArgumentException(this + ": softmax runs over feature vectors; apply it after Flatten or"
                    + " global pooling");
        }
        try {
            kernel = torchPadding >= 0
                    ? TransposedConvolution.of(in.channels(), in.height(), in.width(), filters, kernelSize, stride,
                            torchPadding, outputPadding)
                    : TransposedConvolution.of(in.channels(), in.height(), in.width(), filters, kernelSize, stride, padding);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(this + " cannot take input " + in + ": " + e.getMessage(), e);
        }
        weight = addParameter("weight", in.channels(), filters, kernelSize, kernelSize);
        if (useBias) {
            bias = addParameter("bias", filters);
        }
        return Shape.of(filters, kernel.outHeight(), kernel.outWidth());
    }

    /** PyTorch's: its fan-in is the weight's second dimension times the kernel, here the filters. */
    @Override
    protected void initialize(RandomGenerator rng, Initializer scheme) {
        Init.weightsAndBias(weight, bias, filters * kernelSize * kernelSize,
                kernel.inChannels() * kernelSize * kernelSize, rng, scheme);
    }

    @Override
    protected Object newState(int maxBatch) {
        return activation == Activation.LINEAR ? null : new float[Math.multiplyExact(maxBatch, kernel.outputSize())];
    }

    @Override
    protected boolean worksPerSample(boolean training) {
        return true;
    }

    @Override
    boolean honoursBufferOffsets() {
        return true;
    }

    @Override
    protected void forward(LayerCall s) {
        int x = s.inputFirst() * kernel.inputSize(), y = s.outputFirst() * kernel.outputSize();
        kernel.forward(s.batch(), s.input(), x, weight.value(), 0, bias == null ? null : bias.value(), 0, s.output(), y);
        activation.forward(s.output(), y, s.batch() * kernel.outputSize(), kernel.outHeight() * kernel.outWidth());
    }

    @Override
    protected void backward(LayerCall s) {
        int x = s.first() * kernel.inputSize(), y = s.first() * kernel.outputSize();
        float[] dz = activation.backward(s.output(), s.outputGrad(), s.state(), y, s.batch() * kernel.outputSize(),
                kernel.outHeight() * kernel.outWidth());
        kernel.backwardWeights(s.batch(), s.input(), x, dz, y, s.grad(weight), 0, bias == null ? null : s.grad(bias), 0);
        if (s.inputGrad() != null) {
            kernel.backwardData(s.batch(), dz, y, weight.value(), 0, s.inputGrad(), x);
        }
    }

    @Override
    protected String describe() {
        return "filters=" + filters + ", kernel=" + kernelSize + "x" + kernelSize
                + (stride == 1 ? "" : ", stride=" + stride)
                + ", padding=" + (torchPadding < 0 ? padding : torchPadding + " (output " + outputPadding + ")")
                + (activation == Activation.LINEAR ? "" : ", activation=" + activation);
    }
}
