package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.Window2d;
import dev.isthmus.kernels.runtime.Workspace;
import dev.isthmus.kernels.runtime.Workspace.Slot;
import java.util.Arrays;

/**
 * The epilogue of the algorithms that write a whole dense output map per image (im2col and
 * pointwise): bias, ReLU and pooling after it, and in backward the gradient at the convolution's
 * output with its channel sums (the bias gradient).
 */
final class DenseEpilogue {

    private DenseEpilogue() {}

    /**
     * Where image {@code n}'s convolution output goes before its epilogue: straight into
     * {@code y} without pooling, else this thread's {@link Slot#ACTIVATIONS} (offset 0).
     */
    static float[] outputBuffer(ConvShape shape, ConvTensors t) {
        return t.pool ? Workspace.floats(Slot.ACTIVATIONS, shape.outputSize()) : t.y;
    }

    static int outputOffset(ConvShape shape, ConvTensors t, int n) {
        return t.pool ? 0 : t.yOffset + n * shape.outputSize();
    }

    /** Bias, ReLU and pooling over the map at {@code out[ob]}, into image {@code n} of {@code y}. */
    static void forward(ConvSupport kernels, ConvShape shape, ConvTensors t, int n, float[] out, int ob) {
        int p = shape.window().outSize(), cout = shape.outChannels();
        if (t.bias != null || t.relu) {
            kernels.biasActivation(out, ob, p, cout, p, t.bias, t.biasOffset, t.relu);
        }
        pool(kernels, shape, t, n, out);
    }

    /**
     * The pooling alone, where the map in {@link #outputBuffer} has its bias and ReLU already
     * (rectified when {@code t.relu}); nothing without pooling.
     */
    static void pool(ConvSupport kernels, ConvShape shape, ConvTensors t, int n, float[] out) {
        if (t.pool) {
            int ph = shape.pooledHeight(), pw = shape.pooledWidth(), p = shape.window().outSize();
            kernels.maxPool2x2(out, 0, shape.window().outWidth(), p, shape.outChannels(), ph, pw, t.y,
                    t.yOffset + n * shape.pooledSize(), ph * pw, t.winners, t.winnersOffset + n * shape.pooledSize(), t.relu);
        }
    }

    /**
     * Image {@code n}'s gradient at the convolution's output, dense {@code [Cout][outH][outW]}:
     * {@code dy} itself when nothing stands between, else this thread's {@link Slot#STAGED_GRADIENT}
     * (offset 0: see {@link #gradientOffset}); its channel sums are added to {@code biasSums}.
     */
    static float[] gradient(ConvSupport kernels, ConvShape shape, ConvTensors t, int n, double[] biasSums) {
        int ySize = shape.outputSize(t.pool);
        int dyb = t.dyOffset + n * ySize, yb = t.yOffset + n * ySize;
        Window2d w = shape.window();
        int outH = w.outHeight(), outW = w.outWidth(), p = w.outSize(), cout = shape.outChannels();
        float[] dz = t.dy;
        int dzb = dyb;
        if (t.pool || t.relu) {
            dz = Workspace.floats(Slot.STAGED_GRADIENT, shape.outputSize());
            dzb = 0;
            if (t.pool) {
                int ph = shape.pooledHeight(), pw = shape.pooledWidth();
                if (2 * ph != outH || 2 * pw != outW) {
                    Arrays.fill(dz, 0, shape.outputSize(), 0f); // cells no window covers
                }
                kernels.maxPool2x2Backward(t.dy, dyb, ph * pw, t.winners, t.winnersOffset + n * shape.pooledSize(), cout,
                        ph, pw, dz, 0, outW, p, biasSums);
                return dz;
            }
            kernels.activationGradient(t.dy, dyb, t.y, yb, cout, outH, outW, true, dz, 0, outW, p, null);
        }
        if (biasSums != null) {
            kernels.channelSums(dz, dzb, p, p, cout, 1, p, biasSums);
        }
        return dz;
    }

    /** Where {@link #gradient}'s map for image {@code n} starts. */
    static int gradientOffset(ConvShape shape, ConvTensors t, int n) {
        return t.pool || t.relu ? 0 : t.dyOffset + n * shape.outputSize();
    }
}
