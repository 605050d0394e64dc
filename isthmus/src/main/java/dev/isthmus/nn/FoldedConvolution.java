package dev.isthmus.nn;

import dev.isthmus.kernels.FusedConvolution;
import dev.isthmus.kernels.PreparedWeights;
import java.util.List;

/**
 * An inference pass's convolution with what follows it folded in: the batch norm that alone reads
 * it (if any; its running statistics folded into the weights and bias once per pass, see
 * {@link #fold}), a residual added (if the pass has a second input, the shortcut), and the ReLU
 * (if any). {@link ConvFoldFusion} makes it; it keeps no gradients.
 */
final class FoldedConvolution implements Operation {

    private final Conv2D conv;
    private final BatchNormalization bn;
    private final boolean residual;
    private final FusedConvolution kernel;
    private final String name, type;

    /**
     * @param nodes    the nodes covered, for the name ({@code conv1+bn1+relu1})
     * @param bn       null for none
     * @param residual whether the pass adds its second input before the ReLU
     */
    FoldedConvolution(List<Node> nodes, Conv2D conv, BatchNormalization bn, boolean residual, boolean relu) {
        this.conv = conv;
        this.bn = bn;
        this.residual = residual;
        this.kernel = new FusedConvolution(conv.convolution(), relu, false);
        this.name = String.join("+", nodes.stream().map(n -> n.layer().name()).toList());
        this.type = conv.type() + (bn == null ? "" : "+" + bn.type()) + (residual ? "+Add" : "") + (relu ? "+ReLU" : "");
    }

    /**
     * {@code conv}'s weights with {@code bn}'s running statistics folded in, then the folded bias:
     * {@code w' = w * s}, {@code b' = (b - mean) * s + beta} with {@code s = gamma / sqrt(var + eps)},
     * {@code conv.weight().size() + conv.filters()} floats into {@code folded}.
     */
    static void fold(Conv2D conv, BatchNormalization bn, float[] folded) {
        float[] w = conv.weight().value(), b = conv.bias() == null ? null : conv.bias().value();
        float[] gamma = bn.gamma().value(), beta = bn.beta().value();
        float[] mean = bn.runningMean().value(), var = bn.runningVar().value();
        int filters = conv.filters(), per = w.length / filters;
        for (int c = 0; c < filters; c++) {
            double scale = gamma[c] / Math.sqrt((double) var[c] + bn.eps());
            for (int i = c * per; i < (c + 1) * per; i++) {
                folded[i] = (float) (w[i] * scale);
            }
            folded[w.length + c] = (float) (((b == null ? 0 : b[c]) - mean[c]) * scale + beta[c]);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return type;
    }

    /**
     * The folded weights, then the folded bias (null without a batch norm); and the weights as the
     * pass reads them, laid out once per pass.
     */
    private record State(float[] folded, PassWeights weights) {}

    @Override
    public Object newState(int maxBatch) {
        return new State(bn == null ? null : new float[conv.weight().size() + conv.filters()],
                new PassWeights(kernel.conv()));
    }

    @Override
    public boolean worksPerSample(boolean training) {
        return true;
    }

    @Override
    public void beforePass(Object state, boolean training) {
        State s = (State) state;
        if (bn != null) {
            fold(conv, bn, s.folded());
        }
        s.weights().update(bn == null ? conv.weight().value() : s.folded());
    }

    @Override
    public boolean honoursBufferOffsets() {
        return true;
    }

    @Override
    public void forward(LayerCall s) {
        State state = s.state();
        PreparedWeights w = state.weights().prepared();
        float[] bias = bn != null ? state.folded() : conv.bias() == null ? null : conv.bias().value();
        int biasAt = bn == null ? 0 : conv.weight().size();
        int x = s.inputFirst() * kernel.conv().inputSize(), y = s.outputFirst() * kernel.outputSize();
        if (residual) { // the shortcut is an input: at the inputs' offset
            kernel.forwardResidual(s.batch(), s.input(0), x, w, bias, biasAt, s.input(1),
                    s.inputFirst() * kernel.outputSize(), s.output(), y);
        } else {
            kernel.forward(s.batch(), s.input(), x, w, bias, biasAt, s.output(), y, null, 0);
        }
    }

    @Override
    public void backward(LayerCall s) {
        throw new IllegalStateException(name + " runs folded in inference passes only, which keep no gradients");
    }
}
