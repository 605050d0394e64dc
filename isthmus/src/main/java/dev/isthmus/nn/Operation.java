package dev.isthmus.nn;

import dev.isthmus.kernels.MapLayout;

/**
 * What one step of an {@link ExecutionPlan} runs: a layer, or several layers fused into one pass
 * by a {@link FusionRule}. It reads the inputs of the first node it covers, then those its later
 * nodes read from outside it (a residual's shortcut), and writes the output of the last; the
 * nodes between are never stored.
 */
interface Operation {

    /** The layer's name, or the fused layers' names joined by {@code +}. */
    String name();

    /** The layer's type, or the fused layers' types joined by {@code +}. */
    String type();

    /** State one execution keeps between forward and backward (see {@link Layer#newState}). */
    Object newState(int maxBatch);

    /**
     * {@link #newState} for a plan that may be followed by a backward pass, or ({@code gradients}
     * false: inference) one that never is, whose state need keep nothing for one.
     */
    default Object newState(int maxBatch, boolean gradients) {
        return newState(maxBatch);
    }

    /** See {@link Layer#worksPerSample}. */
    boolean worksPerSample(boolean training);

    /** See {@link Layer#honoursBufferOffsets}. */
    default boolean honoursBufferOffsets() {
        return false;
    }

    /**
     * The padded layout in which this operation's inference forward reads its one input as it
     * lies, sparing the copy into it ({@link dev.isthmus.kernels.FusedConvolution#stagedInput}),
     * or null: the dense layout only. An inference plan keeps the input in that layout where the
     * operation writing it {@linkplain #writesLayout can} and no one else reads it.
     */
    default MapLayout stagedInput() {
        return null;
    }

    /** Whether this operation's inference forward can write its output in {@code layout} ({@link LayerCall#outputLayout}). */
    default boolean writesLayout(MapLayout layout) {
        return false;
    }

    /** Once per pass, on the calling thread before any slice runs: work every slice shares (folded weights). */
    default void beforePass(Object state, boolean training) {}

    /**
     * Once per backward pass, on the calling thread before any slice runs: work its slices share
     * (weights laid out); {@code inputGradients}, whether the pass wants any of its input gradients.
     */
    default void beforeBackward(Object state, boolean inputGradients) {}

    /**
     * True when every input's gradient holds the same values (an {@link Add}'s): the plan lets
     * them share one array ({@link ExecutionPlan#gradientCarrier}), so backward writes it once.
     */
    default boolean sameInputGradients() {
        return false;
    }

    /**
     * True when backward can take its output's gradient as its readers' parts
     * ({@link LayerCall#outputGradParts}, where the output has several readers) and add them
     * itself, in their order, where it reads them: one trip to memory, not a sum stored first.
     */
    default boolean sumsOutputGradient() {
        return false;
    }

    /** The operation's batch-wide steps in training, or null when it works per sample. */
    default BatchReduction reduction() {
        return null;
    }

    void forward(LayerCall step);

    void backward(LayerCall step);

    /** A single layer as an operation. */
    static Operation of(Layer layer) {
        return new Operation() {
            @Override
            public String name() {
                return layer.name();
            }

            @Override
            public String type() {
                return layer.type();
            }

            @Override
            public Object newState(int maxBatch) {
                return layer.newState(maxBatch);
            }

            @Override
            public boolean worksPerSample(boolean training) {
                return layer.worksPerSample(training);
            }

            @Override
            public boolean honoursBufferOffsets() {
                return layer.honoursBufferOffsets();
            }

            @Override
            public void beforePass(Object state, boolean training) {
                layer.beforePass(state, training);
            }

            @Override
            public void beforeBackward(Object state, boolean inputGradients) {
                layer.beforeBackward(state, inputGradients);
            }

            @Override
            public boolean sameInputGradients() {
                return layer.sameInputGradients();
            }

            @Override
            public BatchReduction reduction() {
                return layer.reduction();
            }

            @Override
            public void forward(LayerCall step) {
                layer.forward(step);
            }

            @Override
            public void backward(LayerCall step) {
                layer.backward(step);
            }
        };
    }
}
