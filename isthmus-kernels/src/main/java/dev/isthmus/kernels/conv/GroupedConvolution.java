package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.runtime.Workspace;
import dev.isthmus.kernels.runtime.Workspace.DoubleSlot;
import java.util.Arrays;

/**
 * A grouped convolution (PyTorch's {@code groups}; depthwise when every input channel is a group):
 * the channels split into {@code G} groups, and group {@code g}'s output channels see only group
 * {@code g}'s input channels. Each group is a convolution of its own, run by another algorithm
 * ({@link #inner}) on the group's slice of every tensor: in NCHW a group's channels, its weights,
 * its bias and its gradients each lie in one contiguous run.
 *
 * <p>The inner algorithm keeps no state across images (im2col or pointwise: its weight gradient
 * accumulates straight into {@code dw}), so the groups of an image can run one after the other.
 */
public final class GroupedConvolution implements ConvAlgorithm {

    private static final ThreadLocal<ConvTensors> GROUP = ThreadLocal.withInitial(ConvTensors::unbound);

    private final ConvShape shape, group;
    private final ConvAlgorithm inner;

    GroupedConvolution(ConvShape shape, ConvAlgorithm inner) {
        if (inner instanceof DirectConvolution || inner instanceof GroupedConvolution) {
            throw new IllegalArgumentException("a group's algorithm must keep no state across images, got "
                    + inner.name());
        }
        this.shape = shape;
        this.group = inner.shape();
        this.inner = inner;
    }

    @Override
    public String name() {
        return (shape.groups() == shape.inChannels() ? "depthwise" : "grouped") + " (" + inner.name() + ")";
    }

    @Override
    public ConvShape shape() {
        return shape;
    }

    /** Nothing laid out per pass (the defaults): the inner algorithm lays out each group's weights as it runs it. */
    @Override
    public void forwardImage(ConvTensors t, int n) {
        ConvTensors g = GROUP.get();
        try {
            for (int k = 0; k < shape.groups(); k++) {
                bindForward(t, n, k, g);
                inner.prepareForward(g);
                inner.forwardImage(g, 0);
            }
        } finally {
            g.clear();
        }
    }

    @Override
    public void backwardImage(ConvTensors t, int n, float[] dw, int dwAt, boolean accumulate, double[] biasSums) {
        ConvTensors g = GROUP.get();
        int cout = group.outChannels();
        double[] sums = biasSums == null ? null : Workspace.doubles(DoubleSlot.GROUP_BIAS_SUMS, cout);
        try {
            for (int k = 0; k < shape.groups(); k++) {
                bindForward(t, n, k, g);
                int outImage = shape.outputSize(t.pool), outGroup = group.outputSize(t.pool);
                g.dy = t.dy;
                g.dyOffset = t.dyOffset + n * outImage + k * outGroup;
                if (t.dx != null) {
                    g.dx = t.dx;
                    g.dxOffset = t.dxOffset + n * shape.inputSize() + k * group.inputSize();
                }
                inner.prepareBackward(g);
                if (sums != null) {
                    Arrays.fill(sums, 0, cout, 0.0);
                }
                inner.backwardImage(g, 0, dw, dw == null ? 0 : dwAt + k * group.weightSize(), accumulate, sums);
                if (sums != null) {
                    for (int c = 0; c < cout; c++) {
                        biasSums[k * cout + c] += sums[c];
                    }
                }
            }
        } finally {
            g.clear();
        }
    }

    /** Binds {@code g} to group {@code k} of image {@code n} of {@code t}'s forward tensors. */
    private void bindForward(ConvTensors t, int n, int k, ConvTensors g) {
        int outImage = shape.outputSize(t.pool), outGroup = group.outputSize(t.pool);
        int pooledGroup = group.pooledSize();
        g.forward(t.x, t.xOffset + n * shape.inputSize() + k * group.inputSize(), t.w,
                t.wOffset + k * group.weightSize(), t.bias, t.biasOffset + k * group.outChannels(), t.relu, t.pool,
                t.y, t.yOffset + n * outImage + k * outGroup, t.winners,
                t.winnersOffset + n * shape.pooledSize() + k * pooledGroup);
    }
}
