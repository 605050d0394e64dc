package dev.isthmus.nn;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Fully connected layer, as Keras's {@code Dense} and PyTorch's {@code Linear}:
 * {@code y = activation(x . weight^T + bias)}, weight {@code [units, in]}.
 */
public final class Dense extends Layer {

    private final int units;
    private Activation activation = Activation.LINEAR;
    private int in;
    private Parameter weight, bias;

    public Dense(int units) {
        if (units <= 0) {
            throw new IllegalArgumentException("Dense needs units > 0, got " + units);
        }
        this.units = units;
    }

    public Dense activation(Activation activation) {
        if (outputShape() != null) {
            throw new IllegalStateException("configure " + this + " before applying it");
        }
        this.activation = java.util.Objects.requireNonNull(activation, "activation");
        return this;
    }

    public int units() {
        return units;
    }

    public Activation activation() {
        return activation;
    }

    @Override
    public java.util.Map<String, Object> config() {
        return Layers.map("units", units, "activation", activation.toString());
    }

    @Override
    protected Shape build(List<Shape> inputs) {
        Shape shape = single(this, inputs);
        if (shape.rank() != 1) {
            throw shapeError("(features); add Flatten or GlobalAveragePooling2D before Dense", shape);
        }
        in = shape.dim(0);
        weight = addParameter("weight", units, in);
        bias = addParameter("bias", units);
        return Shape.of(units);
    }

    @Override
    protected void initialize(RandomGenerator rng, Initializer scheme) {
        Init.weightsAndBias(weight, bias, in, units, rng, scheme);
    }

    @Override
    protected Object newState(int maxBatch) {
        return activation == Activation.LINEAR ? null : new float[maxBatch * units];
    }

    @Override
    protected boolean worksPerSample(boolean training) {
        return true;
    }

    @Override
    protected void forward(LayerCall s) {
        int x = s.first() * in, y = s.first() * units;
        dev.isthmus.kernels.Linear.forward(s.batch(), in, units, s.input(), x, weight.value(), 0, bias.value(), 0, s.output(), y);
        activation.forward(s.output(), y, s.batch() * units, units);
    }

    @Override
    protected void backward(LayerCall s) {
        int x = s.first() * in, y = s.first() * units;
        float[] dz = activation.backward(s.output(), s.outputGrad(), s.state(), y, s.batch() * units, units);
        dev.isthmus.kernels.Linear.backward(s.batch(), in, units, s.input(), x, weight.value(), 0, dz, y,
                s.inputGrad(), x, s.grad(weight), 0, s.grad(bias), 0);
    }

    @Override
    protected String describe() {
        return "units=" + units + (activation == Activation.LINEAR ? "" : ", activation=" + activation);
    }
}
