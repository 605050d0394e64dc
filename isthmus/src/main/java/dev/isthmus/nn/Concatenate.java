package dev.isthmus.nn;

import java.util.List;

/**
 * Joins inputs along the channel (first per-sample) axis, as PyTorch's {@code cat(dim=1)}
 * and Keras's {@code Concatenate(axis=1)} in channels-first layout; the other dimensions must match.
 */
public final class Concatenate extends Layer {

    private int[] sizes; // per input, floats per sample
    private int total;

    @Override
    protected Shape build(List<Shape> inputs) {
        if (inputs.size() < 2) {
            throw new IllegalArgumentException("Concatenate needs at least two inputs, got " + inputs.size());
        }
        int[] first = inputs.get(0).dims();
        int channels = 0;
        sizes = new int[inputs.size()];
        for (int k = 0; k < inputs.size(); k++) {
            int[] d = inputs.get(k).dims();
            boolean same = d.length == first.length;
            for (int i = 1; same && i < d.length; i++) {
                same = d[i] == first[i];
            }
            if (!same) {
                throw new IllegalArgumentException("Concatenate needs inputs that differ only in their first (channel)"
                        + " dimension, got " + inputs);
            }
            channels += d[0];
            sizes[k] = inputs.get(k).size();
            total += sizes[k];
        }
        first[0] = channels;
        return Shape.of(first);
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
        for (int n = 0; n < s.batch(); n++) {
            int at = (s.outputFirst() + n) * total;
            for (int k = 0; k < sizes.length; k++) {
                System.arraycopy(s.input(k), (s.inputFirst() + n) * sizes[k], s.output(), at, sizes[k]);
                at += sizes[k];
            }
        }
    }

    @Override
    protected void backward(LayerCall s) {
        for (int n = s.first(); n < s.first() + s.batch(); n++) {
            int at = n * total;
            for (int k = 0; k < sizes.length; k++) {
                if (s.inputGrad(k) != null) {
                    System.arraycopy(s.outputGrad(), at, s.inputGrad(k), n * sizes[k], sizes[k]);
                }
                at += sizes[k];
            }
        }
    }
}
