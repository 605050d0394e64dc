package dev.isthmus.nn;

/**
 * An element-wise (softmax: row-wise) activation applied in place to a layer's output, with a
 * backward pass computed from that output alone, so layers keep no pre-activation copy.
 * {@link #RELU}, {@link #SIGMOID}, {@link #TANH}, {@link #SOFTMAX}, {@link #leakyRelu}, and
 * {@link #LINEAR} (none).
 */
public abstract class Activation {

    public static final Activation LINEAR = new Activation("linear") {
        @Override
        void forward(float[] x, int xOffset, float[] y, int offset, int n, int row) {
            if (x != y || xOffset != offset) {
                System.arraycopy(x, xOffset, y, offset, n);
            }
        }

        @Override
        float[] backward(float[] y, float[] dy, float[] dz, int offset, int n, int row) {
            return dy;
        }
    };

    public static final Activation RELU = new Activation("relu") {
        @Override
        void forward(float[] x, int xOffset, float[] y, int offset, int n, int row) {
            dev.isthmus.kernels.Activations.relu(x, xOffset, y, offset, n);
        }

        @Override
        float[] backward(float[] y, float[] dy, float[] dz, int offset, int n, int row) {
            dev.isthmus.kernels.Activations.reluBackward(y, offset, dy, offset, dz, offset, n);
            return dz;
        }
    };

    public static final Activation SIGMOID = new Activation("sigmoid") {
        @Override
        void forward(float[] x, int xOffset, float[] y, int offset, int n, int row) {
            dev.isthmus.kernels.Activations.sigmoid(x, xOffset, y, offset, n);
        }

        @Override
        float[] backward(float[] y, float[] dy, float[] dz, int offset, int n, int row) {
            dev.isthmus.kernels.Activations.sigmoidBackward(y, offset, dy, offset, dz, offset, n);
            return dz;
        }
    };

    public static final Activation TANH = new Activation("tanh") {
        @Override
        void forward(float[] x, int xOffset, float[] y, int offset, int n, int row) {
            dev.isthmus.kernels.Activations.tanh(x, xOffset, y, offset, n);
        }

        @Override
        float[] backward(float[] y, float[] dy, float[] dz, int offset, int n, int row) {
            dev.isthmus.kernels.Activations.tanhBackward(y, offset, dy, offset, dz, offset, n);
            return dz;
        }
    };

    public static final Activation SOFTMAX = new Activation("softmax") {
        @Override
        void forward(float[] x, int xOffset, float[] y, int offset, int n, int row) {
            dev.isthmus.kernels.Activations.softmax(x, xOffset, y, offset, n / row, row);
        }

        @Override
        float[] backward(float[] y, float[] dy, float[] dz, int offset, int n, int row) {
            dev.isthmus.kernels.Activations.softmaxBackward(y, offset, dy, offset, dz, offset, n / row, row);
            return dz;
        }
    };

    /** {@code x > 0 ? x : alpha * x}; Keras's default alpha is 0.3, PyTorch's 0.01. */
    public static Activation leakyRelu(float alpha) {
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("leaky_relu alpha must be > 0 (the backward pass reads the sign of the"
                    + " output), got " + alpha);
        }
        return new Activation("leaky_relu(" + alpha + ")") {
            @Override
            void forward(float[] x, int xOffset, float[] y, int offset, int n, int row) {
                dev.isthmus.kernels.Activations.leakyRelu(x, xOffset, y, offset, n, alpha);
            }

            @Override
            float[] backward(float[] y, float[] dy, float[] dz, int offset, int n, int row) {
                dev.isthmus.kernels.Activations.leakyReluBackward(y, offset, dy, offset, dz, offset, n, alpha);
                return dz;
            }
        };
    }

    /** By Keras name: linear, relu, leaky_relu, sigmoid, tanh, softmax. */
    public static Activation named(String name) {
        return switch (name) {
            case "linear" -> LINEAR;
            case "relu" -> RELU;
            case "leaky_relu" -> leakyRelu(0.01f);
            case "sigmoid" -> SIGMOID;
            case "tanh" -> TANH;
            case "softmax" -> SOFTMAX;
            default -> {
                if (name.startsWith("leaky_relu(") && name.endsWith(")")) {
                    yield leakyRelu(Float.parseFloat(name.substring(11, name.length() - 1)));
                }
                throw new IllegalArgumentException("unknown activation '" + name
                        + "'; known: linear, relu, leaky_relu, sigmoid, tanh, softmax");
            }
        };
    }

    private final String name;

    private Activation(String name) {
        this.name = name;
    }

    /**
     * From {@code x} at {@code xOffset} into {@code y} at {@code offset} in one pass ({@code x}
     * may be {@code y}, at the same offset), {@code n} values ({@code n / row} rows for softmax).
     */
    abstract void forward(float[] x, int xOffset, float[] y, int offset, int n, int row);

    /** {@link #forward(float[], int, float[], int, int, int)} in place. */
    final void forward(float[] y, int offset, int n, int row) {
        forward(y, offset, y, offset, n, row);
    }

    /**
     * d(loss)/d(pre-activation) into {@code dz} (or {@code dy} itself for linear), from the output
     * {@code y}; all three at {@code offset}.
     */
    abstract float[] backward(float[] y, float[] dy, float[] dz, int offset, int n, int row);

    @Override
    public String toString() {
        return name;
    }
}
