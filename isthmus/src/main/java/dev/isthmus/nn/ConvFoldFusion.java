package dev.isthmus.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * In inference, a {@link Conv2D} without activation and what follows it along a chain, as one
 * pass ({@link FoldedConvolution}): the {@link BatchNormalization} that alone reads it, if one
 * does (batch norm on running statistics is affine per channel, so it folds into the weights and
 * bias, {@code w' = w * s}, {@code b' = (b - mean) * s + beta} with {@code s = gamma / sqrt(var + eps)});
 * then a two-input {@link Add} of that and a shortcut, if one reads it (a residual block's end:
 * each image's shortcut added while its convolution's output is in cache); then a ReLU
 * {@link ActivationLayer}, if one reads the last of these. At least the batch norm or the add.
 * The add and the ReLU are the layers' own floats; only the fold changes bits. A pass with the
 * add reads the shortcut as a second input, so it runs where the add stood. Training and
 * evaluation passes (which may back-propagate) keep the layers apart.
 */
final class ConvFoldFusion implements FusionRule {

    @Override
    public Fusion match(Node head, Graph graph, ExecutionPlan.Mode mode) {
        if (mode != ExecutionPlan.Mode.INFERENCE || !(head.layer() instanceof Conv2D conv)
                || conv.activation() != Activation.LINEAR || !graph.mayHide(head)) {
            return null;
        }
        List<Node> nodes = new ArrayList<>(List.of(head));
        Node last = head;
        BatchNormalization bn = null;
        Node next = graph.readers(head).get(0);
        if (next.layer() instanceof BatchNormalization norm && next.inputs().size() == 1) {
            bn = norm;
            nodes.add(next);
            last = next;
        }
        boolean residual = false;
        if (graph.mayHide(last)) {
            next = graph.readers(last).get(0);
            if (next.layer() instanceof Add && next.inputs().size() == 2 && !graph.taken(next)) {
                residual = true;
                nodes.add(next);
                last = next;
            }
        }
        if (bn == null && !residual) {
            return null;
        }
        Node relu = FusionRule.reluAfter(last, graph);
        if (relu != null) {
            nodes.add(relu);
        }
        return new Fusion(List.copyOf(nodes), new FoldedConvolution(nodes, conv, bn, residual, relu != null));
    }
}
