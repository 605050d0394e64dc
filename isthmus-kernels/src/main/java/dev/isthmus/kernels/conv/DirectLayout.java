package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.MapLayout;
import dev.isthmus.kernels.Window2d;

/**
 * The layout of a direct convolution at stride 1 and dilation 1: the "implicit GEMM" that reads
 * each receptive field straight from a zero-padded copy of the image instead of an im2col matrix.
 *
 * <p>Output row {@code oy}, columns {@code [c, c + block)}, of channel {@code oc} is
 * {@code sum over (ic, ky, kx) of w[oc][ic][ky][kx] * xp[ic][oy + ky][c + kx .. c + kx + block)}:
 * shifted contiguous loads of the staged input {@code xp}, whose rows are padded with zeros on
 * the left by {@code padLeft} and on the right far enough that a block that runs past the output
 * width still reads inside its own row. The block is the implementation's (two vectors under the
 * Vector API), so an output row is computed in {@code outWp / block} steps (paired rows: two
 * rows a step).
 *
 * <p><b>Flat</b> layout ("same" padding only), for maps too narrow for a block, or whose width
 * falls just under a multiple of it: the output rows are laid end to end at the staged input's
 * own stride {@code S}, as one long computed row of {@code outH * S} positions, so a block may
 * span several image rows. One run of zeros between two image rows is both the right border of
 * one and the left border of the next, so {@code S = outW + max(padLeft, padRight)}
 * ({@code outW + 1} for a 3x3); the {@code S - outW} positions that end each image row are
 * computed and discarded. The stride being the input's, every tap is still one shifted
 * contiguous read.
 *
 * <p><b>Paired</b> rows ({@link #paired}), for a "same" map exactly half a block wide (16 at 512
 * bits) with an even height: staged at the flat layout's stride (one run of zeros serving as
 * both borders), but computed as rows of {@code outW}, two at a time, the block's second vector
 * being the next row's. Laid flat, such a map computed {@code outW + 1} positions per row and
 * rounded the whole up to the block (288 for 256 at 16x16); paired, exactly its own, written
 * where they belong.
 *
 * <p><b>Strided</b> forward layout ({@link #strided}), stride {@code s > 1}: the padded image is
 * staged as {@code s * s} phases, phase {@code (py, px)} holding its rows {@code py, py + s, ...}
 * and, of those, columns {@code px, px + s, ...}. Output {@code (oy, ox)} of tap {@code (ky, kx)}
 * reads padded {@code (s * oy + ky, s * ox + kx)}, which is phase {@code (ky % s, kx % s)} at
 * {@code (oy + ky / s, ox + kx / s)}: again a shifted contiguous read, so the same kernels
 * compute a strided convolution with no im2col matrix. Its data gradient runs on the same
 * phases ({@link #phaseGradients}); an output half a block wide with an even height is computed
 * in paired rows, forward and phases alike ({@link #stridedPairs}).
 *
 * <p>Weights are repacked so that the inner loop reads them in order: blocks of
 * {@link #ocBlock} output channels (four, or eight where the vector registers allow and the
 * channels divide), then {@code (ic, ky, kx)} last first (the tap loop counts down; see
 * {@link #pack}), then the block's channels. The weight gradient
 * takes channels in blocks of {@value #OC_BLOCK}, whatever the forward block.
 * This class holds the geometry, staging and packing; the arithmetic is in {@link ConvSupport}.
 */
public final class DirectLayout {

    /** Output channels the weight gradient takes together. */
    static final int OC_BLOCK = 4;

    /** Output channels the forward kernel computes together: 4, or 8 (16 accumulators, AVX-512). */
    final int ocBlock;

