package dev.isthmus.data;

import dev.isthmus.nn.Shape;
import dev.isthmus.train.BatchTransform;
import java.io.Serializable;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * On-the-fly augmentation of training images, after Keras's {@code ImageDataGenerator}: per
 * image a random rotation, height and width shift, zoom and horizontal flip, resampled
 * bilinearly with "nearest" fill (a pixel outside the image takes the nearest edge value), the
 * defaults of {@code ImageDataGenerator.apply_transform}. Every channel of an image gets the same
 * transform; shapes are kept.
 *
 * <p>The geometry is Keras's: with {@code o = (h / 2 - 0.5, w / 2 - 0.5)} the image centre in
 * (row, column) coordinates, output pixel {@code p} samples the input at
 * {@code o + R (Z (p - o) + t)}, where {@code R} rotates by {@code theta}, {@code Z =
 * diag(zx, zy)} zooms rows and columns independently (as Keras draws {@code zx} and {@code zy}
 * separately; as there, a zoom above 1 samples further from the centre and so zooms out) and
 * {@code t = (tx, ty)} shifts by fractions of the height and width. The flip comes after the
 * affine transform.
 *
 * <p>Each image takes exactly six draws from the generator, in this order whatever the
 * configuration: rotation, height shift, width shift, row zoom, column zoom, flip. A seeded
 * generator therefore gives the same batch every time, and changing one range does not shift the
 * draws of the others. An image whose draws give the identity is left untouched, bit for bit.
 *
 * <p>An instance holds only its configuration (scratch space is allocated per call), so one
 * may serve several threads; it is serializable, so a cluster can ship it to its workers.
 */
