package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.Window2d;

/**
 * A convolution's shape: channels in and out and the window over the image. Sizes are per image,
 * in floats; weights are {@code [outChannels][inChannels][kh][kw]}, as PyTorch lays them out.
 */
public record ConvShape(int inChannels, int outChannels, Window2d window) {

    public ConvShape {
        if (inChannels < 1 || outChannels < 1) {
            throw new IllegalArgumentException("channel counts must be >= 1, got inChannels=" + inChannels
                    + ", outChannels=" + outChannels);
        }
        Math.multiplyExact(Math.multiplyExact(inChannels, window.kernelSize()), outChannels);
        Math.multiplyExact(inChannels, window.inSize());
        Math.multiplyExact(outChannels, window.outSize());
    }

    /** Rows of the im2col matrix: {@code Cin * kh * kw}. */
    public int patch() {
        return inChannels * window.kernelSize();
    }

    public int inputSize() {
        return inChannels * window.inSize();
    }

    public int outputSize() {
        return outChannels * window.outSize();
    }

    public int weightSize() {
        return outChannels * patch();
    }

    public int pooledHeight() {
        return window.outHeight() / 2;
    }

    public int pooledWidth() {
        return window.outWidth() / 2;
    }

    /** Floats per image after a 2x2 max-pooling of the output. */
    public int pooledSize() {
        return outChannels * pooledHeight() * pooledWidth();
    }

    /** Floats per image of the output a pass writes: pooled or not. */
    int outputSize(boolean pool) {
        return pool ? pooledSize() : outputSize();
    }

    /** True for a 1x1 kernel at stride 1 with no padding: the image is its own column matrix. */
    boolean pointwise() {
        Window2d w = window;
        return w.kernelSize() == 1 && w.strideY() == 1 && w.strideX() == 1 && w.padTop() == 0 && w.padLeft() == 0
                && w.padBottom() == 0 && w.padRight() == 0;
    }
}
