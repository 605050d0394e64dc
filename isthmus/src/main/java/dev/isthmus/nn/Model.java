package dev.isthmus.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * A network: the graph of layers between an input node and an output node, in topological
 * order. Build it Keras's functional way ({@code new Model(input, output)}) or with
 * {@link Sequential}. Parameters are named {@code layer.parameter}, as PyTorch's state_dict.
 *
 * <p>{@link #predict} is safe to call from many threads at once: each call borrows its own
 * {@link Execution} (buffers and per-layer state) from a pool.
 */
public final class Model {

    private final Node input;
    private final Node output;
    private final List<Node> order; // layer nodes, producers before consumers
    private final ConcurrentLinkedDeque<Execution> idle = new ConcurrentLinkedDeque<>();

    public Model(Node input, Node output) {
        this.input = Objects.requireNonNull(input, "input");
        this.output = Objects.requireNonNull(output, "output");
        if (!input.isInput()) {
            throw new IllegalArgumentException("the model input must be a Node.input(...), got " + input);
        }
        this.order = topologicalOrder(output);
        for (Node n : order) {
            for (Node in : n.inputs()) {
                if (in.isInput() && in != input) {
                    throw new IllegalArgumentException("layer " + n.layer().name() + " reads an input node that is not"
                            + " the model's input");
                }
            }
        }
        if (order.isEmpty() && output != input) {
            throw new IllegalArgumentException("output is not computed from the input");
        }
        nameLayers();
        initialize(0);
    }

    private static List<Node> topologicalOrder(Node output) {
        List<Node> order = new ArrayList<>();
        Set<Node> done = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Node> visiting = Collections.newSetFromMap(new IdentityHashMap<>());
        visit(output, done, visiting, order);
        return List.copyOf(order);
    }

    private static void visit(Node n, Set<Node> done, Set<Node> visiting, List<Node> order) {
        if (done.contains(n) || n.isInput()) {
            return;
        }
        visiting.add(n);
        for (Node in : n.inputs()) {
            visit(in, done, visiting, order);
        }
        visiting.remove(n);
        done.add(n);
        order.add(n);
    }

    /** Unnamed layers get Keras-style names: {@code conv2d}, {@code conv2d_1}, ... */
    private void nameLayers() {
        Set<String> used = new HashSet<>();
        for (Node n : order) {
            String name = n.layer().name();
            if (name != null && !used.add(name)) {
                throw new IllegalArgumentException("two layers are named '" + name + "'");
            }
        }
        Map<String, Integer> counters = new HashMap<>();
        for (Node n : order) {
            if (n.layer().name() == null) {
                String base = snake(n.layer().type());
                String name;
                do {
                    int k = counters.merge(base, 1, Integer::sum) - 1;
                    name = k == 0 ? base : base + "_" + k;
                } while (!used.add(name));
                n.layer().assignName(name);
            }
        }
    }

    private static String snake(String type) {
        return type.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT)
                .replace("conv2_d", "conv2d").replace("pool2_d", "pool2d").replace("pooling2_d", "pooling2d");
    }

    /**
     * Re-initialises every parameter with PyTorch's defaults from {@code seed}: each layer draws
     * from its own generator, split in graph order, so adding a layer at the end leaves the others'
     * initial weights unchanged.
     */
    public Model initialize(long seed) {
        return initialize(seed, Initializer.PYTORCH);
    }

    /** As {@link #initialize(long)}, with Keras's or PyTorch's initial weights. */
    public Model initialize(long seed, Initializer scheme) {
        SplittableRandom root = new SplittableRandom(seed);
        for (Node n : order) {
            n.layer().initialize(root.split(), scheme);
        }
        return this;
    }

    public Shape inputShape() {
        return input.shape();
    }

    public Shape outputShape() {
        return output.shape();
    }

    /** Layers in execution order. */
    public List<Layer> layers() {
        List<Layer> layers = new ArrayList<>();
        for (Node n : order) {
            layers.add(n.layer());
        }
        return layers;
    }

    public Layer layer(String name) {
        for (Node n : order) {
            if (n.layer().name().equals(name)) {
                return n.layer();
            }
        }
        throw new IllegalArgumentException("no layer named '" + name + "'; layers: " + layers().stream().map(Layer::name).toList());
    }

    /** The name every graph description uses for the model input. */
    public static final String INPUT_NAME = "input";

    /** Names of the nodes {@code layer} reads: other layers' names, or {@link #INPUT_NAME}. */
    public List<String> inputNames(Layer layer) {
        for (Node n : order) {
            if (n.layer() == layer) {
                return n.inputs().stream().map(in -> in.isInput() ? INPUT_NAME : in.layer().name()).toList();
            }
        }
        throw new IllegalArgumentException("layer " + layer + " is not part of this model");
    }

    /** The layer that computes the model's output. */
    public Layer outputLayer() {
        return output.layer();
    }

    /** Every parameter by its dotted name, in layer order: {@code conv1.weight, conv1.bias, ...}. */
    public Map<String, Parameter> parameters() {
        Map<String, Parameter> all = new LinkedHashMap<>();
        for (Node n : order) {
            for (Parameter p : n.layer().parameters()) {
                all.put(n.layer().name() + "." + p.name(), p);
            }
        }
        return all;
    }

    /**
     * Everything a model file stores, as PyTorch's state_dict: the parameters and the buffers
     * (batch norm's running statistics), by dotted name, in layer order.
     */
    public Map<String, Parameter> state() {
        Map<String, Parameter> all = new LinkedHashMap<>();
        for (Node n : order) {
            for (Parameter p : n.layer().parameters()) {
                all.put(n.layer().name() + "." + p.name(), p);
            }
            for (Parameter p : n.layer().buffers()) {
                all.put(n.layer().name() + "." + p.name(), p);
            }
        }
        return all;
    }

    public long parameterCount() {
        long total = 0;
        for (Node n : order) {
            total += n.layer().parameterCount();
        }
        return total;
    }

    /** Values kept but not trained, e.g. batch norm's running statistics. */
    public long nonTrainableCount() {
        long total = 0;
        for (Node n : order) {
            total += n.layer().nonTrainableCount();
        }
        return total;
    }

    List<Node> order() {
        return order;
    }

    Node inputNode() {
        return input;
    }

    Node outputNode() {
        return output;
    }

    /**
     * Evaluation-mode forward pass over {@code batch} samples of {@code x} (NCHW, flat); returns a
     * new array of {@code batch * outputShape().size()} values. Thread-safe.
     *
     * @throws IllegalArgumentException if {@code x} does not hold {@code batch} inputs
     */
    public float[] predict(float[] x, int batch) {
        Execution e = borrow();
        try {
            float[] out = e.infer(x, batch);
            float[] result = new float[batch * output.shape().size()];
            System.arraycopy(out, 0, result, 0, result.length);
            return result;
        } finally {
            idle.push(e);
        }
    }

    /** An execution from the pool, or a new one; {@link #predict} pushes it back. */
    private Execution borrow() {
        Execution e = idle.poll();
        return e != null ? e : new Execution(this, Set.of());
    }

    /** A new private execution (a trainer keeps one for its whole run). */
    public Execution newExecution() {
        return new Execution(this, Set.of());
    }

    /**
     * A new private execution that keeps the output and gradient of the named layers readable
     * ({@link Execution#value(String)}), even where it would otherwise fuse a convolution with
     * the pooling after it (saliency maps read a convolution's feature maps this way).
     *
     * @throws IllegalArgumentException naming an unknown layer and the model's layers
     */
    public Execution newExecution(String... keep) {
        Set<Node> nodes = Collections.newSetFromMap(new IdentityHashMap<>());
        for (String name : keep) {
            Node found = null;
            for (Node n : order) {
                if (n.layer().name().equals(name)) {
                    found = n;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("no layer named '" + name + "'; layers: "
                        + layers().stream().map(Layer::name).toList());
            }
            nodes.add(found);
        }
        return new Execution(this, nodes);
    }

    /** Keras-style table: layer (type), output shape, parameters; then the totals. */
    public String summary() {
        return Summary.of(this);
    }
}
