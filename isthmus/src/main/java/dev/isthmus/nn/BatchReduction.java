package dev.isthmus.nn;

/**
 * How an operation that needs the whole batch in training still runs inside the slices: batch
 * normalisation, which needs the batch's statistics, or a wide {@code Dense}, whose weight is
 * better read once for every slice than once per slice. Each step is around one wait. Forward: every slice gathers its
 * partial statistics ({@link #forwardPartial}), one thread finishes them, the slices' in slice
 * order ({@link #forwardFinish}), then every slice applies them to its own samples
 * ({@link #forwardApply}); backward the same way. The slices are the batch's, never the
 * threads', so results do not depend on the thread count.
 */
interface BatchReduction {

    /** Slice {@code slice}'s partial statistics, into the execution's state for this operation. */
    void forwardPartial(LayerCall s, int slice);

    /** The whole batch's statistics from the first {@code slices} partials, in slice order. */
    void forwardFinish(Object state, int slices);

    void forwardApply(LayerCall s);

    void backwardPartial(LayerCall s, int slice);

    /**
     * The backward statistics, and the parameter gradients: into slice 0's gradient arrays
     * ({@code calls[0].grad(p)}), zeros into the others', so that adding the slices keeps them.
     */
    void backwardFinish(Object state, int slices, LayerCall[] calls);

    void backwardApply(LayerCall s);

    /**
     * True when the operation's own per-slice forward and backward give the bits of these steps
     * (a wide {@code Dense}: the steps only do the slices' work at once), so a shard of the batch
     * may run it slice by slice; false when the steps need every slice (batch normalisation's
     * statistics).
     */
    default boolean sameBitsPerSlice() {
        return false;
    }

    /**
     * Parameters whose gradients {@link #backwardFinish} writes into their own
     * {@link Parameter#grad()}, the whole batch's, already added over the slices in the slice
     * tree's order: the execution leaves them out of its sum of the slices. Empty by default
     * (slice 0's arrays and zeros, as above).
     */
    default java.util.List<Parameter> summedParameters() {
        return java.util.List.of();
    }
}
