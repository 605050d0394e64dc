package dev.isthmus.nn;

import dev.isthmus.kernels.Convolution;
import dev.isthmus.kernels.FusedConvolution;
import dev.isthmus.kernels.PreparedWeights;
import dev.isthmus.kernels.Padding;
import dev.isthmus.kernels.Window2d;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * 2-D convolution over NCHW images, as Keras's {@code Conv2D} and PyTorch's {@code Conv2d}:
 * {@code y = activation(conv(x, weight) + bias)}, weight {@code [filters, Cin / groups, kh, kw]}.
 * Defaults: stride 1, "valid" padding, no dilation, one group, bias, no activation.
 */
public class Conv2D extends Layer {

    private int filters;
    private int groups = 1;
    private final int kernelHeight;
    private final int kernelWidth;
    private int strideY = 1, strideX = 1, dilation = 1;
    private Padding padding = Padding.VALID;
    private Activation activation = Activation.LINEAR;
    private boolean useBias = true;
    private Convolution kernel;
    /** Convolution, bias and ReLU (or none) in one pass; null for other activations. */
    private FusedConvolution fused;
    private Parameter weight, bias;

    public Conv2D(int filters, int kernelSize) {
        this(filters, kernelSize, kernelSize);
    }

    public Conv2D(int filters, int kernelHeight, int kernelWidth) {
        if (filters <= 0 || kernelHeight <= 0 || kernelWidth <= 0) {
            throw new IllegalArgumentException("Conv2D needs filters and kernel size > 0, got filters=" + filters
                    + ", kernel=" + kernelHeight + "x" + kernelWidth);
        }
        this.filters = filters;
        this.kernelHeight = kernelHeight;
        this.kernelWidth = kernelWidth;
    }

    public Conv2D stride(int stride) {
        return stride(stride, stride);
    }

    public Conv2D stride(int strideY, int strideX) {
        checkUnbuilt();
        this.strideY = strideY;
        this.strideX = strideX;
        return this;
    }

    public Conv2D dilation(int dilation) {
        checkUnbuilt();
        this.dilation = dilation;
        return this;
    }

    /**
     * Splits the channels into {@code groups} independent convolutions, as PyTorch's and Keras's
     * {@code groups}: each output channel sees {@code Cin / groups} input channels.
     *
     * @throws IllegalArgumentException if {@code groups < 1}
     */
    public Conv2D groups(int groups) {
        checkUnbuilt();
        if (groups < 1) {
            throw new IllegalArgumentException("groups must be >= 1, got " + groups);
        }
        this.groups = groups;
        return this;
    }

    /** Sets the filters and groups once the input's channels are known (a depthwise layer's). */
    void resolve(int filters, int groups) {
        this.filters = filters;
        this.groups = groups;
    }

    public Conv2D padding(Padding padding) {
        checkUnbuilt();
        this.padding = java.util.Objects.requireNonNull(padding, "padding");
        return this;
    }

    public Conv2D activation(Activation activation) {
        checkUnbuilt();
        this.activation = java.util.Objects.requireNonNull(activation, "activation");
        return this;
    }

    public Conv2D useBias(boolean useBias) {
        checkUnbuilt();
        this.useBias = useBias;
        return this;
    }

    void checkUnbuilt() {
        if (outputShape() != null) {
            throw new IllegalStateException("configure " + this + " before applying it");
        }
    }

    public Padding padding() {
        return padding;
    }

    public Activation activation() {
        return activation;
    }

    public int filters() {
        return filters;
    }

    public int groups() {
        return groups;
    }

    public int[] kernelSize() {
        return new int[] {kernelHeight, kernelWidth};
    }

    public int[] strides() {
        return new int[] {strideY, strideX};
    }

    public int dilationRate() {
        return dilation;
    }

    public boolean usesBias() {
        return useBias;
    }

