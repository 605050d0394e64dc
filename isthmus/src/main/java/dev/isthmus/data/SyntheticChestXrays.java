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
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * A stand-in for the lesson's chest X-rays that can be made anywhere, offline: 256x256 8-bit
 * grey PNGs in the lesson's layout, {@code <dir>/normal/normal_000.png ...} and
 * {@code <dir>/effusion/effusion_000.png ...}, for tests, demos and benchmarks of the whole
 * pipeline. They are drawings, not medical images; {@link ChestFilm} says what is drawn.
 *
 * <p>Calibrated to teach as the lesson's real images do: ChestXRayNet from He initial weights
 * learns the task on every seed, a logistic regression on the pixels stays well below it, and
 * from PyTorch's smaller initial weights training still leaves the plateau at ln 2 within a few
 * epochs on most seeds (benchmarks/learnability.sh measures all three).
 *
 * <p>Deterministic: image {@code i} of a class comes from its own generator seeded from
 * {@code (seed, class, i)}, so the bytes do not depend on the thread count. Images are rendered
 * and encoded on the library's threads and written atomically ({@link AtomicFiles}); a marker
 * file {@value #MARKER} holding the generator's version and fingerprint, the seed and the count
 * is written last, and a folder that has it, with every file present, is left alone. A folder
 * written by another version of the generator is drawn again.
 */
public final class SyntheticChestXrays {

    public static final int SIDE = 256;
    /**
     * Written after all images; holds the generator's version and fingerprint, the seed and the
     * count per class.
     */
    public static final String MARKER = ".complete";
    public static final List<String> CLASSES = List.of("normal", "effusion");

    /** Raised whenever the drawing changes; the fingerprint catches a change that forgot to. */
    static final int VERSION = 4;
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

    static String markerText(int perClass, long seed) {
        return "isthmus synthetic chest x-rays\nversion=" + VERSION + "\ngenerator=" + Fingerprint.VALUE + "\nseed=" + seed
                + "\nperClass=" + perClass + "\nside=" + SIDE + "\n";
    }

    /**
     * A CRC-32 of two probe images (the first of each class at seed 0), so that a cache written
     * by a generator that draws differently is never taken for this one's, even at the same
     * version. Computed once, when first needed.
     */
    static final class Fingerprint {
        static final String VALUE = compute();

        private static String compute() {
            CRC32 crc = new CRC32();
            crc.update(render(false, imageSeed(0, 0, 0)));
            crc.update(render(true, imageSeed(0, 1, 0)));
            return String.format("%08x", crc.getValue());
        }
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
        return ChestFilm.draw(effusion, r).paint(SIDE, r);
    }
}
