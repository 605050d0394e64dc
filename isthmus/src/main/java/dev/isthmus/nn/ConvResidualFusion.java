package dev.isthmus.nn;

import dev.isthmus.kernels.FusedConvolution;
import java.util.ArrayList;
import java.util.List;

/**
 * In inference, a residual block's end: a {@link Conv2D} without activation, the
 * {@link BatchNormalization} that alone reads it (if one does, folded into the weights as in
 * {@link ConvBatchNormFusion}), the two-input {@link Add} of that and a shortcut, and the ReLU
 * after it (if one): one pass, {@code y = relu(conv'(x) + shortcut)}, each image's shortcut added
 * while its convolution's output is in cache ({@link FusedConvolution#forwardResidual}). The sum
 * and the ReLU are the layers' own floats; only the fold changes bits, as it does without the add.
 * The pass reads the shortcut as a second input, so it runs where the add stood.
 */
final class ConvResidualFusion implements FusionRule {

    @Override
    public Fusion match(Node head, Graph graph, ExecutionPlan.Mode mode) {
        if (mode != ExecutionPlan.Mode.INFERENCE || !(head.layer() instanceof Conv2D conv)
                || conv.activation() != Activation.LINEAR || !graph.mayHide(head)) {
            return null;
        }
        List<Node> nodes = new ArrayList<>(List.of(head));
        BatchNormalization bn = null;
        Node next = graph.readers(head).get(0);
        if (next.layer() instanceof BatchNormalization norm && next.inputs().size() == 1) {
            if (!graph.mayHide(next)) {
                return null;
            }
            bn = norm;
            nodes.add(next);
            next = graph.readers(next).get(0);
        }
        if (!(next.layer() instanceof Add) || next.inputs().size() != 2 || next.inputs().get(0) == next.inputs().get(1)) {
            return null;
        }
        nodes.add(next);
        Node relu = FusionRule.reluAfter(next, graph);
        if (relu != null) {
            nodes.add(relu);
        }
        return new Fusion(List.copyOf(nodes), new Pass(conv, bn, relu != null, nodes));
    }

    /** The convolution (its batch norm folded in), the shortcut added and the ReLU in one pass. */
    private static final class Pass implements Operation {

        private final Conv2D conv;
        private final BatchNormalization bn;
        private final FusedConvolution kernel;
        private final String name, type;

        Pass(Conv2D conv, BatchNormalization bn, boolean relu, List<Node> nodes) {
            this.conv = conv;
            this.bn = bn;
            this.kernel = new FusedConvolution(conv.convolution(), relu, false);
            this.name = String.join("+", nodes.stream().map(n -> n.layer().name()).toList());
            this.type = conv.type() + (bn == null ? "" : "+" + bn.type()) + "+Add" + (relu ? "+ReLU" : "");
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String type() {
            return type;
        }

        /** The folded weights, then the folded bias; nothing without a batch norm. */
        @Override
        public Object newState(int maxBatch) {
            return bn == null ? null : new float[conv.weight().size() + conv.filters()];
        }

        @Override
        public boolean worksPerSample(boolean training) {
            return true;
        }

        @Override
        public void beforePass(Object state, boolean training) {
            if (bn != null) {
                ConvBatchNormFusion.fold(conv, bn, (float[]) state);
            }
        }

        @Override
        public void forward(LayerCall s) {
            float[] w, bias;
            int biasAt;
            if (bn != null) {
                w = s.state();
                bias = w;
                biasAt = conv.weight().size();
            } else {
                w = conv.weight().value();
                bias = conv.bias() == null ? null : conv.bias().value();
                biasAt = 0;
            }
            int x = s.first() * kernel.conv().inputSize(), y = s.first() * kernel.outputSize();
            kernel.forwardResidual(s.batch(), s.input(0), x, w, 0, bias, biasAt, s.input(1), y, s.output(), y);
        }

        @Override
        public void backward(LayerCall s) {
            throw new IllegalStateException(name + " runs in inference passes only, which keep no gradients");
        }
    }
}
