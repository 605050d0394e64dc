package dev.isthmus.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A layer: configuration, output shape, forward, the backward beside it, and its parameters.
 * Layers hold no per-batch state: what a backward pass needs from its forward pass (max-pool
 * winners, dropout masks, batch statistics) lives in a state object that each execution owns
 * ({@link #newState}), so one model can serve many threads.
 *
 * <p>Apply a layer to nodes to build a graph, Keras's functional style:
 * {@code Node y = new Dense(10).apply(x)}. Each layer instance is applied once.
 */
public abstract class Layer {

    private String name;
    private final List<Parameter> parameters = new ArrayList<>();
    private final List<Parameter> buffers = new ArrayList<>();
    private List<Shape> inputShapes;
    private Shape outputShape;

    /** Keras-style type name for summaries: {@code Conv2D}, {@code Dense}, ... */
    public String type() {
        return getClass().getSimpleName();
    }

    /** The layer's name; unique within a model (the model names unnamed layers). */
    public String name() {
        return name;
    }

    /** Names this layer (parameter names become {@code name.weight}, as in PyTorch). */
    public Layer named(String name) {
        if (outputShape != null) {
            throw new IllegalStateException("name a layer before applying it; " + type() + " is already applied");
        }
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    void assignName(String name) {
        this.name = name;
    }

    /** Applies this layer to {@code inputs}, checking their shapes; returns the output node. */
    public Node apply(Node... inputs) {
        if (outputShape != null) {
            throw new IllegalStateException(type() + (name == null ? "" : " '" + name + "'")
                    + " is already applied; a layer (and its weights) belongs to one place in one graph");
        }
        if (inputs.length == 0) {
            throw new IllegalArgumentException(type() + " needs at least one input");
        }
        List<Shape> shapes = new ArrayList<>();
        for (Node n : inputs) {
            shapes.add(Objects.requireNonNull(n, "input node").shape());
        }
        outputShape = build(List.copyOf(shapes));
        inputShapes = List.copyOf(shapes);
        return new Node(this, List.of(inputs), outputShape);
    }

    public List<Shape> inputShapes() {
        return inputShapes;
    }

    public Shape outputShape() {
        return outputShape;
    }

    public List<Parameter> parameters() {
        return Collections.unmodifiableList(parameters);
    }

    /** Trainable values in this layer. */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters) {
            n += p.size();
        }
        return n;
    }

    /** Values the layer keeps but does not train (batch norm's running statistics). */
    public List<Parameter> buffers() {
        return Collections.unmodifiableList(buffers);
    }

    public long nonTrainableCount() {
        long n = 0;
        for (Parameter p : buffers) {
            n += p.size();
        }
        return n;
    }

    /** A non-trainable tensor saved with the weights, as PyTorch's registered buffers. */
    protected Parameter addBuffer(String name, int... shape) {
        ParameterBudget.charge(this, name, shape);
        Parameter p = new Parameter(name, shape);
        buffers.add(p);
        return p;
    }

    protected Parameter addParameter(String name, int... shape) {
        ParameterBudget.charge(this, name, shape);
        Parameter p = new Parameter(name, shape);
        parameters.add(p);
        return p;
    }

    /** Checks the input shapes, creates the parameters and returns the output shape. */
    protected abstract Shape build(List<Shape> inputs);

    /** Sets initial parameter values from {@code rng}, by {@code scheme}. */
    protected void initialize(RandomGenerator rng, Initializer scheme) {}

    /** State one execution keeps for this layer between forward and backward; null if none. */
    protected Object newState(int maxBatch) {
        return null;
    }

    /** Once per pass, before any slice: work the slices share (derived constants); none by default. */
    protected void beforePass(Object state, boolean training) {}

    /**
     * Once per backward pass, before any slice: work its slices share; none by default.
     * {@code inputGradients}: whether the pass wants this layer's input gradient.
     */
    protected void beforeBackward(Object state, boolean inputGradients) {}

    /** The layer's batch-wide steps in training ({@link BatchReduction}), or null: it works per sample. */
    BatchReduction reduction() {
        return null;
    }

    protected abstract void forward(LayerCall step);

    /**
     * True when each sample's output and gradients depend on that sample alone and the layer
     * honours {@link LayerCall#first()}, {@link LayerCall#grad(Parameter)} and {@link LayerCall#seed()}: an
     * execution may then run a whole network of such layers slice by slice, a slice per thread,
     * without waiting between layers. False (the default) keeps a layer whole-batch, as batch
     * normalisation in training must be.
     */
    protected boolean worksPerSample(boolean training) {
        return false;
    }

    /**
     * True when the forward pass reads its inputs at {@link LayerCall#inputFirst()} and writes its
     * output at {@link LayerCall#outputFirst()} rather than at {@link LayerCall#first()}: an
     * inference pass may then keep the maps between such layers in each thread's own buffers, one
     * slice long, so that a slice's maps stay in cache instead of each slice writing fresh memory
     * (the built-in layers; a layer of one's own keeps whole-batch buffers).
     */
    boolean honoursBufferOffsets() {
        return false;
    }

    /** See {@link Operation#sameInputGradients}: an {@link Add}'s, whose inputs all get its output's gradient. */
    boolean sameInputGradients() {
        return false;
    }

    /**
     * Gradients: fills {@code step.inputGrad(i)} where not null, and each parameter's grad. Never
     * writes {@code step.outputGrad()}: its array may also hold another node's gradient that is
     * still to be read (an {@link Add}'s inputs share one).
     */
    protected abstract void backward(LayerCall step);

    /**
     * The configuration that rebuilds this layer with {@link Layers#create}: JSON-friendly values
     * (numbers, strings, booleans, lists), Keras's key names. Empty for layers without options.
     */
    public java.util.Map<String, Object> config() {
        return java.util.Map.of();
    }

    /** Short configuration for summaries and errors, e.g. {@code filters=8, kernel=3x3}. */
    protected String describe() {
        return "";
    }

    /** Fails with the layer's name, the expected and the actual shape. */
    protected final IllegalArgumentException shapeError(String expected, Shape actual) {
        return new IllegalArgumentException(type() + (name == null ? "" : " '" + name + "'") + " expects input " + expected
                + ", got " + actual);
    }

    protected static Shape single(Layer layer, List<Shape> inputs) {
        if (inputs.size() != 1) {
            throw new IllegalArgumentException(layer.type() + " takes one input, got " + inputs.size());
        }
        return inputs.get(0);
    }

    @Override
    public String toString() {
        return type() + "(" + (name == null ? "" : name + (describe().isEmpty() ? "" : ", ")) + describe() + ")";
    }
}
