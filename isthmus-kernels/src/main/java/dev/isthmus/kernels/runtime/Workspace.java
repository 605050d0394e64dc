package dev.isthmus.kernels.runtime;

/**
 * Per-thread scratch arrays for every kernel, kept for the life of the thread and grown on
 * demand, so a training step reuses the same buffers every time. Each use names a {@link Slot};
 * two slots never alias, so a kernel may hold several at once (a convolution holds its column
 * matrix while the SGEMM it calls packs into its own slots).
 */
public final class Workspace {

    /** What a scratch array is for. */
    public enum Slot {
        /** SGEMM: the packed block of A, the packed panel of B, and a register tile's worth of C. */
        GEMM_PACKED_A, GEMM_PACKED_B, GEMM_TILE,
        /** SGEMM's dot-product path: a thread's running totals of C. */
        GEMM_TOTALS,
        /** im2col's column matrix, and col2im's column gradient. */
        COLUMNS, COLUMN_GRADIENT,
        /** A convolution's per-group weight and bias gradients, summed in order at the end. */
        PARTIAL_SUMS,
        /** Weights rearranged for a kernel: flipped for a data gradient, packed for direct convolution. */
        PACKED_WEIGHTS, PACKED_FLIPPED_WEIGHTS,
        /** A zero-padded image (direct convolution's input), and the padded gradient at a convolution's output. */
        STAGED_INPUT, STAGED_GRADIENT,
        /** A few rows of convolution output on their way to pooling, or a whole image's; a second, for pairs of strips. */
        STRIP, SECOND_STRIP, ACTIVATIONS,
        /** Per-lane partial sums of a direct convolution's weight gradient. */
        WEIGHT_SUMS,
        /** im2col's zero-padded copy of an image whose output rows are too narrow to copy one by one. */
        PADDED_IMAGE,
        /**
         * Winograd's staged image (even and odd columns apart), a band's transformed input tiles, their
         * products, and the weights as nine planes of taps on their way to being transformed (or
         * a weight gradient's on its way back).
         */
        WINOGRAD_STAGED, WINOGRAD_INPUT, WINOGRAD_PRODUCTS, WINOGRAD_TAPS,
        /** Winograd's weight gradient: a band's gradient tiles through the output transform (before they are transposed, where they are). */
        WINOGRAD_GRADIENT,
        /** Winograd's weight gradient (F(4x2, 3x3)'s and F(4x4, 3x3)'s): a channel's band of the gradient split by row and column phase. */
        WINOGRAD_STAGED_GRADIENT,
        /**
         * A depthwise convolution's working maps. Along the rows: the gradient at the output
         * padded, and at stride 2 the padded input's four phases. With the channels in the lanes:
         * the gradient at the output in the lanes; the outputs (forward), or the padded gradient
         * (data gradient at stride 1), or the padded input's gradient (at stride 2); a block of
         * channels in the lanes, dense (then the stride-1 data gradient); and a 16x16 block short
         * of positions or channels.
         */
        DEPTHWISE_GRADIENT, DEPTHWISE_PHASES, DEPTHWISE_LANES, DEPTHWISE_BLOCK
    }

    private static final ThreadLocal<float[][]> ARRAYS =
            ThreadLocal.withInitial(() -> new float[Slot.values().length][]);
    /** What a double scratch array is for. */
    public enum DoubleSlot {
        /** A convolution's bias-gradient sums. */
        BIAS_SUMS,
        /** One group's bias-gradient sums, inside a grouped convolution. */
        GROUP_BIAS_SUMS,
        /** A few sums a kernel keeps while it works (batch norm's per chunk). */
        SCRATCH
    }

    private static final ThreadLocal<double[][]> DOUBLES =
            ThreadLocal.withInitial(() -> new double[DoubleSlot.values().length][]);

    /** What an int scratch array is for. */
    public enum IntSlot {
        /**
         * SGEMM's table of where A's rows start, when A is read in place. The calling thread's:
         * workers read it only while the call that filled it runs.
         */
        GEMM_ROWS,
        /** im2col's offsets of one tap's row in the padded planes, where a narrow map gathers its rows. */
        IM2COL_OFFSETS
    }

    private static final ThreadLocal<int[][]> INTS =
            ThreadLocal.withInitial(() -> new int[IntSlot.values().length][]);

    private Workspace() {}

    /** This thread's array for {@code slot}, at least {@code length} long; contents are stale. */
    public static float[] floats(Slot slot, long length) {
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

    /** This thread's double array for {@code slot}, at least {@code length} long; contents are stale. */
    public static double[] doubles(DoubleSlot slot, int length) {
        double[][] arrays = DOUBLES.get();
        double[] a = arrays[slot.ordinal()];
        if (a == null || a.length < length) {
            a = new double[length];
            arrays[slot.ordinal()] = a;
        }
        return a;
    }

    /** This thread's int array for {@code slot}, at least {@code length} long; contents are stale. */
    public static int[] ints(IntSlot slot, int length) {
        int[][] arrays = INTS.get();
        int[] a = arrays[slot.ordinal()];
        if (a == null || a.length < length) {
            a = new int[length];
            arrays[slot.ordinal()] = a;
        }
        return a;
    }
}
