package dev.isthmus.nn;

import dev.isthmus.kernels.MapLayout;

/**
 * What a layer sees in one forward or backward call: which samples ({@link #first()} and the
 * {@link #batch()} after it), the mode, its input and output buffers and their gradients (each
 * laid out sample after sample for the whole batch: sample {@code n} of a buffer with {@code size}
 * floats per sample starts at {@code n * size}; in inference a built-in layer's maps may lie in a
 * buffer one slice long instead, see {@link #inputFirst()}), and its per-execution state. Buffers
 * belong to the execution and are reused from call to call.
 *
 * <p>A layer that {@linkplain Layer#worksPerSample works per sample} may be called on a slice of
 * the batch, from several threads at once on disjoint slices: it reads and writes only its
 * samples, and writes parameter gradients to {@link #grad(Parameter)}, not to
 * {@link Parameter#grad()}.
 */
public final class LayerCall {

    int first;
    int batch;
    int inputFirst;         // the sample at which this call's samples start in its inputs: first, or 0 (slice-local)
    int outputFirst;        // the same in its output
    MapLayout inputLayout;  // the first input's layout where it is not dense (Operation#stagedInput), else null
    MapLayout outputLayout; // the output's, where not dense (Operation#writesLayout), else null
    boolean training;
    float[][] paramGrads;   // this slice's parameter gradients by parameter index, or null: the parameters' own
    java.util.Map<Parameter, Integer> paramIndex;
    long seed;
    float[][] inputs;
    float[] output;
    float[][] inputGrads;
    float[] outputGrad;
    float[][] outputGradParts; // its readers' gradients, to be added, for an operation that adds them itself
    int outputGradPartCount;
    Object state;

    /** The first sample of this call. */
    public int first() {
        return first;
    }

    /**
     * Where this call's samples start in its input buffers, in samples: {@link #first()}, or 0
     * where an inference pass gave the slice buffers of its own (see
     * {@link Layer#honoursBufferOffsets}). A layer's forward pass that honours it reads sample
     * {@code first() + n} of input {@code i} at {@code (inputFirst() + n) * size}.
     */
    int inputFirst() {
        return inputFirst;
    }

    /** Where this call's samples start in its output buffer: see {@link #inputFirst()}. */
    int outputFirst() {
        return outputFirst;
    }

    /**
     * The layout of input 0 where an inference plan keeps it in its reader's
     * {@linkplain Operation#stagedInput staged layout} (sample {@code n} at
     * {@code (inputFirst() + n) * imageSize}), or null: dense.
     */
    MapLayout inputLayout() {
        return inputLayout;
    }

    /** The output's layout where an inference plan keeps it padded for its reader, or null: dense. */
    MapLayout outputLayout() {
        return outputLayout;
    }

    /** The number of samples in this call, from {@link #first()}. */
    public int batch() {
        return batch;
    }

    /**
     * Where to write the gradient of {@code p} summed over this call's samples, overwriting: the
     * parameter's own {@link Parameter#grad()} when the whole batch is one call; otherwise the
     * slice's own array, which the execution adds up, slice by slice in order, after the pass.
     */
    public float[] grad(Parameter p) {
        return paramGrads == null ? p.grad() : paramGrads[paramIndex.get(p)];
    }

    /**
     * A seed for this layer in this forward pass (dropout masks): derived from the execution's
     * generator once per pass and the layer's place in the graph, the same for every slice. Draw
     * sample {@code n}'s randomness from it and {@code n}, never from the order of calls.
     */
    public long seed() {
        return seed;
    }

    /** Training mode: dropout drops, batch norm uses and updates batch statistics. */
    public boolean training() {
        return training;
    }

    public float[] input(int i) {
        return inputs[i];
    }

    public float[] input() {
        return inputs[0];
    }

    public float[] output() {
        return output;
    }

    /**
     * d(loss)/d(output); read-only (its array may hold another node's gradient still to be read).
     * A layer always gets it; null only for a fused operation that adds its readers' parts
     * itself ({@link #outputGradParts()}).
     */
    public float[] outputGrad() {
        return outputGrad;
    }

    /**
     * For an operation that {@linkplain Operation#sumsOutputGradient adds them itself}: the
     * gradients its output's readers wrote, whose sum in this order is d(loss)/d(output), in place
     * of {@link #outputGrad()}; null where the output has one reader (or the sum is kept).
     */
    float[][] outputGradParts() {
        return outputGradPartCount == 0 ? null : outputGradParts;
    }

    /** How many of {@link #outputGradParts()} there are. */
    int outputGradPartCount() {
        return outputGradPartCount;
    }

    /** Where to write d(loss)/d(input i), overwriting; null when nobody needs it. */
    public float[] inputGrad(int i) {
        return inputGrads[i];
    }

    public float[] inputGrad() {
        return inputGrads[0];
    }

    @SuppressWarnings("unchecked")
    public <T> T state() {
        return (T) state;
    }
}
