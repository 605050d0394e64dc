package dev.isthmus.nn;

import dev.isthmus.kernels.FusedConvolution;
import java.util.ArrayList;
import java.util.List;

/**
 * In inference, a {@link Conv2D} without activation read only by a {@link BatchNormalization}
 * (and that by a ReLU {@link ActivationLayer}, if one follows) is one convolution: batch norm on
 * running statistics is affine per channel, so it folds into the convolution's weights and bias,
 * {@code w' = w * s}, {@code b' = (b - mean) * s + beta} with {@code s = gamma / sqrt(var + eps)},
 * and the ReLU runs in the convolution's epilogue. The folded weights are made once per pass.
 * Training and evaluation passes (which may back-propagate) keep the layers apart.
 */
final class ConvBatchNormFusion implements FusionRule {

    @Override
    public Fusion match(Node head, Graph graph, ExecutionPlan.Mode mode) {
        if (mode != ExecutionPlan.Mode.INFERENCE || !(head.layer() instanceof Conv2D conv)
                || conv.activation() != Activation.LINEAR || !graph.mayHide(head)) {
            return null;
        }
        Node norm = graph.readers(head).get(0);
        if (!(norm.layer() instanceof BatchNormalization bn) || norm.inputs().size() != 1) {
            return null;
        }
        List<Node> nodes = new ArrayList<>(List.of(head, norm));
        boolean relu = false;
        Node next = FusionRule.reluAfter(norm, graph);
        if (next != null) {
            nodes.add(next);
            relu = true;
        }
        return new Fusion(List.copyOf(nodes), new Folded(conv, bn, relu));
    }

    /**
     * {@code conv}'s weights with {@code bn}'s running statistics folded in, then the folded bias:
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

    /** The convolution with the batch norm folded in, and the ReLU in its epilogue. */
    private static final class Folded implements Operation {

        private final Conv2D conv;
        private final BatchNormalization bn;
        private final FusedConvolution kernel;
        private final String name, type;

        Folded(Conv2D conv, BatchNormalization bn, boolean relu) {
            this.conv = conv;
            this.bn = bn;
            this.kernel = new FusedConvolution(conv.convolution(), relu, false);
            this.name = conv.name() + "+" + bn.name() + (relu ? "+relu" : "");
            this.type = conv.type() + "+" + bn.type() + (relu ? "+ReLU" : "");
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String type() {
            return type;
        }

        /** The folded weights, then the folded bias. */
        @Override
        public Object newState(int maxBatch) {
            return new float[conv.weight().size() + conv.filters()];
        }

        @Override
        public boolean worksPerSample(boolean training) {
            return true;
        }

        @Override
        public void beforePass(Object state, boolean training) {
            fold(conv, bn, (float[]) state);
        }

        @Override
        public void forward(LayerCall s) {
            float[] folded = s.state();
            int x = s.first() * kernel.conv().inputSize(), y = s.first() * kernel.outputSize();
            kernel.forward(s.batch(), s.input(), x, folded, 0, folded, conv.weight().size(), s.output(), y, null, 0);
        }

        @Override
        public void backward(LayerCall s) {
            throw new IllegalStateException(name + " runs folded in inference passes only, which keep no gradients");
        }
    }
}
