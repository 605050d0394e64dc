package dev.isthmus.kernels;

/**
 * Per-thread scratch arrays for the kernels above SGEMM, kept for the life of the thread and
 * grown on demand, so a training step reuses the same buffers every time. Each use names a
 * {@link Slot}; two slots never alias, so a kernel may hold several at once.
 */
final class Workspace {

    enum Slot { COLUMNS, COLUMN_GRADIENT, PARTIAL_SUMS, FLIPPED_WEIGHTS }

    private static final ThreadLocal<float[][]> ARRAYS =
            ThreadLocal.withInitial(() -> new float[Slot.values().length][]);

    private Workspace() {}

    /** This thread's array for {@code slot}, at least {@code length} long; contents are stale. */
    static float[] floats(Slot slot, long length) {
        if (length > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("workspace " + slot + " would need " + length
                    + " floats, more than a Java array holds; use a smaller batch or image");
        }
        float[][] arrays = ARRAYS.get();
        float[] a = arrays[slot.ordinal()];
        if (a == null || a.length < length) {
            a = new float[(int) length];
            arrays[slot.ordinal()] = a;
        }
        return a;
    }
}
