package dev.isthmus.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How an {@link Execution} runs a model, worked out once and never changed: the operations in
 * order (layers, or layers fused by a {@link FusionRule}), which node outputs are stored, and
 * where each gradient goes. Nodes are numbered 0 (the model input), then 1, 2, ... in
 * topological order.
 *
 * <p>Gradient buffers: a node read by one operation gets its gradient written straight into its
 * own buffer (id = node number); a node read by several (a residual branch) gets one buffer per
 * reader (ids after the nodes'), summed in graph order before its producer runs (or by the
 * producer as it reads them, where it {@linkplain Operation#sumsOutputGradient can}). Operations fed
 * only by the model input are not asked for an input gradient.
 */
final class ExecutionPlan {

    /** The fusions every execution applies, in the order they are tried at each node. */
    static final List<FusionRule> RULES = List.of(new ConvPoolFusion(), new ConvFoldFusion(),
            new BatchNormReluFusion(), new AddReluFusion());

    /**
     * What a pass is for. Training and evaluation passes may be back-propagated (saliency maps
     * take gradients of a trained model), so they share a plan's buffers and keep what a backward
     * pass needs; an inference pass is forward only, and a rule may fold more into it.
     */
    enum Mode {
        TRAINING, EVALUATION, INFERENCE;

        boolean training() {
            return this == TRAINING;
        }
    }

    /** One operation: what it reads, what it writes, and the seed index its randomness derives from. */
    record Entry(Operation operation, int head, int output, int[] inputs, int[] inputGrads, int[] hidden) {}

    final Mode mode;
    final List<Node> nodes;             // by node number
    final List<Entry> entries;          // in forward order
    final int[] bufferSize;             // per buffer id: floats per sample
    final int[][] readerBuffers;        // per node: the buffer ids its readers write, when more than one
    final int[] hiddenBy;               // per node: the entry that computes it without storing it, or -1
    /**
     * Per buffer id: the buffer whose array it shares because they always hold the same values
     * (an {@link Operation#sameInputGradients} operation's inputs after the first), or itself.
     */
    final int[] gradientCarrier;
    final int outputNode;
    /**
     * Entries with batch-wide steps in this mode ({@link BatchReduction}), in order: the slices
     * wait at each. In training all of them; otherwise those with the per-slice bits.
     */
    final int[] reductions;

    private ExecutionPlan(Mode mode, List<Node> nodes, List<Entry> entries, int[] bufferSize, int[][] readerBuffers,
                          int[] hiddenBy, int[] gradientCarrier, int outputNode) {
        this.mode = mode;
        this.nodes = nodes;
        this.entries = entries;
        this.bufferSize = bufferSize;
        this.readerBuffers = readerBuffers;
        this.hiddenBy = hiddenBy;
        this.gradientCarrier = gradientCarrier;
        this.outputNode = outputNode;
        // Training waits at every batch-wide step; evaluation and inference only at those that
        // just batch the slices' work (a wide Dense): batch norm then uses its running statistics.
        this.reductions = java.util.stream.IntStream.range(0, entries.size())
                .filter(e -> {
                    BatchReduction r = entries.get(e).operation().reduction();
                    return r != null && (mode.training() || r.sameBitsPerSlice());
                }).toArray();
    }

    /** The plan for {@code model} in one mode, keeping the outputs of {@code keep} whatever the rules say. */
    static ExecutionPlan build(Model model, Set<Node> keep, List<FusionRule> rules, Mode mode) {
        List<Node> nodes = new ArrayList<>();
        nodes.add(model.inputNode());
        nodes.addAll(model.order());
        Map<Node, Integer> number = new IdentityHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            number.put(nodes.get(i), i);
        }
        Map<Node, List<Node>> readers = new IdentityHashMap<>();
        for (Node n : nodes) {
            readers.put(n, new ArrayList<>());
        }
        for (Node n : model.order()) {
            for (Node in : n.inputs()) {
                readers.get(in).add(n);
            }
        }
        int count = nodes.size();
        boolean[] covered = new boolean[count];
        FusionRule.Graph graph = new FusionRule.Graph() {
            @Override
            public List<Node> readers(Node node) {
                return List.copyOf(readers.get(node));
            }

            @Override
            public boolean mayHide(Node node) {
                return !node.isInput() && readers.get(node).size() == 1 && node != model.outputNode()
                        && !keep.contains(node);
            }

            @Override
            public boolean taken(Node node) {
                return covered[number.get(node)];
            }
        };

        // Operations: at each node not yet covered, the first rule that matches, else the layer. An operation runs where its head stands, or, when it reads the output of a
        // node outside its chain (a residual), where its last node stands: after everything it reads.
        int[] hiddenBy = new int[count];
        Arrays.fill(hiddenBy, -1);
        List<Operation> ops = new ArrayList<>();
        List<List<Node>> spans = new ArrayList<>();
        List<Integer> places = new ArrayList<>();
        for (Node n : model.order()) {
            if (covered[number.get(n)]) {
                continue;
            }
            FusionRule.Fusion fusion = null;
            for (FusionRule rule : rules) {
                fusion = rule.match(n, graph, mode);
                if (fusion != null) {
                    break;
                }
            }
            List<Node> span = fusion == null ? List.of(n) : fusion.nodes();
            for (Node m : span) {
                if (covered[number.get(m)]) { // a rule must ask Graph.taken
                    throw new IllegalStateException(fusion.operation().name() + " covers " + m.layer().name()
                            + ", which an earlier operation covers");
                }
                covered[number.get(m)] = true;
            }
            ops.add(fusion == null ? Operation.of(n.layer()) : fusion.operation());
            spans.add(span);
            Node place = externalInputs(span).size() > span.get(0).inputs().size() ? span.get(span.size() - 1) : n;
            places.add(number.get(place));
        }
        Integer[] order = new Integer[ops.size()];
        for (int e = 0; e < order.length; e++) {
            order[e] = e;
        }
        Arrays.sort(order, java.util.Comparator.comparing(places::get));
        ops = Arrays.stream(order).map(ops::get).toList();
        spans = Arrays.stream(order).map(spans::get).toList();
        for (int e = 0; e < spans.size(); e++) {
            List<Node> span = spans.get(e);
            for (int k = 0; k < span.size() - 1; k++) {
                hiddenBy[number.get(span.get(k))] = e;
            }
        }

        // Gradient buffers: one per node, and one per reader where a node has several.
        int[] sizes = new int[count * 2];
        for (int i = 0; i < count; i++) {
            sizes[i] = nodes.get(i).shape().size();
        }
        int[][] readerBuffers = new int[count][];
        int extra = count;
        List<Entry> entries = new ArrayList<>();
        int[] filled = new int[count];
        for (int e = 0; e < ops.size(); e++) {
            List<Node> span = spans.get(e);
            Node first = span.get(0);
            List<Node> external = externalInputs(span);
            int[] inputs = new int[external.size()], inputGrads = new int[inputs.length];
            for (int s = 0; s < inputs.length; s++) {
                Node in = external.get(s);
                int src = number.get(in);
                inputs[s] = src;
                int fan = readers.get(in).size();
                if (in.isInput()) {
                    inputGrads[s] = -1;
                } else if (fan == 1) {
                    inputGrads[s] = src;
                } else {
                    if (readerBuffers[src] == null) {
                        readerBuffers[src] = new int[fan];
                    }
                    if (extra >= sizes.length) {
                        sizes = Arrays.copyOf(sizes, sizes.length * 2);
                    }
                    sizes[extra] = in.shape().size();
                    readerBuffers[src][filled[src]++] = extra;
                    inputGrads[s] = extra++;
                }
            }
            int[] hidden = new int[span.size() - 1];
            for (int k = 0; k < hidden.length; k++) {
                hidden[k] = number.get(span.get(k));
            }
            entries.add(new Entry(ops.get(e), number.get(first), number.get(span.get(span.size() - 1)), inputs,
                    inputGrads, hidden));
        }
        // Each buffer is written by one operation alone, so the groups never meet.
        int[] carrier = java.util.stream.IntStream.range(0, extra).toArray();
        for (Entry entry : entries) {
            if (entry.operation().sameInputGradients()) {
                int first = Arrays.stream(entry.inputGrads()).filter(g -> g >= 0).findFirst().orElse(-1);
                for (int g : entry.inputGrads()) {
                    if (g >= 0) {
                        carrier[g] = first;
                    }
                }
            }
        }
        return new ExecutionPlan(mode, List.copyOf(nodes), List.copyOf(entries), Arrays.copyOf(sizes, extra),
                readerBuffers, hiddenBy, carrier, number.get(model.outputNode()));
    }

    /**
     * What an operation over {@code span} reads: its head's inputs, then the inputs of later nodes
     * that come from outside the span (a residual's shortcut), in order.
     */
    static List<Node> externalInputs(List<Node> span) {
        List<Node> inputs = new ArrayList<>(span.get(0).inputs());
        for (int k = 1; k < span.size(); k++) {
            for (Node in : span.get(k).inputs()) {
                if (!span.contains(in)) {
                    inputs.add(in);
                }
            }
        }
        return inputs;
    }

    /** True when every operation works per sample in this mode: the batch can run in slices. */
    boolean slicesWork() {
        for (Entry e : entries) {
            if (!e.operation().worksPerSample(mode.training())) {
                return false;
            }
        }
        return true;
    }

    /** True when node {@code i}'s output is stored (not computed inside a fused operation). */
    boolean stored(int i) {
        return hiddenBy[i] < 0;
    }

    /** Names of the fused operations, in order ({@code conv+pool}, ...). */
    List<String> fusions() {
        List<String> names = new ArrayList<>();
        for (Entry e : entries) {
            if (e.hidden().length > 0) {
                names.add(e.operation().name());
            }
        }
        return names;
    }
}
