package dev.isthmus.nn;

import java.util.List;

/**
 * A value in a graph: the output of a layer applied to other nodes, or a model input. Nodes are
 * immutable and cheap; a {@link Model} collects the graph between its inputs and outputs.
 */
public final class Node {

    private final Layer layer; // null for an input
    private final List<Node> inputs;
    private final Shape shape;

    Node(Layer layer, List<Node> inputs, Shape shape) {
        this.layer = layer;
        this.inputs = inputs;
        this.shape = shape;
    }

    /** A model input of the given per-sample shape, e.g. {@code Node.input(1, 256, 256)}. */
    public static Node input(int... shape) {
        return new Node(null, List.of(), Shape.of(shape));
    }

    public Shape shape() {
        return shape;
    }

    /** The layer that produces this node; null for an input. */
    public Layer layer() {
        return layer;
    }

    public List<Node> inputs() {
        return inputs;
    }

    boolean isInput() {
        return layer == null;
    }

    @Override
    public String toString() {
        return (layer == null ? "Input" : layer.toString()) + " -> " + shape;
    }
}
