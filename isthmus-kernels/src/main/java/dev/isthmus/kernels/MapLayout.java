package dev.isthmus.kernels;

/**
 * Where a batch of {@code channels x height x width} feature maps lies in a float array: cell
 * {@code (c, r, s)} of image {@code n} at {@code n * imageSize + offset + c * plane + r * rowStride + s}.
 * Every float of an image that is not one of its cells is zero (a border, the padding a
 * convolution reads around its input). The dense layout ({@link #dense}) has no such floats.
 *
 * <p>A pass that writes a padded layout writes every float of each image, its zeros too; one
 * that reads it relies on them. {@link FusedConvolution#stagedInput()} names the padded layout a
 * convolution reads without copying its input, so that the layer before it can write its output
 * there (an inference plan does: the copy was about a tenth of ChestXRayNet's inference).
 *
 * @param imageSize floats from one image to the next
 * @param offset    of cell {@code (0, 0, 0)} within an image
 * @param rowStride floats from one row to the next, at least {@code width}
 * @param plane     floats from one channel to the next; the channels' cells may not overlap
 */
public record MapLayout(int channels, int height, int width, int imageSize, int offset, int rowStride, int plane) {

    /**
     * @throws IllegalArgumentException if a dimension is not positive, or the cells of a channel
     *                                  overlap the next one's or run past the image
     */
    public MapLayout {
        Checks.positive("channels", channels);
        Checks.positive("height", height);
        Checks.positive("width", width);
        Checks.nonNegative("offset", offset);
        if (rowStride < width) {
            throw new IllegalArgumentException("rowStride must be >= width " + width + ", got " + rowStride);
        }
        long span = (long) (height - 1) * rowStride + width; // one channel's cells, first to last
        if (channels > 1 && plane < span) {
            throw new IllegalArgumentException("plane must be >= (height - 1) * rowStride + width = " + span
                    + " so that channels do not overlap, got " + plane);
        }
        long end = offset + (long) (channels - 1) * plane + span;
        if (end > imageSize) {
            throw new IllegalArgumentException("imageSize must be >= offset + (channels - 1) * plane + (height - 1)"
                    + " * rowStride + width = " + end + ", got " + imageSize);
        }
    }

    /** {@code channels x height x width} maps packed row-major, one image after another. */
    public static MapLayout dense(int channels, int height, int width) {
        long plane = (long) height * width, size = channels * plane;
        if (channels > 0 && height > 0 && width > 0 && size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("channels * height * width = " + channels + " * " + height + " * "
                    + width + " = " + size + " floats exceeds an array's " + Integer.MAX_VALUE);
        }
        return new MapLayout(channels, height, width, (int) size, 0, width, (int) plane);
    }

    /** True when the layout holds nothing but the cells, packed row-major: {@link #dense}'s. */
    public boolean isDense() {
        return offset == 0 && rowStride == width && plane == height * width && imageSize == channels * plane;
    }

    /** True when the maps have these dimensions, whatever their layout. */
    public boolean holds(int channels, int height, int width) {
        return this.channels == channels && this.height == height && this.width == width;
    }
}
