package dev.isthmus.kernels.gemm;

/**
 * Cache blocking for the packed SGEMM (Goto/BLIS): an {@code mr x nr} register tile, a
 * {@code kc x nr} B micro-panel that stays in L1, an {@code mc x kc} A block that stays in L2 and
 * a {@code kc x nc} B panel that stays in (a share of) L3.
 *
 * <p>Derived from the tile and from declared cache sizes rather than from the running machine,
 * so the summation order, and with it every result bit, is the same on every machine with the
 * same vector width.
 */
public record Blocking(int mr, int nr, int kc, int mc, int nc) {

    /** Assumed cache sizes in bytes: L1 data, L2, and the share of L3 one thread may use. */
    public static final int L1 = 32 << 10, L2 = 512 << 10, L3_SHARE = 4 << 20;

    public Blocking {
        if (mr < 1 || nr < 1 || kc < 1 || mc % mr != 0 || nc % nr != 0 || mc < mr || nc < nr) {
            throw new IllegalArgumentException("inconsistent blocking: mr=" + mr + " nr=" + nr
                    + " kc=" + kc + " mc=" + mc + " nc=" + nc);
        }
    }

    /** Blocking for an {@code mr x nr} float tile. */
    public static Blocking forTile(int mr, int nr) {
        // Half of L1 for the B micro-panel, the rest for A's micro-panel and C's tile.
        int kc = roundDown(Math.max(64, Math.min(512, L1 / 2 / (nr * Float.BYTES))), 8);
        // A block about a third of L2, leaving room for B's micro-panels streaming through.
        int mc = Math.max(mr, roundDown(L2 / 3 / (kc * Float.BYTES), mr));
        int nc = Math.max(nr, roundDown(L3_SHARE / (kc * Float.BYTES), nr));
        return new Blocking(mr, nr, kc, mc, nc);
    }

    private static int roundDown(int value, int multiple) {
        return Math.max(multiple, value / multiple * multiple);
    }
}
