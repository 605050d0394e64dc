package dev.isthmus.train;

/**
 * A loss with mean reduction over the batch, and its gradient with respect to the network's
 * output. Implementations check that targets fit (e.g. 0/1 for binary) and say which do not.
 */
public interface Loss {

    /** Keras-style name, for histories and reports. */
    String name();

    /** Output values per sample this loss expects (0: any). */
    default int outputSize() {
        return 0;
    }

    /**
     * The mean loss over {@code batch} samples, and d(loss)/d(output) into {@code grad}.
     *
     * @param output {@code batch * outputSize} values from the network
     * @param target {@code batch * targetSize} values
     */
    double compute(float[] output, float[] target, int batch, int outputSize, float[] grad);

    /** Whether predictions are probabilities (sigmoid already applied) rather than logits. */
    default boolean onProbabilities() {
        return true;
    }
}
