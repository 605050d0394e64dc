package dev.isthmus.data;

import java.util.Locale;
import javax.imageio.IIOException;

/** An image whose header declares more pixels than the reader was allowed to decode. */
public final class ImageTooLargeException extends IIOException {

    private static final long serialVersionUID = 1L;

    private final long pixels;
    private final long maxPixels;

    /** {@code file}: the path or name the error gives. */
    public ImageTooLargeException(String file, long width, long height, long maxPixels) {
        super(String.format(Locale.ROOT, "%s: %d x %d = %,d pixels, over the limit of %,d pixels", file, width, height,
                width * height, maxPixels));
        this.pixels = width * height;
        this.maxPixels = maxPixels;
    }

    public long pixels() {
        return pixels;
    }

    public long maxPixels() {
        return maxPixels;
    }
}
