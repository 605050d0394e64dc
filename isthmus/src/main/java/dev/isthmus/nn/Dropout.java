package dev.isthmus.nn;

import java.util.List;

/**
 * Inverted dropout, as Keras's and PyTorch's {@code Dropout}: in training each value is zeroed
 * with probability {@code rate} and the rest scaled by {@code 1 / (1 - rate)}; in evaluation, the
 * identity. Masks come from the execution's seed for the pass and each value's index.
 */
public final class Dropout extends Layer {

    private final float rate;
    private int size;

    public Dropout(float rate) {
        dev.isthmus.kernels.InvertedDropout.checkRate(rate);
        this.rate = rate;
    }

    public float rate() {
        return rate;
    }

    @Override
    public java.util.Map<String, Object> config() {
        return Layers.map("rate", (double) rate);
    }

    @Override
    protected Shape build(List<Shape> inputs) {
        Shape in = single(this, inputs);
        size = in.size();
        return in;
    }

    /** The mask of the last forward pass. */
    @Override
    protected Object newState(int maxBatch) {
        return new float[maxBatch * size];
    }

    @Override
    protected boolean worksPerSample(boolean training) {
        return true;
    }

    @Override
    boolean honoursBufferOffsets() {
        return true;
    }

    /** Masks from {@link LayerCall#seed()} and each value's index in the batch: the same for any split of the batch. */
    @Override
    protected void forward(LayerCall s) {
        int at = s.first() * size;
        dev.isthmus.kernels.InvertedDropout.forward(s.input(), s.inputFirst() * size, s.output(), s.outputFirst() * size,
                s.state(), at, s.batch() * size, rate, s.seed(), at, s.training());
    }

    @Override
    protected void backward(LayerCall s) {
        if (s.inputGrad() != null) {
            int at = s.first() * size;
            dev.isthmus.kernels.InvertedDropout.backward(s.outputGrad(), at, s.state(), at, s.inputGrad(), at, s.batch() * size);
        }
    }

    @Override
    protected String describe() {
        return "rate=" + rate;
    }
}
