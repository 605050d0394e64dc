package dev.isthmus.kernels;

/**
 * The spatial geometry of a 2-D sliding window, shared by convolution and pooling: input size,
 * window size, stride, dilation and the resolved padding on each side. Output position
 * {@code (oy, ox)} covers input rows {@code oy * strideY - padTop + ky * dilationY} for
 * {@code ky < kernelHeight}, and likewise for columns; cells outside the input are padding.
 *
 * @param outHeight {@code floor((inHeight + padTop + padBottom - dilationY * (kernelHeight - 1) - 1) / strideY) + 1}
 * @param outWidth  the same across
 */
public record Window2d(int inHeight, int inWidth, int kernelHeight, int kernelWidth,
                       int strideY, int strideX, int dilationY, int dilationX,
                       int padTop, int padLeft, int padBottom, int padRight,
                       int outHeight, int outWidth) {

    /** Kernels trust a window, so every way of making one checks it. */
    public Window2d {
        positive("inHeight", inHeight);
        positive("inWidth", inWidth);
        positive("kernelHeight", kernelHeight);
        positive("kernelWidth", kernelWidth);
        positive("strideY", strideY);
        positive("strideX", strideX);
        positive("dilationY", dilationY);
        positive("dilationX", dilationX);
        new Padding.Explicit(padTop, padLeft, padBottom, padRight); // checks >= 0
        int spanY = dilationY * (kernelHeight - 1) + 1, spanX = dilationX * (kernelWidth - 1) + 1;
        if (spanY > inHeight + padTop + padBottom || spanX > inWidth + padLeft + padRight) {
            throw new IllegalArgumentException("kernel " + kernelHeight + "x" + kernelWidth + " (dilation "
                    + dilationY + "x" + dilationX + ", span " + spanY + "x" + spanX + ") is larger than the padded input "
                    + (inHeight + padTop + padBottom) + "x" + (inWidth + padLeft + padRight) + " (input " + inHeight
                    + "x" + inWidth + ", padding top=" + padTop + ", left=" + padLeft + ", bottom=" + padBottom
                    + ", right=" + padRight + ")");
        }
        int wantH = (inHeight + padTop + padBottom - spanY) / strideY + 1;
        int wantW = (inWidth + padLeft + padRight - spanX) / strideX + 1;
        if (outHeight != wantH || outWidth != wantW) {
            throw new IllegalArgumentException("output size must be " + wantH + "x" + wantW + " for this window, got "
                    + outHeight + "x" + outWidth);
        }
    }

    /** Checks the sizes and resolves the padding; see {@link Padding}. */
    public static Window2d of(int inHeight, int inWidth, int kernelHeight, int kernelWidth,
                              int strideY, int strideX, int dilationY, int dilationX, Padding padding) {
        positive("inHeight", inHeight);
        positive("inWidth", inWidth);
        positive("kernelHeight", kernelHeight);
        positive("kernelWidth", kernelWidth);
        positive("strideY", strideY);
        positive("strideX", strideX);
        positive("dilationY", dilationY);
        positive("dilationX", dilationX);
        java.util.Objects.requireNonNull(padding, "padding");
        int spanY = dilationY * (kernelHeight - 1) + 1, spanX = dilationX * (kernelWidth - 1) + 1;
        int top, left, bottom, right;
        if (padding instanceof Padding.Explicit e) {
            top = e.top();
            left = e.left();
            bottom = e.bottom();
            right = e.right();
        } else {
            int totalY = Math.max((ceilDiv(inHeight, strideY) - 1) * strideY + spanY - inHeight, 0);
            int totalX = Math.max((ceilDiv(inWidth, strideX) - 1) * strideX + spanX - inWidth, 0);
            top = totalY / 2;
            bottom = totalY - top;
            left = totalX / 2;
            right = totalX - left;
        }
        if (spanY > inHeight + top + bottom || spanX > inWidth + left + right) {
            // let the constructor report it, with the resolved padding
            return new Window2d(inHeight, inWidth, kernelHeight, kernelWidth, strideY, strideX, dilationY, dilationX,
                    top, left, bottom, right, 1, 1);
        }
        int outH = (inHeight + top + bottom - spanY) / strideY + 1;
        int outW = (inWidth + left + right - spanX) / strideX + 1;
        return new Window2d(inHeight, inWidth, kernelHeight, kernelWidth, strideY, strideX, dilationY, dilationX,
                top, left, bottom, right, outH, outW);
    }

    /** Square kernel, equal strides, no dilation. */
    public static Window2d of(int inHeight, int inWidth, int kernel, int stride, Padding padding) {
        return of(inHeight, inWidth, kernel, kernel, stride, stride, 1, 1, padding);
    }

    public int inSize() {
        return inHeight * inWidth;
    }

    public int outSize() {
        return outHeight * outWidth;
    }

    public int kernelSize() {
        return kernelHeight * kernelWidth;
    }

    /**
     * Pooling's rule, as PyTorch's: padding at most half the window's span on each side, so
     * windows lie mostly on the input.
     *
     * @throws IllegalArgumentException naming the side, the padding and the span
     */
    void requirePoolingPadding(String pool) {
        int spanY = dilationY * (kernelHeight - 1) + 1, spanX = dilationX * (kernelWidth - 1) + 1;
        if (2 * Math.max(padTop, padBottom) > spanY || 2 * Math.max(padLeft, padRight) > spanX) {
            throw new IllegalArgumentException(pool + " padding must be at most half the window span on each side: "
                    + "span " + spanY + "x" + spanX + ", padding top=" + padTop + ", left=" + padLeft
                    + ", bottom=" + padBottom + ", right=" + padRight);
        }
    }

    /** No padding, no dilation, kernel equal to the stride: windows tile the input exactly. */
    boolean isTiling() {
        return padTop == 0 && padLeft == 0 && dilationY == 1 && dilationX == 1
                && kernelHeight == strideY && kernelWidth == strideX;
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
