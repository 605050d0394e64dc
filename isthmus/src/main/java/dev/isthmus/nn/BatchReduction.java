package dev.isthmus.nn;

/**
 * How an operation that needs statistics of the whole batch in training (batch normalisation)
 * still runs inside the slices: each step around one wait. Forward: every slice gathers its
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
}