    final int cin, cout, kh, kw;
    /** The window's stride (both axes): 1, or the phases' step in the strided layout. */
    final int stride;
    final int inH, inW, outH, outW;
    final int padTop, padLeft;
    /** Output columns computed per step by the implementation. */
    final int block;
    /** Whether the kernels hold eight channels of accumulators (see {@link #ocBlock}). */
    private final boolean wideChannels;
    /** Output rows laid end to end as one computed row (see the class comment). */
    final boolean flat;
    /**
     * Output rows half a block wide, computed two at a time (see the class comment): the kernels
     * read a pair's second row one staged row ({@link #inStride}) on, and write it one output row on.
     */
    final boolean paired;
    /**
     * Width of a computed row: {@code outW}, or in the flat layout {@code outH * inStride}, rounded
     * up to the block; in paired rows {@code outW} itself (half a block: a step computes two rows).
     */
    final int outWp;
    /** Rows the kernels compute: {@code outH}, or 1 in the flat layout. */
    final int computedRows;
    /** Distance between output rows within the computed output: {@code outWp}, or {@code inStride} when flat. */
    final int rowStride;
    /** Staged input: rows of {@code inStride} floats, {@code inRows} per channel plane (strided: per phase and channel). */
    final int inStride, inRows, inPlane;
    /** Blocks of {@link #ocBlock} output channels (forward), and of {@link #OC_BLOCK} (weight gradient). */
    final int coutBlocks, gradientBlocks;
    /** {@link #tapOffset} of every tap, in (ic, ky, kx) order. */
    private final int[] tapOffsets;
    /** The same, last tap first: the order of the packed weights (see {@link #pack}). */
    private final int[] reversedTaps;

    private DirectLayout(int cin, int cout, int kh, int kw, int inH, int inW, int outH, int outW,
                       int padTop, int padLeft, int block, int minInStride, boolean flat, boolean wideChannels) {
        this(cin, cout, kh, kw, 1, inH, inW, outH, outW, padTop, padLeft, block, minInStride, flat, wideChannels);
    }

    private DirectLayout(int cin, int cout, int kh, int kw, int stride, int inH, int inW, int outH, int outW,
                       int padTop, int padLeft, int block, int minInStride, boolean flat, boolean wideChannels) {
        int reachX = (kw - 1) / stride, reachY = (kh - 1) / stride; // how far past an output a tap reads, staged
        int inStride = flat ? flatStride(outW, kw, stride, padLeft)
                : Math.max(roundUp(outW, block) + reachX, minInStride);
        // Flat: zero rows under each plane, so a last block that runs past the image reads zeros
        // of its own plane (discarded outputs, or a gradient of zero), never the next plane.
        int inRows = outH + reachY + (flat ? (block + kw + inStride - 1) / inStride + 1 : 0);
        this(cin, cout, kh, kw, stride, inH, inW, outH, outW, padTop, padLeft, block, flat, false, wideChannels,
                inStride, inRows, null);
    }

    /**
     * The paired layout of a stride-1 "same" window: the flat layout's stride, and under the last
     * image row the bottom border plus one row of zeros, into whose first floats the last row's
     * rightmost taps read (as any row's read into the next row's left border).
     */
    private static DirectLayout paired(int cin, int cout, int kh, int kw, int inH, int inW, int padTop, int padLeft,
                                       int block, boolean wideChannels) {
        int inStride = flatStride(inW, kw, 1, padLeft);
        return new DirectLayout(cin, cout, kh, kw, 1, inH, inW, inH, inW, padTop, padLeft, block, false, true,
                wideChannels, inStride, inH + kh, null);
    }

