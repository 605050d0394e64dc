package dev.isthmus.kernels;

/** Plain double-precision activations and losses, written from the math (PyTorch's definitions). */
final class ReferenceElementwise {

    private ReferenceElementwise() {}

    static double[] relu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] > 0 ? x[i] : 0;
        }
        return y;
    }

    static double[] leakyRelu(double[] x, double alpha) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] > 0 ? x[i] : alpha * x[i];
        }
        return y;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    static double[] sigmoid(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = sigmoid(x[i]);
        }
        return y;
    }

    static double[] tanh(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.tanh(x[i]);
        }
        return y;
    }

    /** Row-wise softmax: exp(x - max) / sum. */
    static double[] softmax(double[] x, int rows, int cols) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x[r * cols + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(x[r * cols + j] - max);
            }
            for (int j = 0; j < cols; j++) {
                y[r * cols + j] = Math.exp(x[r * cols + j] - max) / sum;
            }
        }
        return y;
    }

    /** mean(-(t log p + (1 - t) log(1 - p))), each log clamped at -100 as PyTorch's BCELoss. */
    static double bce(double[] p, double[] t) {
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            sum += -(t[i] * Math.max(Math.log(p[i]), -100) + (1 - t[i]) * Math.max(Math.log(1 - p[i]), -100));
        }
        return sum / p.length;
    }

    /** BCE of sigmoid(z), written directly (no clamp): for moderate logits only. */
    static double bceWithLogits(double[] z, double[] t) {
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            double s = sigmoid(z[i]);
            sum += -(t[i] * Math.log(s) + (1 - t[i]) * Math.log(1 - s));
        }
        return sum / z.length;
    }

    /** mean over rows of -log softmax(z)[label]. */
    static double softmaxCrossEntropy(double[] z, double[] labels, int rows, int classes) {
        double[] s = softmax(z, rows, classes);
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            sum -= Math.log(s[r * classes + (int) labels[r]]);
        }
        return sum / rows;
    }
}
