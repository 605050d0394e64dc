package dev.isthmus.kernels.conv;

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
    static void copy(float[] x, int xOffset, int channels, int inH, int inW, int padTop, int padLeft,
                     float[] xp, int rows, int stride, int plane) {
        int run = Math.min(inW, stride - padLeft);
        for (int c = 0; c < channels; c++) {
            int src = xOffset + c * inH * inW;
            for (int r = 0; r < rows; r++) {
                int dst = c * plane + r * stride;
                int iy = r - padTop;
                if (iy < 0 || iy >= inH) {
                    Arrays.fill(xp, dst, dst + stride, 0f);
                    continue;
                }
                Arrays.fill(xp, dst, dst + padLeft, 0f);
                System.arraycopy(x, src + iy * inW, xp, dst + padLeft, run);
                Arrays.fill(xp, dst + padLeft + run, dst + stride, 0f);
            }
        }
    }
}
