package dev.isthmus.data;

import dev.isthmus.io.AtomicFiles;
import dev.isthmus.kernels.Parallel;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * A stand-in for the lesson's chest X-rays that can be made anywhere, offline: 256x256 8-bit
 * grey PNGs in the lesson's layout, {@code <dir>/normal/normal_000.png ...} and
 * {@code <dir>/effusion/effusion_000.png ...}, for tests, demos and benchmarks of the whole
 * pipeline. They are drawings, not medical images.
 *
 * <p>Each image is a frontal (PA) film: a dark background, the body's silhouette, two dark lungs,
 * bright curved ribs across them, the spine and mediastinum, the heart (offset to the patient's
 * left, which is the image's right as on a PA film) and the two diaphragm domes that close the
 * lungs below, leaving sharp costophrenic angles at their outer corners. A pleural effusion adds
 * a bright, homogeneous opacity at the base of one lung that hides the ribs and the dome under
 * it, fills (blunts) the costophrenic angle and ends above in a meniscus curving up towards the
 * chest wall. It is meant to be seen.
 *
 * <p>Everything else varies in both classes so the task is not a one-pixel rule: position and
 * size of the body and lungs, dome heights, heart size, rib spacing, exposure (brightness,
 * contrast, gamma) and noise; a third of normal images carry a faint, graded basal haze (soft
 * tissue overlying the bases). The effusion varies in side, height and meniscus.
 *
 * <p>Deterministic: image {@code i} of a class comes from its own generator seeded from
 * {@code (seed, class, i)}, so the bytes do not depend on the thread count. Images are rendered
 * and encoded on the library's threads and written atomically ({@link AtomicFiles}); a marker
 * file {@value #MARKER} holding the seed and count is written last, and a folder that has it,
 * with every file present, is left alone.
 */
public final class SyntheticChestXrays {

    public static final int SIDE = 256;
    /** Written after all images; holds the format version, the seed and the count per class. */
    public static final String MARKER = ".complete";
    public static final List<String> CLASSES = List.of("normal", "effusion");

    private static final int VERSION = 1;
    private static final int EXPOSURE_STEPS = 4096;
    private static final Pattern FILE_NAME = Pattern.compile("(normal|effusion)_(\\d+)\\.png");

    private SyntheticChestXrays() {}

    /**
     * Writes {@code perClass} images of each class under {@code dir} (created if needed), unless
     * {@code dir} already holds the complete set for this seed and count. Images of an earlier,
     * larger set with our names and a higher index are deleted, so {@link ImageFolder} sees exactly
     * this set.
     *
     * @return {@code true} if images were written, {@code false} if the set was already there
     * @throws IllegalArgumentException if {@code perClass < 1}
     * @throws IOException              from the file system, naming the file
     */
    public static boolean generate(Path dir, int perClass, long seed) throws IOException {
        if (perClass < 1) {
            throw new IllegalArgumentException("perClass must be >= 1, got " + perClass);
        }
        Path marker = dir.resolve(MARKER);
        String expected = markerText(perClass, seed);
        if (isComplete(dir, marker, expected, perClass)) {
            return false;
        }
        Files.deleteIfExists(marker);
        for (String name : CLASSES) {
            Files.createDirectories(dir.resolve(name));
        }
        try {
            Parallel.forEach(2 * perClass, t -> {
                int c = t / perClass, i = t % perClass;
                byte[] png = encodePng(render(c == 1, imageSeed(seed, c, i)));
                try {
                    AtomicFiles.write(file(dir, c, i), png);
                } catch (IOException e) {
                    throw new UncheckedIOException(file(dir, c, i) + ": cannot write: " + e.getMessage(), e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        deleteExtras(dir, perClass);
        AtomicFiles.write(marker, expected.getBytes(StandardCharsets.UTF_8));
        return true;
    }

    /** Where image {@code i} of class {@code c} (0 normal, 1 effusion) goes. */
    static Path file(Path dir, int c, int i) {
        String name = CLASSES.get(c);
        return dir.resolve(name).resolve(String.format("%s_%03d.png", name, i));
    }

    private static String markerText(int perClass, long seed) {
        return "isthmus synthetic chest x-rays\nversion=" + VERSION + "\nseed=" + seed + "\nperClass=" + perClass
                + "\nside=" + SIDE + "\n";
    }

    private static boolean isComplete(Path dir, Path marker, String expected, int perClass) throws IOException {
        if (!Files.isRegularFile(marker) || !Files.readString(marker, StandardCharsets.UTF_8).equals(expected)) {
            return false;
        }
        for (int c = 0; c < CLASSES.size(); c++) {
            for (int i = 0; i < perClass; i++) {
                Path f = file(dir, c, i);
                if (!Files.isRegularFile(f) || Files.size(f) == 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void deleteExtras(Path dir, int perClass) throws IOException {
        for (String name : CLASSES) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir.resolve(name))) {
                for (Path f : files) {
                    Matcher m = FILE_NAME.matcher(f.getFileName().toString());
                    if (m.matches() && m.group(1).equals(name)
                            && (m.group(2).length() > 9 || Integer.parseInt(m.group(2)) >= perClass)) {
                        Files.delete(f);
                    }
                }
            }
        }
    }

    /**
     * A well-mixed seed per image (Stafford's variant 13 of the MurmurHash3 finaliser), so that
     * neighbouring images do not get overlapping {@code SplittableRandom} streams.
     */
    static long imageSeed(long seed, int c, int i) {
        long z = seed + 0x9E3779B97F4A7C15L * (2L * i + c + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static byte[] encodePng(byte[] pixels) {
        BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
        System.arraycopy(pixels, 0, ((DataBufferByte) image.getRaster().getDataBuffer()).getData(), 0, pixels.length);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 << 10);
        // An explicit in-memory stream: ImageIO.write would cache through a temporary file.
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(image);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a PNG in memory", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** One image's {@code SIDE * SIDE} grey bytes, row-major. */
    static byte[] render(boolean effusion, long imageSeed) {
        SplittableRandom r = new SplittableRandom(imageSeed);
        // Anatomy, in units of the image side.
        double cx = 0.5 + r.nextDouble(-0.035, 0.035), cy = r.nextDouble(-0.03, 0.03);
        double s = r.nextDouble(0.9, 1.05);
        double bodyA = 0.43 * s * r.nextDouble(0.95, 1.05), bodyB = 0.62 * s, bodyY = 0.6 + cy;
        Lung[] lungs = new Lung[2];
        for (int k = 0; k < 2; k++) {
            double sign = k == 0 ? -1 : 1; // k = 0: image left (patient's right)
            double rx = 0.12 * s * r.nextDouble(0.88, 1.1), ry = 0.27 * s * r.nextDouble(0.9, 1.08);
            double lx = cx + sign * (0.165 * s + r.nextDouble(-0.01, 0.01)), ly = 0.43 + cy + r.nextDouble(-0.015, 0.015);
            double domePeak = ly + ry * r.nextDouble(0.55, 0.78); // dome top, under the lung's middle
            double domeLat = ly + ry * 0.98; // where the dome meets the chest wall: the angle
            lungs[k] = new Lung(sign, lx, ly, rx, ry, domePeak, domeLat, lx - sign * rx * 0.15);
        }
        double heartX = cx + 0.075 * s, heartY = 0.6 + cy, heartA = 0.13 * s * r.nextDouble(0.88, 1.15),
                heartB = 0.11 * s * r.nextDouble(0.9, 1.1);
        double ribSpacing = 0.052 * s * r.nextDouble(0.93, 1.07), ribTop = 0.17 + cy + r.nextDouble(0, ribSpacing);
        double ribCurve = r.nextDouble(1.6, 2.4), ribWidth = 0.011 * s;
        double tissue = r.nextDouble(0.5, 0.58), lungDark = r.nextDouble(0.13, 0.22), background = r.nextDouble(0.02, 0.08);
        // Effusion: side, fluid level (fraction of the lung's height from its bottom), meniscus.
        int side = r.nextInt(2);
        double level = r.nextDouble(0.22, 0.5), meniscus = r.nextDouble(0.06, 0.14), fluid = tissue + r.nextDouble(0.0, 0.06);
        // A confounder in normals: graded basal haze over both bases.
        boolean haze = r.nextInt(3) == 0 && !effusion; // drawn in both classes: the same draws follow
        double hazeAmount = r.nextDouble(0.05, 0.12);
        // Exposure.
        double contrast = r.nextDouble(0.75, 1.25), brightness = r.nextDouble(-0.08, 0.08), gamma = r.nextDouble(0.8, 1.25);
        double noise = r.nextDouble(0.008, 0.035);

        byte[] out = new byte[SIDE * SIDE];
        double px = 1.0 / SIDE;
        double[] spine = new double[SIDE];
        for (int xi = 0; xi < SIDE; xi++) {
            spine[xi] = 0.08 * Math.exp(-sq(((xi + 0.5) * px - cx) / 0.035));
        }
        // Exposure as a table: gamma, contrast and brightness of the clamped value, finer than 8 bits.
        double[] exposure = new double[EXPOSURE_STEPS + 1];
        for (int q = 0; q <= EXPOSURE_STEPS; q++) {
            exposure[q] = (Math.pow((double) q / EXPOSURE_STEPS, gamma) - 0.5) * contrast + 0.5 + brightness;
        }
        for (int yi = 0; yi < SIDE; yi++) {
            double y = (yi + 0.5) * px;
            for (int xi = 0; xi < SIDE; xi++) {
                double x = (xi + 0.5) * px;
                // body: a super-ellipse, open below the image
                double bx = (x - cx) / bodyA, by = (y - bodyY) / bodyB;
                double body = edge(1 - Math.sqrt(Math.sqrt(bx * bx * bx * bx + by * by * by * by)), 2 * px / bodyA);
                double v = background + (tissue - background) * body + spine[xi] * body;
                // lungs, closed below by the diaphragm domes
                double lungMask = 0, ribZone = 0;
                for (Lung l : lungs) {
                    if (l.near(x, y)) {
                        double m = l.mask(x, y, px);
                        lungMask = Math.max(lungMask, m);
                        ribZone = Math.max(ribZone, l.ribZone(x, y, px, m));
                    }
                }
                if (lungMask > 0) {
                    v += (lungDark - v) * lungMask;
                    if (haze) {
                        v += hazeAmount * lungMask * smooth((y - (0.47 + cy)) / 0.25);
                    }
                }
                // ribs: bright bands falling away from the spine, the nearest one only (they never overlap)
                if (ribZone > 0) {
                    double d = Math.abs(x - cx);
                    double t = (y - ribTop - ribCurve * sq(Math.max(0, d - 0.05))) / ribSpacing;
                    double k = Math.rint(t);
                    if (k >= 0 && k < 10) {
                        double dy = (t - k) * ribSpacing / ribWidth;
                        v += 0.11 * bump(dy) * ribZone * smooth((d - 0.02) / 0.04);
                    }
                }
                // heart, in front of the lungs
                double hx = (x - heartX) / heartA, hy = (y - heartY) / heartB;
                if (hx * hx + hy * hy < 1.2) {
                    double heart = edge(1 - Math.sqrt(hx * hx + hy * hy), 2 * px / heartA);
                    v += (tissue + 0.07 - v) * heart * 0.9;
                }
                if (effusion && lungs[side].near(x, y)) {
                    Lung l = lungs[side];
                    double m = l.fluid(x, y, px, level, meniscus);
                    v += (fluid + 0.04 * smooth((y - l.ly) / l.ry) - v) * m;
                }
                double e = exposure[(int) (Math.clamp(v, 0, 1) * EXPOSURE_STEPS + 0.5)] + noise * r.nextGaussian();
                out[yi * SIDE + xi] = (byte) Math.clamp(Math.round(e * 255), 0, 255);
            }
        }
        return out;
    }

    /**
     * One lung: an ellipse {@code (lx, ly, rx, ry)} cut from below by a diaphragm dome, a parabola
     * highest ({@code domePeak}) under {@code domeX} and falling to {@code domeLat} at the
     * outer wall. {@code sign} is -1 on the image's left, +1 on its right.
     */
    private record Lung(double sign, double lx, double ly, double rx, double ry, double domePeak, double domeLat,
            double domeX) {

        /** Whether {@code (x, y)} is close enough to this lung to be touched by it. */
        boolean near(double x, double y) {
            return Math.abs(x - lx) < 1.2 * rx && Math.abs(y - ly) < 1.2 * ry;
        }

        double ellipse(double x, double y, double px, double grow) {
            double ex = (x - lx) / (rx * grow), ey = (y - ly) / (ry * grow);
            return edge(1 - Math.sqrt(ex * ex + ey * ey), 1.5 * px / rx);
        }

        double dome(double x) {
            double u = (x - domeX) / (rx * 1.3);
            return domePeak + (domeLat - domePeak) * Math.min(1, u * u);
        }

        double mask(double x, double y, double px) {
            return ellipse(x, y, px, 1) * edge((dome(x) - y) / ry, 1.5 * px / ry);
        }

        /** Where ribs show: the lung and a margin around it, above the dome. */
        double ribZone(double x, double y, double px, double mask) {
            return ellipse(x, y, px, 1.08) * (0.25 + 0.75 * mask) * edge((dome(x) + 0.02 - y) / ry, 2 * px / ry);
        }

        /**
         * Pleural fluid: inside the (slightly widened) lung outline, below a meniscus that sits
         * {@code level} of the lung's height above its bottom at the medial side and rises by
         * {@code meniscus} towards the chest wall; it covers the dome and the costophrenic angle.
         */
        double fluid(double x, double y, double px, double level, double meniscus) {
            double bottom = ly + ry, top = bottom - level * 2 * ry;
            double lateral = Math.clamp(sign * (x - lx) / rx * 0.5 + 0.5, 0, 1); // 0 medial, 1 at the wall
            double surface = top - meniscus * lateral * lateral;
            double outline = ellipse(x, y, px, 1.06);
            return outline * edge((y - surface) / ry, 1.5 * px / ry);
        }
    }

    /** 0 below {@code -width}, 1 above {@code width}, smooth between: an anti-aliased edge. */
    private static double edge(double distance, double width) {
        return smooth(distance / width * 0.5 + 0.5);
    }

    /** Smoothstep of {@code t} clamped to {@code [0, 1]}. */
    private static double smooth(double t) {
        t = Math.clamp(t, 0, 1);
        return t * t * (3 - 2 * t);
    }

    /** A smooth bump of half-width about 1: 1 at 0, 0 beyond 2. */
    private static double bump(double t) {
        double u = Math.max(0, 1 - t * t / 4);
        return u * u * u;
    }

    private static double sq(double v) {
        return v * v;
    }
}
