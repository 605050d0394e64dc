package dev.isthmus.nn;

import dev.isthmus.internal.ParameterChunks;
import dev.isthmus.kernels.Parallel;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Each slice's own copy of every parameter gradient, kept for as many slices as a batch has used,
 * and their sum into the parameters' gradients in the fixed order of a {@link SliceTree}, a chunk
 * of at most {@link ParameterChunks#CHUNK} floats per task on all threads.
 */
final class SliceGradients {

    private final List<Parameter> parameters;
    private final ParameterChunks chunks;
    private final IntConsumer sumChunk = this::sumChunk;
    private float[][][] bySlice;        // per slice, per parameter
    private float[][][] byParameter;    // the same arrays per parameter, per slice: the slice tree's operands
    private int slices;                 // of the sum in progress
    private boolean[] summed;           // of the sum in progress: parameters to leave alone

    SliceGradients(List<Parameter> parameters) {
        this.parameters = parameters;
        this.chunks = new ParameterChunks(Parameter.sizes(parameters));
    }

    /** Grows the copies to {@code slices} slices (kept: a pass allocates nothing once they exist). */
    void ensureSlices(int slices) {
        if (bySlice != null && bySlice.length >= slices) {
            return;
        }
        float[][][] grown = new float[slices][][];
        for (int s = 0; s < slices; s++) {
            if (bySlice != null && s < bySlice.length) {
                grown[s] = bySlice[s];
                continue;
            }
            grown[s] = new float[parameters.size()][];
            for (int p = 0; p < parameters.size(); p++) {
                grown[s][p] = new float[parameters.get(p).size()];
            }
        }
        bySlice = grown;
        byParameter = new float[parameters.size()][slices][];
        for (int p = 0; p < parameters.size(); p++) {
            for (int s = 0; s < slices; s++) {
                byParameter[p][s] = grown[s][p];
            }
        }
    }

    /** Slice {@code slice}'s gradients, by parameter index. */
    float[][] ofSlice(int slice) {
        return bySlice[slice];
    }

    float[] of(int slice, int parameter) {
        return bySlice[slice][parameter];
    }

    /**
     * Every parameter's gradient = its {@code slices} slice gradients added in tree order, but
     * those marked in {@code summed}, whose gradients a batch-wide step wrote already.
     */
    void sumInto(int slices, boolean[] summed) {
        this.slices = slices;
        this.summed = summed;
        Parallel.forEach(chunks.count(), sumChunk);
    }

    private void sumChunk(int c) {
        int p = chunks.parameter(c), from = chunks.from(c), to = from + chunks.length(c);
        if (summed[p]) {
            return;
        }
        float[][] parts = byParameter[p];
        SliceTree.sum(parts, 0, slices, from, to);
        System.arraycopy(parts[0], from, parameters.get(p).grad(), from, to - from);
    }
}
