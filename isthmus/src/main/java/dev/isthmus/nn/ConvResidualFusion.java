package dev.isthmus.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * In inference, a residual block's end: a {@link Conv2D} without activation, the
 * {@link BatchNormalization} that alone reads it (if one does, folded into the weights as in
 * {@link ConvBatchNormFusion}), the two-input {@link Add} of that and a shortcut, and the ReLU
 * after it (if one): one pass, {@code y = relu(conv'(x) + shortcut)}, each image's shortcut added
 * while its convolution's output is in cache ({@link dev.isthmus.kernels.FusedConvolution#forwardResidual}). The sum
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
        return new Fusion(List.copyOf(nodes), new FoldedConvolution(nodes, conv, bn, true, relu != null));
    }
}
