package dev.isthmus.nn;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One running instance of a {@link Model}: a buffer for every node's output and gradient, and
 * every layer's state, sized for the largest batch seen and reused from call to call, so a
 * training step allocates nothing once warm. Not thread-safe: one thread uses an execution at
 * a time (the model's {@code predict} borrows one per call).
 *
 * <p>Gradients flow in reverse topological order. A node read by one layer gets its gradient
 * written straight into its buffer; a node read by several (a residual branch) gets one buffer
 * per reader, summed in graph order before its producer runs. Layers fed only by the model input
 * are not asked for an input gradient.
 */
public final class Execution {

    private final Model model;
    private final List<Node> order;
    private final Map<Node, Integer> index = new IdentityHashMap<>();
    private final int[][] gradSlot;     // per layer node, per input: gradient buffer id, or -1
    private final int[][] readersOf;    // per node: the buffer ids its readers write, when more than one
    private final Object[] states;
    private final float[][] values;     // per node (input node: the caller's array)
    private float[][] grads;            // per buffer id: nodes first, then extra reader buffers
    private final int[] bufferSize;     // per buffer id: floats per sample
    private final Step step = new Step();
    private SplittableRandom random = new SplittableRandom(0);
    private int capacity;
    private int batch;
    private boolean forwardDone;
    private boolean training;
    private long[] forwardNanos;   // per node, when profiling
    private long[] backwardNanos;

    Execution(Model model) {
        this.model = model;
        this.order = model.order();
        index.put(model.inputNode(), 0);
        for (int i = 0; i < order.size(); i++) {
            index.put(order.get(i), i + 1);
        }
        int nodes = order.size() + 1;
        int[] readers = new int[nodes];
        for (Node n : order) {
            for (Node in : n.inputs()) {
                readers[index.get(in)]++;
            }
        }
        gradSlot = new int[nodes][];
        readersOf = new int[nodes][];
        int extra = nodes;
        int[] sizes = new int[nodes + order.size() * 4];
        for (int i = 0; i < nodes; i++) {
            sizes[i] = nodeAt(i).shape().size();
        }
        int[] filled = new int[nodes];
        for (int i = 0; i < nodes; i++) {
            if (readers[i] > 1) {
                readersOf[i] = new int[readers[i]];
            }
        }
        for (Node n : order) {
            int id = index.get(n);
            gradSlot[id] = new int[n.inputs().size()];
            for (int s = 0; s < n.inputs().size(); s++) {
                Node in = n.inputs().get(s);
                int src = index.get(in);
                if (in.isInput()) {
                    gradSlot[id][s] = -1;
                } else if (readers[src] == 1) {
                    gradSlot[id][s] = src;
                } else {
                    if (extra >= sizes.length) {
                        sizes = Arrays.copyOf(sizes, sizes.length * 2);
                    }
                    sizes[extra] = in.shape().size();
                    readersOf[src][filled[src]++] = extra;
                    gradSlot[id][s] = extra++;
                }
            }
        }
        bufferSize = Arrays.copyOf(sizes, extra);
        values = new float[nodes][];
        grads = new float[extra][];
        states = new Object[nodes];
    }

    private Node nodeAt(int i) {
        return i == 0 ? model.inputNode() : order.get(i - 1);
    }

    public Model model() {
        return model;
    }

    /** Seeds the generator that dropout draws its masks from. */
    public void seed(long seed) {
        random = new SplittableRandom(seed);
    }

    private void ensureCapacity(int batch) {
        if (batch <= capacity) {
            return;
        }
        for (int i = 1; i < values.length; i++) {
            values[i] = new float[Math.multiplyExact(batch, bufferSize[i])];
        }
        for (int b = 1; b < grads.length; b++) {
            grads[b] = new float[Math.multiplyExact(batch, bufferSize[b])];
        }
        for (int i = 1; i < values.length; i++) {
            states[i] = nodeAt(i).layer().newState(batch);
        }
        capacity = batch;
    }

    /**
     * Runs the network on {@code batch} samples of {@code x}; returns the output buffer (the
     * execution's own: its first {@code batch * outputShape().size()} values are the result,
     * valid until the next call).
     *
     * @throws IllegalArgumentException if {@code batch < 1} or {@code x} is shorter than
     *                                  {@code batch} inputs of the model's input shape
     */
    public float[] forward(float[] x, int batch, boolean training) {
        Shape in = model.inputShape();
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        if (x.length < (long) batch * in.size()) {
            throw new IllegalArgumentException("the model input expects " + batch + " samples of shape " + in + " = "
                    + (long) batch * in.size() + " values, got an array of " + x.length);
        }
        ensureCapacity(batch);
        this.batch = batch;
        this.training = training;
        values[0] = x;
        for (int i = 1; i < values.length; i++) {
            Node n = nodeAt(i);
            Step s = prepare(n, i, training);
            long t0 = forwardNanos == null ? 0 : System.nanoTime();
            n.layer().forward(s);
            if (forwardNanos != null) {
                forwardNanos[i] += System.nanoTime() - t0;
            }
        }
        forwardDone = true;
        return values[index.get(model.outputNode())];
    }

    private Step prepare(Node n, int i, boolean training) {
        Step s = step;
        s.batch = batch;
        s.training = training;
        List<Node> ins = n.inputs();
        if (s.inputs == null || s.inputs.length != ins.size()) {
            s.inputs = new float[ins.size()][];
            s.inputGrads = new float[ins.size()][];
        }
        for (int k = 0; k < ins.size(); k++) {
            s.inputs[k] = values[index.get(ins.get(k))];
            int g = gradSlot[i][k];
            s.inputGrads[k] = g < 0 ? null : grads[g];
        }
        s.output = values[i];
        s.outputGrad = grads[i];
        s.state = states[i];
        s.random = random;
        return s;
    }

    /**
     * Back-propagates {@code outputGrad} (d(loss)/d(output), {@code batch} samples) through the
     * last forward pass: every parameter's gradient is overwritten, and every node's gradient
     * is available from {@link #gradient}.
     */
    public void backward(float[] outputGrad) {
        if (!forwardDone) {
            throw new IllegalStateException("backward needs a forward pass first");
        }
        int out = index.get(model.outputNode());
        int n = batch * bufferSize[out];
        if (outputGrad.length < n) {
            throw new IllegalArgumentException("output gradient needs " + n + " values, got " + outputGrad.length);
        }
        System.arraycopy(outputGrad, 0, grads[out], 0, n);
        for (int i = values.length - 1; i >= 1; i--) {
            if (readersOf[i] != null) {
                sumReaders(i);
            }
            Node node = nodeAt(i);
            Step s = prepare(node, i, training);
            long t0 = backwardNanos == null ? 0 : System.nanoTime();
            node.layer().backward(s);
            if (backwardNanos != null) {
                backwardNanos[i] += System.nanoTime() - t0;
            }
        }
    }

    private void sumReaders(int i) {
        int n = batch * bufferSize[i];
        float[] sum = grads[i];
        int[] ids = readersOf[i];
        System.arraycopy(grads[ids[0]], 0, sum, 0, n);
        for (int r = 1; r < ids.length; r++) {
            float[] g = grads[ids[r]];
            for (int k = 0; k < n; k++) {
                sum[k] += g[k];
            }
        }
    }

    /** The last forward value of {@code node} ({@code batch} samples from offset 0). */
    public float[] value(Node node) {
        return values[requireIndex(node)];
    }

    /** The last backward gradient of {@code node}. */
    public float[] gradient(Node node) {
        int i = requireIndex(node);
        if (i == 0) {
            throw new IllegalArgumentException("the model input's gradient is not computed");
        }
        return grads[i];
    }

    /** The output value of the layer named {@code name}. */
    public float[] value(String layerName) {
        return values[layerIndex(layerName)];
    }

    public float[] gradient(String layerName) {
        return grads[layerIndex(layerName)];
    }

    private int layerIndex(String name) {
        for (int i = 0; i < order.size(); i++) {
            if (order.get(i).layer().name().equals(name)) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("no layer named '" + name + "'");
    }

    private int requireIndex(Node node) {
        Integer i = index.get(node);
        if (i == null) {
            throw new IllegalArgumentException("node " + node + " is not part of this model");
        }
        return i;
    }

    public int batch() {
        return batch;
    }

    /** Starts (or restarts from zero) timing each layer's forward and backward passes. */
    public void startProfiling() {
        forwardNanos = new long[values.length];
        backwardNanos = new long[values.length];
    }

    /** Time spent in each layer since {@link #startProfiling}, in execution order. */
    public java.util.List<LayerTime> profile() {
        if (forwardNanos == null) {
            throw new IllegalStateException("call startProfiling() first");
        }
        java.util.List<LayerTime> times = new java.util.ArrayList<>();
        for (int i = 1; i < values.length; i++) {
            times.add(new LayerTime(nodeAt(i).layer().name(), nodeAt(i).layer().type(), forwardNanos[i], backwardNanos[i]));
        }
        return times;
    }

    /** Accumulated nanoseconds in one layer's forward and backward passes. */
    public record LayerTime(String layer, String type, long forwardNanos, long backwardNanos) {}
}
