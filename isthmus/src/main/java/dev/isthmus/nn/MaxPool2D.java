package dev.isthmus.nn;

import dev.isthmus.kernels.MaxPooling;
import dev.isthmus.kernels.Padding;
import dev.isthmus.kernels.Window2d;
import java.util.List;

/** Max pooling, as Keras's {@code MaxPool2D} (default 2x2, stride = pool size, "valid"). */
public final class MaxPool2D extends Layer {

    private final int poolSize;
    private final int stride;
    private final Padding padding;
    private MaxPooling kernel;

    public MaxPool2D() {
        this(2);
    }

    public MaxPool2D(int poolSize) {
        this(poolSize, poolSize, Padding.VALID);
    }

    public MaxPool2D(int poolSize, int stride, Padding padding) {
        if (poolSize <= 0 || stride <= 0) {
            throw new IllegalArgumentException("MaxPool2D needs pool size and stride > 0, got " + poolSize + " and " + stride);
        }
        this.poolSize = poolSize;
        this.stride = stride;
        this.padding = java.util.Objects.requireNonNull(padding, "padding");
    }

    public int poolSize() {
        return poolSize;
    }

    public int stride() {
        return stride;
    }

    public Padding padding() {
        return padding;
    }

    @Override
    public java.util.Map<String, Object> config() {
        return Layers.map("pool_size", poolSize, "strides", stride, "padding", Layers.padding(padding));
    }

    @Override
    protected Shape build(List<Shape> inputs) {
        Shape in = single(this, inputs);
        if (in.rank() != 3) {
            throw shapeError("(channels, height, width)", in);
        }
        try {
            kernel = new MaxPooling(in.channels(), Window2d.of(in.height(), in.width(), poolSize, stride, padding));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(this + " cannot take input " + in + ": " + e.getMessage(), e);
        }
        return Shape.of(in.channels(), kernel.window().outHeight(), kernel.window().outWidth());
    }

    /** The winners of the last forward pass (kept in evaluation too: saliency maps back-propagate there). */
    @Override
    protected Object newState(int maxBatch) {
        return new int[maxBatch * kernel.outputSize()];
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
        int in = s.inputFirst() * kernel.inputSize(), out = s.outputFirst() * kernel.outputSize();
        kernel.forward(s.batch(), s.input(), in, s.output(), out, s.<int[]>state(), s.first() * kernel.outputSize());
    }

    @Override
    protected void backward(LayerCall s) {
        if (s.inputGrad() != null) {
            int in = s.first() * kernel.inputSize(), out = s.first() * kernel.outputSize();
            kernel.backward(s.batch(), s.outputGrad(), out, s.state(), out, s.inputGrad(), in);
        }
    }

    @Override
    protected String describe() {
        return "pool=" + poolSize + "x" + poolSize + (stride == poolSize ? "" : ", stride=" + stride)
                + (padding == Padding.VALID ? "" : ", padding=" + padding);
    }
}
