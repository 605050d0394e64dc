package dev.isthmus.kernels;

import dev.isthmus.kernels.conv.ConvAlgorithm;

/**
 * A {@link Convolution}'s weights copied and laid out once as its passes read them (Winograd's
 * transformed kernels, the direct kernels' packed ones, the data gradient's flipped ones), for
 * many calls that share them: the slices of a batch, or the batches of an inference run. A pass
 * given plain weights lays them out on every call; a network that cuts its batch into 16 slices
 * did that 16 times per layer and pass (5-6% of a ResNet inference pass, benchmarks/README.md).
 * It holds a copy of the weights and each layout: for Winograd F(4x2, 3x3) about 2.7 times the
 * weights each way.
 *
 * <p>A snapshot: the passes read this object's own copy, so changing the weights afterwards
 * changes nothing here until {@link #update} copies them again. Passes may read one instance
 * from many threads at once; {@link #update} and {@link #prepareDataGradient} write it, and must
 * not run while a pass reads it.
 *
 * <pre>{@code
 * PreparedWeights prepared = conv.newPreparedWeights();
 * prepared.update(w, 0);
 * for (int s = 0; s < slices; s++) {
 *     conv.forward(sliceBatch, x, s * sliceBatch * conv.inputSize(), prepared, bias, 0, y, s * sliceBatch * conv.outputSize());
 * }
 * }</pre>
 */
public final class PreparedWeights {

    private final Convolution conv;
    private final ConvAlgorithm algorithm;
    /** The copy every pass reads, as it lies or laid out below. */
    private final float[] weights;
    /** The forward pass's layout; null where the pass reads {@link #weights} as they lie. */
    private final float[] forward;
    /** The data gradient's, made by the first {@link #prepareDataGradient}; null until then, or where it reads them as they lie. */
    private float[] backward;
    private boolean ready, dataGradientReady;

    PreparedWeights(Convolution conv, ConvAlgorithm algorithm) {
        this.conv = conv;
        this.algorithm = algorithm;
        this.weights = new float[conv.weightSize()];
        int forwardSize = algorithm.preparedForwardSize();
        this.forward = forwardSize == 0 ? null : new float[forwardSize];
    }

    /**
     * Copies the weights at {@code w[wOffset]} ({@link Convolution#weightSize()} floats, laid out
     * as {@link Convolution}'s) and lays them out for the forward pass. The data gradient's layout
     * is dropped until {@link #prepareDataGradient} makes it again.
     *
     * @throws IllegalArgumentException if {@code w} is too short from {@code wOffset}
     */
    public void update(float[] w, int wOffset) {
        Checks.span("w", w, wOffset, conv.weightSize(), "Cout * Cin/groups * kh * kw");
        ready = false; // until both the copy and its layout are whole
        dataGradientReady = false;
        System.arraycopy(w, wOffset, weights, 0, weights.length);
        if (forward != null) {
            algorithm.prepareForward(weights, 0, forward);
        }
        ready = true;
    }

    /**
     * Lays out the copy {@link #update} took for the data gradient too ({@link Convolution#backwardData},
     * {@link FusedConvolution#backward} with {@code dx}); nothing when it is laid out already.
     *
     * @throws IllegalStateException if {@link #update} never ran
     */
    public void prepareDataGradient() {
        requireReady();
        if (dataGradientReady) {
            return;
        }
        int size = algorithm.preparedBackwardSize();
        if (size > 0) {
            if (backward == null) {
                backward = new float[size];
            }
            algorithm.prepareBackward(weights, 0, backward);
        }
        dataGradientReady = true;
    }

    /** The convolution these weights are laid out for. */
    public Convolution convolution() {
        return conv;
    }

    /** The copy of the weights, for a pass of {@code of}, which checks that it may read them. */
    float[] weights(Convolution of, boolean forDataGradient) {
        if (of != conv) {
            throw new IllegalArgumentException("w is laid out for another Convolution instance (" + conv + "), not"
                    + " the one it was given to (" + of + "): each instance lays out its own");
        }
        requireReady();
        if (forDataGradient && !dataGradientReady) {
            throw new IllegalStateException("these weights are not laid out for the data gradient: call "
                    + "prepareDataGradient() after update(w, wOffset)");
        }
        return weights;
    }

    private void requireReady() {
        if (!ready) {
            throw new IllegalStateException("these weights hold nothing yet: call update(w, wOffset) first");
        }
    }

    /** The forward pass's layout, or null where it reads the copy as it lies. */
    float[] forward() {
        return forward;
    }

    /** The data gradient's layout, or null where it reads the copy as it lies (or it is not laid out). */
    float[] backward() {
        return dataGradientReady ? backward : null;
    }
}
