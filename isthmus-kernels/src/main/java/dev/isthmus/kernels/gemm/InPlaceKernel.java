package dev.isthmus.kernels.gemm;

/**
 * An SGEMM register tile of {@link #mr()} rows by two vectors that reads A's rows where they lie,
 * for a C too narrow to repay packing A ({@link Blocking#narrowN()}). Its rows are
 * {@link Blocking#inPlaceMr()}: each row is an address and a bounds check in its loop, so on AVX2
 * it keeps fewer rows than the packed tile.
 */
interface InPlaceKernel {

    /** Rows of the tile. */
    int mr();

    /**
     * {@link MicroKernel#packed} with A's rows read where they lie, row {@code i} of the block from
     * {@code rows[row0 + i] + col} (a row table, so rows may lie anywhere, even overlap) and alpha
     * applied to each accumulator through {@code tile} ({@code MR x NR} scratch) and
     * {@link TileMerge}; the eight-row tile stores straight to C where alpha is 1.
     */
    void inPlace(int kc, int mc, float[] a, int[] rows, int row0, int col, float alpha, float[] bp, int bOff,
                 int bStride, float[] tile, float[] c, int cOff, int ldc, boolean overwrite, float beta);
}
