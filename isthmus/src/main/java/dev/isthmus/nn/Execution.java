package dev.isthmus.nn;

import dev.isthmus.kernels.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * One running instance of a {@link Model}: a buffer for every node's output and gradient, and
 * every layer's state, sized for the largest batch seen and reused from call to call, so a
 * training step allocates nothing once warm. Not thread-safe: one thread uses an execution at
 * a time (the model's {@code predict} borrows one per call).
 *
 * <p><b>Slices.</b> When every layer {@linkplain Layer#worksPerSample works per sample}, a batch
 * is cut into up to {@value #MAX_SLICES} slices and each slice runs the whole network, forward
 * and then backward, on one thread, with no wait between layers: a thread keeps its images'
 * feature maps in its own cache, and the pool is woken once per pass rather than once per
 * layer. Each slice writes its own parameter gradients, added at the end in the fixed order of a
 * {@link SliceTree}. Slices depend on the batch size alone, never on the thread count, so results
 * are bitwise identical for any number of threads. A batch of one, or a network with a whole-batch layer
 * (batch normalisation in training), runs layer by layer instead, each kernel using every thread.
 *
 * <p><b>Shards.</b> {@link #forwardSlices} runs only some of a batch's slices, exactly as they
 * run within the whole batch, and leaves their gradients apart ({@link #sliceGradient}): one
 * worker's part of a data-parallel step, which the workers finish by adding their partial sums
 * where the slice tree has them.
 *
 * <p><b>Fusion.</b> A {@link Conv2D} with a ReLU (or no activation) whose only reader is a 2x2,
 * stride-2 {@link MaxPool2D} runs as one pass ({@link dev.isthmus.kernels.FusedConv2d}): its
 * full-size output is never stored, so {@link #value} and {@link #gradient} do not exist for it.
 * Name the layers you want to read in {@link Model#newExecution(String...)} to keep them.
 *
 * <p>Gradients flow in reverse topological order. A node read by one layer gets its gradient
 * written straight into its buffer; a node read by several (a residual branch) gets one buffer
 * per reader, summed in graph order before its producer runs. Layers fed only by the model input
 * are not asked for an input gradient.
 */
public final class Execution {

    /** Most slices a batch is cut into, and the most floats their parameter gradients may take. */
    static final int MAX_SLICES = 16;
    private static final long MAX_SLICE_GRADIENT_FLOATS = 1L << 24;

    private final Model model;
    private final List<Node> order;
    private final Map<Node, Integer> index = new IdentityHashMap<>();
    private final int[][] gradSlot;     // per layer node, per input: gradient buffer id, or -1
    private final int[][] inputOf;      // per layer node, per input: that input's node index
    private final int outputIndex;      // the model output's node index
    private final int[][] readersOf;    // per node: the buffer ids its readers write, when more than one
    private final int[] pooledBy;       // per node: the pooling node a fused convolution computes, or -1
    private final boolean[] absorbed;   // per node: a pooling its convolution computes (no pass of its own)
    private final Object[] states;
    private final float[][] values;     // per node (input node: the caller's array)
    private float[][] grads;            // per buffer id: nodes first, then extra reader buffers
    private final int[] bufferSize;     // per buffer id: floats per sample
    private final List<Parameter> parameters;
    private final Map<Parameter, Integer> parameterIndex = new IdentityHashMap<>();
    private final Step[] steps = new Step[MAX_SLICES];
    private float[][][] sliceGrads;     // per slice, per parameter; grown to the most slices a backward pass used
    private float[][][] gradsBySlice;   // the same arrays per parameter, per slice: the slice tree's operands
    private final IntConsumer forwardSlice = s -> forwardSlice(this.firstSlice + s);
    private final IntConsumer backwardSlice = s -> backwardSlice(this.firstSlice + s);
    private final IntConsumer sumSliceGrads = this::sumSliceGrads;
    /** The per-slice gradients are summed a chunk per task. */
    private final ParameterChunks sumChunks;
    private SplittableRandom random = new SplittableRandom(0);
    private long passSeed;
    private int capacity;
    private int batch;
    private int slices;                 // of the last forward pass; 1: whole batch, layer by layer
    private int firstSlice, endSlice;   // the slices the last forward pass ran: all, or a shard's
    private boolean shard;              // the last forward pass was forwardSlices: gradients stay per slice
    private boolean forwardDone;
    private boolean training;
    private long[][] forwardNanos;      // per slice, per node, when profiling
    private long[][] backwardNanos;

    Execution(Model model, Set<Node> keep) {
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
        inputOf = new int[nodes][];
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
            inputOf[id] = new int[n.inputs().size()];
            for (int s = 0; s < n.inputs().size(); s++) {
                Node in = n.inputs().get(s);
                int src = index.get(in);
                inputOf[id][s] = src;
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
        outputIndex = index.get(model.outputNode());
        values = new float[nodes][];
        grads = new float[extra][];
        states = new Object[nodes];
        pooledBy = new int[nodes];
        absorbed = new boolean[nodes];
        Arrays.fill(pooledBy, -1);
        for (Node n : order) {
            int p = index.get(n);
            if (n.layer() instanceof MaxPool2D pool && n.inputs().size() == 1) {
                Node c = n.inputs().get(0);
                int ci = index.get(c);
                if (!c.isInput() && c.layer() instanceof Conv2D conv && readers[ci] == 1 && c != model.outputNode()
                        && !keep.contains(c) && conv.canFuse(pool)) {
                    pooledBy[ci] = p;
                    absorbed[p] = true;
                }
            }
        }
        parameters = List.copyOf(model.parameters().values());
        sumChunks = new ParameterChunks(parameters);
        for (int i = 0; i < parameters.size(); i++) {
            parameterIndex.put(parameters.get(i), i);
        }
        int fanIn = 1;
        for (Node n : order) {
            fanIn = Math.max(fanIn, n.inputs().size());
        }
        for (int s = 0; s < steps.length; s++) { // input arrays sized once: a pass allocates nothing
            steps[s] = new Step();
            steps[s].inputs = new float[fanIn][];
            steps[s].inputGrads = new float[fanIn][];
        }
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
        for (int i = 1; i < values.length; i++) { // a fused convolution's own output is never stored
            values[i] = pooledBy[i] < 0 ? new float[Math.multiplyExact(batch, bufferSize[i])] : null;
        }
        for (int b = 1; b < grads.length; b++) {
            boolean stored = b >= values.length || values[b] != null;
            grads[b] = stored ? new float[Math.multiplyExact(batch, bufferSize[b])] : null;
        }
        for (int i = 1; i < values.length; i++) {
            Layer layer = nodeAt(i).layer();
            if (pooledBy[i] >= 0) {
                states[i] = ((Conv2D) layer).newPooledState(batch);
            } else {
                states[i] = absorbed[i] ? null : layer.newState(batch);
            }
        }
        capacity = batch;
    }

    /**
     * Slices for this batch and mode: a function of the batch, the model and the mode alone (never
     * of the thread count); 1 runs the network layer by layer on the whole batch.
     */
    private int slicesFor(int batch, boolean training) {
        for (Node n : order) {
            if (!n.layer().worksPerSample(training)) {
                return 1;
            }
        }
        long floats = Math.max(1, model.parameterCount());
        return (int) Math.max(1, Math.min(Math.min(batch, MAX_SLICES), MAX_SLICE_GRADIENT_FLOATS / floats));
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
        this.slices = slicesFor(batch, training);
        this.passSeed = training ? random.nextLong() : 0;
        values[0] = x;
        firstSlice = 0;
        endSlice = slices;
        shard = false;
        forwardDone = false;
        Parallel.forEach(slices, forwardSlice);
        forwardDone = true;
        return values[outputIndex];
    }

    /**
     * The slices a training pass cuts a batch of {@code batch} samples into (see the class
     * comment): a function of the batch size and the model alone. 1 means the whole batch runs
     * layer by layer, as it must with a whole-batch layer (batch normalisation in training).
     */
    public int trainingSlices(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        return slicesFor(batch, true);
    }

    /**
     * A training forward pass over slices {@code [from, to)} alone of a batch of {@code batch}
     * samples, each computed exactly as {@link #forward} computes it within the whole batch (the
     * same samples, the same dropout masks). {@code x} is laid out as the whole batch; only the
     * samples of these slices are read, and only they are valid in the returned output. The
     * pass draws its dropout seed as every pass does, even for no slices, so workers that take
     * turns holding no slice stay in step. {@link #backward} then runs these slices alone and
     * leaves their gradients in {@link #sliceGradient}.
     *
     * @throws IllegalArgumentException unless {@code 0 <= from <= to <= trainingSlices(batch)}
     */
    public float[] forwardSlices(float[] x, int batch, int from, int to) {
        int all = trainingSlices(batch);
        if (from < 0 || from > to || to > all) {
            throw new IllegalArgumentException("slices [" + from + ", " + to + ") are not within the " + all
                    + " slices of a batch of " + batch);
        }
        Shape in = model.inputShape();
        if (x.length < (long) batch * in.size()) {
            throw new IllegalArgumentException("the model input expects " + batch + " samples of shape " + in + " = "
                    + (long) batch * in.size() + " values, got an array of " + x.length);
        }
        ensureCapacity(batch);
        this.batch = batch;
        this.training = true;
        this.slices = all;
        this.passSeed = random.nextLong();
        values[0] = x;
        firstSlice = from;
        endSlice = to;
        shard = true;
        forwardDone = false;
        Parallel.forEach(to - from, forwardSlice);
        forwardDone = true;
        return values[outputIndex];
    }

    /**
     * The gradient of parameter {@code parameter} (its index in {@link Model#parameters()})
     * summed over slice {@code slice} of the last backward pass, before slices are added: the
     * execution's own array, valid until the next pass. With one slice, the parameter's own
     * {@link Parameter#grad()}.
     *
     * @throws IllegalArgumentException if the last pass did not run {@code slice}
     */
    public float[] sliceGradient(int slice, int parameter) {
        if (slice < firstSlice || slice >= endSlice) {
            throw new IllegalArgumentException("the last pass ran slices [" + firstSlice + ", " + endSlice
                    + "), not slice " + slice);
        }
        Objects.checkIndex(parameter, parameters.size());
        return slices == 1 ? parameters.get(parameter).grad() : sliceGrads[slice][parameter];
    }

    private void forwardSlice(int slice) {
        Step s = steps[slice];
        for (int i = 1; i < values.length; i++) {
            if (absorbed[i]) {
                continue;
            }
            prepare(s, i, slice, false);
            long t0 = forwardNanos == null ? 0 : System.nanoTime();
            if (pooledBy[i] >= 0) {
                ((Conv2D) nodeAt(i).layer()).forwardPooled(s);
            } else {
                nodeAt(i).layer().forward(s);
            }
            if (forwardNanos != null) {
                forwardNanos[slice][i] += System.nanoTime() - t0;
            }
        }
    }

    private int sliceStart(int slice) {
        return (int) ((long) batch * slice / slices);
    }

    /** Points {@code s} at node {@code i}'s buffers for the samples of {@code slice}. */
    private void prepare(Step s, int i, int slice, boolean backward) {
        s.first = sliceStart(slice);
        s.batch = sliceStart(slice + 1) - s.first;
        s.training = training;
        for (int k = 0; k < inputOf[i].length; k++) {
            s.inputs[k] = values[inputOf[i][k]];
            int g = gradSlot[i][k];
            s.inputGrads[k] = g < 0 ? null : grads[g];
        }
        int out = pooledBy[i] >= 0 ? pooledBy[i] : i; // a fused convolution writes its pooling's output
        s.output = values[out];
        s.outputGrad = grads[out];
        s.state = states[i];
        s.random = random;
        s.seed = passSeed ^ (0x9E3779B97F4A7C15L * i);
        s.paramIndex = parameterIndex;
        s.paramGrads = backward && slices > 1 ? sliceGrads[slice] : null;
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
        int out = outputIndex;
        int n = batch * bufferSize[out];
        if (outputGrad.length < n) {
            throw new IllegalArgumentException("output gradient needs " + n + " values, got " + outputGrad.length);
        }
        System.arraycopy(outputGrad, 0, grads[out], 0, n);
        if (slices > 1 && (sliceGrads == null || sliceGrads.length < slices)) {
            // As many slices as this batch has (at most MAX_SLICE_GRADIENT_FLOATS in all); kept.
            float[][][] grown = new float[slices][][];
            for (int s = 0; s < slices; s++) {
                if (sliceGrads != null && s < sliceGrads.length) {
                    grown[s] = sliceGrads[s];
                    continue;
                }
                grown[s] = new float[parameters.size()][];
                for (int p = 0; p < parameters.size(); p++) {
                    grown[s][p] = new float[parameters.get(p).size()];
                }
            }
            sliceGrads = grown;
            gradsBySlice = new float[parameters.size()][slices][];
            for (int p = 0; p < parameters.size(); p++) {
                for (int s = 0; s < slices; s++) {
                    gradsBySlice[p][s] = grown[s][p];
                }
            }
        }
        Parallel.forEach(endSlice - firstSlice, backwardSlice);
        if (slices > 1 && !shard) { // a shard's slices stay apart, even when it has them all
            Parallel.forEach(sumChunks.count(), sumSliceGrads);
        }
    }

    private void backwardSlice(int slice) {
        Step s = steps[slice];
        int from = sliceStart(slice), to = sliceStart(slice + 1);
        for (int i = values.length - 1; i >= 1; i--) {
            if (absorbed[i]) {
                continue; // its gradient goes through its convolution's pass
            }
            int out = pooledBy[i] >= 0 ? pooledBy[i] : i;
            if (readersOf[out] != null) {
                sumReaders(out, from, to);
            }
            prepare(s, i, slice, true);
            long t0 = backwardNanos == null ? 0 : System.nanoTime();
            if (pooledBy[i] >= 0) {
                ((Conv2D) nodeAt(i).layer()).backwardPooled(s);
            } else {
                nodeAt(i).layer().backward(s);
            }
            if (backwardNanos != null) {
                backwardNanos[slice][i] += System.nanoTime() - t0;
            }
        }
    }

    /** Chunk {@code c} of a parameter's gradient: its slices' gradients added in the slice tree's order. */
    private void sumSliceGrads(int c) {
        int p = sumChunks.parameter(c), from = sumChunks.from(c), to = from + sumChunks.length(c);
        float[][] parts = gradsBySlice[p];
        SliceTree.sum(parts, 0, slices, from, to);
        System.arraycopy(parts[0], from, parameters.get(p).grad(), from, to - from);
    }

    private void sumReaders(int i, int from, int to) {
        int size = bufferSize[i];
        float[] sum = grads[i];
        int[] ids = readersOf[i];
        System.arraycopy(grads[ids[0]], from * size, sum, from * size, (to - from) * size);
        for (int r = 1; r < ids.length; r++) {
            float[] g = grads[ids[r]];
            for (int k = from * size; k < to * size; k++) {
                sum[k] += g[k];
            }
        }
    }

    /** The last forward value of {@code node} ({@code batch} samples from offset 0). */
    public float[] value(Node node) {
        return stored(values, requireIndex(node), "output");
    }

    /** The last backward gradient of {@code node}. */
    public float[] gradient(Node node) {
        int i = requireIndex(node);
        if (i == 0) {
            throw new IllegalArgumentException("the model input's gradient is not computed");
        }
        return stored(grads, i, "gradient");
    }

    /** The output value of the layer named {@code name}. */
    public float[] value(String layerName) {
        return stored(values, layerIndex(layerName), "output");
    }

    public float[] gradient(String layerName) {
        return stored(grads, layerIndex(layerName), "gradient");
    }

    private float[] stored(float[][] buffers, int i, String what) {
        if (i > 0 && pooledBy[i] >= 0) {
            String name = nodeAt(i).layer().name();
            throw new IllegalStateException(name + "'s " + what + " is not kept: " + name + " and "
                    + nodeAt(pooledBy[i]).layer().name() + " run as one pass; use model.newExecution(\"" + name
                    + "\") for an execution that keeps it");
        }
        return buffers[i];
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

    /**
     * Slices the last forward pass cut the batch into (1: layer by layer on the whole batch).
     * See the class comment.
     */
    public int slices() {
        return slices;
    }

    /** Names of the convolutions that run with the pooling after them as one pass, in order. */
    public List<String> fusedLayers() {
        List<String> names = new ArrayList<>();
        for (int i = 1; i < values.length; i++) {
            if (pooledBy[i] >= 0) {
                names.add(nodeAt(i).layer().name() + "+" + nodeAt(pooledBy[i]).layer().name());
            }
        }
        return names;
    }

    /** Starts (or restarts from zero) timing each layer's forward and backward passes. */
    public void startProfiling() {
        forwardNanos = new long[MAX_SLICES][values.length];
        backwardNanos = new long[MAX_SLICES][values.length];
    }

    /**
     * Time spent in each layer since {@link #startProfiling}, in execution order, summed over
     * the threads that ran it (so with slices on several threads, more than the wall time). A
     * fused convolution and pooling are one entry, named {@code conv+pool}.
     */
    public List<LayerTime> profile() {
        if (forwardNanos == null) {
            throw new IllegalStateException("call startProfiling() first");
        }
        List<LayerTime> times = new ArrayList<>();
        for (int i = 1; i < values.length; i++) {
            if (absorbed[i]) {
                continue;
            }
            long f = 0, b = 0;
            for (int s = 0; s < MAX_SLICES; s++) {
                f += forwardNanos[s][i];
                b += backwardNanos[s][i];
            }
            Layer layer = nodeAt(i).layer();
            if (pooledBy[i] >= 0) {
                Layer pool = nodeAt(pooledBy[i]).layer();
                times.add(new LayerTime(layer.name() + "+" + pool.name(), layer.type() + "+" + pool.type(), f, b));
            } else {
                times.add(new LayerTime(layer.name(), layer.type(), f, b));
            }
        }
        return times;
    }

    /** Accumulated nanoseconds in one layer's forward and backward passes. */
    public record LayerTime(String layer, String type, long forwardNanos, long backwardNanos) {}
}
