package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.MapLayout;
import java.util.Arrays;

/**
 * The zero-padded copy of an image that the direct convolution ({@link DirectLayout#stage}) and
 * im2col on narrow maps read their receptive fields from, so that no read needs an edge test.
 */
final class PaddedImage {

    private PaddedImage() {}

    /**
     * {@code xp[c * plane + r * stride + s] = x[c][r - padTop][s - padLeft]} for {@code rows} rows
     * of {@code stride} floats per channel, zero where that falls outside the {@code inH x inW}
     * image: every float of those rows is written, so a reused buffer needs no clearing.
     */
    static void copy(ConvSupport kernels, float[] x, int xOffset, int channels, int inH, int inW, int padTop,
                     int padLeft, float[] xp, int rows, int stride, int plane) {
        // A strided window may need fewer columns than the image has, or only its left padding.
        int left = Math.min(padLeft, stride), run = Math.max(0, Math.min(inW, stride - padLeft));
        int firstRow = Math.max(0, -padTop), endRow = Math.min(inH, rows - padTop);
        int top = firstRow + padTop, bottom = endRow + padTop; // staged rows [top, bottom) hold the image's
        for (int c = 0; c < channels; c++) {
            int p = c * plane;
            if (run == 0 || bottom <= top) {
                Arrays.fill(xp, p, p + rows * stride, 0f);
                continue;
            }
            Arrays.fill(xp, p, p + top * stride, 0f);
            kernels.padRows(x, xOffset + c * inH * inW + firstRow * inW, inW, bottom - top, run, left, xp,
                    p + top * stride, stride);
            Arrays.fill(xp, p + bottom * stride, p + rows * stride, 0f);
        }
    }

    /**
     * Zeroes every float of the image at {@code a[at]} in {@code layout} that is not one of its
     * cells (the tiles that write a padded output write the cells alone).
     */
    static void clearBorders(ConvSupport kernels, float[] a, int at, MapLayout layout) {
        clearBorders(kernels, a, at, layout.channels(), layout.height(), layout.width(), layout.offset(),
                layout.rowStride(), layout.plane(), layout.imageSize());
    }

    /**
     * Zeroes the {@code size} floats from {@code a[at]} but {@code channels} planes of
     * {@code rows x cols} cells, the first at {@code offset}, rows {@code stride} and planes
     * {@code plane} apart (all of them where {@code rows} is 0). Per plane: one fill from the
     * previous plane's last cell to this one's first (that row's right border, the rows below and
     * above, the first row's left border), then the gaps between its rows (a right border and the
     * next left one) in one strided clear; a fill per gap went through a call to the fill stub each.
     */
    static void clearBorders(ConvSupport kernels, float[] a, int at, int channels, int rows, int cols, int offset,
                             int stride, int plane, int size) {
        int from = at;
        for (int c = 0; c < channels && rows > 0; c++) {
            int first = at + offset + c * plane;
            Arrays.fill(a, from, first, 0f);
            if (rows > 1 && stride > cols) {
                kernels.clearRuns(a, first + cols, stride, rows - 1, stride - cols);
            }
            from = first + (rows - 1) * stride + cols;
        }
        Arrays.fill(a, from, at + size, 0f);
    }

    /**
     * The inverse of {@link #copy} on the image's floats: {@code x[c][r][s] = xp[c * plane + (r +
     * padTop) * stride + s + padLeft]}, 0 where that lies outside the {@code rows x stride} planes.
     */
    static void extract(float[] xp, int channels, int rows, int stride, int plane, int padTop, int padLeft,
                        float[] x, int xOffset, int inH, int inW) {
        int run = Math.max(0, Math.min(inW, stride - padLeft));
        for (int c = 0; c < channels; c++) {
            for (int iy = 0; iy < inH; iy++) {
                int dst = xOffset + (c * inH + iy) * inW, r = iy + padTop;
                if (r >= rows || run == 0) {
                    Arrays.fill(x, dst, dst + inW, 0f);
                    continue;
                }
                System.arraycopy(xp, c * plane + r * stride + padLeft, x, dst, run);
                Arrays.fill(x, dst + run, dst + inW, 0f);
            }
        }
    }
}
