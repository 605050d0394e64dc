package dev.isthmus.nn;

import java.util.List;

/**
 * A pattern of layers that runs better as one pass, and the pass that replaces it: the
 * execution plan's optimisation step (as {@code torch.fx} passes match patterns in a graph). A
 * new fusion is a new rule in {@link ExecutionPlan#RULES}; nothing else changes.
 */
interface FusionRule {

    /**
     * The fusion that starts at {@code head}, or null. A rule may cover {@code head} and nodes
     * after it along a chain, each read by the next alone, and the later nodes may read other
     * nodes' outputs too (see {@link Operation}); {@code graph} says which nodes may be hidden
     * (read once, not the model's output, not kept) and which an earlier operation has taken: a
     * fusion may not cover those.
     */
    Fusion match(Node head, Graph graph, ExecutionPlan.Mode mode);

    /** The ReLU {@link ActivationLayer} that alone reads {@code node}, when {@code node} may be hidden; else null. */
    static Node reluAfter(Node node, Graph graph) {
        if (!graph.mayHide(node)) {
            return null;
        }
        Node next = graph.readers(node).get(0);
        boolean relu = next.layer() instanceof ActivationLayer a && a.activation() == Activation.RELU;
        return relu && next.inputs().size() == 1 ? next : null;
    }

    /** The nodes a fusion covers, in order, and the operation that computes them in one pass. */
    record Fusion(List<Node> nodes, Operation operation) {}

    /** What a rule may ask of the graph around a node. */
    interface Graph {

        /** The layers reading {@code node}'s output. */
        List<Node> readers(Node node);

        /** True when {@code node}'s output may go unstored: one reader, not the model's output, not kept. */
        boolean mayHide(Node node);

        /** True when an earlier operation already covers {@code node} (a residual's add its other branch took). */
        boolean taken(Node node);
    }
}
