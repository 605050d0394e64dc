package dev.isthmus.kernels.gemm;

/**
 * An SGEMM register tile of {@link #mr()} rows by two vectors ({@code NR} columns) over packed A:
 * with {@link InPlaceKernel}, the only piece of the packed path that knows the vector registers.
 * Each method walks every {@code MR}-row tile of a block against one B micro-panel of
 * {@code kc x NR}, element (p, j) at {@code bOff + p * bStride + j}: packed ({@code bStride} NR),
 * or B itself where it is read in place (its row stride; {@link #oneVector} reads packed panels
 * only). Packed A micro-panels hold element (i, p) of a tile at {@code tile * MR * kc + p * MR + i},
 * zero past the last row.
 */
interface MicroKernel {

    /** Rows of the tile. */
    int mr();

    /**
     * {@code C[0:mc, 0:NR] = acc + beta * C} (or {@code = acc} when {@code overwrite}) with
     * {@code acc} the product of the packed A block (from {@code aStart}) and the B micro-panel;
     * a short last tile stores only its valid rows. Alpha is in the packed A already.
     */
    void packed(int kc, int mc, float[] ap, int aStart, float[] bp, int bOff, int bStride, float[] c, int cOff, int ldc,
                boolean overwrite, float beta);

    /** {@link #packed} for a last panel exactly one vector wide: its first vector only, through {@code tile}. */
    void oneVector(int kc, int mc, float[] ap, float[] bp, int bOff, float[] tile, float[] c, int cOff, int ldc,
                   boolean overwrite, float beta);
}
