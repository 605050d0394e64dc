package dev.isthmus.nn;

import dev.isthmus.kernels.MapLayout;
import dev.isthmus.kernels.Parallel;
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
 * every operation's state, sized for the largest batch seen and reused from call to call, so a
 * training step allocates nothing once warm. Not thread-safe: one thread uses an execution at
 * a time (the model's {@code predict} borrows one per call).
 *
 * <p><b>Plan.</b> What runs is an {@link ExecutionPlan}, made once per mode (training,
 * evaluation, inference): the layers in order, with patterns that run better as one pass replaced
 * by a fused operation ({@link FusionRule}). A fused layer's output is never stored, so
 * {@link #value} and {@link #gradient} do not exist for it; name the layers you want to read in
 * {@link Model#newExecution(String...)} to keep them. Gradients share arrays during the backward
 * pass ({@link GradientArrays}): {@link #gradient} reads only the output's and those of the layers
 * named there. {@link #infer} runs the inference plan,
 * which may fold more (batch norm into the convolution before it) and cannot be back-propagated;
 * {@code forward(x, batch, false)} runs the evaluation plan, which can.
 *
 * <p><b>Slices.</b> When every operation {@linkplain Layer#worksPerSample works per sample}, a
 * batch is cut into slices ({@link #slicesFor}: up to {@value #MAX_TRAINING_SLICES} where the
 * pass may be back-propagated, {@value #MAX_SLICES} in inference) and each slice runs the whole network,
 * forward and then backward, on one thread, with no wait between layers: a thread keeps its
 * images' feature maps in its own cache, and the pool is woken once per pass rather than once per
 * layer. Each slice writes its own parameter gradients ({@link SliceGradients}), added at the end
 * in the fixed order of a {@link SliceTree}. Slices depend on the batch size alone, never on the
 * thread count, so results are bitwise identical for any number of threads. Batch normalisation
 * in training needs the whole batch's statistics: the slices stop at it once per pass each way,
 * each having gathered its own statistics, one thread merges them in slice order, and the slices
 * go on ({@link BatchReduction}). A batch of one, or a network with a layer that needs the whole
 * batch at once (a user's own, not {@linkplain Layer#worksPerSample working per sample}), runs
 * layer by layer instead, each kernel using every thread. In inference the maps between layers
 * live in each thread's own buffers, one slice long ({@link #sliceLocal}), not in whole-batch
 * arrays, so that a slice writes where the last slice on its thread wrote, in cache.
 *
 * <p><b>Shards.</b> {@link #forwardSlices} runs only some of a batch's slices, exactly as they
 * run within the whole batch, and leaves their gradients apart ({@link #sliceGradient}): one
 * worker's part of a data-parallel step, which the workers finish by adding their partial sums
 * where the slice tree has them.
 */
public final class Execution {

    /**
     * Most slices a batch is cut into: an inference pass's (one or two images a slice up to
     * batch 128, so that a layer's maps for the slice stay in L2: VGG's inference at batch 128
     * on two threads took 0.91-0.98 of its time in 16 slices, in two alternated runs), and a pass that may be
     * back-propagated, whose slices each keep a copy of the parameter gradients; and the most
     * floats those copies may take.
     */
    static final int MAX_SLICES = 64, MAX_TRAINING_SLICES = 16;
    private static final long MAX_SLICE_GRADIENT_FLOATS = 1L << 25;

    private final Model model;
    /** By {@link ExecutionPlan.Mode}. */
    private final ExecutionPlan[] plans = new ExecutionPlan[ExecutionPlan.Mode.values().length];
    private final Map<Node, Integer> number = new IdentityHashMap<>();
    private final float[][] values;     // per node (input node: the caller's array); null where no plan stores it
    private final float[][] grads;      // per buffer id: buffers take turns in arrays (GradientArrays)
    private final int[] gradientArray;  // per buffer id: its array, or -1 for none
    private final boolean[] ownGradient; // per buffer id: an array of its own (kept nodes, the output)
    /** Per node: an inference pass keeps it in each thread's own buffers, one slice long ({@link #sliceLocal}). */
    private final boolean[] sliceLocal;
    /** Per node, the padded layout its slice-local buffer holds it in, or null: dense ({@link #sliceLayouts}). */
    private final MapLayout[] sliceLayout;
    /** This execution's slice-local buffers on the calling thread, per node. */
    private final ThreadLocal<float[][]> threadBuffers;
    private int maxSlice;               // samples in the last pass's largest slice
    private final Object[][] states;    // per mode, per entry
    private final List<Parameter> parameters;
    private final Map<Parameter, Integer> parameterIndex = new IdentityHashMap<>();
    private final SliceGradients sliceGradients;
    /** Per mode, per parameter: a batch-wide step writes its gradient summed over the slices (left out of the sum). */
    private final boolean[][] summedByStep = new boolean[ExecutionPlan.Mode.values().length][];
    private static final int[] NONE = {};
    private final LayerCall[] steps = new LayerCall[MAX_SLICES];
    private final IntConsumer forwardSlice = s -> forwardSlice(this.firstSlice + s);
    private final IntConsumer backwardSlice = s -> backwardSlice(this.firstSlice + s);
    /** Set by {@link LayerProfiler#attach}; null when nobody is timing. */
    LayerProfiler profiler;
    private SplittableRandom random = new SplittableRandom(0);
    private ExecutionPlan plan;         // of the last forward pass
    private Object[] planStates;
    private long passSeed;
    private int capacity;
    private int batch;
    private int slices;                 // of the last forward pass; 1: whole batch, layer by layer
    private int firstSlice, endSlice;   // the slices the last forward pass ran: all, or a shard's
    private boolean shard;              // the last forward pass was forwardSlices: gradients stay per slice
    private boolean forwardDone;
    private boolean training;
    // The stage the slices run now: an apply step first (or -1), entries [stageFirst, stageEnd)
    // (backward: stageEnd down to stageFirst + 1), a partial step last (or -1); see BatchReduction.
    private int applyEntry = -1, stageFirst, stageEnd, partialEntry = -1;

    Execution(Model model, Set<Node> keep) {
        this(model, keep, true);
    }

    /**
     * {@code shareGradients} false: every gradient buffer its own array, an Add's inputs' too
     * (tests compare the two).
     */
    Execution(Model model, Set<Node> keep, boolean shareGradients) {
        this.model = model;
        for (ExecutionPlan.Mode m : ExecutionPlan.Mode.values()) {
            plans[m.ordinal()] = ExecutionPlan.build(model, keep, ExecutionPlan.RULES, m);
        }
        if (!Arrays.equals(plans[0].bufferSize, plans[1].bufferSize)) { // a backward pass uses the training buffers
            throw new IllegalStateException("training and evaluation plans must share their gradient buffers");
        }
        List<Node> nodes = plans[0].nodes;
        for (int i = 0; i < nodes.size(); i++) {
            number.put(nodes.get(i), i);
        }
        values = new float[nodes.size()][];
        grads = new float[plans[0].bufferSize.length][];
        states = new Object[plans.length][];
        parameters = List.copyOf(model.parameters().values());
        for (int i = 0; i < parameters.size(); i++) {
            parameterIndex.put(parameters.get(i), i);
        }
        sliceGradients = new SliceGradients(parameters);
        sliceLocal = sliceLocal(plan(ExecutionPlan.Mode.INFERENCE), keep);
        sliceLayout = sliceLayouts(plan(ExecutionPlan.Mode.INFERENCE), sliceLocal);
        threadBuffers = ThreadLocal.withInitial(() -> new float[nodes.size()][]);
        ExecutionPlan train = plan(ExecutionPlan.Mode.TRAINING);
        int buffers = grads.length;
        boolean[] needed = new boolean[buffers];
        ownGradient = new boolean[buffers];
        for (int b = 1; b < buffers; b++) {
            needed[b] = b >= values.length || train.stored(b);
            ownGradient[b] = b < values.length && (b == train.outputNode || keep.contains(nodes.get(b)));
        }
        gradientArray = GradientArrays.assign(List.of(train, plan(ExecutionPlan.Mode.EVALUATION)), train.bufferSize,
                needed, shareGradients ? ownGradient : needed, shareGradients);
        for (ExecutionPlan p : plans) {
            boolean[] summed = new boolean[parameters.size()];
            for (int r : p.reductions) {
                for (Parameter q : p.entries.get(r).operation().reduction().summedParameters()) {
                    summed[parameterIndex.get(q)] = true;
                }
            }
            summedByStep[p.mode.ordinal()] = summed;
        }
        int fanIn = 1; // an operation's inputs: its head's, and a fused one's from outside it
        for (ExecutionPlan p : plans) {
            for (ExecutionPlan.Entry e : p.entries) {
                fanIn = Math.max(fanIn, e.inputs().length);
            }
        }
        int fanOut = 1; // a node's readers
        for (ExecutionPlan p : plans) {
            for (int[] readers : p.readerBuffers) {
                fanOut = Math.max(fanOut, readers == null ? 1 : readers.length);
            }
        }
        for (int s = 0; s < steps.length; s++) { // input arrays sized once: a pass allocates nothing
            steps[s] = new LayerCall();
            steps[s].inputs = new float[fanIn][];
            steps[s].inputGrads = new float[fanIn][];
            steps[s].outputGradParts = new float[fanOut][];
        }
    }

    /**
     * The nodes an inference pass keeps in each thread's own buffers, one slice long, rather than
     * in whole-batch arrays: each slice then writes a layer's maps where the last slice on its
     * thread left them, in cache, not into fresh memory (a whole-batch array of ChestXRayNet's
     * conv1 maps is 16 MB at batch 32). A node qualifies when it is stored and neither the input,
     * the output nor kept ({@link Model#newExecution(String...)}); when the operation writing it
     * and those reading it {@linkplain Operation#honoursBufferOffsets honour the buffer offsets}
     * and none is a batch-wide step; when they run in the same stage (between the same batch-wide
     * steps, as a slice may change threads at one); and when the other inputs of its readers
     * qualify too (an operation reads all its inputs at one offset). Each thread that runs this
     * execution's inference slices keeps one slice of these maps (a few MB at most for the
     * benchmark networks, against the whole batch's arrays every execution holds).
     */
    private static boolean[] sliceLocal(ExecutionPlan p, Set<Node> keep) {
        int n = p.nodes.size();
        boolean[] local = new boolean[n];
        for (int i = 1; i < n; i++) {
            local[i] = p.stored(i) && i != p.outputNode && !keep.contains(p.nodes.get(i));
        }
        int[] writerStage = new int[n], entryStage = new int[p.entries.size()];
        boolean[] batchWide = new boolean[p.entries.size()];
        for (int r : p.reductions) {
            batchWide[r] = true;
        }
        for (int e = 0, stage = 0; e < p.entries.size(); e++) {
            ExecutionPlan.Entry entry = p.entries.get(e);
            entryStage[e] = stage;
            writerStage[entry.output()] = stage;
            if (batchWide[e] || !entry.operation().honoursBufferOffsets()) {
                local[entry.output()] = false;
                for (int in : entry.inputs()) {
                    local[in] = false;
                }
            }
            if (batchWide[e]) {
                stage++;
            }
        }
        for (int e = 0; e < p.entries.size(); e++) {
            for (int in : p.entries.get(e).inputs()) {
                local[in] &= writerStage[in] == entryStage[e];
            }
        }
        for (boolean changed = true; changed; ) {
            changed = false;
            for (ExecutionPlan.Entry entry : p.entries) {
                boolean all = true;
                for (int in : entry.inputs()) {
                    all &= local[in];
                }
                for (int in : entry.inputs()) {
                    changed |= local[in] && !all;
                    local[in] &= all;
                }
            }
        }
        return local;
    }

    /**
     * Per node, the padded layout an inference pass keeps it in, or null (dense): a slice-local
     * node read by one operation alone, as its only input, that reads a staged layout the
     * operation writing the node can write. ChestXRayNet's conv+pool passes so write their maps
     * into the next pass's padded input, which copied them there image by image (about a tenth
     * of its inference on one thread).
     */
    private static MapLayout[] sliceLayouts(ExecutionPlan p, boolean[] local) {
        int n = p.nodes.size();
        int[] readers = new int[n], reader = new int[n];
        for (int e = 0; e < p.entries.size(); e++) {
            for (int in : p.entries.get(e).inputs()) {
                readers[in]++;
                reader[in] = e;
            }
        }
        MapLayout[] layouts = new MapLayout[n];
        for (ExecutionPlan.Entry writer : p.entries) {
            int i = writer.output();
            if (!local[i] || readers[i] != 1 || p.entries.get(reader[i]).inputs().length != 1) {
                continue;
            }
            MapLayout staged = p.entries.get(reader[i]).operation().stagedInput();
            if (staged != null && writer.operation().writesLayout(staged)) {
                layouts[i] = staged;
            }
        }
        return layouts;
    }

    /** Node {@code i}'s slice-local buffer on this thread, one slice of the current pass long. */
    private float[] sliceBuffer(int i) {
        float[][] mine = threadBuffers.get();
        int need = Math.multiplyExact(maxSlice, sliceLayout[i] != null ? sliceLayout[i].imageSize()
                : plan.bufferSize[i]);
        if (mine[i] == null || mine[i].length < need) {
            mine[i] = new float[need];
        }
        return mine[i];
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
        for (int i = 1; i < values.length; i++) { // a node no plan stores (inside a fusion) gets no buffer
            boolean stored = false;
            for (ExecutionPlan p : plans) {
                stored |= p.stored(i);
            }
            values[i] = stored ? new float[Math.multiplyExact(batch, plans[0].bufferSize[i])] : null;
        }
        ExecutionPlan train = plan(ExecutionPlan.Mode.TRAINING);
        float[][] arrays = new float[grads.length][];
        for (int b = 1; b < grads.length; b++) { // gradients: the training plan's buffers, in shared arrays
            int a = gradientArray[b];
            if (a >= 0 && arrays[a] == null) {
                arrays[a] = new float[Math.multiplyExact(batch, train.bufferSize[b])];
            }
            grads[b] = a < 0 ? null : arrays[a];
        }
        for (int m = 0; m < plans.length; m++) {
            List<ExecutionPlan.Entry> entries = plans[m].entries;
            states[m] = new Object[entries.size()];
            for (int e = 0; e < entries.size(); e++) {
                states[m][e] = entries.get(e).operation().newState(batch, plans[m].mode != ExecutionPlan.Mode.INFERENCE);
            }
        }
        capacity = batch;
    }

    /**
     * Slices for this batch and mode: a function of the batch, the model and the mode alone (never
     * of the thread count); 1 runs the network layer by layer on the whole batch. A pass that may
     * be back-propagated takes no more slices than their parameter gradients fit in
     * {@value #MAX_SLICE_GRADIENT_FLOATS} floats; where that bounds them, a power of two, so that
     * two, four, eight or sixteen threads share them evenly (VGG's 2.2 million parameters allowed
     * 7 in half the floats; on two threads one then stood idle an eighth of the pass, and its
     * training step ran 5-12% slower than in 8 slices); {@value #MAX_TRAINING_SLICES} at most. An
     * inference pass keeps no gradients, so takes up to {@value #MAX_SLICES}.
     */
    private int slicesFor(int batch, ExecutionPlan.Mode mode) {
        if (!plan(mode).slicesWork()) {
            return 1;
        }
        if (mode == ExecutionPlan.Mode.INFERENCE) {
            return Math.min(batch, MAX_SLICES);
        }
        int slices = Math.min(batch, MAX_TRAINING_SLICES);
        long fit = MAX_SLICE_GRADIENT_FLOATS / Math.max(1, model.parameterCount());
        return fit >= slices ? slices : Integer.highestOneBit((int) Math.max(1, fit));
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
        return run(x, batch, training ? ExecutionPlan.Mode.TRAINING : ExecutionPlan.Mode.EVALUATION);
    }

    /**
     * An inference pass over {@code batch} samples of {@code x}: evaluation mode, with the
     * inference plan's folds; it keeps no gradients ({@link #backward} refuses to follow it).
     * Returns the output buffer, as {@link #forward} does.
     *
     * @throws IllegalArgumentException if {@code batch < 1} or {@code x} is too short
     */
    public float[] infer(float[] x, int batch) {
        return run(x, batch, ExecutionPlan.Mode.INFERENCE);
    }

    private float[] run(float[] x, int batch, ExecutionPlan.Mode mode) {
        checkInput(x, batch);
        begin(x, batch, mode, slicesFor(batch, mode));
        firstSlice = 0;
        endSlice = slices;
        shard = false;
        int from = 0, apply = -1;
        for (int r : plan.reductions) { // the slices wait at each batch-wide step
            forwardStage(apply, from, r, r);
            long t0 = profiler == null ? 0 : System.nanoTime();
            plan.entries.get(r).operation().reduction().forwardFinish(planStates[r], slices);
            if (profiler != null) {
                profiler.add(plan, 0, r, false, System.nanoTime() - t0);
            }
            apply = r;
            from = r + 1;
        }
        forwardStage(apply, from, plan.entries.size(), -1);
        forwardDone = true;
        return values[plan.outputNode];
    }

    private void forwardStage(int apply, int first, int end, int partial) {
        applyEntry = apply;
        stageFirst = first;
        stageEnd = end;
        partialEntry = partial;
        Parallel.forEach(endSlice - firstSlice, forwardSlice);
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
        return slicesFor(batch, ExecutionPlan.Mode.TRAINING);
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
        ExecutionPlan training = plan(ExecutionPlan.Mode.TRAINING);
        for (int e : training.reductions) {
            Operation r = training.entries.get(e).operation();
            if (!r.reduction().sameBitsPerSlice()) {
                throw new IllegalStateException(r.name() + " (" + r.type() + ") needs statistics of"
                        + " the whole batch in training, so a shard of the batch cannot run it alone");
            }
        }
        checkInput(x, batch);
        begin(x, batch, ExecutionPlan.Mode.TRAINING, all);
        firstSlice = from;
        endSlice = to;
        shard = true;
        forwardStage(-1, 0, plan.entries.size(), -1);
        forwardDone = true;
        return values[plan.outputNode];
    }

    private void checkInput(float[] x, int batch) {
        Shape in = model.inputShape();
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        if (x.length < (long) batch * in.size()) {
            throw new IllegalArgumentException("the model input expects " + batch + " samples of shape " + in + " = "
                    + (long) batch * in.size() + " values, got an array of " + x.length);
        }
    }

    private void begin(float[] x, int batch, ExecutionPlan.Mode mode, int slices) {
        ensureCapacity(batch);
        this.batch = batch;
        this.training = mode.training();
        this.slices = slices;
        this.maxSlice = (batch + slices - 1) / slices;
        this.plan = plan(mode);
        this.planStates = states[mode.ordinal()];
        this.passSeed = training ? random.nextLong() : 0;
        values[0] = x;
        forwardDone = false;
        List<ExecutionPlan.Entry> entries = plan.entries;
        for (int e = 0; e < entries.size(); e++) {
            entries.get(e).operation().beforePass(planStates[e], training);
        }
    }

    /**
     * The gradient of parameter {@code parameter} (its index in {@link Model#parameters()})
     * summed over slice {@code slice} of the last backward pass, before slices are added: the
     * execution's own array, valid until the next pass. With one slice, the parameter's own
     * {@link Parameter#grad()}.
     *
     * @throws IllegalArgumentException if the last pass did not run {@code slice}
     * @throws IllegalStateException    if the last pass ran the whole batch and the parameter's
     *                                  layer summed its gradient over the slices at once (a wide
     *                                  {@code Dense}): only a shard's pass keeps it per slice
     */
    public float[] sliceGradient(int slice, int parameter) {
        if (slice < firstSlice || slice >= endSlice) {
            throw new IllegalArgumentException("the last pass ran slices [" + firstSlice + ", " + endSlice
                    + "), not slice " + slice);
        }
        Objects.checkIndex(parameter, parameters.size());
        if (!shard && slices > 1 && summedByStep[plan.mode.ordinal()][parameter]) {
            throw new IllegalStateException("parameter " + parameters.get(parameter).name() + "'s gradient was summed"
                    + " over the slices at once by its layer; a shard's pass (forwardSlices) keeps it per slice");
        }
        return slices == 1 ? parameters.get(parameter).grad() : sliceGradients.of(slice, parameter);
    }

    private void forwardSlice(int slice) {
        LayerCall s = steps[slice];
        List<ExecutionPlan.Entry> entries = plan.entries;
        if (applyEntry >= 0) {
            prepare(s, entries.get(applyEntry), planStates[applyEntry], slice, false);
            long t0 = profiler == null ? 0 : System.nanoTime();
            entries.get(applyEntry).operation().reduction().forwardApply(s);
            if (profiler != null) {
                profiler.add(plan, slice, applyEntry, false, System.nanoTime() - t0);
            }
        }
        for (int e = stageFirst; e < stageEnd; e++) {
            ExecutionPlan.Entry entry = entries.get(e);
            prepare(s, entry, planStates[e], slice, false);
            long t0 = profiler == null ? 0 : System.nanoTime();
            entry.operation().forward(s);
            if (profiler != null) {
                profiler.add(plan, slice, e, false, System.nanoTime() - t0);
            }
        }
        if (partialEntry >= 0) {
            prepare(s, entries.get(partialEntry), planStates[partialEntry], slice, false);
            long t0 = profiler == null ? 0 : System.nanoTime();
            entries.get(partialEntry).operation().reduction().forwardPartial(s, slice);
            if (profiler != null) {
                profiler.add(plan, slice, partialEntry, false, System.nanoTime() - t0);
            }
        }
    }

    private int sliceStart(int slice) {
        return (int) ((long) batch * slice / slices);
    }

    /** Points {@code s} at an entry's buffers for the samples of {@code slice}. */
    private void prepare(LayerCall s, ExecutionPlan.Entry entry, Object state, int slice, boolean backward) {
        s.first = sliceStart(slice);
        s.batch = sliceStart(slice + 1) - s.first;
        s.training = training;
        boolean inference = plan.mode == ExecutionPlan.Mode.INFERENCE;
        int[] inputs = entry.inputs(), inputGrads = entry.inputGrads();
        s.inputFirst = s.first;
        s.inputLayout = null;
        for (int k = 0; k < inputs.length; k++) {
            boolean local = inference && sliceLocal[inputs[k]]; // all of an entry's inputs, or none
            s.inputs[k] = local ? sliceBuffer(inputs[k]) : values[inputs[k]];
            s.inputFirst = local ? 0 : s.first;
            if (local && k == 0) {
                s.inputLayout = sliceLayout[inputs[0]];
            }
            int g = inputGrads[k];
            s.inputGrads[k] = g < 0 ? null : grads[g];
        }
        boolean localOutput = inference && sliceLocal[entry.output()];
        s.output = localOutput ? sliceBuffer(entry.output()) : values[entry.output()];
        s.outputFirst = localOutput ? 0 : s.first;
        s.outputLayout = localOutput ? sliceLayout[entry.output()] : null;
        s.outputGrad = grads[entry.output()];
        s.outputGradPartCount = 0;
        s.state = state;
        s.seed = passSeed ^ (0x9E3779B97F4A7C15L * entry.head());
        s.paramIndex = parameterIndex;
        s.paramGrads = backward && slices > 1 ? sliceGradients.ofSlice(slice) : null;
    }

    /**
     * Back-propagates {@code outputGrad} (d(loss)/d(output), {@code batch} samples) through the
     * last forward pass: every parameter's gradient is overwritten, and the gradients of the
     * network's output and of the layers named in {@link Model#newExecution(String...)} are
     * available from {@link #gradient}.
     */
    public void backward(float[] outputGrad) {
        if (!forwardDone) {
            throw new IllegalStateException("backward needs a forward pass first");
        }
        if (plan.mode == ExecutionPlan.Mode.INFERENCE) {
            throw new IllegalStateException("backward cannot follow an inference pass (infer keeps no gradients);"
                    + " run forward(x, batch, false) for an evaluation pass to back-propagate");
        }
        int out = plan.outputNode;
        int n = batch * plan.bufferSize[out];
        if (outputGrad.length < n) {
            throw new IllegalArgumentException("output gradient needs " + n + " values, got " + outputGrad.length);
        }
        System.arraycopy(outputGrad, 0, grads[out], 0, n);
        for (int e = 0; e < plan.entries.size(); e++) {
            ExecutionPlan.Entry entry = plan.entries.get(e);
            entry.operation().beforeBackward(planStates[e], Arrays.stream(entry.inputGrads()).anyMatch(g -> g >= 0));
        }
        if (slices > 1) {
            sliceGradients.ensureSlices(slices);
        }
        int high = plan.entries.size() - 1, apply = -1;
        int[] reductions = shard ? NONE : plan.reductions; // a shard runs them slice by slice (forwardSlices)
        for (int i = reductions.length - 1; i >= 0; i--) { // the slices wait at each batch-wide step
            int r = reductions[i];
            backwardStage(apply, high, r, r);
            long t0 = profiler == null ? 0 : System.nanoTime();
            plan.entries.get(r).operation().reduction().backwardFinish(planStates[r], slices, steps);
            if (profiler != null) {
                profiler.add(plan, 0, r, true, System.nanoTime() - t0);
            }
            apply = r;
            high = r - 1;
        }
        backwardStage(apply, high, -1, -1);
        if (slices > 1 && !shard) { // a shard's slices stay apart, even when it has them all
            sliceGradients.sumInto(slices, summedByStep[plan.mode.ordinal()]);
        }
    }

    /** The backward stage: an apply step (or -1), entries {@code high} down to {@code low + 1}, a partial step (or -1). */
    private void backwardStage(int apply, int high, int low, int partial) {
        applyEntry = apply;
        stageEnd = high;
        stageFirst = low;
        partialEntry = partial;
        Parallel.forEach(endSlice - firstSlice, backwardSlice);
    }

    private void backwardSlice(int slice) {
        LayerCall s = steps[slice];
        int from = sliceStart(slice), to = sliceStart(slice + 1);
        List<ExecutionPlan.Entry> entries = plan.entries;
        if (applyEntry >= 0) {
            prepare(s, entries.get(applyEntry), planStates[applyEntry], slice, true);
            long t0 = profiler == null ? 0 : System.nanoTime();
            entries.get(applyEntry).operation().reduction().backwardApply(s);
            if (profiler != null) {
                profiler.add(plan, slice, applyEntry, true, System.nanoTime() - t0);
            }
        }
        for (int e = stageEnd; e > stageFirst; e--) {
            ExecutionPlan.Entry entry = entries.get(e);
            int out = entry.output();
            int[] readers = plan.readerBuffers[out];
            boolean partsRead = readers != null && entry.operation().sumsOutputGradient() && !ownGradient[out];
            if (readers != null && !partsRead) {
                sumReaders(out, from, to, s.outputGradParts);
            }
            prepare(s, entry, planStates[e], slice, true);
            if (partsRead) {
                for (int r = 0; r < readers.length; r++) {
                    s.outputGradParts[r] = grads[readers[r]];
                }
                s.outputGradPartCount = readers.length;
                s.outputGrad = null;
            }
            long t0 = profiler == null ? 0 : System.nanoTime();
            entry.operation().backward(s);
            if (profiler != null) {
                profiler.add(plan, slice, e, true, System.nanoTime() - t0);
            }
        }
        if (partialEntry >= 0) {
            ExecutionPlan.Entry entry = entries.get(partialEntry);
            if (plan.readerBuffers[entry.output()] != null) {
                sumReaders(entry.output(), from, to, s.outputGradParts);
            }
            prepare(s, entry, planStates[partialEntry], slice, true);
            long t0 = profiler == null ? 0 : System.nanoTime();
            entry.operation().reduction().backwardPartial(s, slice);
            if (profiler != null) {
                profiler.add(plan, slice, partialEntry, true, System.nanoTime() - t0);
            }
        }
    }

    /** Node {@code i}'s gradient for samples {@code [from, to)}, from its readers' ({@code parts}: an array to fill). */
    private void sumReaders(int i, int from, int to, float[][] parts) {
        int size = plan.bufferSize[i];
        int[] ids = plan.readerBuffers[i];
        for (int r = 0; r < ids.length; r++) {
            parts[r] = grads[ids[r]];
        }
        sumParts(parts, ids.length, grads[i], from * size, to * size);
    }

    /**
     * {@code sum[from, to)} = the first {@code count} of {@code parts} added in order: a node's
     * gradient from its readers'. The first two in one pass, as {@link Add#sum} (a copy first cost
     * a pass); wherever it runs, the same sums in the same order.
     */
    static void sumParts(float[][] parts, int count, float[] sum, int from, int to) {
        float[] g0 = parts[0], g1 = parts[1];
        for (int k = from; k < to; k++) {
            sum[k] = g0[k] + g1[k];
        }
        for (int r = 2; r < count; r++) {
            float[] g = parts[r];
            for (int k = from; k < to; k++) {
                sum[k] += g[k];
            }
        }
    }

    /** How many arrays the gradient buffers take turns in ({@link GradientArrays}). */
    int gradientArrays() {
        return Arrays.stream(gradientArray).max().orElse(-1) + 1;
    }

    /** The last forward value of {@code node} ({@code batch} samples from offset 0). */
    public float[] value(Node node) {
        return stored(values, requireNumber(node), "output");
    }

    /**
     * The last backward gradient of {@code node}: the network's output, or a layer named in
     * {@link Model#newExecution(String...)}. Other gradients share arrays during the backward
     * pass (as PyTorch frees them unless asked to retain them), so they are not readable after it.
     *
     * @throws IllegalStateException for a node whose gradient is not kept
     */
    public float[] gradient(Node node) {
        int i = requireNumber(node);
        if (i == 0) {
            throw new IllegalArgumentException("the model input's gradient is not computed");
        }
        return keptGradient(i);
    }

    /**
     * The output value of the layer named {@code name}, after the last forward pass. An inference
     * pass keeps only the network's output and the layers named in
     * {@link Model#newExecution(String...)} ({@link #sliceLocal}); a forward pass keeps every
     * layer's output that no fusion hides.
     *
     * @throws IllegalStateException for an output that pass did not keep, naming the way to keep it
     */
    public float[] value(String layerName) {
        return stored(values, layerNumber(layerName), "output");
    }

    /** The last backward gradient of the layer named {@code name}: see {@link #gradient(Node)}. */
    public float[] gradient(String layerName) {
        return keptGradient(layerNumber(layerName));
    }

    private float[] keptGradient(int i) {
        float[] g = stored(grads, i, "gradient");
        if (!ownGradient[i]) {
            String name = plans[0].nodes.get(i).layer().name();
            throw new IllegalStateException(name + "'s gradient is not kept: gradients share arrays during the"
                    + " backward pass; use model.newExecution(\"" + name + "\") for an execution that keeps it");
        }
        return g;
    }

    private float[] stored(float[][] buffers, int i, String what) {
        ExecutionPlan p = plan == null ? plan(ExecutionPlan.Mode.EVALUATION) : plan;
        if (i > 0 && p.mode == ExecutionPlan.Mode.INFERENCE && sliceLocal[i] && buffers == values) {
            String name = p.nodes.get(i).layer().name();
            throw new IllegalStateException(name + "'s output is not kept by an inference pass: each slice's maps"
                    + " stay in its thread's own buffers; use model.newExecution(\"" + name + "\") for an execution"
                    + " that keeps it");
        }
        if (i > 0 && !p.stored(i)) {
            String name = p.nodes.get(i).layer().name();
            throw new IllegalStateException(name + "'s " + what + " is not kept: it runs inside "
                    + p.entries.get(p.hiddenBy[i]).operation().name() + " as one pass; use model.newExecution(\""
                    + name + "\") for an execution that keeps it");
        }
        return buffers[i];
    }

    private int layerNumber(String name) {
        List<Node> nodes = plans[0].nodes;
        for (int i = 1; i < nodes.size(); i++) {
            if (nodes.get(i).layer().name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no layer named '" + name + "'");
    }

    private int requireNumber(Node node) {
        Integer i = number.get(node);
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

    /** The fused operations of the training plan, in order, named by their layers ({@code conv1+pool1}). */
    public List<String> fusedLayers() {
        return plan(ExecutionPlan.Mode.TRAINING).fusions();
    }

    /** The fused operations of the inference plan ({@link #infer}), in order. */
    public List<String> fusedLayersInInference() {
        return plan(ExecutionPlan.Mode.INFERENCE).fusions();
    }

    /**
     * The layers whose maps an inference pass keeps in the padded layout their reader reads
     * ({@link #sliceLayouts}), in order.
     */
    List<String> paddedInInference() {
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < sliceLayout.length; i++) {
            if (sliceLayout[i] != null) {
                names.add(plans[0].nodes.get(i).layer().name());
            }
        }
        return names;
    }

    ExecutionPlan plan(ExecutionPlan.Mode mode) {
        return plans[mode.ordinal()];
    }
}
