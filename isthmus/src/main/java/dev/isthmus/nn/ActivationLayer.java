package dev.isthmus.nn;

import java.util.List;

/** An activation as a layer of its own, Keras's {@code Activation("relu")}. */
public final class ActivationLayer extends Layer {

    private final Activation activation;
    private int size;
    private int row;

    public ActivationLayer(Activation activation) {
        this.activation = java.util.Objects.requireNonNull(activation, "activation");
    }

    public Activation activation() {
        return activation;
    }

    @Override
    public String type() {
        return "Activation";
    }

    @Override
    public java.util.Map<String, Object> config() {
        return Layers.map("activation", activation.toString());
    }

    @Override
    protected Shape build(List<Shape> inputs) {
        Shape in = single(this, inputs);
        size = in.size();
        row = in.dim(in.rank() - 1);
        if (activation == Activation.SOFTMAX && in.rank() != 1) {
            throw shapeError("(features) for softmax", in);
        }
        return in;
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
        activation.forward(s.input(), s.inputFirst() * size, s.output(), s.outputFirst() * size, s.batch() * size, row);
    }

    @Override
    protected void backward(LayerCall s) {
        if (s.inputGrad() != null) {
            int at = s.first() * size;
            float[] dz = activation.backward(s.output(), s.outputGrad(), s.inputGrad(), at, s.batch() * size, row);
            if (dz != s.inputGrad()) {
                System.arraycopy(dz, at, s.inputGrad(), at, s.batch() * size);
            }
        }
    }

    @Override
    protected String describe() {
        return activation.toString();
    }
}
