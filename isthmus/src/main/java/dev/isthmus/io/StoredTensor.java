package dev.isthmus.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * One named float32 tensor as a file stores it: a row-major shape and its values.
 *
 * <p>The shape is copied in and out (it is small). The data array is not copied, because model
 * weights can be large: {@link #data()} returns the array itself, which the record owns, so treat
 * it as read-only and {@link #copyTo copy} it into parameters. {@code equals} and
 * {@code hashCode} compare contents (float bits), which is what a round trip should preserve.
 *
 * @param name  the tensor's name, PyTorch's dotted parameter name for weights
 * @param shape the dimensions, outermost first; {@code []} is a scalar with one value
 * @param data  {@code product(shape)} values in row-major order
 */
public record StoredTensor(String name, int[] shape, float[] data) {

    /**
     * @throws IllegalArgumentException if a dimension is negative or {@code data.length} is not
     *                                  the product of the shape
     */
    public StoredTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        long size = elementCount(name, shape);
        if (size != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " holds " + size + " values, but data has " + data.length);
        }
    }

    /**
     * The number of values a shape holds: 1 for a scalar, 0 if any dimension is 0.
     *
     * @throws IllegalArgumentException if a dimension is negative or the product overflows a long
     */
    static long elementCount(String name, int[] shape) {
        long size = 1;
        for (int dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': dimensions must be >= 0, got shape "
                        + Arrays.toString(shape));
            }
            try {
                size = Math.multiplyExact(size, dim);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                        + " holds more than " + Long.MAX_VALUE + " values", e);
            }
        }
        return size;
    }

    /** A copy of the shape. */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** The number of values, {@code data().length}. */
    public int size() {
        return data.length;
    }

    /** Whether the shape equals {@code expected}. */
    public boolean hasShape(int... expected) {
        return Arrays.equals(shape, expected);
    }

    /** Copies all values into {@code dst} at {@code offset}. */
    public void copyTo(float[] dst, int offset) {
        Objects.checkFromIndexSize(offset, data.length, dst.length);
        System.arraycopy(data, 0, dst, offset, data.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredTensor t && name.equals(t.name) && Arrays.equals(shape, t.shape)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    /** Name and shape, not the values. */
    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