    /**
     * Every field from the staging: rows {@code inStride} apart, {@code inRows} per plane, the
     * interior at {@code (padTop, padLeft)}; tap {@code t}'s offset {@code taps[t]}, or where
     * null, {@link #tapOffset} of the geometry ({@link #phaseGradients} chooses its own).
     */
    private DirectLayout(int cin, int cout, int kh, int kw, int stride, int inH, int inW, int outH, int outW,
                         int padTop, int padLeft, int block, boolean flat, boolean paired, boolean wideChannels,
                         int inStride, int inRows, int[] taps) {
        this.cin = cin;
        this.cout = cout;
        this.kh = kh;
        this.kw = kw;
        this.stride = stride;
        this.inH = inH;
        this.inW = inW;
        this.outH = outH;
        this.outW = outW;
        this.padTop = padTop;
        this.padLeft = padLeft;
        this.block = block;
        this.flat = flat;
        this.paired = paired;
        this.wideChannels = wideChannels;
        this.inStride = inStride;
        this.outWp = flat ? roundUp(Math.multiplyExact(outH, inStride), block) : paired ? outW : roundUp(outW, block);
        this.computedRows = flat ? 1 : outH;
        this.rowStride = flat ? inStride : outWp;
        this.inRows = inRows;
        this.inPlane = Math.multiplyExact(inRows, inStride);
        this.ocBlock = wideChannels && cout % 8 == 0 ? 8 : OC_BLOCK;
        this.coutBlocks = (cout + ocBlock - 1) / ocBlock;
        this.gradientBlocks = (cout + OC_BLOCK - 1) / OC_BLOCK;
        if (taps == null) {
            taps = new int[cin * kh * kw];
            for (int t = 0; t < taps.length; t++) {
                taps[t] = tapOffset(t);
            }
        }
        this.tapOffsets = taps;
        this.reversedTaps = new int[taps.length];
        for (int t = 0; t < taps.length; t++) {
            reversedTaps[t] = taps[taps.length - 1 - t];
        }
    }

    /**
     * The flat layout's row stride. At stride 1 ("same" padding) a row's right border and the next
     * row's left border are one run of zeros, read by both rows' outermost taps, so the stride
     * is the width plus the wider border, not both: {@code outW + 1} for a 3x3, where {@code outW + 2}
     * computed and discarded one more position per row. A strided layout's phases keep both.
     */
    private static int flatStride(int outW, int kw, int stride, int padLeft) {
        return stride == 1 ? outW + Math.max(padLeft, kw - 1 - padLeft) : outW + (kw - 1) / stride;
    }

    /** The staged-input offset of every tap (shared, read-only). */
    int[] tapOffsets() {
        return tapOffsets;
    }

    /** {@link #tapOffsets} last tap first, as the packed weights lie (shared, read-only). */
    int[] reversedTapOffsets() {
        return reversedTaps;
    }

    /**
     * The forward geometry, or null where direct convolution does not suit the window: a stride
     * or dilation above 1, or padding wider than the kernel; or an output whose rows, rounded up
     * to the block, would waste more than a fifth of the work and, laid flat ("same" padding
     * only), more than half or fewer than three blocks. Where both fit, the one that computes
     * fewer positions: flat for widths just under a multiple of the block (a 56-wide map computes
     * 3,200 positions laid flat, 3,584 in rows of 64), rows where the width divides. A "same"
     * map half a block wide with an even height takes {@link #paired} rows, which compute no
     * position twice and none in vain.
     */
    static DirectLayout forward(int cin, int cout, Window2d w, int block, boolean wideChannels) {
        if (w.strideY() != 1 || w.strideX() != 1 || w.dilationY() != 1 || w.dilationX() != 1
                || w.padTop() > w.kernelHeight() - 1 || w.padBottom() > w.kernelHeight() - 1
                || w.padLeft() > w.kernelWidth() - 1 || w.padRight() > w.kernelWidth() - 1) {
            return null;
        }
        int outH = w.outHeight(), outW = w.outWidth();
        boolean rowsFit = fitsRows(outW, block);
        boolean same = outH == w.inHeight() && outW == w.inWidth();
        if (same && 2 * outW == block && outH % 2 == 0) {
            return paired(cin, cout, w.kernelHeight(), w.kernelWidth(), outH, outW, w.padTop(), w.padLeft(), block,
                    wideChannels);
        }
        long computed = roundUp(outH * flatStride(outW, w.kernelWidth(), 1, w.padLeft()), block);
        // Three blocks at least: a map of one or two (ChestXRayNet's 4x4 conv7) wastes half its
        // lanes or more. Three (its 8x8 conv6 at 512 bits, 96 positions for 64) beat im2col:
        // forward 0.80-0.85 -> 0.63-0.66 ms, backward 2.00-2.29 -> 1.84-1.92 (batch 32, Zen 4).
        boolean flatFits = same && 2L * outH * outW >= computed && computed >= 3L * block;
        if (flatFits && (!rowsFit || computed < (long) outH * roundUp(outW, block))) {
            return new DirectLayout(cin, cout, w.kernelHeight(), w.kernelWidth(), w.inHeight(), w.inWidth(),
                    outH, outW, w.padTop(), w.padLeft(), block, 0, true, wideChannels);
        }
        if (rowsFit) {
            return new DirectLayout(cin, cout, w.kernelHeight(), w.kernelWidth(), w.inHeight(), w.inWidth(),
                    outH, outW, w.padTop(), w.padLeft(), block, 0, false, wideChannels);
        }
        return null;
    }

