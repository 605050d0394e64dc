package dev.isthmus.nn;

import java.util.Arrays;

/**
 * The shape of one sample, without the batch dimension: {@code (C, H, W)} for images (NCHW),
 * {@code (F)} for feature vectors. Immutable.
 */
public final class Shape {

    private final int[] dims;

    private Shape(int[] dims) {
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] <= 0) {
                throw new IllegalArgumentException("shape dimensions must be > 0, got " + Arrays.toString(dims));
            }
        }
        this.dims = dims;
    }

    public static Shape of(int... dims) {
        if (dims.length == 0) {
            throw new IllegalArgumentException("a shape needs at least one dimension");
        }
        return new Shape(dims.clone());
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int i) {
        return dims[i];
    }

    public int[] dims() {
        return dims.clone();
    }

    /** Floats per sample. */
    public int size() {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    /** Channels, height and width of an image shape. */
    public int channels() {
        requireRank(3);
        return dims[0];
    }

    public int height() {
        requireRank(3);
        return dims[1];
    }

    public int width() {
        requireRank(3);
        return dims[2];
    }

    void requireRank(int rank) {
        if (dims.length != rank) {
            throw new IllegalArgumentException("expected a rank-" + rank + " shape, got " + this);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** {@code (8, 256, 256)}; a vector prints as {@code (50)}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            b.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        return b.append(')').toString();
    }
}
