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
     * cells: from the image's start to the first cell, the gaps between rows (one strided clear a
     * channel), between channels, and after the last cell to the image's end.
     */
    static void clearBorders(ConvSupport kernels, float[] a, int at, MapLayout layout) {
        int h = layout.height(), w = layout.width(), stride = layout.rowStride(), from = at;
        for (int c = 0; c < layout.channels(); c++) {
            int first = at + layout.offset() + c * layout.plane();
            Arrays.fill(a, from, first, 0f);
            if (h > 1 && stride > w) {
                kernels.clearRuns(a, first + w, stride, h - 1, stride - w);
            }
            from = first + (h - 1) * stride + w;
        }
        Arrays.fill(a, from, at + layout.imageSize(), 0f);
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
