package dev.isthmus.nn;

import dev.isthmus.kernels.Linear;
import dev.isthmus.kernels.SlicedLinear;
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

    /**
     * True when the weight is too large to read once per slice (more than L2 holds): the layer then
     * runs on {@link SlicedLinear}'s kernels, and the slices wait for each other at it (in every
     * mode) so that the whole batch reads the weight once each way and writes one gradient (see
     * {@link #reduction}). A function of the shape alone.
     */
    boolean wide() {
        return (long) in * units >= WIDE_WEIGHTS;
    }

    /** Weights from which a Dense is {@linkplain #wide wide}: 1 MB of floats, 2^18. */
    static final long WIDE_WEIGHTS = 1L << 18;

    @Override
    protected Object newState(int maxBatch) {
        float[] scratch = activation == Activation.LINEAR ? null : new float[maxBatch * units];
        return wide() ? new WideState(scratch) : scratch;
    }

    /** A wide layer's state: the activation's scratch, and what the slices leave for the batch-wide step. */
    private static final class WideState {
        final float[] scratch;
        final int[] starts = new int[Execution.MAX_SLICES + 1];
        float[] x, y, dz, dx;

        WideState(float[] scratch) {
            this.scratch = scratch;
        }
    }

    private float[] scratch(LayerCall s) {
        return s.state() instanceof WideState w ? w.scratch : s.state();
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
        int x = s.inputFirst() * in, y = s.outputFirst() * units;
        if (wide()) {
            SlicedLinear.forward(s.batch(), in, units, s.input(), x, weight.value(), 0, bias.value(), 0, s.output(), y);
        } else {
            Linear.forward(s.batch(), in, units, s.input(), x, weight.value(), 0, bias.value(), 0, s.output(), y);
        }
        activation.forward(s.output(), y, s.batch() * units, units);
    }

    @Override
    protected void backward(LayerCall s) {
        int x = s.first() * in, y = s.first() * units;
        float[] dz = activation.backward(s.output(), s.outputGrad(), scratch(s), y, s.batch() * units, units);
        if (!wide()) {
            Linear.backward(s.batch(), in, units, s.input(), x, weight.value(), 0, dz, y,
                    s.inputGrad(), x, s.grad(weight), 0, s.grad(bias), 0);
            return;
        }
        if (s.inputGrad() != null) {
            SlicedLinear.inputGradient(s.batch(), in, units, dz, y, weight.value(), 0, s.inputGrad(), x);
        }
        SlicedLinear.parameterGradients(s.batch(), in, units, s.input(), x, dz, y, s.grad(weight), 0, s.grad(bias), 0);
    }

    /** A wide layer's steps (in every mode: they keep the per-slice bits): the slices' work done once for the whole batch. */
    @Override
    BatchReduction reduction() {
        return wide() ? wholeBatch : null;
    }

    /**
     * The slices stop at a wide layer; one thread runs the product for all their samples at once
     * (each kernel on every thread), and the slices go on. {@link SlicedLinear} makes each
     * sample's row, and the gradients' sum over the slices, the bits the layer gives slice by
     * slice, so a shard of the batch may still run it per slice.
     */
    private final BatchReduction wholeBatch = new BatchReduction() {
        @Override
        public void forwardPartial(LayerCall s, int slice) {
            WideState st = s.state();
            st.x = s.input();
            st.y = s.output();
            st.starts[slice] = s.first();
            st.starts[slice + 1] = s.first() + s.batch();
        }

        @Override
        public void forwardFinish(Object state, int slices) {
            WideState st = (WideState) state;
            SlicedLinear.forward(st.starts[slices], in, units, st.x, 0, weight.value(), 0, bias.value(), 0, st.y, 0);
        }

        @Override
        public void forwardApply(LayerCall s) {
            activation.forward(s.output(), s.first() * units, s.batch() * units, units);
        }

        @Override
        public void backwardPartial(LayerCall s, int slice) {
            WideState st = s.state();
            int y = s.first() * units;
            st.dz = activation.backward(s.output(), s.outputGrad(), st.scratch, y, s.batch() * units, units);
            st.x = s.input();
            st.dx = s.inputGrad();
            st.starts[slice] = s.first();
            st.starts[slice + 1] = s.first() + s.batch();
        }

        @Override
        public void backwardFinish(Object state, int slices, LayerCall[] calls) {
            WideState st = (WideState) state;
            int batch = st.starts[slices];
            if (st.dx != null) {
                SlicedLinear.inputGradient(batch, in, units, st.dz, 0, weight.value(), 0, st.dx, 0);
            }
            SlicedLinear.parameterGradients(st.starts, slices, in, units, st.x, 0, st.dz, 0, weight.grad(), 0,
                    bias.grad(), 0);
        }

        @Override
        public void backwardApply(LayerCall s) {}

        @Override
        public boolean sameBitsPerSlice() {
            return true;
        }

        @Override
        public List<Parameter> summedParameters() {
            return List.of(weight, bias);
        }
    };

    @Override
    protected String describe() {
        return "units=" + units + (activation == Activation.LINEAR ? "" : ", activation=" + activation);
    }
}
