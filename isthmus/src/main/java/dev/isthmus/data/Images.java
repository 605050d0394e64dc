package dev.isthmus.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The per-image steps of the chest X-ray lesson's preprocessing, as pure functions: decode to
 * grey-scale, shrink with an area average, standardise.
 *
 * <p>Grey values are read from the raster, not through {@link BufferedImage#getRGB}: that
 * converts a grey image's linear colour space to sRGB and so changes the values a PNG stores.
 * Arithmetic is in {@code double}, so a 16-bit image keeps its precision until the final
 * {@code float}.
 */
public final class Images {

    /**
     * The largest image {@link #readGrey(Path)} decodes, in pixels (5000 x 5000): decoding takes
     * about 16 bytes a pixel, so a small PNG that declares 40000 x 40000 pixels would exhaust
     * the heap. The limit is checked against the image's header, before decoding.
     */
    public static final long DEFAULT_MAX_PIXELS = 25_000_000;

    /** ITU-R BT.601 luma weights, as PIL's {@code convert("L")} and the lesson use. */
    static final double RED = 0.299, GREEN = 0.587, BLUE = 0.114;

    private Images() {}

    /**
     * One image as the loader prepares it: greyscale, area-resized to {@code side x side},
     * standardised to mean 0 and standard deviation 1. For predicting on single files.
     */
    public static float[] preprocess(Path file, int side) throws IOException {
        return preprocess(file, side, DEFAULT_MAX_PIXELS);
    }

    /** As {@link #preprocess(Path, int)}, refusing images of more than {@code maxPixels} pixels. */
    public static float[] preprocess(Path file, int side, long maxPixels) throws IOException {
        return preprocess(readGrey(file, maxPixels), side);
    }

    /**
     * {@link #preprocess(Path, int)} on an image file's bytes (a row of Spark's {@code binaryFile}
     * source, say); {@code name} is what errors call it.
     */
    public static float[] preprocess(byte[] content, String name, int side) throws IOException {
        return preprocess(readGrey(content, name), side);
    }

    private static float[] preprocess(Grey grey, int side) {
        double[] resized = resizeArea(grey.values(), grey.width(), grey.height(), side, side);
        float[] x = new float[side * side];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) resized[i];
        }
        standardize(x, 0, x.length);
        return x;
    }

    /**
     * Reads {@code file} (PNG, JPEG, or anything else {@code javax.imageio} decodes) as grey
     * values in {@code [0, 1]}, row-major, {@code height * width} values.
     *
     * <p>A decoder warning (a JPEG cut short decodes with grey padding and only a warning) counts
     * as an error: a damaged file fails here rather than training on half an image.
     *
     * @throws IOException naming {@code file} if it is missing, not an image, truncated or
     *                     damaged, or has more than {@link #DEFAULT_MAX_PIXELS} pixels
     */
    public static Grey readGrey(Path file) throws IOException {
        return readGrey(file, DEFAULT_MAX_PIXELS);
    }

    /**
     * As {@link #readGrey(Path)}, refusing images of more than {@code maxPixels} pixels (read from
     * the header, before anything is decoded) with an {@link ImageTooLargeException}.
     */
    public static Grey readGrey(Path file, long maxPixels) throws IOException {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be >= 1, got " + maxPixels);
        }
        if (Files.isDirectory(file)) {
            throw new IIOException(file + ": is a directory, not an image file");
        }
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such image file");
        }
        return readGrey(new FileImageInputStream(file.toFile()), file.toString(), maxPixels);
    }

    /**
     * {@link #readGrey(Path)} on an image file's bytes; {@code name} is what errors call it. The
     * pixel limit is {@link #DEFAULT_MAX_PIXELS}.
     */
    public static Grey readGrey(byte[] content, String name) throws IOException {
        return readGrey(content, name, DEFAULT_MAX_PIXELS);
    }

    /** As {@link #readGrey(byte[], String)}, refusing images of more than {@code maxPixels} pixels. */
    public static Grey readGrey(byte[] content, String name, long maxPixels) throws IOException {
        Objects.requireNonNull(content, "content");
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be >= 1, got " + maxPixels);
        }
        return readGrey(new MemoryCacheImageInputStream(new ByteArrayInputStream(content)), name, maxPixels);
    }

    /** Decodes {@code input} and closes it. */
    private static Grey readGrey(ImageInputStream input, String file, long maxPixels) throws IOException {
        BufferedImage image;
        try (ImageInputStream in = input) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IIOException(file + ": not an image format javax.imageio can read");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                long width = reader.getWidth(0), height = reader.getHeight(0);
                if (width * height > maxPixels) {
                    throw new ImageTooLargeException(file, width, height, maxPixels);
                }
                image = reader.read(0);
            } finally {
                reader.dispose();
            }
            if (!warnings.isEmpty()) {
                throw new IIOException(file + ": damaged or truncated image: " + String.join("; ", warnings));
            }
        } catch (IIOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(file)) {
                throw e;
            }
            throw new IIOException(file + ": cannot decode (truncated or damaged?): " + describe(e), e);
        } catch (IOException | RuntimeException e) {
            // the PNG reader throws IndexOutOfBounds and the like on some damaged files
            throw new IIOException(file + ": cannot decode (truncated or damaged?): " + describe(e), e);
        } catch (OutOfMemoryError e) {
            // below the pixel limit but still too big for this heap: the failed array is garbage
            throw new IIOException(file + ": not enough memory to decode it (" + e.getMessage()
                    + "); give the JVM more heap (-Xmx) or lower the pixel limit", e);
        }
        return new Grey(image.getWidth(), image.getHeight(), toGrey(image));
    }

    /** Grey values in {@code [0, 1]}: {@code height} rows of {@code width}. */
    public record Grey(int width, int height, double[] values) {
        public Grey {
            Objects.requireNonNull(values, "values");
            if (width <= 0 || height <= 0 || values.length != (long) width * height) {
                throw new IllegalArgumentException("a " + width + "x" + height + " image needs " + (long) width * height
                        + " values, got " + values.length);
            }
        }
    }

    /**
     * The image's grey values in {@code [0, 1]}, row-major. One colour channel is scaled by its
     * own maximum ({@code 255} for 8 bits, {@code 65535} for 16); three are mixed into luminance
     * {@code 0.299 R + 0.587 G + 0.114 B}; alpha is ignored; palette images go through their
     * palette.
     */
    public static double[] toGrey(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        double[] out = new double[w * h];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int colours = cm.getNumColorComponents();
        int spaceType = cm.getColorSpace().getType();
        if (!(cm instanceof IndexColorModel) && colours == 1 && spaceType == ColorSpace.TYPE_GRAY) {
            double scale = 1.0 / ((1L << cm.getComponentSize(0)) - 1);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    out[y * w + x] = row[x] * scale;
                }
            }
        } else if (!(cm instanceof IndexColorModel) && colours == 3 && spaceType == ColorSpace.TYPE_RGB) {
            double r = RED / ((1L << cm.getComponentSize(0)) - 1);
            double g = GREEN / ((1L << cm.getComponentSize(1)) - 1);
            double b = BLUE / ((1L << cm.getComponentSize(2)) - 1);
            int[] red = new int[w], green = new int[w], blue = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, red);
                raster.getSamples(0, y, w, 1, 1, green);
                raster.getSamples(0, y, w, 1, 2, blue);
                for (int x = 0; x < w; x++) {
                    out[y * w + x] = Math.min(1.0, r * red[x] + g * green[x] + b * blue[x]);
                }
            }
        } else { // palettes and unusual colour spaces: through sRGB
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int argb = image.getRGB(x, y);
                    out[y * w + x] = Math.min(1.0,
                            (RED * (argb >> 16 & 0xff) + GREEN * (argb >> 8 & 0xff) + BLUE * (argb & 0xff)) / 255.0);
                }
            }
        }
        return out;
    }

    /**
     * Resizes a {@code width x height} image to {@code outWidth x outHeight} by area averaging:
     * each output pixel is the mean of the source area it covers, source pixels cut by its edges
     * weighted by the part inside. An integer factor (512 to 256) is an exact box filter: every
     * output pixel the plain mean of a {@code 2x2} block. Upscaling repeats and blends pixels
     * the same way. Separable, which is exact for a rectangle's area.
     *
     * @throws IllegalArgumentException if a size is not positive or {@code src} is not
     *                                  {@code width * height} long
     */
    public static double[] resizeArea(double[] src, int width, int height, int outWidth, int outHeight) {
        if (width <= 0 || height <= 0 || outWidth <= 0 || outHeight <= 0) {
            throw new IllegalArgumentException("sizes must be > 0, got " + width + "x" + height + " to "
                    + outWidth + "x" + outHeight);
        }
        if (src.length != (long) width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " image needs " + (long) width * height
                    + " values, got " + src.length);
        }
        if (width == outWidth && height == outHeight) {
            return src.clone();
        }
        Weights horizontal = Weights.of(width, outWidth), vertical = Weights.of(height, outHeight);
        double[] rows = new double[height * outWidth]; // horizontal pass
        for (int y = 0; y < height; y++) {
            for (int ox = 0; ox < outWidth; ox++) {
                rows[y * outWidth + ox] = horizontal.apply(src, y * width, 1, ox);
            }
        }
        double[] out = new double[outHeight * outWidth];
        for (int oy = 0; oy < outHeight; oy++) {
            for (int ox = 0; ox < outWidth; ox++) {
                out[oy * outWidth + ox] = vertical.apply(rows, ox, outWidth, oy);
            }
        }
        return out;
    }

    /**
     * For each output index along one axis: the first source index it covers and the weight of
     * each source index from there, summing to 1.
     */
    private record Weights(int[] first, double[][] weights) {

        static Weights of(int in, int out) {
            int[] first = new int[out];
            double[][] weights = new double[out][];
            if (in % out == 0) { // exact box filter
                int f = in / out;
                double w = 1.0 / f;
                for (int o = 0; o < out; o++) {
                    first[o] = o * f;
                    weights[o] = new double[f];
                    Arrays.fill(weights[o], w);
                }
                return new Weights(first, weights);
            }
            // Output pixel o covers source [o * in / out, (o + 1) * in / out); in units of 1/out
            // source pixel that is [o * in, (o + 1) * in): integers, so the overlaps are exact.
            for (int o = 0; o < out; o++) {
                long lo = (long) o * in, hi = (long) (o + 1) * in;
                int s0 = (int) (lo / out), s1 = (int) ((hi - 1) / out);
                first[o] = s0;
                weights[o] = new double[s1 - s0 + 1];
                for (int s = s0; s <= s1; s++) {
                    long a = Math.max(lo, (long) s * out), b = Math.min(hi, (long) (s + 1) * out);
                    weights[o][s - s0] = (double) (b - a) / in;
                }
            }
            return new Weights(first, weights);
        }

        double apply(double[] v, int offset, int stride, int o) {
            double[] w = weights[o];
            int at = offset + first[o] * stride;
            double sum = 0;
            for (int k = 0; k < w.length; k++, at += stride) {
                sum += w[k] * v[at];
            }
            return sum;
        }
    }

    /**
     * Standardises {@code values[from, from + length)} in place to mean 0 and standard deviation
     * 1 (the population standard deviation, as numpy's {@code std}). A constant image has no
     * contrast to scale and becomes all zeros rather than NaN.
     */
    public static void standardize(float[] values, int from, int length) {
        Objects.checkFromIndexSize(from, length, values.length);
        if (length == 0) {
            return;
        }
        double sum = 0;
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (int i = from; i < from + length; i++) {
            sum += values[i];
            min = Math.min(min, values[i]);
            max = Math.max(max, values[i]);
        }
        double mean = sum / length, squares = 0;
        for (int i = from; i < from + length; i++) {
            double d = values[i] - mean;
            squares += d * d;
        }
        double std = Math.sqrt(squares / length);
        if (min == max || !(std > 0)) {
            Arrays.fill(values, from, from + length, 0f);
            return;
        }
        for (int i = from; i < from + length; i++) {
            values[i] = (float) ((values[i] - mean) / std);
        }
    }

    private static String describe(Throwable e) {
        StringBuilder b = new StringBuilder(e.getClass().getSimpleName());
        if (e.getMessage() != null) {
            b.append(": ").append(e.getMessage());
        }
        if (e.getCause() != null && e.getCause() != e) {
            b.append(" (").append(describe(e.getCause())).append(')');
        }
        return b.toString();
    }
}
