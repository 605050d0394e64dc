package dev.isthmus.nn;

import java.util.List;

/** Element-wise sum of inputs of one shape (residual connections), as Keras's {@code Add}. */
public final class Add extends Layer {

    private int size;
    private int count;

    @Override
    protected Shape build(List<Shape> inputs) {
        if (inputs.size() < 2) {
            throw new IllegalArgumentException("Add needs at least two inputs, got " + inputs.size());
        }
        for (Shape s : inputs) {
            if (!s.equals(inputs.get(0))) {
                throw new IllegalArgumentException("Add needs inputs of one shape, got " + inputs);
            }
        }
        size = inputs.get(0).size();
        count = inputs.size();
        return inputs.get(0);
    }

    @Override
    protected boolean worksPerSample(boolean training) {
        return true;
    }

    @Override
    boolean honoursBufferOffsets() {
        return true;
    }

    @Override
    protected void forward(LayerCall s) {
        sum(s, s.inputFirst() * size, s.output(), s.outputFirst() * size, s.batch() * size);
    }

    /**
     * {@code y[at, at + n)} = the inputs' sum from {@code x}, added in input order
     * ({@link AddReluFusion} shares it).
     */
    void sum(LayerCall s, int x, float[] y, int at, int n) {
        float[] x0 = s.input(0), x1 = s.input(1);
        // Inputs and output at other offsets only where an inference slice's own buffer meets a
        // whole-batch one. Training always has one offset, and there this loop's one index matters:
        // with two, ResNet-style training ran 9-11% slower (benchmarks/README.md).
        if (x != at) {
            for (int i = 0; i < n; i++) {
                y[at + i] = x0[x + i] + x1[x + i];
            }
            for (int k = 2; k < count; k++) {
                float[] xk = s.input(k);
                for (int i = 0; i < n; i++) {
                    y[at + i] += xk[x + i];
                }
            }
            return;
        }
        // the first two in one pass (a copy first cost a pass over y); the same sums in the same order
        for (int i = at; i < at + n; i++) {
            y[i] = x0[i] + x1[i];
        }
        for (int k = 2; k < count; k++) {
            float[] xk = s.input(k);
            for (int i = at; i < at + n; i++) {
                y[i] += xk[i];
            }
        }
    }

    /** Floats per sample. */
    int size() {
        return size;
    }

    /** Inputs summed. */
    int count() {
        return count;
    }

    @Override
    boolean sameInputGradients() {
        return true;
    }

    /** The output's gradient, once: the inputs' gradients share one array (ExecutionPlan's gradient carriers). */
    @Override
    protected void backward(LayerCall s) {
        int from = s.first() * size;
        float[] written = null;
        for (int k = 0; k < count; k++) {
            float[] dx = s.inputGrad(k);
            if (dx != null && dx != written) {
                System.arraycopy(s.outputGrad(), from, dx, from, s.batch() * size);
                written = dx;
            }
        }
    }
}
