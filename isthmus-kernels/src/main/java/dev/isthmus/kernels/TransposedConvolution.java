package dev.isthmus.kernels;

import java.util.Objects;

/**
 * 2-D transposed convolution ("deconvolution"), as PyTorch's {@code ConvTranspose2d} and Keras's
 * {@code Conv2DTranspose}: each input value scatters the kernel, scaled by it, onto the output.
 * Weights are laid out {@code [Cin][Cout][kh][kw]}, PyTorch's layout.
 *
 * <p>It is the data gradient of the {@link Convolution} that maps this one's output back onto its
 * input ({@link #convolution()}), so it runs on that convolution's algorithms: the forward pass is
 * the convolution's data gradient, the data gradient is the convolution's forward pass, and the
 * weight gradient is the convolution's, with the roles of input and output gradient swapped.
 * Threads and determinism are the convolution's.
 */
public final class TransposedConvolution {

    private final Convolution conv;

    /**
     * @param conv the convolution this one transposes: its input is this one's output and its
     *             output this one's input ({@code conv.inChannels()} = this one's output channels)
     */
    public TransposedConvolution(Convolution conv) {
        this.conv = Objects.requireNonNull(conv, "conv");
    }

    /**
     * A square kernel of side {@code kernel} at stride {@code stride} with {@code padding} cells cut
     * from each side of the output, as PyTorch's {@code ConvTranspose2d(padding=..., output_padding=...)}:
     * output side {@code (in - 1) * stride - 2 * padding + kernel + outputPadding}.
     *
     * @throws IllegalArgumentException if a size is not positive, {@code padding} is negative, or
     *                                  {@code outputPadding} is not in {@code [0, stride)}
     */
    public static TransposedConvolution of(int inChannels, int inHeight, int inWidth, int outChannels, int kernel,
                                           int stride, int padding, int outputPadding) {
        Checks.positive("inHeight", inHeight);
        Checks.positive("inWidth", inWidth);
        Checks.positive("kernel", kernel);
        Checks.positive("stride", stride);
        Checks.nonNegative("padding", padding);
        if (outputPadding < 0 || outputPadding >= stride) {
            throw new IllegalArgumentException("outputPadding must be in [0, stride = " + stride + "), got "
                    + outputPadding);
        }
        int outH = (inHeight - 1) * stride - 2 * padding + kernel + outputPadding;
        int outW = (inWidth - 1) * stride - 2 * padding + kernel + outputPadding;
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("a " + kernel + "x" + kernel + " transposed convolution at stride " + stride
                    + " with padding " + padding + " makes nothing of a " + inHeight + "x" + inWidth + " input (output "
                    + outH + "x" + outW + ")");
        }
        Window2d w = Window2d.of(outH, outW, kernel, kernel, stride, stride, 1, 1,
                Padding.explicit(padding, padding, padding, padding));
        return new TransposedConvolution(new Convolution(outChannels, inChannels, w));
    }

    /**
     * Keras's padding: {@code "same"} (output side {@code in * stride}) or {@code "valid"}
     * (output side {@code (in - 1) * stride + max(kernel, stride)}).
     */
    public static TransposedConvolution of(int inChannels, int inHeight, int inWidth, int outChannels, int kernel,
                                           int stride, Padding padding) {
        Objects.requireNonNull(padding, "padding");
        Checks.positive("inHeight", inHeight);
        Checks.positive("inWidth", inWidth);
        Checks.positive("stride", stride);
        boolean same = padding instanceof Padding.Same;
        if (!same && !(padding instanceof Padding.Explicit e && e.top() == 0 && e.left() == 0 && e.bottom() == 0
                && e.right() == 0)) {
            throw new IllegalArgumentException("padding must be \"same\" or \"valid\" here, got " + padding
                    + "; use the factory with explicit padding and output padding");
        }
        int outH = same ? inHeight * stride : (inHeight - 1) * stride + Math.max(kernel, stride);
        int outW = same ? inWidth * stride : (inWidth - 1) * stride + Math.max(kernel, stride);
        Window2d w = Window2d.of(outH, outW, kernel, kernel, stride, stride, 1, 1, padding);
        if (w.outHeight() != inHeight || w.outWidth() != inWidth) {
            throw new IllegalStateException(w + " does not map back onto " + inHeight + "x" + inWidth);
        }
        return new TransposedConvolution(new Convolution(outChannels, inChannels, w));
    }

    /** The convolution this one transposes. */
    public Convolution convolution() {
        return conv;
    }

    public int inChannels() {
        return conv.outChannels();
    }

    public int outChannels() {
        return conv.inChannels();
    }

    public int outHeight() {
        return conv.window().inHeight();
    }

    public int outWidth() {
        return conv.window().inWidth();
    }

    /** Floats per input image. */
    public int inputSize() {
        return conv.outputSize();
    }

    /** Floats per output image. */
    public int outputSize() {
        return conv.inputSize();
    }

    public int weightSize() {
        return conv.weightSize();
    }

    /**
     * {@code y = convT(x, w) + bias} for {@code batch} images; {@code y} is overwritten.
     *
     * @param bias {@code Cout} values, or null for none
     */
    public void forward(int batch, float[] x, int xOffset, float[] w, int wOffset, float[] bias, int biasOffset,
                        float[] y, int yOffset) {
        if (bias != null) {
            Checks.span("bias", bias, biasOffset, outChannels(), "Cout");
        }
        conv.backwardData(batch, x, xOffset, w, wOffset, y, yOffset);
        if (bias != null) {
            int plane = outHeight() * outWidth();
            for (int n = 0; n < batch; n++) {
                for (int c = 0; c < outChannels(); c++) {
                    float b = bias[biasOffset + c];
                    int at = yOffset + (n * outChannels() + c) * plane;
                    for (int i = at; i < at + plane; i++) {
                        y[i] += b;
                    }
                }
            }
        }
    }

    /** {@code dx = d(loss)/dx} from {@code dy}: the convolution's forward pass; dx is overwritten. */
    public void backwardData(int batch, float[] dy, int dyOffset, float[] w, int wOffset, float[] dx, int dxOffset) {
        conv.forward(batch, dy, dyOffset, w, wOffset, null, 0, dx, dxOffset);
    }

    /**
     * {@code dw} and {@code dbias} summed over the batch, overwritten: the convolution's weight
     * gradient with {@code dy} as its input and {@code x} as its output gradient.
     *
     * @param dbias {@code Cout} values, or null to skip the bias gradient
     */
    public void backwardWeights(int batch, float[] x, int xOffset, float[] dy, int dyOffset, float[] dw, int dwOffset,
                                float[] dbias, int dbiasOffset) {
        conv.backwardWeights(batch, dy, dyOffset, x, xOffset, dw, dwOffset, null, 0);
        if (dbias != null) {
            Checks.span("dbias", dbias, dbiasOffset, outChannels(), "Cout");
            int plane = outHeight() * outWidth();
            for (int c = 0; c < outChannels(); c++) {
                double sum = 0;
                for (int n = 0; n < batch; n++) {
                    int at = dyOffset + (n * outChannels() + c) * plane;
                    float s = 0f;
                    for (int i = at; i < at + plane; i++) {
                        s += dy[i];
                    }
                    sum += s;
                }
                dbias[dbiasOffset + c] = (float) sum;
            }
        }
    }

    @Override
    public String toString() {
        return "TransposedConvolution(" + inChannels() + " -> " + outChannels() + ", output " + outHeight() + "x"
                + outWidth() + ", transposing " + conv + ")";
    }
}
