package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.runtime.WorkerPool;
import dev.isthmus.kernels.runtime.Workspace;
import dev.isthmus.kernels.runtime.Workspace.Slot;
import java.util.Arrays;

/**
 * The loops around a {@link ConvAlgorithm}'s per-image steps: images spread over the threads (or
 * a single image's rows), and weight gradients summed over the batch in groups fixed by the batch
 * size alone, then the groups in order, so every result is bitwise identical for any thread count.
 * Arguments arrive checked by the public classes.
 */
public final class ConvPasses {

    /** Most partial weight-gradient groups, and the most floats they may take together. */
    private static final int MAX_GROUPS = 16;
    private static final long MAX_PARTIAL_FLOATS = 1L << 24;

    private ConvPasses() {}

    /**
     * The forward pass bound to {@code t}, for {@code batch} images; a bound residual is added to
     * each image's output right after its convolution, while that output is in cache.
     */
    public static void forward(ConvAlgorithm algorithm, ConvSupport kernels, int batch, ConvTensors t) {
        if (t.prepared == null) { // else bound laid out already
            algorithm.prepareForward(t);
        }
        if (batch == 1) {
            algorithm.forwardOneImage(t);
            addResidual(algorithm, kernels, t, 0);
        } else if (WorkerPool.sequential(batch)) {
            for (int n = 0; n < batch; n++) {
                forwardImage(algorithm, kernels, t, n);
            }
        } else {
            WorkerPool.forEach(batch, n -> forwardImage(algorithm, kernels, t, n));
        }
    }

    private static void forwardImage(ConvAlgorithm algorithm, ConvSupport kernels, ConvTensors t, int n) {
        algorithm.forwardImage(t, n);
        addResidual(algorithm, kernels, t, n);
    }

    private static void addResidual(ConvAlgorithm algorithm, ConvSupport kernels, ConvTensors t, int n) {
        if (t.residual != null) {
            int size = algorithm.shape().outputSize();
            kernels.addResidual(t.y, t.yOffset + n * size, t.residual, t.residualOffset + n * size, size,
                    t.residualRelu);
        }
    }

    /** The backward pass bound to {@code t}, for {@code batch} images. */
    public static void backward(ConvAlgorithm algorithm, int batch, ConvTensors t) {
        if (t.prepared == null) {
            algorithm.prepareBackward(t);
        }
        if (t.dw == null && t.dbias == null) {
            if (WorkerPool.sequential(batch)) {
                for (int n = 0; n < batch; n++) {
                    algorithm.backwardImage(t, n, null, 0, false, null);
                }
            } else {
                WorkerPool.forEach(batch, n -> algorithm.backwardImage(t, n, null, 0, false, null));
            }
            return;
        }
        ConvShape shape = algorithm.shape();
        int weights = shape.weightSize(), cout = shape.outChannels();
        int groups = groups(batch, weights + cout);
        int part = weights + cout; // a group's weight gradient, then its bias gradient
        float[] partial = groups == 1 ? null : Workspace.floats(Slot.PARTIAL_SUMS, (long) groups * part);
        if (WorkerPool.sequential(groups)) {
            for (int g = 0; g < groups; g++) {
                group(algorithm, g, groups, batch, t, partial, part);
            }
        } else {
            WorkerPool.forEach(groups, g -> group(algorithm, g, groups, batch, t, partial, part));
        }
        if (groups > 1) {
            if (t.dw != null) {
                // group after group along the gradient, each element's sum in group order as
                // ever: contiguous loops C2 vectorises, where a walk across the groups per
                // element read a page apart (3% of vgg's 64 -> 128 weight gradient under perf)
                System.arraycopy(partial, 0, t.dw, t.dwOffset, weights);
                for (int g = 1; g < groups; g++) {
                    for (int i = 0, from = g * part, to = t.dwOffset; i < weights; i++) {
                        t.dw[to + i] += partial[from + i];
                    }
                }
            }
            if (t.dbias != null) {
                for (int oc = 0; oc < cout; oc++) {
                    float sum = partial[weights + oc];
                    for (int g = 1; g < groups; g++) {
                        sum += partial[g * part + weights + oc];
                    }
                    t.dbias[t.dbiasOffset + oc] = sum;
                }
            }
        }
    }

    /**
     * Group {@code g}: images {@code [g * batch / groups, (g + 1) * batch / groups)} in order, their
     * weight and bias gradients summed into the group's part of {@code partial} (or straight into
     * {@code dw} and {@code dbias} for a single group).
     */
    private static void group(ConvAlgorithm algorithm, int g, int groups, int batch, ConvTensors t, float[] partial,
                              int part) {
        int from = (int) ((long) batch * g / groups), to = (int) ((long) batch * (g + 1) / groups);
        int weights = algorithm.shape().weightSize(), cout = algorithm.shape().outChannels();
        float[] dw = t.dw == null ? null : partial == null ? t.dw : partial;
        int dwAt = partial == null ? t.dwOffset : g * part;
        double[] biasSums = null;
        if (t.dbias != null) {
            biasSums = Workspace.doubles(Workspace.DoubleSlot.BIAS_SUMS, cout);
            Arrays.fill(biasSums, 0, cout, 0.0);
        }
        if (dw != null) {
            algorithm.beginWeightGradient();
        }
        for (int n = from; n < to; n++) {
            algorithm.backwardImage(t, n, dw, dwAt, n > from, biasSums);
        }
        if (dw != null) {
            algorithm.endWeightGradient(dw, dwAt);
        }
        if (biasSums != null) {
            float[] db = partial == null ? t.dbias : partial;
            int dbAt = partial == null ? t.dbiasOffset : g * part + weights;
            for (int oc = 0; oc < cout; oc++) {
                db[dbAt + oc] = (float) biasSums[oc];
            }
        }
    }

    /**
     * Partial-gradient groups: a function of the batch and the layer only, never of threads. At
     * least {@value #MIN_GROUP_IMAGES} images a group where the batch allows: each group ends with
     * a pass over its whole gradient (the lanes' sums, or the SGEMM's transpose) and one more
     * partial to add, which a group of one image (a network's slice of 4 or 5 images used to make
     * one group per image) pays for every image.
     */
    private static int groups(int batch, int floatsPerGroup) {
        long byMemory = Math.max(1, MAX_PARTIAL_FLOATS / floatsPerGroup);
        int byImages = (batch + MIN_GROUP_IMAGES - 1) / MIN_GROUP_IMAGES;
        return (int) Math.min(Math.min(byImages, MAX_GROUPS), byMemory);
    }

    /** Images a weight-gradient group takes at least, where the batch has them. */
    private static final int MIN_GROUP_IMAGES = 4;
}
