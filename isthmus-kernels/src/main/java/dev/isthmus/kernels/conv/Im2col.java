package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.Window2d;
import dev.isthmus.kernels.runtime.Workspace;

import java.util.Arrays;

/**
 * Moves receptive fields between an image ({@code C x H x W}) and the column matrix
 * ({@code C*kh*kw x outH*outW}) that turns convolution into one matrix product. Row
 * {@code (c, ky, kx)} of the matrix holds, for every output position, the input value under
 * kernel tap {@code (ky, kx)} of channel {@code c}, or 0 where that tap lies in the padding.
 *
 * <p>With stride 1 on wide maps an output row reads one contiguous run of an input row, so both
 * directions are array copies and contiguous adds with zero edges. Narrow maps, strides and
 * dilations go through a zero-padded copy of the image instead, where every run is free of edges,
 * or, where the window never reaches the padding, through the image itself.
 */
public final class Im2col {

    private Im2col() {}

    public static void im2col(ConvSupport k, Window2d w, int channels, float[] x, int xOffset, float[] col) {
        if (Planes.suit(w)) {
            if (insideImage(w)) {
                im2colUnpadded(k, w, channels, x, xOffset, col);
            } else {
                im2colPadded(k, w, channels, x, xOffset, col);
            }
            return;
        }
        int outW = w.outWidth(), p = w.outSize();
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = xOffset + c * w.inSize();
            for (int ky = 0; ky < w.kernelHeight(); ky++) {
                for (int kx = 0; kx < w.kernelWidth(); kx++, row++) {
                    int ix0 = kx * w.dilationX() - w.padLeft(); // input column of output column 0
                    int lo = firstInside(ix0, w.strideX()), hi = endInside(ix0, w.strideX(), w.inWidth(), outW);
                    for (int oy = 0; oy < w.outHeight(); oy++) {
                        int dst = row * p + oy * outW;
                        int iy = oy * w.strideY() - w.padTop() + ky * w.dilationY();
                        if (iy < 0 || iy >= w.inHeight() || lo >= hi) {
                            Arrays.fill(col, dst, dst + outW, 0f);
                            continue;
                        }
                        int src = plane + iy * w.inWidth() + ix0;
                        Arrays.fill(col, dst, dst + lo, 0f);
                        if (w.strideX() == 1) {
                            System.arraycopy(x, src + lo, col, dst + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                col[dst + ox] = x[src + ox * w.strideX()];
                            }
                        }
                        Arrays.fill(col, dst + hi, dst + outW, 0f);
                    }
                }
            }
        }
    }

    /**
     * Output rows narrower than this take {@link #im2colPadded}: below it, the two fills and the
     * copy per output row above cost more in calls and edge arithmetic than in moving floats (a
     * 4x4 map under a 5x5 kernel spent most of its forward pass there; benchmarks/README.md).
     */
    private static final int NARROW = 32;

    /**
     * Narrow output rows, or a stride or dilation above 1: the image is copied once into
     * zero-padded planes ({@link Workspace.Slot#PADDED_IMAGE}), after which every row of every
     * receptive field is a run of {@code outW} floats, contiguous or every {@code strideX}-th,
     * with no edge to test (per-row edge work and a float-by-float strided copy took most of a
     * stride-2 convolution's forward pass; benchmarks/README.md).
     */
    private static void im2colPadded(ConvSupport k, Window2d w, int channels, float[] x, int xOffset, float[] col) {
        Planes planes = Planes.of(w);
        float[] xs = Workspace.floats(Workspace.Slot.PADDED_IMAGE, planes.length(channels));
        PaddedImage.copy(k, x, xOffset, channels, w.inHeight(), w.inWidth(), w.padTop(), w.padLeft(), xs, planes.rows(),
                planes.stride(), planes.plane());
        int outH = w.outHeight(), outW = w.outWidth(), sx = w.strideX(), rowStep = planes.rowStep(w);
        int p = outH * outW, dst = 0, end = channels * w.kernelSize() * p;
        int span = (outH - 1) * rowStep + (outW - 1) * sx + 1;
        if (k.selectsRows(outW, p, span)) { // every tap's row the same offsets from its window's start
            int[] offsets = Workspace.ints(Workspace.IntSlot.IM2COL_OFFSETS, p);
            for (int i = 0; i < p; i++) {
                offsets[i] = i / outW * rowStep + i % outW * sx;
            }
            k.selectRows(xs, offsets, channels, planes.plane(), w.kernelHeight(), w.kernelWidth(),
                    w.dilationY() * planes.stride(), w.dilationX(), col);
            return;
        }
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < w.kernelHeight(); ky++) {
                for (int kx = 0; kx < w.kernelWidth(); kx++) {
                    int from = planes.start(w, c, ky, kx);
                    if (sx == 1) {
                        k.copyRuns(xs, from, rowStep, outH, outW, col, dst, end);
                    } else {
                        k.copyStridedRuns(xs, from, rowStep, outH, outW, sx, col, dst, end);
                    }
                    dst += p;
                }
            }
        }
        assert dst == end;
    }

    /**
     * Whether every receptive field lies inside the image: no padding reached, so
     * {@link #im2colUnpadded} can read the runs where they lie.
     */
    private static boolean insideImage(Window2d w) {
        return w.padTop() == 0 && w.padLeft() == 0
                && (w.outHeight() - 1) * w.strideY() + (w.kernelHeight() - 1) * w.dilationY() < w.inHeight()
                && (w.outWidth() - 1) * w.strideX() + (w.kernelWidth() - 1) * w.dilationX() < w.inWidth();
    }

    /**
     * {@link #im2colPadded} without the padded copy, for a window that never reaches the padding
     * (a 1x1 projection at stride 2): every row of a receptive field is read from the image where
     * it lies, every {@code strideX}-th float. Staging the whole image first read and wrote all of
     * it to use a quarter of it (a third of a 1x1 stride-2 forward's time; benchmarks/README.md).
     */
    private static void im2colUnpadded(ConvSupport k, Window2d w, int channels, float[] x, int xOffset, float[] col) {
        int outH = w.outHeight(), outW = w.outWidth(), p = outH * outW, dst = 0, rowStep = rowStep(w);
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < w.kernelHeight(); ky++) {
                for (int kx = 0; kx < w.kernelWidth(); kx++, dst += p) {
                    int from = tapStart(w, xOffset, c, ky, kx);
                    k.copyStridedRows(x, from, rowStep, outH, outW, w.strideX(), col, dst, outW);
                }
            }
        }
    }

    /**
     * Floats between the image rows of two output rows, in place; 0 for a single output row, which
     * may sit under any stride (its product with the width past int).
     */
    private static int rowStep(Window2d w) {
        return w.outHeight() > 1 ? w.strideY() * w.inWidth() : 0;
    }

    /** Where tap {@code (ky, kx)} of channel {@code c} reads for output (0, 0), in the image at {@code offset}. */
    private static int tapStart(Window2d w, int offset, int c, int ky, int kx) {
        return offset + c * w.inSize() + ky * w.dilationY() * w.inWidth() + kx * w.dilationX();
    }

    /** The adjoint of {@link #im2col}: overwrites the image {@code dx} with the column sums. */
    public static void col2im(ConvSupport k, Window2d w, int channels, float[] dcol, float[] dx, int dxOffset) {
        if (Planes.suit(w)) {
            if (insideImage(w)) {
                col2imUnpadded(k, w, channels, dcol, dx, dxOffset);
            } else {
                col2imPadded(k, w, channels, dcol, dx, dxOffset);
            }
            return;
        }
        Arrays.fill(dx, dxOffset, dxOffset + channels * w.inSize(), 0f);
        int outW = w.outWidth(), p = w.outSize();
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = dxOffset + c * w.inSize();
            for (int ky = 0; ky < w.kernelHeight(); ky++) {
                for (int kx = 0; kx < w.kernelWidth(); kx++, row++) {
                    int ix0 = kx * w.dilationX() - w.padLeft();
                    int lo = firstInside(ix0, w.strideX()), hi = endInside(ix0, w.strideX(), w.inWidth(), outW);
                    if (lo >= hi) {
                        continue;
                    }
                    for (int oy = 0; oy < w.outHeight(); oy++) {
                        int iy = oy * w.strideY() - w.padTop() + ky * w.dilationY();
                        if (iy < 0 || iy >= w.inHeight()) {
                            continue;
                        }
                        int src = row * p + oy * outW;
                        int dst = plane + iy * w.inWidth() + ix0;
                        if (w.strideX() == 1) {
                            for (int ox = lo; ox < hi; ox++) {
                                dx[dst + ox] += dcol[src + ox];
                            }
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                dx[dst + ox * w.strideX()] += dcol[src + ox];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * {@link #col2im} through the zero-padded planes of {@link #im2colPadded}: every row of the
     * column matrix is added to its run, contiguous or every {@code strideX}-th, without edge
     * tests; then the image is read out of the planes. The additions meet each float of the image
     * in the same order as col2im's, so the bits are the same.
     */
    private static void col2imPadded(ConvSupport k, Window2d w, int channels, float[] dcol, float[] dx, int dxOffset) {
        Planes planes = Planes.of(w);
        long length = planes.length(channels);
        float[] xs = Workspace.floats(Workspace.Slot.PADDED_IMAGE, length);
        Arrays.fill(xs, 0, (int) length, 0f);
        int outH = w.outHeight(), outW = w.outWidth(), p = outH * outW, rowStep = planes.rowStep(w), src = 0;
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < w.kernelHeight(); ky++) {
                for (int kx = 0; kx < w.kernelWidth(); kx++, src += p) {
                    k.addStridedRuns(dcol, src, outH, outW, xs, planes.start(w, c, ky, kx), rowStep, w.strideX());
                }
            }
        }
        PaddedImage.extract(xs, channels, planes.rows(), planes.stride(), planes.plane(), w.padTop(), w.padLeft(), dx,
                dxOffset, w.inHeight(), w.inWidth());
    }

    /**
     * {@link #col2imPadded} for a window that never reaches the padding: the runs are added to the
     * image where it lies, cleared first, without the planes' clearing and copying out (most of a
     * 1x1 stride-2 data gradient's time). The additions meet each float in col2im's order, so the
     * same bits. The run kernel may add 0 to floats past a run ({@link ConvSupport#addStridedRuns});
     * the runs that could reach past this image's floats (another thread's image) go float by float.
     */
    private static void col2imUnpadded(ConvSupport k, Window2d w, int channels, float[] dcol, float[] dx,
                                       int dxOffset) {
        int end = dxOffset + channels * w.inSize();
        Arrays.fill(dx, dxOffset, end, 0f);
        int outH = w.outHeight(), outW = w.outWidth(), p = outH * outW, sx = w.strideX(), src = 0;
        int rowStep = rowStep(w);
        long reach = 2L * sx * outW + ConvSupport.STRIDED_SLACK;
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < w.kernelHeight(); ky++) {
                for (int kx = 0; kx < w.kernelWidth(); kx++, src += p) {
                    int to = tapStart(w, dxOffset, c, ky, kx);
                    long room = end - reach - to; // runs starting at most this far from `to` stay in the image
                    int safe = room < 0 ? 0 : rowStep == 0 ? 1 : (int) Math.min(outH, room / rowStep + 1);
                    k.addStridedRuns(dcol, src, safe, outW, dx, to, rowStep, sx);
                    for (int r = safe; r < outH; r++) {
                        for (int ox = 0, at = to + r * rowStep; ox < outW; ox++) {
                            dx[at + ox * sx] += dcol[src + r * outW + ox];
                        }
                    }
                }
            }
        }
    }

    /**
     * The zero-padded planes im2col and col2im read and write a window's receptive fields in:
     * {@code rows} rows of {@code stride} floats per channel, just what the window covers.
     */
    private record Planes(int rows, int stride, int plane) {

        /** Whether a window goes through the planes: narrow output rows, or a stride or dilation above 1. */
        static boolean suit(Window2d w) {
            return w.outWidth() < NARROW || w.strideX() != 1 || w.strideY() != 1 || w.dilationX() != 1
                    || w.dilationY() != 1;
        }

        static Planes of(Window2d w) {
            int rows = (w.outHeight() - 1) * w.strideY() + (w.kernelHeight() - 1) * w.dilationY() + 1;
            int stride = (w.outWidth() - 1) * w.strideX() + (w.kernelWidth() - 1) * w.dilationX() + 1;
            return new Planes(rows, stride, rows * stride);
        }

        /** Floats for {@code channels} planes and the slack the run kernels may read and write past them. */
        long length(int channels) {
            return (long) channels * plane + 2L * Math.max(ConvSupport.COPY_SLACK, ConvSupport.STRIDED_SLACK);
        }

        /** Where tap {@code (ky, kx)} of channel {@code c} meets output row 0. */
        int start(Window2d w, int c, int ky, int kx) {
            return c * plane + ky * w.dilationY() * stride + kx * w.dilationX();
        }

        /** From one output row's run to the next. */
        int rowStep(Window2d w) {
            return w.strideY() * stride;
        }
    }

    /** The first output column whose input column {@code ix0 + ox * stride} is >= 0. */
    private static int firstInside(int ix0, int stride) {
        return ix0 >= 0 ? 0 : (-ix0 + stride - 1) / stride;
    }

    /** One past the last output column whose input column is < inWidth (at most outW). */
    private static int endInside(int ix0, int stride, int inWidth, int outW) {
        if (ix0 >= inWidth) {
            return 0;
        }
        return Math.min(outW, (inWidth - 1 - ix0) / stride + 1);
    }
}