public final class Augmentation implements BatchTransform, Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * The ranges: rotation in degrees ({@code [-r, r]}), shifts as fractions of the height and
     * width ({@code [-f, f]}), zoom {@code z} as the interval {@code [1 - z, 1 + z]}, and whether
     * to flip half of the images horizontally.
     *
     * @param rotationDegrees   in {@code [0, 180]}
     * @param heightShift       in {@code [0, 1)}
     * @param widthShift        in {@code [0, 1)}
     * @param zoom              in {@code [0, 1)}
     * @param horizontalFlip    flip with probability 0.5
     */
    public record Config(double rotationDegrees, double heightShift, double widthShift, double zoom,
            boolean horizontalFlip) implements Serializable {

        /** No change at all. */
        public static final Config NONE = new Config(0, 0, 0, 0, false);

        /**
         * Our defaults, close to the lesson's generator: rotation 10 degrees, shifts 0.1, zoom
         * 0.1, horizontal flip on. (Keras's own defaults are all off; these are Isthmus's choice
         * for the chest X-ray lesson.)
         */
        public static final Config DEFAULTS = new Config(10, 0.1, 0.1, 0.1, true);

        /**
         * @throws IllegalArgumentException naming the range that is out of bounds
         */
        public Config {
            check("rotationDegrees", rotationDegrees, 0, 180, true);
            check("heightShift", heightShift, 0, 1, false);
            check("widthShift", widthShift, 0, 1, false);
            check("zoom", zoom, 0, 1, false);
        }

        private static void check(String name, double v, double lo, double hi, boolean hiIncluded) {
            if (!(v >= lo && (hiIncluded ? v <= hi : v < hi))) {
                throw new IllegalArgumentException(name + " must be in [" + lo + ", " + hi + (hiIncluded ? "]" : ")")
                        + ", got " + v);
            }
        }
    }

    /** One image's draws. */
    record Draw(double theta, double tx, double ty, double zx, double zy, boolean flip) {
        boolean isIdentityTransform() {
            return theta == 0 && tx == 0 && ty == 0 && zx == 1 && zy == 1;
        }
    }

    private final Config config;

    public Augmentation(Config config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** With {@link Config#DEFAULTS}. */
    public Augmentation() {
        this(Config.DEFAULTS);
    }

    public Config config() {
        return config;
    }

    /**
     * @throws IllegalArgumentException if {@code shape} is not {@code (C, H, W)} or {@code x}
     *                                  holds fewer than {@code batch} images
     */
    @Override
    public void apply(float[] x, int batch, Shape shape, RandomGenerator random) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(random, "random");
        int c = shape.channels(), h = shape.height(), w = shape.width(), size = shape.size();
        if (batch < 0 || (long) batch * size > x.length) {
            throw new IllegalArgumentException("x holds " + x.length + " floats, fewer than batch " + batch
                    + " images of shape " + shape);
        }
        float[] plane = new float[h * w];
        for (int b = 0; b < batch; b++) {
            Draw d = draw(random, h, w);
            for (int ch = 0; ch < c; ch++) {
                int offset = b * size + ch * h * w;
                if (!d.isIdentityTransform()) {
                    System.arraycopy(x, offset, plane, 0, h * w);
                    resample(plane, h, w, d, x, offset);
                }
                if (d.flip()) {
                    flip(x, offset, h, w);
                }
            }
        }
    }

    /** The six draws, in the documented order. */
    Draw draw(RandomGenerator random, int h, int w) {
        double theta = Math.toRadians(symmetric(random.nextDouble(), config.rotationDegrees()));
        double tx = symmetric(random.nextDouble(), config.heightShift()) * h;
        double ty = symmetric(random.nextDouble(), config.widthShift()) * w;
        double zx = 1 + symmetric(random.nextDouble(), config.zoom());
        double zy = 1 + symmetric(random.nextDouble(), config.zoom());
        boolean flip = random.nextDouble() < 0.5 && config.horizontalFlip();
        return new Draw(theta, tx, ty, zx, zy, flip);
    }

    /** {@code u} in {@code [0, 1)} mapped to {@code [-range, range)}; exactly 0 when the range is 0. */
    private static double symmetric(double u, double range) {
        return range == 0 ? 0 : (2 * u - 1) * range;
    }

    /** Writes the transformed {@code src} ({@code h x w}) to {@code dst} at {@code offset}. */
    private static void resample(float[] src, int h, int w, Draw d, float[] dst, int offset) {
        double cos = Math.cos(d.theta()), sin = Math.sin(d.theta());
        // input = o + R (Z (p - o) + t) = A p + b
        double a00 = cos * d.zx(), a01 = -sin * d.zy(), a10 = sin * d.zx(), a11 = cos * d.zy();
        double or = h / 2.0 - 0.5, oc = w / 2.0 - 0.5;
        double b0 = or + cos * d.tx() - sin * d.ty() - a00 * or - a01 * oc;
        double b1 = oc + sin * d.tx() + cos * d.ty() - a10 * or - a11 * oc;
        for (int r = 0; r < h; r++) {
            double rowR = a00 * r + b0, rowC = a10 * r + b1;
            for (int col = 0; col < w; col++) {
                double ir = rowR + a01 * col, ic = rowC + a11 * col;
                dst[offset + r * w + col] = bilinearNearest(src, h, w, ir, ic);
            }
        }
    }

    /** Bilinear interpolation with coordinates clamped to the image: scipy's {@code order=1, mode='nearest'}. */
    static float bilinearNearest(float[] src, int h, int w, double r, double c) {
        r = Math.clamp(r, 0, h - 1);
        c = Math.clamp(c, 0, w - 1);
        int r0 = (int) r, c0 = (int) c; // r, c >= 0: truncation is floor
        int r1 = Math.min(r0 + 1, h - 1), c1 = Math.min(c0 + 1, w - 1);
        double fr = r - r0, fc = c - c0;
        double top = src[r0 * w + c0] * (1 - fc) + src[r0 * w + c1] * fc;
        double bottom = src[r1 * w + c0] * (1 - fc) + src[r1 * w + c1] * fc;
        return (float) (top * (1 - fr) + bottom * fr);
    }

    private static void flip(float[] x, int offset, int h, int w) {
        for (int r = 0; r < h; r++) {
            int row = offset + r * w;
            for (int i = 0, j = w - 1; i < j; i++, j--) {
                float t = x[row + i];
                x[row + i] = x[row + j];
                x[row + j] = t;
            }
        }
    }

    @Override
    public String toString() {
        return "Augmentation" + config;
    }
}
