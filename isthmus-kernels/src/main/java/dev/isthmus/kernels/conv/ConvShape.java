package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.Window2d;

/**
 * A convolution's shape: channels in and out, the window over the image, and the groups the
 * channels are split into (1: every output channel sees every input channel; {@code inChannels}:
 * depthwise). Sizes are per image, in floats; weights are
 * {@code [outChannels][inChannels / groups][kh][kw]}, as PyTorch lays them out.
 */
public record ConvShape(int inChannels, int outChannels, Window2d window, int groups) {

    public ConvShape {
        if (inChannels < 1 || outChannels < 1) {
            throw new IllegalArgumentException("channel counts must be >= 1, got inChannels=" + inChannels
                    + ", outChannels=" + outChannels);
        }
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("groups must be >= 1 and divide both channel counts, got groups="
                    + groups + ", inChannels=" + inChannels + ", outChannels=" + outChannels);
        }
        Math.multiplyExact(Math.multiplyExact(inChannels, window.kernelSize()), outChannels);
        Math.multiplyExact(inChannels, window.inSize());
        Math.multiplyExact(outChannels, window.outSize());
    }

    /** One group: a convolution of its own, ungrouped. */
    public ConvShape(int inChannels, int outChannels, Window2d window) {
        this(inChannels, outChannels, window, 1);
    }

    /** Input channels each output channel sees, times the kernel: rows of a group's im2col matrix. */
    public int patch() {
        return inChannels / groups * window.kernelSize();
    }

    /** The shape of one group's convolution. */
    public ConvShape group() {
        return new ConvShape(inChannels / groups, outChannels / groups, window, 1);
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
        if (groups != 1) {
            return false;
        }
        Window2d w = window;
        return w.kernelSize() == 1 && w.strideY() == 1 && w.strideX() == 1 && w.padTop() == 0 && w.padLeft() == 0
                && w.padBottom() == 0 && w.padRight() == 0;
    }

    /**
     * {@code w[oc][k] = transposed[k][oc]} for {@code k < patch()}: a weight gradient that SGEMM
     * produced as {@code dW^T} (patch by output channels), into the weights' own layout.
     */
    void weightsFromTransposed(float[] transposed, float[] w, int wOffset) {
        int patch = patch(), cout = outChannels();
        // Sixteen rows of dW^T at a time, so the lines a column walk reads are reused by the next
        // fifteen channels: a whole column at a time read one line per float (vgg's 64 -> 128,
        // 73,728 weights, once per group of images: 5% of its weight gradient under perf).
        for (int k0 = 0; k0 < patch; k0 += TRANSPOSE_ROWS) {
            int k1 = Math.min(patch, k0 + TRANSPOSE_ROWS);
            for (int oc = 0; oc < cout; oc++) {
                for (int k = k0; k < k1; k++) {
                    w[wOffset + oc * patch + k] = transposed[k * cout + oc];
                }
            }
        }
    }

    /**
     * {@code w[i] = lanes' sums[i * lanes ..]} added in lane order from +0, for every weight
     * {@code i}: a weight gradient kept as per-lane partial sums, into the weights' own layout.
     */
    void weightsFromLanes(float[] sums, int lanes, float[] w, int wOffset) {
        for (int i = 0, weights = weightSize(); i < weights; i++) {
            float s = 0f;
            for (int l = 0; l < lanes; l++) {
                s += sums[i * lanes + l];
            }
            w[wOffset + i] = s;
        }
    }

    private static final int TRANSPOSE_ROWS = 16;
}
