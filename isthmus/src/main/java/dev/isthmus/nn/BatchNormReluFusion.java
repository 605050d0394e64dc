package dev.isthmus.nn;

import java.util.List;

/**
 * A {@link BatchNormalization} read only by a ReLU {@link ActivationLayer} (conv, batch norm,
 * ReLU: most residual and VGG-style blocks), in training and evaluation: the ReLU runs on each
 * plane as batch norm writes it, so the normalised maps are never stored and read back; on the
 * way back ReLU's mask is applied as batch norm's backward starts. The same floats as the two
 * layers. In inference {@link ConvFoldFusion} folds the pair into the convolution before
 * it where it can; where it cannot, this rule runs there too.
 */
final class BatchNormReluFusion implements FusionRule {

    @Override
    public Fusion match(Node head, Graph graph, ExecutionPlan.Mode mode) {
        Node relu = head.layer() instanceof BatchNormalization ? FusionRule.reluAfter(head, graph) : null;
        return relu == null ? null : new Fusion(List.of(head, relu),
                ((BatchNormalization) head.layer()).withRelu((ActivationLayer) relu.layer()));
    }
}
