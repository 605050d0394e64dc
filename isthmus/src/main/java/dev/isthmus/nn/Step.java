package dev.isthmus.nn;

import java.util.random.RandomGenerator;

/**
 * What a layer sees in one forward or backward call: the batch size, the mode, its input and
 * output buffers (each holding {@code batch} samples from offset 0) and their gradients, and its
 * per-execution state. Buffers belong to the execution and are reused from call to call.
 */
public final class Step {

    int batch;
    boolean training;
    float[][] inputs;
    float[] output;
    float[][] inputGrads;
    float[] outputGrad;
    Object state;
    RandomGenerator random;

    public int batch() {
        return batch;
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

    /** d(loss)/d(output); read-only for the layer except where it documents otherwise. */
    public float[] outputGrad() {
        return outputGrad;
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

    /** The execution's seeded generator (dropout masks). */
    public RandomGenerator random() {
        return random;
    }
}
