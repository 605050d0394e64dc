package dev.isthmus.train;

/**
 * A loss with mean reduction over the batch, and its gradient with respect to the network's
 * output. Implementations check that targets fit (e.g. 0/1 for binary) and say which do not.
 */
public interface Loss {

    /** Keras-style name, for histories and reports. */
    String name();

    /** What a loss's targets are, and so which metrics mean something. */
    enum Task {
        /** One 0/1 target per output (sigmoid outputs, or their logits): accuracy, and ROC AUC for one output. */
        BINARY,
        /** One class index per sample (softmax outputs, or logits): accuracy over the arg-max. */
        CATEGORICAL,
        /** Anything else (a regression): the loss alone. */
        OTHER
    }

    /** The task this loss trains for; {@link Task#OTHER} unless the loss says. */
    default Task task() {
        return Task.OTHER;
    }

    /** Target values per sample this loss expects for a model with {@code outputs} outputs. */
    default int targetSize(int outputs) {
        return task() == Task.CATEGORICAL ? 1 : outputs;
    }

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
