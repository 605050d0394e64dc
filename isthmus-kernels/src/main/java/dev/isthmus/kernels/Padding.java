package dev.isthmus.kernels;

/**
 * How a sliding window (convolution or pooling) pads its input.
 *
 * <ul>
 *   <li>{@link #VALID}: no padding; windows stay inside the input.</li>
 *   <li>{@link #SAME}: Keras/TensorFlow's "same": the output is {@code ceil(in / stride)} long and
 *       the padding needed for that is split with the odd one at the bottom/right. At stride 1
 *       this is also PyTorch's {@code padding='same'}.</li>
 *   <li>{@link #explicit}: given top, left, bottom and right amounts, as PyTorch's
 *       {@code padding=(ph, pw)} (which is {@code explicit(ph, pw, ph, pw)}).</li>
 * </ul>
 */
public sealed interface Padding {

    Padding VALID = new Explicit(0, 0, 0, 0);
    Padding SAME = new Same();

    static Padding explicit(int top, int left, int bottom, int right) {
        return new Explicit(top, left, bottom, right);
    }

    /** PyTorch's symmetric {@code padding=(ph, pw)}. */
    static Padding symmetric(int padHeight, int padWidth) {
        return new Explicit(padHeight, padWidth, padHeight, padWidth);
    }

    /** Keras's "same" (see {@link Padding}). */
    record Same() implements Padding {
        @Override
        public String toString() {
            return "same";
        }
    }

    /** Fixed amounts on each side. */
    record Explicit(int top, int left, int bottom, int right) implements Padding {
        public Explicit {
            if (top < 0 || left < 0 || bottom < 0 || right < 0) {
                throw new IllegalArgumentException("padding must be >= 0 on every side, got top=" + top
                        + ", left=" + left + ", bottom=" + bottom + ", right=" + right);
            }
        }

        @Override
        public String toString() {
            return top == 0 && left == 0 && bottom == 0 && right == 0 ? "valid"
                    : "(" + top + ", " + left + ", " + bottom + ", " + right + ")";
        }
    }
}
