package dev.isthmus.nn;

import dev.isthmus.kernels.Convolution;
import dev.isthmus.kernels.PreparedWeights;

/**
 * A convolution layer's weights laid out once per pass ({@link PreparedWeights}) in an execution's
 * state, so the pass's slices share one layout instead of making their own: the forward pass's
 * from the layer's {@code beforePass}, the data gradient's (of the same copy) from its
 * {@code beforeBackward}, each on the calling thread before any slice runs.
 */
final class PassWeights {

    private final Convolution conv;
    private PreparedWeights prepared;

    PassWeights(Convolution conv) {
        this.conv = conv;
    }

    /** Copies {@code w} (from offset 0) and lays it out for the forward pass about to run. */
    void update(float[] w) {
        if (prepared == null) {
            prepared = conv.newPreparedWeights();
        }
        prepared.update(w, 0);
    }

    /** Lays the last {@link #update}'s copy out for the backward pass about to run. */
    void prepareDataGradient() {
        prepared().prepareDataGradient();
    }

    /** The weights as the last {@link #update} laid them out. */
    PreparedWeights prepared() {
        if (prepared == null) {
            throw new IllegalStateException("a pass of " + conv + " ran before its weights were laid out");
        }
        return prepared;
    }
}