    /** Whether rows of {@code outW} rounded up to the block waste at most a fifth of the work. */
    private static boolean fitsRows(int outW, int block) {
        return 5L * roundUp(outW, block) <= 6L * outW;
    }

    /** The row layout of the flat stride-1 layout {@code f}'s convolution, or null where its rows do not fit. */
    static DirectLayout rows(DirectLayout f) {
        if (!f.flat || f.stride != 1 || !fitsRows(f.outW, f.block)) {
            return null;
        }
        return new DirectLayout(f.cin, f.cout, f.kh, f.kw, f.inH, f.inW, f.outH, f.outW, f.padTop, f.padLeft, f.block,
                0, false, f.wideChannels);
    }

    /**
     * The strided forward geometry (see the class comment), or null where it does not suit the
     * window: a stride of 1 (see {@link #forward}) or unequal on the two axes, a dilation, padding
     * wider than the kernel, a kernel no wider than the stride (each tap then reads one phase
     * only, and staging all of them would cost more than it saves), or an output too narrow by the
     * rules of {@link #forward} (laid flat here at any padding; {@link #stridedPairs} computes an
     * output half a block wide in paired rows on the same staging, and {@link #phaseGradients} the
     * data gradient).
     */
    static DirectLayout strided(int cin, int cout, Window2d w, int block, boolean wideChannels) {
        int s = w.strideY();
        if (s < 2 || w.strideX() != s || w.dilationY() != 1 || w.dilationX() != 1
                || w.kernelHeight() <= s || w.kernelWidth() <= s
                || w.padTop() > w.kernelHeight() - 1 || w.padBottom() > w.kernelHeight() - 1
                || w.padLeft() > w.kernelWidth() - 1 || w.padRight() > w.kernelWidth() - 1) {
            return null;
        }
        if (fitsRows(w.outWidth(), block)) {
            return new DirectLayout(cin, cout, w.kernelHeight(), w.kernelWidth(), s, w.inHeight(), w.inWidth(),
                    w.outHeight(), w.outWidth(), w.padTop(), w.padLeft(), block, 0, false, wideChannels);
        }
        long computed = roundUp(w.outHeight() * (w.outWidth() + (w.kernelWidth() - 1) / s), block);
        if (2L * w.outHeight() * w.outWidth() >= computed && computed >= 4L * block) {
            return new DirectLayout(cin, cout, w.kernelHeight(), w.kernelWidth(), s, w.inHeight(), w.inWidth(),
                    w.outHeight(), w.outWidth(), w.padTop(), w.padLeft(), block, 0, true, wideChannels);
        }
        return null;
    }

