package dev.isthmus.kernels;

/** Argument checks with messages that name the argument and the values. */
final class Checks {

    private Checks() {}

    static void nonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
    }

    /**
     * Checks that {@code array} holds a row-major {@code rows x cols} matrix at {@code offset}
     * with leading dimension {@code ld}.
     */
    static void matrix(String name, float[] array, int offset, String ldName, int ld,
                       int rows, int cols, String shape) {
        if (offset < 0) {
            throw new IllegalArgumentException(name + "Offset must be >= 0, got " + offset);
        }
        int minLd = Math.max(1, cols);
        if (ld < minLd) {
            throw new IllegalArgumentException(ldName + " must be >= max(1, " + cols + ") for " + name
                    + " stored " + shape + " = " + rows + " x " + cols + ", got " + ld);
        }
        long needed = rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
        if (offset + needed > array.length) {
            throw new IllegalArgumentException(name + " is too short: a " + rows + " x " + cols
                    + " matrix (" + shape + ") at offset " + offset + " with " + ldName + " = " + ld
                    + " needs length >= " + (offset + needed) + ", got " + array.length);
        }
    }

    /** Checks that {@code array[offset, offset + length)} exists; {@code what} describes the extent. */
    static void span(String name, float[] array, int offset, long length, String what) {
        java.util.Objects.requireNonNull(array, name);
        spanLength(name, array.length, offset, length, what);
    }

    static void span(String name, int[] array, int offset, long length, String what) {
        java.util.Objects.requireNonNull(array, name);
        spanLength(name, array.length, offset, length, what);
    }

    /**
     * Checks that {@code array[offset, offset + count * per)} exists; {@code what} names the
     * product, e.g. {@code "batch * C * H * W"}. The message is built only on failure, so a check
     * in a hot loop allocates nothing.
     */
    static void span(String name, float[] array, int offset, int count, int per, String what) {
        java.util.Objects.requireNonNull(array, name);
        long length = (long) count * per;
        if (offset < 0 || offset + length > array.length) {
            spanLength(name, array.length, offset, length, what + " = " + count + " * " + per);
        }
    }

    static void span(String name, byte[] array, int offset, int count, int per, String what) {
        java.util.Objects.requireNonNull(array, name);
        long length = (long) count * per;
        if (offset < 0 || offset + length > array.length) {
            spanLength(name, array.length, offset, length, what + " = " + count + " * " + per);
        }
    }

    static void span(String name, byte[] array, int offset, long length, String what) {
        java.util.Objects.requireNonNull(array, name);
        spanLength(name, array.length, offset, length, what);
    }

    private static void spanLength(String name, int arrayLength, int offset, long length, String what) {
        if (offset < 0) {
            throw new IllegalArgumentException(name + "Offset must be >= 0, got " + offset);
        }
        if (offset + length > arrayLength) {
            throw new IllegalArgumentException(name + " is too short: " + what + " = " + length
                    + " values at offset " + offset + " need length >= " + (offset + length) + ", got " + arrayLength);
        }
    }

    static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }
}
