package dev.isthmus.kernels.gemm;

/**
 * Every size and threshold of the SGEMM, in one place (BLIS keeps them in a per-CPU context):
 * the register tile and the cache blocks of the packed path, and where the small-shape paths
 * take over from it.
 *
 * <p>The packed path (Goto/BLIS): an {@code mr x nr} register tile, an {@code mr x kc} A
 * micro-panel that stays in L1, a {@code kc x nb} band of B micro-panels and an {@code mc x kc} A
 * block that stay in L2, and a {@code kc x nc} B panel that stays in (a share of) L3. Derived from
 * the vector width and from
 * declared cache sizes rather than from the running machine, so the summation order, and with it
 * every result bit, is the same on every machine with the same vector width.
 *
 * @param mr               rows of the register tile that reads packed A
 * @param inPlaceMr        rows of the register tile that reads A where it lies (fewer on AVX2:
 *                         each row is an address and a bounds check in its loop)
 * @param nr               columns of the register tiles: two vectors
 * @param kc               depth of a packed block
 * @param mc               rows of a packed A block
 * @param nc               columns of a packed B panel
 * @param nb               columns of the band of B micro-panels a row of tiles walks before the
 *                         next row starts: C is then written a band of rows at a time, along its
 *                         rows, where the prefetchers follow it
 * @param narrowN          widest C whose A is read where it lies instead of being packed: each
 *                         element of A then meets too few B micro-panels to repay the copy
 *                         (BLIS's "sup" kernels make the same trade for small shapes). Two
 *                         micro-panels on AVX2 too (32 columns). With the four-row packed tile it
 *                         was eight (128 columns), but the six-row tile made packing pay. On a
 *                         Zen 3, against eight, it ran 128^3 x0.86-0.94, 64 x 576 x 128
 *                         x0.79-0.90, 200 x 300 x 100 x0.55-0.57, 256 x 1024 x 96 x0.74-0.76 and
 *                         128 x 288 x 64 x0.76-0.79. At 32 columns and under, packing gained
 *                         nothing. On AVX-512 two (64 columns): eight (256) had 128^3
 *                         and 256^3 10% and 7% faster in place on a Zen 5, but on an Intel Xeon
 *                         (model 207), with four steps of k per trip, packing A ran 256^3, 128^3,
 *                         64 x 576 x 128, 32 x 1152 x 256 and 16 x 2048 x 128 13-37% faster: the
 *                         in-place tile's eight row addresses and their bounds checks take
 *                         issue slots from its FMAs
 * @param bInPlaceTiles   most row tiles of C whose B (not transposed) is read where it lies
 *                         instead of being packed: each B micro-panel then meets too few A
 *                         tiles to repay the copy (measured on an Intel Xeon, AVX-512, packed
 *                         against in place: 20 x 500 x 64 0.020 / 0.013 ms, 8 x 2048 x 512
 *                         0.43 / 0.27, 64 x 512 x 512 x0.93; AVX2 20 x 500 x 64 x0.87, 32 x 512
 *                         x 512 x0.86; 512^3, 64 tiles in place, x1.18, slower)
 * @param parallelMinFlops below this many flops a GEMM runs on the calling thread alone
 * @param dotMinK          the dot-product path ({@code C = A B^T}, both read along k) needs at
 *                         least this k ...
 * @param dotMaxC          ... at most this many elements of C ...
 * @param dotMaxCPerK      ... and at most this many elements of C per unit of k (a long, thin
 *                         product: a convolution's weight gradient over a whole feature map).
 *                         One: at 16 x 256 x 32 (C = A B^T, a 1x1 convolution's weight
 *                         gradient on a 16x16 map) the packed path took 2.2 us and the dot
 *                         products 3.6-5.2; at 32 x 1024 x 64 the two ran even; at 27 x 1024 x
 *                         16 and 8 x 4096 x 8 (C under half of k, rows short of a tile) the dot
 *                         products ran 3x and 15x faster
 * @param dotParallelMinFlops below this many flops the dot-product path runs on one thread
 * @param dotChunk         floats of each row the dot-product path takes at a time: a tile's rows
 *                         stay in L2, and its lane sums stay rare
 */
