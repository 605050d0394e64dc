package dev.isthmus.kernels;

/**
 * Fully connected layer kernels ({@code y[N, out] = x[N, in] . W^T + b}, W {@code [out][in]} as
 * in {@link Linear}) for a batch cut into slices, when the weight is too large to read once per
 * slice. A layer may run its slices one at a time (each slice, or a worker's shard of them) or
 * all at once, and gets the same floats either way:
 * <ul>
 *   <li>{@link #forward} and {@link #inputGradient} compute each sample's row the same way
 *       whatever samples come with it;</li>
 *   <li>{@link #parameterGradients} sums each slice's gradient as a chain from zero and adds the
 *       slices in the slice tree's order (each node its left half plus its right half, the left
 *       half a power of two wide), never storing a slice's copy of the weight gradient: called
 *       with all the slices at once, it gives the bits of calling it on each slice alone and
 *       adding the results in that tree.</li>
 * </ul>
 * A batch run all at once reads W twice and writes its gradient once, where slice by slice each
 * slice reads W twice and writes a gradient of its own to be added later. Results never depend on
 * the thread count.
 */
public final class SlicedLinear {

    private SlicedLinear() {}

    /** {@code y = x . W^T + bias} for {@code batch} samples; {@code bias} may be null. */
    public static void forward(int batch, int in, int out, float[] x, int xOffset, float[] w, int wOffset,
                               float[] bias, int biasOffset, float[] y, int yOffset) {
        Linear.check(batch, in, out);
        Checks.span("x", x, xOffset, batch, in, "batch * in");
        Checks.span("w", w, wOffset, out, in, "out * in");
        if (bias != null) {
            Checks.span("bias", bias, biasOffset, out, "out");
        }
        Checks.span("y", y, yOffset, batch, out, "batch * out");
        KernelProvider.gemm().sgemmRowStable(batch, out, in, x, xOffset, in, w, wOffset, in, y, yOffset, out);
        if (bias != null) {
            Linear.addBias(batch, out, bias, biasOffset, y, yOffset);
        }
    }

    /** {@code dx = dy . W} for {@code batch} samples, overwritten. */
    public static void inputGradient(int batch, int in, int out, float[] dy, int dyOffset, float[] w, int wOffset,
                                     float[] dx, int dxOffset) {
        Linear.check(batch, in, out);
        Checks.span("dy", dy, dyOffset, batch, out, "batch * out");
        Checks.span("w", w, wOffset, out, in, "out * in");
        Checks.span("dx", dx, dxOffset, batch, in, "batch * in");
        KernelProvider.gemm().sgemmChained(batch, in, out, dy, dyOffset, out, w, wOffset, in, dx, dxOffset, in);
    }

    /** {@link #parameterGradients(int[], int, int, int, float[], int, float[], int, float[], int, float[], int)} for one slice of {@code batch} samples. */
    public static void parameterGradients(int batch, int in, int out, float[] x, int xOffset, float[] dy, int dyOffset,
                                          float[] dw, int dwOffset, float[] dbias, int dbiasOffset) {
        Checks.positive("batch", batch);
        int[] one = ONE_SLICE.get(); // a slice's own gradient allocates nothing: a training step allocates nothing
        one[1] = batch;
        parameterGradients(one, 1, in, out, x, xOffset, dy, dyOffset, dw, dwOffset, dbias, dbiasOffset);
    }

    private static final ThreadLocal<int[]> ONE_SLICE = ThreadLocal.withInitial(() -> new int[2]);

    /**
     * {@code dW = dy^T . x} and {@code dbias = sum of dy} over {@code slices} slices, overwritten:
     * slice {@code s} is samples {@code [sliceStarts[s], sliceStarts[s + 1])}, counted from
     * {@code xOffset} and {@code dyOffset}. With one slice, that slice's own gradients.
     *
     * @param dbias {@code out} values, or null to skip the bias gradient
     * @throws IllegalArgumentException unless {@code 1 <= slices < sliceStarts.length} and the
     *                                  starts run from 0 upward
     */
    public static void parameterGradients(int[] sliceStarts, int slices, int in, int out, float[] x, int xOffset,
                                          float[] dy, int dyOffset, float[] dw, int dwOffset,
                                          float[] dbias, int dbiasOffset) {
        Checks.positive("slices", slices);
        if (sliceStarts.length <= slices) {
            throw new IllegalArgumentException("sliceStarts needs slices + 1 = " + (slices + 1) + " entries, got "
                    + sliceStarts.length);
        }
        if (sliceStarts[0] != 0) {
            throw new IllegalArgumentException("sliceStarts[0] must be 0, got " + sliceStarts[0]);
        }
        for (int s = 0; s < slices; s++) {
            if (sliceStarts[s + 1] < sliceStarts[s]) {
                throw new IllegalArgumentException("slice starts must not decrease: sliceStarts[" + (s + 1) + "] = "
                        + sliceStarts[s + 1] + " < sliceStarts[" + s + "] = " + sliceStarts[s]);
            }
        }
        int batch = sliceStarts[slices];
        Checks.positive("in", in);
        Checks.positive("out", out);
        Checks.span("x", x, xOffset, batch, in, "batch * in");
        Checks.span("dy", dy, dyOffset, batch, out, "batch * out");
        Checks.span("dw", dw, dwOffset, out, in, "out * in");
        if (dbias != null) {
            Checks.span("dbias", dbias, dbiasOffset, out, "out");
        }
        KernelProvider.gemm().sgemmSliceTree(sliceStarts, slices, out, in, dy, dyOffset, out, x, xOffset, in, dw, dwOffset, in);
        if (dbias != null) {
            for (int j = 0; j < out; j++) {
                dbias[dbiasOffset + j] = biasTree(sliceStarts, 0, slices, dy, dyOffset + j, out);
            }
        }
    }

    /**
     * Slices {@code [lo, hi)} of one bias element's sum, added as the slice tree adds them (the left
     * half a power of two wide, plus the rest); each slice's sum in order from zero, as the weight
     * gradient's chains.
     */
    private static float biasTree(int[] starts, int lo, int hi, float[] dy, int at, int stride) {
        if (hi - lo == 1) {
            float sum = 0f;
            for (int n = starts[lo]; n < starts[lo + 1]; n++) {
                sum += dy[at + n * stride];
            }
            return sum;
        }
        int half = Integer.highestOneBit(hi - lo - 1);
        return biasTree(starts, lo, lo + half, dy, at, stride) + biasTree(starts, lo + half, hi, dy, at, stride);
    }
}
