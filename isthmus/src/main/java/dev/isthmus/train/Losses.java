package dev.isthmus.train;

/**
 * The losses {@link Trainer} knows, by Keras name. Each checks that targets fit (binary targets in
 * [0, 1], class indices in range) and names the offending value.
 */
public final class Losses {

    private Losses() {}

    /** On probabilities (a sigmoid output), as PyTorch's {@code BCELoss}: logs clamped at -100. */
    public static Loss binaryCrossEntropy() {
        return new Binary("binary_crossentropy", false);
    }

    /** On logits (no sigmoid in the model), stable for any logit: {@code BCEWithLogitsLoss}. */
    public static Loss binaryCrossEntropyFromLogits() {
        return new Binary("binary_crossentropy_from_logits", true);
    }

    /** Class-index targets against softmax probabilities: {@code -log(max(p[label], 1e-7))}, as Keras. */
    public static Loss sparseCategoricalCrossEntropy() {
        return new SparseCategorical(false);
    }

    /** Class-index targets against logits: PyTorch's {@code CrossEntropyLoss}. */
    public static Loss sparseCategoricalCrossEntropyFromLogits() {
        return new SparseCategorical(true);
    }

    /** By name: binary_crossentropy, binary_crossentropy_from_logits, sparse_categorical_crossentropy(_from_logits). */
    public static Loss named(String name) {
        return switch (name) {
            case "binary_crossentropy" -> binaryCrossEntropy();
            case "binary_crossentropy_from_logits" -> binaryCrossEntropyFromLogits();
            case "sparse_categorical_crossentropy" -> sparseCategoricalCrossEntropy();
            case "sparse_categorical_crossentropy_from_logits" -> sparseCategoricalCrossEntropyFromLogits();
            default -> throw new IllegalArgumentException("unknown loss '" + name + "'; known: binary_crossentropy,"
                    + " binary_crossentropy_from_logits, sparse_categorical_crossentropy,"
                    + " sparse_categorical_crossentropy_from_logits");
        };
    }

    private record Binary(String name, boolean fromLogits) implements Loss {
        @Override
        public Task task() {
            return Task.BINARY;
        }

        @Override
        public double compute(float[] output, float[] target, int batch, int outputSize, float[] grad) {
            int n = batch * outputSize;
            return fromLogits
                    ? dev.isthmus.kernels.CrossEntropy.binaryCrossEntropyWithLogits(output, 0, target, 0, n, grad, 0)
                    : dev.isthmus.kernels.CrossEntropy.binaryCrossEntropy(output, 0, target, 0, n, grad, 0);
        }

        @Override
        public boolean onProbabilities() {
            return !fromLogits;
        }
    }

    private record SparseCategorical(boolean fromLogits) implements Loss {
        static final double EPSILON = 1e-7;

        @Override
        public Task task() {
            return Task.CATEGORICAL;
        }

        @Override
        public String name() {
            return fromLogits ? "sparse_categorical_crossentropy_from_logits" : "sparse_categorical_crossentropy";
        }

        @Override
        public double compute(float[] output, float[] target, int batch, int classes, float[] grad) {
            if (fromLogits) {
                return dev.isthmus.kernels.CrossEntropy.softmaxCrossEntropy(output, 0, target, 0, batch, classes, grad, 0);
            }
            double sum = 0;
            java.util.Arrays.fill(grad, 0, batch * classes, 0f);
            for (int r = 0; r < batch; r++) {
                float label = target[r];
                if (!(label >= 0 && label < classes && label == Math.rint(label))) {
                    throw new IllegalArgumentException("label of sample " + r + " must be a class index in [0, " + classes
                            + "), got " + label);
                }
                double p = output[r * classes + (int) label];
                if (p >= EPSILON || Double.isNaN(p)) {
                    sum -= Math.log(p);
                    grad[r * classes + (int) label] = (float) (-1 / p / batch);
                } else {
                    sum -= Math.log(EPSILON); // clipped: no gradient, as Keras
                }
            }
            return sum / batch;
        }

        @Override
        public boolean onProbabilities() {
            return !fromLogits;
        }
    }
}
