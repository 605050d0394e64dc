package dev.isthmus.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which gradient buffers of an {@link ExecutionPlan} share one array, as a register allocator
 * shares a register. A node's gradient lives for a short stretch of the backward pass: from the
 * step that writes it (its reader's) to the step that reads it (its own). Buffers of the same size
 * whose stretches never meet, in any plan that can be back-propagated, take turns in one array,
 * so a network's gradients are a few arrays the caches keep rather than one cold array per layer.
 * A step's own output gradient and the gradients it writes are live at the same step, so they
 * never share. Only buffers of one size share: each slice reads and writes its samples at
 * {@code sample * size}, so a buffer of another size would reach into a neighbouring slice's part
 * of the array, which that slice may still need (slices run side by side, and between batch
 * norm's waits one after another). The buffers in {@code own} (kept nodes, the network's output)
 * keep their arrays. Buffers that always hold the same values ({@link ExecutionPlan#gradientCarrier},
 * where every plan says so) are one group: one array, live from the first's first step to the
 * last's last.
 */
final class GradientArrays {

    private GradientArrays() {}

    /**
     * The array each buffer id uses, numbered from 0, or -1 where {@code needed} is false (and
     * no buffer of its group needs one).
     *
     * @param plans    the plans a backward pass may follow, over the same buffer ids
     * @param sizes    floats per sample of each buffer id: only buffers of one size share
     * @param needed   the buffers that get an array at all
     * @param own      the buffers (with their groups) that get an array of their own
     * @param carriers whether buffers that always hold the same values share their carrier's
     *                 array; without, each has its own (the operations then copy)
     */
    static int[] assign(List<ExecutionPlan> plans, int[] sizes, boolean[] needed, boolean[] own, boolean carriers) {
        int count = sizes.length;
        int[] carrier = new int[count];
        for (int b = 0; b < count; b++) {
            int c = carriers ? plans.get(0).gradientCarrier[b] : b;
            for (ExecutionPlan p : plans) {
                c = p.gradientCarrier[b] == c ? c : b;
            }
            carrier[b] = c;
        }
        int[][] first = new int[plans.size()][], last = new int[plans.size()][];
        boolean[] groupNeeded = new boolean[count], groupOwn = new boolean[count];
        for (int p = 0; p < plans.size(); p++) {
            first[p] = new int[count];
            last[p] = new int[count];
            lifetimes(plans.get(p), first[p], last[p]);
            for (int b = 0; b < count; b++) { // a group's stretch, on its carrier
                first[p][carrier[b]] = Math.min(first[p][carrier[b]], first[p][b]);
                last[p][carrier[b]] = Math.max(last[p][carrier[b]], last[p][b]);
            }
        }
        for (int b = 0; b < count; b++) {
            groupNeeded[carrier[b]] |= needed[b];
            groupOwn[carrier[b]] |= own[b];
        }
        // In the order the training pass first writes them, each group to the first array of its
        // size none of whose groups is live at the same time; else a new array.
        Integer[] order = new Integer[count];
        for (int b = 0; b < count; b++) {
            order[b] = b;
        }
        int[] byFirst = first[0];
        Arrays.sort(order, (a, b) -> Integer.compare(byFirst[a], byFirst[b]));
        int[] array = new int[count];
        Arrays.fill(array, -1);
        List<List<Integer>> members = new ArrayList<>();
        for (int b : order) {
            if (!groupNeeded[b] || carrier[b] != b) {
                continue;
            }
            int chosen = -1;
            for (int a = 0; a < members.size() && chosen < 0 && !groupOwn[b]; a++) {
                int member = members.get(a).get(0);
                if (sizes[member] == sizes[b] && !groupOwn[member]
                        && members.get(a).stream().noneMatch(m -> overlap(first, last, m, b))) {
                    chosen = a;
                }
            }
            if (chosen < 0) {
                chosen = members.size();
                members.add(new ArrayList<>());
            }
            members.get(chosen).add(b);
            array[b] = chosen;
        }
        for (int b = 0; b < count; b++) {
            if (needed[b]) {
                array[b] = array[carrier[b]];
            }
        }
        return array;
    }

    /**
     * Each buffer's first and last step in {@code plan}'s backward pass, counted from its start
     * (the last entry is step 0; the network's output gradient is written before it, at -1).
     * A buffer the plan never touches gets an empty stretch.
     */
    private static void lifetimes(ExecutionPlan plan, int[] first, int[] last) {
        Arrays.fill(first, Integer.MAX_VALUE);
        Arrays.fill(last, Integer.MIN_VALUE);
        touch(first, last, plan.outputNode, -1);
        int steps = plan.entries.size();
        for (int e = 0; e < steps; e++) {
            ExecutionPlan.Entry entry = plan.entries.get(e);
            int step = steps - 1 - e;
            touch(first, last, entry.output(), step); // read (summed from its readers' buffers first, unless the operation adds them)
            int[] readers = plan.readerBuffers[entry.output()];
            if (readers != null) {
                for (int r : readers) {
                    touch(first, last, r, step);
                }
            }
            for (int g : entry.inputGrads()) { // written
                if (g >= 0) {
                    touch(first, last, g, step);
                }
            }
        }
    }

    private static void touch(int[] first, int[] last, int buffer, int step) {
        first[buffer] = Math.min(first[buffer], step);
        last[buffer] = Math.max(last[buffer], step);
    }

    /** Whether buffers {@code a} and {@code b} are live at one step of some plan. */
    private static boolean overlap(int[][] first, int[][] last, int a, int b) {
        for (int p = 0; p < first.length; p++) {
            boolean touched = first[p][a] <= last[p][a] && first[p][b] <= last[p][b];
            if (touched && first[p][a] <= last[p][b] && first[p][b] <= last[p][a]) {
                return true;
            }
        }
        return false;
    }
}
