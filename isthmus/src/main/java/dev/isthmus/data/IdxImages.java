package dev.isthmus.data;

import java.util.Objects;

/**
 * Grey-scale images from an IDX file: {@code count} images of {@code rows x cols} unsigned bytes,
 * row-major, one after another.
 *
 * <p>The pixel array is shared, not copied (a training set is tens of megabytes); treat it as
 * read-only.
 */
public record IdxImages(int count, int rows, int cols, byte[] pixels) {

    /**
     * @throws IllegalArgumentException if a size is negative or {@code pixels} does not hold
     *                                  exactly {@code count * rows * cols} bytes
     */
    public IdxImages {
        Objects.requireNonNull(pixels, "pixels");
        if (count < 0 || rows < 0 || cols < 0) {
            throw new IllegalArgumentException("count, rows and cols must be >= 0, got " + count + ", " + rows + ", " + cols);
        }
        if ((long) count * rows * cols != pixels.length) {
            throw new IllegalArgumentException("pixels must hold count * rows * cols = " + count + " * " + rows + " * " + cols
                    + " = " + (long) count * rows * cols + " bytes, got " + pixels.length);
        }
    }

    /** Pixels per image, {@code rows * cols}. */
    public int imageSize() {
        return rows * cols;
    }

    /** Pixel {@code (row, col)} of image {@code image}, in {@code [0, 255]}. */
    public int pixel(int image, int row, int col) {
        Objects.checkIndex(image, count);
        Objects.checkIndex(row, rows);
        Objects.checkIndex(col, cols);
        return pixels[(image * rows + row) * cols + col] & 0xff;
    }

    /**
     * Writes images {@code [from, to)} to {@code out} at {@code offset} as floats, each pixel
     * times {@code scale} ({@code 1 / 255f} maps to {@code [0, 1]}): {@code (to - from) * rows *
     * cols} values, the layout of an {@code [n, 1, rows, cols]} batch.
     *
     * @throws IndexOutOfBoundsException if the range is not within {@code [0, count]} or
     *                                   {@code out} is too short
     */
    public void toFloats(int from, int to, float[] out, int offset, float scale) {
        Objects.checkFromToIndex(from, to, count);
        int size = imageSize();
        int n = (to - from) * size;
        Objects.checkFromIndexSize(offset, n, out.length);
        int src = from * size;
        for (int i = 0; i < n; i++) {
            out[offset + i] = (pixels[src + i] & 0xff) * scale;
        }
    }

    /** The shape and count, not the pixels. */
    @Override
    public String toString() {
        return "IdxImages[" + count + " x " + rows + " x " + cols + "]";
    }
}
