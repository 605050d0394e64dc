package dev.isthmus.nn;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times each operation of an {@link Execution}, forward and backward, per slice (so that slices on
 * several threads never share a counter): where a training step's time goes. A fused
 * convolution and pooling are one entry, named {@code conv+pool}. Attaching costs two clock reads
 * per operation and pass; an execution without a profiler reads no clock.
 */
public final class LayerProfiler {

    private final Map<ExecutionPlan, long[][][]> nanos = new IdentityHashMap<>(); // per plan: per slice, per entry, {forward, backward}

    private LayerProfiler() {}

    /** Starts timing {@code execution}'s passes (replacing any profiler it had), from zero. */
    public static LayerProfiler attach(Execution execution) {
        LayerProfiler p = new LayerProfiler();
        for (ExecutionPlan.Mode mode : ExecutionPlan.Mode.values()) {
            ExecutionPlan plan = execution.plan(mode);
            p.nanos.put(plan, new long[Execution.MAX_SLICES][plan.entries.size()][2]);
        }
        execution.profiler = p;
        return p;
    }

    /** Stops timing {@code execution}. */
    public static void detach(Execution execution) {
        execution.profiler = null;
    }

    void add(ExecutionPlan plan, int slice, int entry, boolean backward, long ns) {
        nanos.get(plan)[slice][entry][backward ? 1 : 0] += ns;
    }

    /**
     * Time spent in each operation since {@link #attach}, in execution order, summed over the
     * threads that ran it (so with slices on several threads, more than the wall time), and over
     * training, evaluation and inference passes. An operation of a plan that never ran (the
     * inference plan's fused convolution and batch norm, in a profile of training steps) is left out.
     */
    public List<LayerTime> times() {
        Map<String, LayerTime> byName = new LinkedHashMap<>();
        for (Map.Entry<ExecutionPlan, long[][][]> e : nanos.entrySet()) {
            List<ExecutionPlan.Entry> entries = e.getKey().entries;
            for (int i = 0; i < entries.size(); i++) {
                long f = 0, b = 0;
                for (long[][] slice : e.getValue()) {
                    f += slice[i][0];
                    b += slice[i][1];
                }
                Operation op = entries.get(i).operation();
                if (f == 0 && b == 0) {
                    continue;
                }
                LayerTime old = byName.get(op.name());
                byName.put(op.name(), old == null ? new LayerTime(op.name(), op.type(), f, b)
                        : new LayerTime(op.name(), op.type(), old.forwardNanos() + f, old.backwardNanos() + b));
            }
        }
        return new ArrayList<>(byName.values());
    }

    /** Accumulated nanoseconds in one operation's forward and backward passes. */
    public record LayerTime(String layer, String type, long forwardNanos, long backwardNanos) {}
}
