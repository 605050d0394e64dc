package dev.isthmus.kernels;

/**
 * Cross-entropy losses with mean reduction, as PyTorch defines them, each returning the loss and writing its
 * gradient with respect to the input. Sums run in double. NaN inputs give a NaN loss.
 */
public final class CrossEntropy {

    /** PyTorch's BCELoss clamps each log at -100, so a confident wrong answer costs 100, not infinity. */
    static final double LOG_FLOOR = -100;

    private CrossEntropy() {}

    /**
     * Binary cross-entropy on probabilities {@code p} (PyTorch's {@code BCELoss}):
     * {@code mean(-(y log p + (1 - y) log(1 - p)))}, each log clamped at -100. The gradient is
     * {@code (p - y) / (p (1 - p)) / n}, with the same clamps ({@code p(1-p)} at least 1e-12).
     *
     * @throws IllegalArgumentException if a target is outside [0, 1]
     */
    public static double binaryCrossEntropy(float[] p, int pOffset, float[] target, int tOffset, int n,
                                            float[] grad, int gOffset) {
        checkBinary(p, pOffset, target, tOffset, n, grad, gOffset);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double q = p[pOffset + i], y = target[tOffset + i];
            double logP = Math.max(Math.log(q), LOG_FLOOR), log1mP = Math.max(Math.log1p(-q), LOG_FLOOR);
            sum -= y * logP + (1 - y) * log1mP;
            // d/dq of -(y log q + (1-y) log(1-q)); PyTorch bounds the denominator by 1e-12.
            grad[gOffset + i] = (float) ((q - y) / Math.max(q * (1 - q), 1e-12) / n);
        }
        return sum / n;
    }

    /**
     * Binary cross-entropy on logits {@code z} (PyTorch's {@code BCEWithLogitsLoss}), stable for
     * any logit: {@code max(z, 0) - z y + log(1 + exp(-|z|))}; gradient {@code (sigmoid(z) - y) / n}.
     */
    public static double binaryCrossEntropyWithLogits(float[] z, int zOffset, float[] target, int tOffset, int n,
                                                      float[] grad, int gOffset) {
        checkBinary(z, zOffset, target, tOffset, n, grad, gOffset);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double x = z[zOffset + i], y = target[tOffset + i];
            sum += Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
            // sigmoid in double: rounding it to float first loses the small differences near 0 and 1.
            double e = Math.exp(-Math.abs(x)), sigmoid = x >= 0 ? 1 / (1 + e) : e / (1 + e);
            grad[gOffset + i] = (float) ((sigmoid - y) / n);
        }
        return sum / n;
    }

    /**
     * Softmax cross-entropy from logits ({@code rows x classes}) against integer labels (stored as
     * floats, as a dataset's targets are), PyTorch's {@code CrossEntropyLoss}: mean over rows of
     * {@code logsumexp(z) - z[label]}; gradient {@code (softmax(z) - onehot) / rows}.
     *
     * @throws IllegalArgumentException naming the row and the label if a label is not an integer
     *                                  in {@code [0, classes)}
     */
    public static double softmaxCrossEntropy(float[] z, int zOffset, float[] labels, int lOffset, int rows, int classes,
                                             float[] grad, int gOffset) {
        Checks.positive("rows", rows);
        Checks.positive("classes", classes);
        Checks.span("logits", z, zOffset, (long) rows * classes, "rows * classes");
        Checks.span("labels", labels, lOffset, rows, "rows");
        Checks.span("grad", grad, gOffset, (long) rows * classes, "rows * classes");
        for (int r = 0; r < rows; r++) {
            float label = labels[lOffset + r];
            if (!(label >= 0 && label < classes && label == Math.rint(label))) {
                throw new IllegalArgumentException("label of row " + r + " must be a class index in [0, " + classes
                        + "), got " + label);
            }
        }
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            int at = zOffset + r * classes, g = gOffset + r * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, z[at + c]);
            }
            double s = 0;
            for (int c = 0; c < classes; c++) {
                s += Math.exp(z[at + c] - max);
            }
            double logSum = max + Math.log(s);
            int label = (int) labels[lOffset + r];
            sum += logSum - z[at + label];
            for (int c = 0; c < classes; c++) {
                double softmax = Math.exp(z[at + c] - logSum);
                grad[g + c] = (float) ((softmax - (c == label ? 1 : 0)) / rows);
            }
        }
        return sum / rows;
    }

    private static void checkBinary(float[] x, int xOffset, float[] target, int tOffset, int n, float[] grad, int gOffset) {
        Checks.positive("n", n);
        Checks.span("input", x, xOffset, n, "n");
        Checks.span("target", target, tOffset, n, "n");
        Checks.span("grad", grad, gOffset, n, "n");
        for (int i = 0; i < n; i++) {
            float t = target[tOffset + i];
            if (!(t >= 0f && t <= 1f)) {
                throw new IllegalArgumentException("binary cross-entropy targets must be in [0, 1], got " + t
                        + " at index " + i);
            }
        }
    }
}