public record Blocking(int mr, int inPlaceMr, int nr, int kc, int mc, int nc, int nb, int narrowN, int bInPlaceTiles,
                       long parallelMinFlops,
                       int dotMinK, int dotMaxC, int dotMaxCPerK, long dotParallelMinFlops, int dotChunk) {

    /** Assumed cache sizes in bytes: L1 data, L2, and the share of L3 one thread may use. */
    public static final int L1 = 32 << 10, L2 = 512 << 10, L3_SHARE = 4 << 20;

    public Blocking {
        if (mr < 1 || inPlaceMr < 1 || nr < 1 || kc < 1 || mc % mr != 0 || nc % nr != 0 || nb % nr != 0
                || mc < mr || nc < nr || nb < nr) {
            throw new IllegalArgumentException("inconsistent blocking: mr=" + mr + " inPlaceMr=" + inPlaceMr
                    + " nr=" + nr + " kc=" + kc + " mc=" + mc + " nc=" + nc + " nb=" + nb);
        }
    }

    /**
     * The blocking for vectors of {@code lanes} floats. The tiles are {@code mr} rows by two
     * vectors: 2 * mr accumulators, the two B vectors and the broadcasts C2 loads ahead of their
     * FMAs. Eight rows fit AVX-512's 32 registers. On AVX2's 16, six rows fit where C2 loads two
     * broadcasts at a time, as it does in the packed tile's loop (16 registers, no spill); a tile
     * reading A in place keeps four rows (its six row addresses made it slower:
     * benchmarks/README.md, "A Zen 3 EPYC, AVX2 only").
     */
    public static Blocking forLanes(int lanes) {
        return lanes >= 16 ? forTile(8, 8, 2 * lanes, lanes) : forTile(6, 4, 2 * lanes, lanes);
    }

    /** The blocking for an {@code mr x nr} float tile, with an {@code inPlaceMr x nr} tile for A read in place. */
    public static Blocking forTile(int mr, int inPlaceMr, int nr, int lanes) {
        int kc, nb, mc;
        if (mr >= 8) {
            // An A micro-panel in half of L1: deep K blocks, since C is read and written once per
            // block (8 x 2 vectors: kc 256 ran 10% faster than 128 at 1024^3; on a Zen 5, kc 512
            // with this A block 2-3% faster than 256 with a third of L2 at 512^3 to 2048^3) ...
            kc = roundDown(Math.max(64, Math.min(512, L1 / 2 / (mr * Float.BYTES))), 8);
            // ... a band of B micro-panels in half of L2 for each A micro-panel to meet, and the A
            // block in the other half (a third, 80 rows, streamed the packed B panel from L3 over
            // again for every 80 rows: level with kc 256).
            nb = Math.max(nr, roundDown(L2 / 2 / (kc * Float.BYTES), nr));
            mc = Math.max(mr, roundDown(L2 / 2 / (kc * Float.BYTES), mr));
        } else {
            // A short tile gets too few FMAs from each B load to stream B from L2 (bands ran 6-14%
            // slower on AVX2): BLIS's order, one B micro-panel in half of L1 down all of A's rows,
            // and an A block about a third of L2.
            kc = roundDown(Math.max(64, Math.min(512, L1 / 2 / (nr * Float.BYTES))), 8);
            nb = nr;
            mc = Math.max(mr, roundDown(L2 / 3 / (kc * Float.BYTES), mr));
        }
        int nc = Math.max(nr, roundDown(L3_SHARE / (kc * Float.BYTES), nr));
        int narrowN = 2 * nr;
        return new Blocking(mr, inPlaceMr, nr, kc, mc, nc, nb, narrowN, 8, 1L << 19,
                8 * lanes, 64 * 1024, 1, 1L << 20, 4096);
    }

    /** Whether {@code C[m x n] = A[m x k] B[n x k]^T} suits dot products better than packing. */
    boolean suitsDotProducts(boolean transA, boolean transB, int m, int n, int k) {
        long c = (long) m * n;
        return !transA && transB && k >= dotMinK && c <= dotMaxC && c <= (long) dotMaxCPerK * k;
    }

    private static int roundDown(int value, int multiple) {
        return Math.max(multiple, value / multiple * multiple);
    }
}
