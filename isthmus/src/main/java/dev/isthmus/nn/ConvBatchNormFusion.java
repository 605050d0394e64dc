package dev.isthmus.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * In inference, a {@link Conv2D} without activation read only by a {@link BatchNormalization}
 * (and that by a ReLU {@link ActivationLayer}, if one follows) is one convolution: batch norm on
 * running statistics is affine per channel, so it folds into the convolution's weights and bias,
 * {@code w' = w * s}, {@code b' = (b - mean) * s + beta} with {@code s = gamma / sqrt(var + eps)},
 * and the ReLU runs in the convolution's epilogue ({@link FoldedConvolution}). The folded weights
 * are made once per pass.
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
        return new Fusion(List.copyOf(nodes), new FoldedConvolution(nodes, conv, bn, false, relu));
    }
}
