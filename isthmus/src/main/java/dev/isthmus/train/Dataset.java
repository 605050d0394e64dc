package dev.isthmus.train;

import dev.isthmus.nn.Shape;
import java.util.Objects;

/**
 * Samples and their targets in memory: {@code x} holds {@code count} samples of
 * {@code sampleShape} back to back (NCHW), {@code y} holds {@code targetSize} floats per sample
 * (a 0/1 label for binary tasks, a class index for softmax cross-entropy).
 */
public record Dataset(float[] x, float[] y, int count, Shape sampleShape, int targetSize) {

    public Dataset {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        Objects.requireNonNull(sampleShape, "sampleShape");
        if (count < 0 || targetSize <= 0) {
            throw new IllegalArgumentException("count must be >= 0 and targetSize > 0, got " + count + " and " + targetSize);
        }
        if (x.length != (long) count * sampleShape.size()) {
            throw new IllegalArgumentException("x must hold " + count + " samples of shape " + sampleShape + " = "
                    + (long) count * sampleShape.size() + " values, got " + x.length);
        }
        if (y.length != (long) count * targetSize) {
            throw new IllegalArgumentException("y must hold " + count + " targets of " + targetSize + " values = "
                    + (long) count * targetSize + ", got " + y.length);
        }
    }

    /** One target per sample. */
    public static Dataset of(float[] x, float[] labels, Shape sampleShape) {
        return new Dataset(x, labels, labels.length, sampleShape, 1);
    }

    /** Samples {@code [from, to)} as a new dataset (copies). */
    public Dataset slice(int from, int to) {
        if (from < 0 || to > count || from > to) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") is outside [0, " + count + ")");
        }
        int s = sampleShape.size();
        return new Dataset(java.util.Arrays.copyOfRange(x, from * s, to * s),
                java.util.Arrays.copyOfRange(y, from * targetSize, to * targetSize), to - from, sampleShape, targetSize);
    }

    /** Copies samples {@code order[from, to)} into the batch buffers. */
    void gather(int[] order, int from, int to, float[] xBatch, float[] yBatch) {
        int s = sampleShape.size();
        for (int i = from; i < to; i++) {
            System.arraycopy(x, order[i] * s, xBatch, (i - from) * s, s);
            System.arraycopy(y, order[i] * targetSize, yBatch, (i - from) * targetSize, targetSize);
        }
    }
}
