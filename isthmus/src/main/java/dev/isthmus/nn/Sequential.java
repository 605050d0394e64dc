package dev.isthmus.nn;

import java.util.Objects;

/**
 * A stack of layers, each fed by the one before: the Keras {@code Sequential} shortcut over the
 * functional graph. {@code new Sequential(1, 28, 28).add(new Conv2D(32, 3)).add(...).build()}.
 */
public final class Sequential {

    private final Node input;
    private Node last;

    public Sequential(int... inputShape) {
        this.input = Node.input(inputShape);
        this.last = input;
    }

    /** Applies {@code layer} to the current top of the stack. */
    public Sequential add(Layer layer) {
        last = Objects.requireNonNull(layer, "layer").apply(last);
        return this;
    }

    public Model build() {
        return new Model(input, last);
    }
}
