package dev.isthmus.kernels;

/**
 * Element-wise activations and their backward passes over flat float32 arrays. Each backward
 * works from the forward's output {@code y} (for ReLU and leaky ReLU its sign is the input's),
 * so layers keep no pre-activation copy. Forward may run in place ({@code x == y}, same offset);
 * so may backward ({@code dy == dx}).
 *
 * <p>NaN propagates: {@code relu(NaN)} is NaN, as in PyTorch. ReLU, leaky ReLU, sigmoid and tanh
 * (forward and backward) run on the selected implementation, Panama or scalar; softmax, row by row
 * with double sums, is plain Java. Single-threaded: memory-bound, and small next to the convolutions.
 */
public final class Activations {

    private Activations() {}

    public static void relu(float[] x, int xOffset, float[] y, int yOffset, int n) {
        check2("x", x, xOffset, "y", y, yOffset, n);
        KernelProvider.elementwise().relu(x, xOffset, y, yOffset, n);
    }

    /** {@code dx = y > 0 ? dy : 0}. */
    public static void reluBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n) {
        check3(y, yOffset, dy, dyOffset, dx, dxOffset, n);
        KernelProvider.elementwise().reluBackward(y, yOffset, dy, dyOffset, dx, dxOffset, n);
    }

    /** {@code x > 0 ? x : alpha * x}. */
    public static void leakyRelu(float[] x, int xOffset, float[] y, int yOffset, int n, float alpha) {
        check2("x", x, xOffset, "y", y, yOffset, n);
        KernelProvider.elementwise().leakyRelu(x, xOffset, y, yOffset, n, alpha);
    }

    /** From the output: for {@code alpha > 0}, {@code y > 0} exactly when {@code x > 0}. */
    public static void leakyReluBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset,
                                         int n, float alpha) {
        check3(y, yOffset, dy, dyOffset, dx, dxOffset, n);
        KernelProvider.elementwise().leakyReluBackward(y, yOffset, dy, dyOffset, dx, dxOffset, n, alpha);
    }

    /** {@code 1 / (1 + exp(-x))}, computed so that no intermediate overflows. */
    public static void sigmoid(float[] x, int xOffset, float[] y, int yOffset, int n) {
        check2("x", x, xOffset, "y", y, yOffset, n);
        KernelProvider.elementwise().sigmoid(x, xOffset, y, yOffset, n);
    }

    static float sigmoid(float x) {
        return dev.isthmus.kernels.elementwise.ScalarElementwise.sigmoid(x);
    }

    /** {@code dx = dy * y * (1 - y)}. */
    public static void sigmoidBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n) {
        check3(y, yOffset, dy, dyOffset, dx, dxOffset, n);
        KernelProvider.elementwise().sigmoidBackward(y, yOffset, dy, dyOffset, dx, dxOffset, n);
    }

    public static void tanh(float[] x, int xOffset, float[] y, int yOffset, int n) {
        check2("x", x, xOffset, "y", y, yOffset, n);
        KernelProvider.elementwise().tanh(x, xOffset, y, yOffset, n);
    }

    /** {@code dx = dy * (1 - y^2)}. */
    public static void tanhBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n) {
        check3(y, yOffset, dy, dyOffset, dx, dxOffset, n);
        KernelProvider.elementwise().tanhBackward(y, yOffset, dy, dyOffset, dx, dxOffset, n);
    }

    /** Row-wise softmax of a {@code rows x cols} matrix: exp of (x - row max), normalised. */
    public static void softmax(float[] x, int xOffset, float[] y, int yOffset, int rows, int cols) {
        Checks.nonNegative("rows", rows);
        Checks.positive("cols", cols);
        check2("x", x, xOffset, "y", y, yOffset, (long) rows * cols);
        for (int r = 0; r < rows; r++) {
            int in = xOffset + r * cols, out = yOffset + r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x[in + j]); // NaN wins, and then the row is NaN
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                double e = Math.exp(x[in + j] - max);
                y[out + j] = (float) e;
                sum += e;
            }
            float scale = (float) (1.0 / sum);
            for (int j = 0; j < cols; j++) {
                y[out + j] *= scale;
            }
        }
    }

    /** {@code dx = y * (dy - sum_j dy_j * y_j)} per row. */
    public static void softmaxBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset,
                                       int rows, int cols) {
        Checks.nonNegative("rows", rows);
        Checks.positive("cols", cols);
        check3(y, yOffset, dy, dyOffset, dx, dxOffset, (long) rows * cols);
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double dot = 0;
            for (int j = 0; j < cols; j++) {
                dot += (double) dy[dyOffset + o + j] * y[yOffset + o + j];
            }
            for (int j = 0; j < cols; j++) {
                dx[dxOffset + o + j] = (float) (y[yOffset + o + j] * (dy[dyOffset + o + j] - dot));
            }
        }
    }

    private static void check2(String a, float[] x, int xOffset, String b, float[] y, int yOffset, long n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        Checks.span(a, x, xOffset, n, "n");
        Checks.span(b, y, yOffset, n, "n");
    }

    private static void check3(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, long n) {
        check2("y", y, yOffset, "dy", dy, dyOffset, n);
        Checks.span("dx", dx, dxOffset, n, "n");
    }
}