    @Override
    public java.util.Map<String, Object> config() {
        java.util.Map<String, Object> config = Layers.map("filters", filters, "kernel_size",
                java.util.List.of(kernelHeight, kernelWidth), "strides", java.util.List.of(strideY, strideX), "dilation",
                dilation, "padding", Layers.padding(padding), "activation", activation.toString(), "use_bias", useBias);
        if (groups != 1) {
            config.put("groups", groups);
        }
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
        Window2d window;
        try {
            window = Window2d.of(in.height(), in.width(), kernelHeight, kernelWidth, strideY, strideX,
                    dilation, dilation, padding);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(this + " cannot take input " + in + ": " + e.getMessage(), e);
        }
        if (in.channels() % groups != 0 || filters % groups != 0) {
            throw new IllegalArgumentException(this + ": groups (" + groups + ") must divide the input channels ("
                    + in.channels() + ") and the filters (" + filters + ")");
        }
        kernel = new Convolution(in.channels(), filters, window, groups);
        if (activation == Activation.RELU || activation == Activation.LINEAR) {
            fused = new FusedConvolution(kernel, activation == Activation.RELU, false);
        }
        weight = addParameter("weight", filters, in.channels() / groups, kernelHeight, kernelWidth);
        if (useBias) {
            bias = addParameter("bias", filters);
        }
        return Shape.of(filters, window.outHeight(), window.outWidth());
    }

    @Override
    protected void initialize(RandomGenerator rng, Initializer scheme) {
        Init.weightsAndBias(weight, bias, kernel.inChannels() / groups * kernelHeight * kernelWidth,
                filters * kernelHeight * kernelWidth, rng, scheme);
    }

    /**
     * The weights laid out once per pass, and scratch for d(loss)/d(pre-activation), so the node's
     * own gradient stays intact (unfused activations only; else null).
     */
    private record State(PassWeights weights, float[] dz) {}

    @Override
    protected Object newState(int maxBatch) {
        return new State(new PassWeights(kernel),
                fused != null || activation == Activation.LINEAR ? null : new float[maxBatch * kernel.outputSize()]);
    }

    @Override
    protected void beforePass(Object state, boolean training) {
        ((State) state).weights().update(weight.value());
    }

    @Override
    protected void beforeBackward(Object state, boolean inputGradients) {
        if (inputGradients) { // else no data gradient runs (the stem)
            ((State) state).weights().prepareDataGradient();
        }
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
        float[] b = bias == null ? null : bias.value();
        PreparedWeights w = s.<State>state().weights().prepared();
        if (fused != null) {
            fused.forward(s.batch(), s.input(), x, w, b, 0, s.output(), y, null, 0);
            return;
        }
        kernel.forward(s.batch(), s.input(), x, w, b, 0, s.output(), y);
        activation.forward(s.output(), y, s.batch() * kernel.outputSize(), kernel.window().outSize());
    }

    @Override
    protected void backward(LayerCall s) {
        int x = s.first() * kernel.inputSize(), y = s.first() * kernel.outputSize();
        float[] db = bias == null ? null : s.grad(bias);
        State state = s.state();
        if (fused != null) {
            fused.backward(s.batch(), s.input(), x, state.weights().prepared(), s.output(), y, s.outputGrad(), y, null, 0,
                    s.grad(weight), 0, db, 0, s.inputGrad(), x);
            return;
        }
        float[] dz = activation.backward(s.output(), s.outputGrad(), state.dz(), y, s.batch() * kernel.outputSize(),
                kernel.window().outSize());
        kernel.backwardWeights(s.batch(), s.input(), x, dz, y, s.grad(weight), 0, db, 0);
        if (s.inputGrad() != null) {
            kernel.backwardData(s.batch(), dz, y, state.weights().prepared(), s.inputGrad(), x);
        }
    }

    /** The convolution kernel, for fusions that run it with more around it. */
    Convolution convolution() {
        return kernel;
    }

    Parameter weight() {
        return weight;
    }

    /** The bias, or null without one. */
    Parameter bias() {
        return bias;
    }

    @Override
    protected String describe() {
        return "filters=" + filters + ", kernel=" + kernelHeight + "x" + kernelWidth
                + (groups == 1 ? "" : ", groups=" + groups)
                + (strideY == 1 && strideX == 1 ? "" : ", stride=" + strideY + "x" + strideX)
                + ", padding=" + padding + (activation == Activation.LINEAR ? "" : ", activation=" + activation);
    }
}