    /**
     * The strided flat layout {@code f} computed in paired rows, where its output is exactly half
     * a block wide with an even height (resnet's 16 -> 32 stride-2 on 32x32 at 512 bits): the
     * same staging (its stride, rows and tap offsets), each tile two output rows of one vector,
     * so no position is computed in vain (256 for 288 laid flat) and the rows land in place. A
     * phase row ({@code f.inStride} floats) holds {@code outW} cells and the taps' reach past
     * them, so a vector read from any tap stays in its row. Null otherwise.
     */
    static DirectLayout stridedPairs(DirectLayout f) {
        if (!f.flat || f.stride < 2 || 2 * f.outW != f.block || f.outH % 2 != 0) {
            return null;
        }
        assert f.outW + (f.kw - 1) / f.stride <= f.inStride : f; // flatStride's, for a strided layout
        return new DirectLayout(f.cin, f.cout, f.kh, f.kw, f.stride, f.inH, f.inW, f.outH, f.outW, f.padTop, f.padLeft,
                f.block, false, true, f.wideChannels, f.inStride, f.inRows, null);
    }

    /**
     * The data gradient of {@code f} as a direct convolution: {@code dy} padded by
     * {@code k - 1 - pad}, flipped weights with their channel axes swapped. Its staged input (the
     * padded {@code dy}) is also what {@link ConvSupport#directWeightGradient} reads, so its
     * rows reach {@link #outWp} columns past the interior (flat: the two strides agree, as the
     * padding is "same"). Null where the rounding would waste too much.
     */
    static DirectLayout transposed(DirectLayout f) {
        int padTop = f.kh - 1 - f.padTop, padLeft = f.kw - 1 - f.padLeft;
        if (f.paired) { // "same": the transposed window is the same size
            return paired(f.cout, f.cin, f.kh, f.kw, f.outH, f.outW, padTop, padLeft, f.block, f.wideChannels);
        }
        if (f.flat) {
            return new DirectLayout(f.cout, f.cin, f.kh, f.kw, f.outH, f.outW, f.inH, f.inW, padTop, padLeft, f.block, 0,
                    true, f.wideChannels);
        }
        if (!fitsRows(f.inW, f.block)) {
            return null;
        }
        return new DirectLayout(f.cout, f.cin, f.kh, f.kw, f.outH, f.outW, f.inH, f.inW, padTop, padLeft, f.block,
                padLeft + f.outWp, false, f.wideChannels);
    }

