package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.MapLayout;
import dev.isthmus.kernels.runtime.Workspace;
import dev.isthmus.kernels.runtime.Workspace.Slot;

/**
 * One way of computing a convolution, per image: the forward pass with its epilogue (bias, ReLU,
 * 2x2 max-pooling), and the backward pass's three parts (the gradient at the convolution's
 * output through the epilogue, the weight gradient, the data gradient). {@link ConvPasses} runs
 * the loops over images, threads and gradient groups around these steps; {@link ConvAlgorithms}
 * chooses the algorithm for a shape, once.
 *
 * <p>Every method reads its arrays from a bound {@link ConvTensors}. A pass calls
 * {@code prepare...} once on the calling thread, then the per-image steps from any threads.
 */
public sealed interface ConvAlgorithm permits DirectConvolution, ForwardAndGradients, Im2colConvolution,
        PointwiseConvolution, StridedPointwiseConvolution, GroupedConvolution, WinogradDataGradient, DepthwiseConvolution, LaneDepthwiseConvolution {

    /** A short name for benchmarks and tests: {@code direct}, {@code im2col}, ... */
    String name();

    ConvShape shape();

    /**
     * Before a forward pass's images: the weights as this algorithm reads them (into
     * {@link ConvTensors#prepared}). {@link ConvPasses} skips it where the binding brings them
     * laid out already ({@code dev.isthmus.kernels.PreparedWeights}), so it may do nothing else
     * that the images need. By default {@link #prepareForward(float[], int, float[])} into this
     * thread's buffer, or null where {@link #preparedForwardSize} is 0.
     */
    default void prepareForward(ConvTensors t) {
        int size = preparedForwardSize();
        float[] into = size == 0 ? null : Workspace.floats(Slot.PACKED_WEIGHTS, size);
        if (into != null) {
            prepareForward(t.w, t.wOffset, into);
        }
        t.prepared = into;
    }

    /** Floats of the weights as the forward pass reads them; 0 where it reads them as they lie (or lays them out per part). */
    default int preparedForwardSize() {
        return 0;
    }

    /** The weights at {@code w[wOffset]} as the forward pass reads them, {@link #preparedForwardSize} floats into {@code into}. */
    default void prepareForward(float[] w, int wOffset, float[] into) {
        throw new UnsupportedOperationException(name() + " reads its weights as they lie");
    }

    /** Image {@code n}: {@code y = pool(relu(conv(x, w) + bias))} on the calling thread. */
    void forwardImage(ConvTensors t, int n);

    /** A batch of one on every thread; by default on the calling thread alone. */
    default void forwardOneImage(ConvTensors t) {
        forwardImage(t, 0);
    }

    /**
     * The padded layout in which a forward pass without winners ({@link ConvTensors#inputLayout})
     * reads its input as it lies, where this algorithm stages each image into one (rectified when
     * {@code relu}, pooled when {@code pool}); else null, and it reads the dense layout alone.
     */
    default MapLayout stagedInput(boolean relu, boolean pool) {
        return null;
    }

    /**
     * Whether a forward pass without winners can write its output in {@code layout}
     * ({@link ConvTensors#outputLayout}), a layout of its output's dimensions (the caller checks
     * those): by default the dense one alone.
     */
    default boolean writesLayout(MapLayout layout, boolean relu, boolean pool) {
        return layout.isDense();
    }

    /**
     * Before a backward pass's images: the weights the data gradient reads, when {@code dx} is
     * wanted; skipped, as {@link #prepareForward(ConvTensors)}, where the binding brings them. By
     * default {@link #prepareBackward(float[], int, float[])} into this thread's buffer, or null.
     */
    default void prepareBackward(ConvTensors t) {
        int size = t.dx == null ? 0 : preparedBackwardSize();
        float[] into = size == 0 ? null : Workspace.floats(Slot.PACKED_FLIPPED_WEIGHTS, size);
        if (into != null) {
            prepareBackward(t.w, t.wOffset, into);
        }
        t.prepared = into;
    }

    /** Floats of the weights as the data gradient reads them; 0 where it reads them as they lie (or lays them out per part). */
    default int preparedBackwardSize() {
        return 0;
    }

    /** The weights at {@code w[wOffset]} as the data gradient reads them, {@link #preparedBackwardSize} floats into {@code into}. */
    default void prepareBackward(float[] w, int wOffset, float[] into) {
        throw new UnsupportedOperationException(name() + "'s data gradient reads its weights as they lie");
    }

    /** On a gradient group's thread, before its images: clears whatever per-group sums the algorithm keeps. */
    default void beginWeightGradient() {}

    /**
     * Image {@code n}: the gradient at the convolution's output, its channel sums added to
     * {@code biasSums} (when not null); the weight gradient into {@code dw} at {@code dwAt} (when
     * not null: added when {@code accumulate}, or into the group's own sums until
     * {@link #endWeightGradient}); and the data gradient into {@link ConvTensors#dx} (when bound).
     */
    void backwardImage(ConvTensors t, int n, float[] dw, int dwAt, boolean accumulate, double[] biasSums);

    /** On a gradient group's thread, after its images: the group's weight gradient into {@code dw} at {@code dwAt}. */
    default void endWeightGradient(float[] dw, int dwAt) {}
}
