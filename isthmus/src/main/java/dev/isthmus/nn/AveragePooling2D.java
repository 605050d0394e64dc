package dev.isthmus.nn;

import dev.isthmus.kernels.AveragePooling;
import dev.isthmus.kernels.Padding;
import dev.isthmus.kernels.Window2d;
import java.util.List;

/**
 * Average pooling, as Keras's {@code AveragePooling2D} (default 2x2, stride = pool size,
 * "valid"; with "same" padding each window averages only the input cells it covers).
 */
public final class AveragePooling2D extends Layer {

    private final int poolSize;
    private final int stride;
    private final Padding padding;
    private AveragePooling kernel;

    public AveragePooling2D() {
        this(2, 2, Padding.VALID);
    }

    public AveragePooling2D(int poolSize, int stride, Padding padding) {
        if (poolSize <= 0 || stride <= 0) {
            throw new IllegalArgumentException("AveragePooling2D needs pool size and stride > 0, got " + poolSize + " and "
                    + stride);
        }
        this.poolSize = poolSize;
        this.stride = stride;
        this.padding = java.util.Objects.requireNonNull(padding, "padding");
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
            kernel = new AveragePooling(in.channels(), Window2d.of(in.height(), in.width(), poolSize, stride, padding), false);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(this + " cannot take input " + in + ": " + e.getMessage(), e);
        }
        return Shape.of(in.channels(), kernel.window().outHeight(), kernel.window().outWidth());
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
        kernel.forward(s.batch(), s.input(), s.inputFirst() * kernel.inputSize(), s.output(),
                s.outputFirst() * kernel.outputSize());
    }

    @Override
    protected void backward(LayerCall s) {
        if (s.inputGrad() != null) {
            kernel.backward(s.batch(), s.outputGrad(), s.first() * kernel.outputSize(), s.inputGrad(),
                    s.first() * kernel.inputSize());
        }
    }

    @Override
    protected String describe() {
        return "pool=" + poolSize + "x" + poolSize + (stride == poolSize ? "" : ", stride=" + stride)
                + (padding == Padding.VALID ? "" : ", padding=" + padding);
    }
}