    /**
     * The data gradient of the strided layout {@code f} on the input's phases, or null where its
     * geometry does not suit (a phase without rows or columns, or reads that would leave a row).
     * Phase {@code (py, px)} of the padded input, its cells {@code (s * r + py, s * c + px)}, takes
     * only the taps {@code (s * a + py, s * b + px)}: {@code dx(r, c) = sum over (oc, a, b) of
     * w[oc][ic][s * a + py][s * b + px] * dz[oc][r - a][c - b]}, a stride-1 convolution of
     * {@code dz} with a sub-kernel ({@code 2x2, 2x1, 1x2, 1x1} of a 3x3 at stride 2). Each phase is
     * a layout over one shared staging of {@code dz}, at {@code f}'s stride so that the weight
     * gradient reads the same buffer; element {@code [py * s + px]}. {@link #packPhase} packs its weights.
     * A phase half a block wide with an even height is computed in paired rows (resnet's 16 -> 32
     * stride-2 backward: 2.16-2.26 -> 2.00-2.09 ms against laid flat), others flat or in rows.
     */
    static DirectLayout[] phaseGradients(DirectLayout f) {
        int s = f.stride;
        if (s < 2) {
            return null;
        }
        int S = f.inStride;
        int[] r0 = new int[s], rows = new int[s], taRows = new int[s];
        int[] c0 = new int[s], cols = new int[s], taCols = new int[s];
        int padTop = 0, padLeft = 0;
        for (int p = 0; p < s; p++) {
            taRows[p] = Math.ceilDiv(f.kh - p, s);
            taCols[p] = Math.ceilDiv(f.kw - p, s);
            r0[p] = Math.ceilDiv(f.padTop - p, s);
            c0[p] = Math.ceilDiv(f.padLeft - p, s);
            rows[p] = Math.floorDiv(f.inH - 1 + f.padTop - p, s) - r0[p] + 1;
            cols[p] = Math.floorDiv(f.inW - 1 + f.padLeft - p, s) - c0[p] + 1;
            if (rows[p] < 1 || cols[p] < 1) {
                return null;
            }
            padTop = Math.max(padTop, taRows[p] - 1 - r0[p]);
            padLeft = Math.max(padLeft, taCols[p] - 1 - c0[p]);
        }
        // Staged dz: its rows at f's stride with a zero border; below them zero rows enough for
        // every phase's reads and for the weight gradient's run past the last row (flat).
        if (padLeft + f.outW > S) {
            return null; // dz's rows with their left border would not fit f's stride
        }
        int bottom = Math.ceilDiv(f.outWp + SLACK, S) + 1;
        for (int p = 0; p < s; p++) {
            if (cols[p] - 1 + c0[p] + padLeft >= S) {
                return null; // a valid output would read across a row's end
            }
            // a phase's last reads (its last block, its discarded positions) end in its plane
            bottom = Math.max(bottom, rows[p] + r0[p] - f.outH + 2 + Math.ceilDiv(f.block, S));
        }
        int inRows = padTop + f.outH + bottom;
        DirectLayout[] phases = new DirectLayout[s * s];
        for (int py = 0; py < s; py++) {
            for (int px = 0; px < s; px++) {
                int a = taRows[py], b = taCols[px];
                // half a block wide with an even height: paired rows, as the forward (stridedPairs)
                boolean paired = 2 * cols[px] == f.block && rows[py] % 2 == 0;
                boolean flat = !paired && !fitsRows(cols[px], f.block);
                int[] taps = new int[f.cout * a * b];
                for (int oc = 0, t = 0; oc < f.cout; oc++) {
                    for (int i = 0; i < a; i++) {
                        for (int j = 0; j < b; j++, t++) { // tap (oc, i, j) reads dz[oc][r + r0 - (a-1-i)][...]
                            taps[t] = oc * inRows * S + (r0[py] - (a - 1 - i) + padTop) * S
                                    + c0[px] - (b - 1 - j) + padLeft;
                        }
                    }
                }
                phases[py * s + px] = new DirectLayout(f.cout, f.cin, a, b, 1, f.outH, f.outW, rows[py], cols[px],
                        padTop, padLeft, f.block, flat, paired, f.wideChannels, S, inRows, taps);
            }
        }
        return phases;
    }

    /**
     * Packs the weights phase {@code (py, px)} of {@link #phaseGradients} reads, from {@code w}, the
     * strided convolution's {@code [cout][cin][kh][kw]} with {@code kh, kw} and stride {@code s}:
     * tap {@code (oc, i, j)} of output channel {@code ic} is {@code w[oc][ic][s * (a-1-i) + py][s * (b-1-j) + px]}.
     */
    void packPhase(float[] w, int wOffset, int kernelH, int kernelW, int s, int py, int px, float[] wp, int at) {
        int taps = kernelH * kernelW, k = cin * kh * kw;
        for (int ob = 0; ob < coutBlocks; ob++) {
            for (int oc = 0, t = 0; oc < cin; oc++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++, t++) {
                        int ky = s * (kh - 1 - i) + py, kx = s * (kw - 1 - j) + px;
                        int to = at + (ob * k + k - 1 - t) * ocBlock; // last tap first, as in pack
                        for (int b = 0; b < ocBlock; b++) {
                            int ic = ob * ocBlock + b;
                            wp[to + b] = ic < cout ? w[wOffset + (oc * cout + ic) * taps + ky * kernelW + kx] : 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * Floats after the last plane of a staged input, always zero: the weight gradient reads its
     * rows end to end, and its last vector may run past the last plane by less than this.
     */
    static final int SLACK = 64;

    /** Floats of a staged input, its zero slack included. */
    int stagedSize() {
        return stride * stride * cin * inPlane + SLACK;
    }

    /** Floats of packed weights. */
    int packedWeightsSize() {
        return coutBlocks * ocBlock * cin * kh * kw;
    }

    /**
     * The staged input ({@link #stage}) as a layout of the image, its zero slack included in each
     * image's size; null in the strided layout (phases) or where the staged rows would not hold
     * every cell (a strided window reads fewer columns than the image has).
     */
    MapLayout stagedLayout() {
        if (stride != 1 || padTop < 0 || padLeft < 0 || padLeft + inW > inStride || padTop + inH > inRows) {
            return null;
        }
        return new MapLayout(cin, inH, inW, stagedSize(), interior(), inStride, inPlane);
    }

    /** Offset of input cell (row 0, column 0) inside a staged plane. */
    int interior() {
        return padTop * inStride + padLeft;
    }

    /**
     * {@code xp[ic][r][c] = x[ic][r - padTop][c - padLeft]}, zero outside the image: every float
     * of the staged input is written, so a reused buffer needs no clearing.
     */
    void stage(float[] x, int xOffset, float[] xp, ConvSupport kernels) {
        PaddedImage.copy(kernels, x, xOffset, cin, inH, inW, padTop, padLeft, xp, inRows, inStride, inPlane);
        java.util.Arrays.fill(xp, cin * inPlane, cin * inPlane + SLACK, 0f);
    }

    /**
     * The strided layout's staging: {@code xp[phase (py, px)][ic][r][c] = x[ic][s * r + py - padTop][s * c + px
     * - padLeft]}, zero outside the image. Every float is written once: at stride 2 each image row
     * split into both of its column phases at once ({@link ConvSupport#splitPaddedRows}), else each
     * phase row's image cells in one strided copy; borders and the rows outside the image as zeros.
     */
    void stagePhases(float[] x, int xOffset, float[] xp, ConvSupport kernels) {
        int s = stride, end = s * s * cin * inPlane;
        if (s == 2) { // each image row split into both of its phases at once
            for (int py = 0; py < 2; py++) {
                int r0 = Math.min(inRows, Math.ceilDiv(padTop - py, 2));
                int r1 = Math.max(r0, Math.min(inRows, Math.ceilDiv(inH + padTop - py, 2)));
                for (int ic = 0; ic < cin; ic++) {
                    int even = (2 * py * cin + ic) * inPlane, odd = even + cin * inPlane;
                    java.util.Arrays.fill(xp, even, even + r0 * inStride, 0f);
                    java.util.Arrays.fill(xp, odd, odd + r0 * inStride, 0f);
                    if (r1 > r0) {
                        kernels.splitPaddedRows(x, xOffset + (ic * inH + 2 * r0 + py - padTop) * inW, 2 * inW, r1 - r0,
                                inW, padLeft, xp, even + r0 * inStride, odd + r0 * inStride, inStride, inStride);
                    }
                    java.util.Arrays.fill(xp, even + r1 * inStride, even + inPlane, 0f);
                    java.util.Arrays.fill(xp, odd + r1 * inStride, odd + inPlane, 0f);
                }
            }
            java.util.Arrays.fill(xp, end, end + SLACK, 0f);
            return;
        }
        for (int py = 0; py < s; py++) {
            // phase rows [r0, r1) and columns [c0, c1) hold image cells, the rest is padding
            int r0 = Math.min(inRows, Math.ceilDiv(padTop - py, s));
            int r1 = Math.max(r0, Math.min(inRows, Math.ceilDiv(inH + padTop - py, s)));
            for (int px = 0; px < s; px++) {
                int c0 = Math.min(inStride, Math.ceilDiv(padLeft - px, s));
                int c1 = Math.max(c0, Math.min(inStride, Math.ceilDiv(inW + padLeft - px, s)));
                for (int ic = 0; ic < cin; ic++) {
                    int plane = ((py * s + px) * cin + ic) * inPlane;
                    java.util.Arrays.fill(xp, plane, plane + r0 * inStride, 0f);
                    kernels.clearRuns(xp, plane + r0 * inStride, inStride, r1 - r0, c0); // left borders
                    kernels.clearRuns(xp, plane + r0 * inStride + c1, inStride, r1 - r0, inStride - c1); // right
                    if (r1 > r0 && c1 > c0) {
                        int from = xOffset + (ic * inH + s * r0 + py - padTop) * inW + s * c0 + px - padLeft;
                        kernels.copyStridedRows(x, from, s * inW, r1 - r0, c1 - c0, s, xp, plane + r0 * inStride + c0,
                                inStride);
                    }
                    java.util.Arrays.fill(xp, plane + r1 * inStride, plane + inPlane, 0f);
                }
            }
        }
        java.util.Arrays.fill(xp, end, end + SLACK, 0f);
    }

    /**
     * Zeroes a staged buffer's border: every row outside {@code [padTop, padTop + rows)} and, in
     * those rows, every column outside {@code [padLeft, padLeft + cols)}. A kernel then fills the
     * interior (the data gradient's input is written this way, straight from the pooled gradient).
     */
    void clearBorder(float[] xp, int rows, int cols, ConvSupport kernels) {
        PaddedImage.clearBorders(kernels, xp, 0, cin, rows, cols, padTop * inStride + padLeft, inStride, inPlane,
                cin * inPlane);
    }

    /**
     * Packs {@code w[cout][cin][kh][kw]} (or, when {@code flip}, the weights of the convolution
     * this one transposes, {@code w[cin][cout][kh][kw]}, rotated by 180 degrees) per block of
     * {@link #ocBlock} output channels, its taps {@code (ic, ky, kx)} last first, each tap's
     * channels together: tap {@code t} of channel {@code ob * ocBlock + j} at
     * {@code wp[(ob * K + K - 1 - t) * ocBlock + j]} ({@code K = cin * kh * kw}); zero past
     * {@code cout}. Last first so that the kernels' tap loop counts down to zero, still adding the
     * taps in order: a loop whose limit is a constant leaves C2 one more general register, which
     * under a collector that strip-mines loops (G1) kept the staged input's base out of an XMM
     * register (benchmarks/README.md).
     */
    void pack(float[] w, int wOffset, boolean flip, float[] wp) {
        // A channel at a time, reading its weights in order: every slice packs them again, and
        // the loop that wrote each tap's channels together (a strided read per value, a branch
        // per value) took 7% of resnet's inference.
        int taps = kh * kw, k = cin * taps;
        for (int ob = 0; ob < coutBlocks; ob++) {
            for (int j = 0; j < ocBlock; j++) {
                int oc = ob * ocBlock + j;
                int at = (ob * k + k - 1) * ocBlock + j; // tap 0, stored last
                if (oc >= cout) {
                    for (int t = 0; t < k; t++, at -= ocBlock) {
                        wp[at] = 0f;
                    }
                } else if (flip) { // the original is [ic][oc] in this convolution's terms
                    for (int ic = 0; ic < cin; ic++) {
                        int from = wOffset + (ic * cout + oc) * taps + taps - 1;
                        for (int t = 0; t < taps; t++, at -= ocBlock) {
                            wp[at] = w[from - t];
                        }
                    }
                } else {
                    int from = wOffset + oc * k;
                    for (int t = 0; t < k; t++, at -= ocBlock) {
                        wp[at] = w[from + t];
                    }
                }
            }
        }
    }

    /** Offset of tap {@code t = (ic * kh + ky) * kw + kx} in a staged input, relative to its output position. */
    int tapOffset(int t) {
        int kx = t % kw, ky = (t / kw) % kh, ic = t / (kw * kh);
        int phase = ky % stride * stride + kx % stride; // 0 at stride 1
        return (phase * cin + ic) * inPlane + ky / stride * inStride + kx / stride;
    }

    static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

    @Override
    public String toString() {
        return "DirectLayout(" + cin + " -> " + cout + ", " + kh + "x" + kw + (stride > 1 ? " stride " + stride : "")
                + ", out " + outH + "x" + outW
                + (flat ? " (flat, " + outWp + " positions)" : paired ? " (paired rows of " + outWp + ")"
                : " (rows of " + outWp + ")") + ", staged rows of " + inStride + ")";
    }
}
