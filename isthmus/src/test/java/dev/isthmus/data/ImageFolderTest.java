package dev.isthmus.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {

    @TempDir
    Path dir;

    // --- writing test images ---

    /** An 8-bit grey image whose pixel (x, y) is {@code f(x, y) & 0xff}. */
    static BufferedImage grey8(int w, int h, PixelFunction f) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.getRaster().setSample(x, y, 0, f.at(x, y) & 0xff);
            }
        }
        return image;
    }

    static BufferedImage grey16(int w, int h, PixelFunction f) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.getRaster().setSample(x, y, 0, f.at(x, y) & 0xffff);
            }
        }
        return image;
    }

    static BufferedImage rgb(int w, int h, PixelFunction argb, int type) {
        BufferedImage image = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, argb.at(x, y));
            }
        }
        return image;
    }

    interface PixelFunction {
        int at(int x, int y);
    }

    static Path write(BufferedImage image, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        String format = file.getFileName().toString().toLowerCase().endsWith(".png") ? "png" : "jpg";
        assertTrue(ImageIO.write(image, format, file.toFile()), "no writer for " + format);
        return file;
    }

    private static final PixelFunction RAMP = (x, y) -> x * 13 + y * 7;

    // --- loading ---

    @Test
    void loadsEveryKindOfImageWithBinaryLabels() throws IOException {
        write(grey8(16, 16, RAMP), dir.resolve("normal/a.png"));
        write(grey16(16, 16, (x, y) -> x * 3000 + y * 17), dir.resolve("normal/b.PNG"));
        write(rgb(16, 16, (x, y) -> x * 0x0f0000 + y * 0x000f00 + 0x40, BufferedImage.TYPE_INT_RGB),
                dir.resolve("effusion/c.png"));
        write(rgb(16, 16, (x, y) -> 0xff000000 | (x * 15) << 16 | (y * 15) << 8, BufferedImage.TYPE_INT_ARGB),
                dir.resolve("effusion/d.png"));
        write(rgb(16, 16, (x, y) -> (x * 15) << 16 | (y * 15), BufferedImage.TYPE_3BYTE_BGR),
                dir.resolve("effusion/e.JPEG"));
        Files.writeString(dir.resolve("normal/notes.txt"), "not an image");
        Files.writeString(dir.resolve("README"), "ignored: not a class folder");

        LabeledImageSet set = ImageFolder.load(dir, ImageFolder.Options.defaults().withSide(8));

        assertEquals(List.of("normal", "effusion"), set.classNames(), "names by label: 0 normal, 1 effusion");
        assertEquals(5, set.count());
        assertEquals(Shape.of(1, 8, 8), set.dataset().sampleShape());
        assertEquals(List.of("c.png", "d.png", "e.JPEG", "a.png", "b.PNG"),
                set.paths().stream().map(p -> p.getFileName().toString()).toList(), "classes sorted, files sorted");
        assertArrayEquals(new float[] {1, 1, 1, 0, 0}, set.dataset().y());
        assertEquals(List.of(), set.skipped());
        for (int i = 0; i < set.count(); i++) {
            assertStandardized(set.dataset().x(), i * 64, 64, set.paths().get(i).toString());
        }
    }

    @Test
    void multiClassLabelsAreSortedIndices() throws IOException {
        for (String c : List.of("cat", "ant", "bee")) {
            write(grey8(4, 4, RAMP), dir.resolve(c + "/x.png"));
        }
        LabeledImageSet set = ImageFolder.load(dir, ImageFolder.Options.defaults().withSide(4).multiClass());
        assertEquals(List.of("ant", "bee", "cat"), set.classNames());
        assertArrayEquals(new float[] {0, 1, 2}, set.dataset().y());
    }

    @Test
    void aConstantImageStandardizesToZeros() throws IOException {
        write(grey8(8, 8, (x, y) -> 77), dir.resolve("normal/flat.png"));
        write(grey8(8, 8, RAMP), dir.resolve("effusion/ramp.png"));
        LabeledImageSet set = ImageFolder.load(dir, ImageFolder.Options.defaults().withSide(4));
        int flat = set.paths().indexOf(dir.resolve("normal/flat.png"));
        float[] x = Arrays.copyOfRange(set.dataset().x(), flat * 16, flat * 16 + 16);
        assertArrayEquals(new float[16], x);
    }

    @Test
    void a512ImageShrinksTo256ByExact2x2Averages() throws IOException {
        PixelFunction f = (x, y) -> (x * 7 + y * 3 + (x * y) % 11) & 0xff;
        Path file = write(grey8(512, 512, f), dir.resolve("big.png"));
        Images.Grey grey = Images.readGrey(file);
        double[] small = Images.resizeArea(grey.values(), 512, 512, 256, 256);
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                int sum = f.at(2 * x, 2 * y) + f.at(2 * x + 1, 2 * y) + f.at(2 * x, 2 * y + 1) + f.at(2 * x + 1, 2 * y + 1);
                assertEquals(sum / 4.0 / 255.0, small[y * 256 + x], 1e-15, "pixel (" + x + ", " + y + ")");
            }
        }
    }

    @Test
    void nonIntegerFactorsWeighByArea() {
        // 3 -> 2: each output covers 1.5 source pixels
        assertArrayEquals(new double[] {1.0 / 3, 5.0 / 3}, Images.resizeArea(new double[] {0, 1, 2}, 3, 1, 2, 1), 1e-15);
        // 2 -> 3 (upscale): thirds
        assertArrayEquals(new double[] {0, 1.5, 3}, Images.resizeArea(new double[] {0, 3}, 2, 1, 3, 1), 1e-15);
    }

    @Test
    void sixteenBitImagesKeepTheirPrecision() throws IOException {
        Path file = write(grey16(2, 1, (x, y) -> 1000 + x), dir.resolve("deep.png"));
        double[] v = Images.readGrey(file).values();
        assertEquals(1000 / 65535.0, v[0], 1e-15);
        assertEquals(1001 / 65535.0, v[1], 1e-15);
    }

    @Test
    void colourBecomesLuminance() throws IOException {
        Path file = write(rgb(3, 1, (x, y) -> 0xff << (16 - 8 * x), BufferedImage.TYPE_INT_RGB), dir.resolve("rgb.png"));
        assertArrayEquals(new double[] {0.299, 0.587, 0.114}, Images.readGrey(file).values(), 1e-12);
    }

    @Test
    void standardizeGivesMeanZeroAndUnitStd() {
        float[] v = {0, 1, 2, 3, 4, 5, 6, 7, 8, 100};
        Images.standardize(v, 0, v.length);
        assertStandardized(v, 0, v.length, "values");
    }

    private static void assertStandardized(float[] x, int from, int n, String what) {
        double sum = 0, squares = 0;
        for (int i = from; i < from + n; i++) {
            sum += x[i];
            squares += (double) x[i] * x[i];
        }
        double mean = sum / n;
        assertEquals(0, mean, 1e-5, what + ": mean");
        assertEquals(1, Math.sqrt(squares / n - mean * mean), 1e-4, what + ": std");
    }

    // --- errors ---

    @Test
    void aMissingFolderIsNamed() {
        Path nowhere = dir.resolve("chest_xrays");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> ImageFolder.load(nowhere));
        assertTrue(e.getMessage().contains(nowhere.toString()), e.getMessage());
    }

    @Test
    void aFolderWithoutClassesIsAnError() throws IOException {
        Files.writeString(dir.resolve("x.png"), "");
        IOException e = assertThrows(IOException.class, () -> ImageFolder.load(dir));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("no class folders"), e.getMessage());
    }

    @Test
    void anEmptyClassFolderIsNamed() throws IOException {
        write(grey8(4, 4, RAMP), dir.resolve("normal/a.png"));
        Files.createDirectories(dir.resolve("effusion"));
        Files.writeString(dir.resolve("effusion/readme.txt"), "no images here");
        IOException e = assertThrows(IOException.class, () -> ImageFolder.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("effusion").toString()) && e.getMessage().contains("no images"),
                e.getMessage());
    }

    @Test
    void binaryModeNeedsThePositiveClassAndTwoClasses() throws IOException {
        write(grey8(4, 4, RAMP), dir.resolve("normal/a.png"));
        write(grey8(4, 4, RAMP), dir.resolve("pneumonia/a.png"));
        IOException missing = assertThrows(IOException.class, () -> ImageFolder.load(dir));
        assertTrue(missing.getMessage().contains("'effusion' not found") && missing.getMessage().contains("pneumonia"),
                missing.getMessage());
        write(grey8(4, 4, RAMP), dir.resolve("effusion/a.png"));
        IOException three = assertThrows(IOException.class, () -> ImageFolder.load(dir));
        assertTrue(three.getMessage().contains("exactly 2") && three.getMessage().contains("found 3"), three.getMessage());
    }

    @Test
    void aTruncatedPngIsNamedOrSkipped() throws IOException {
        write(grey8(32, 32, RAMP), dir.resolve("normal/good.png"));
        write(grey8(32, 32, RAMP), dir.resolve("effusion/good.png"));
        Path bad = truncate(write(grey8(32, 32, (x, y) -> x * y * 31), dir.resolve("effusion/cut.png")));
        Path notImage = dir.resolve("normal/fake.png");
        Files.writeString(notImage, "this is not a PNG");

        IOException e = assertThrows(IOException.class, () -> ImageFolder.load(dir, ImageFolder.Options.defaults().withSide(8)));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());

        LabeledImageSet set = ImageFolder.load(dir, ImageFolder.Options.defaults().withSide(8).withSkipBadImages(true));
        assertEquals(List.of(bad, notImage), set.skipped());
        assertEquals(2, set.count());
        assertArrayEquals(new float[] {1, 0}, set.dataset().y());
        assertEquals(List.of(dir.resolve("effusion/good.png"), dir.resolve("normal/good.png")), set.paths());
    }

    @Test
    void aTruncatedJpegIsAnError() throws IOException {
        Path bad = truncate(write(rgb(64, 64, (x, y) -> x * 0x030201 + y * 0x010203, BufferedImage.TYPE_3BYTE_BGR),
                dir.resolve("cut.jpg")));
        IOException e = assertThrows(IOException.class, () -> Images.readGrey(bad));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    }

    @Test
    void bytesDecodeAsTheFileDoes() throws IOException {
        Path png = write(grey16(40, 24, (x, y) -> x * 1601 + y * 977), dir.resolve("a.png"));
        Path jpg = write(rgb(33, 33, (x, y) -> x * 0x030201 + y * 0x010203, BufferedImage.TYPE_3BYTE_BGR), dir.resolve("b.jpg"));
        for (Path file : List.of(png, jpg)) {
            assertArrayEquals(Images.preprocess(file, 16), Images.preprocess(Files.readAllBytes(file), file.toString(), 16));
        }
        byte[] cut = Arrays.copyOf(Files.readAllBytes(jpg), (int) Files.size(jpg) / 2);
        IOException e = assertThrows(IOException.class, () -> Images.readGrey(cut, "hdfs://x/b.jpg"));
        assertTrue(e.getMessage().startsWith("hdfs://x/b.jpg: "), e.getMessage());
        e = assertThrows(IOException.class, () -> Images.readGrey("not an image".getBytes(), "row 7"));
        assertEquals("row 7: not an image format javax.imageio can read", e.getMessage());
    }

    /** Cuts {@code file} to half its length. */
    private static Path truncate(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        assertNotEquals(0, bytes.length / 2);
        return file;
    }

    /**
     * A PNG whose header declares {@code width x height} 8-bit grey pixels, followed by a few
     * compressed rows: small on disk, enormous once decoded.
     */
    static Path pngDeclaring(Path file, int width, int height) throws IOException {
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", ihdr.array());
        java.io.ByteArrayOutputStream rows = new java.io.ByteArrayOutputStream();
        try (var z = new java.util.zip.DeflaterOutputStream(rows)) {
            z.write(new byte[4 * (width + 1)]);
        }
        chunk(png, "IDAT", rows.toByteArray());
        chunk(png, "IEND", new byte[0]);
        Files.createDirectories(file.getParent());
        return Files.write(file, png.toByteArray());
    }

    private static void chunk(java.io.ByteArrayOutputStream png, String type, byte[] data) throws IOException {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        crc.update(data);
        png.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        png.write(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        png.write(data);
        png.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A 40000x40000 PNG ended in an OutOfMemoryError naming no file, even when skipping bad images. */
    @Test
    void anImageDeclaringTooManyPixelsIsRefusedFromItsHeader() throws IOException {
        Path huge = pngDeclaring(dir.resolve("effusion/huge.png"), 40_000, 40_000);
        ImageTooLargeException e = assertThrows(ImageTooLargeException.class, () -> Images.readGrey(huge));
        assertEquals(huge + ": 40000 x 40000 = 1,600,000,000 pixels, over the limit of 25,000,000 pixels", e.getMessage());
        assertThrows(ImageTooLargeException.class, () -> Images.preprocess(huge, 8));

        write(grey8(32, 32, RAMP), dir.resolve("normal/good.png"));
        write(grey8(32, 32, RAMP), dir.resolve("effusion/good.png"));
        ImageFolder.Options options = ImageFolder.Options.defaults().withSide(8);
        IOException failed = assertThrows(IOException.class, () -> ImageFolder.load(dir, options));
        assertTrue(failed.getMessage().startsWith(huge.toString()), failed.getMessage());
        LabeledImageSet set = ImageFolder.load(dir, options.withSkipBadImages(true));
        assertEquals(List.of(huge), set.skipped());
        // The limit is a setting: a 32x32 image is over a limit of 1,000 pixels.
        IOException none = assertThrows(IOException.class,
                () -> ImageFolder.load(dir, options.withMaxPixels(1_000).withSkipBadImages(true)));
        assertTrue(none.getMessage().contains("none of the 3 images could be read"), none.getMessage());
        assertThrows(ImageTooLargeException.class, () -> Images.readGrey(dir.resolve("normal/good.png"), 1_000));
    }

    @Test
    void aDirectoryIsNotAnImage() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("scan.png"));
        IOException e = assertThrows(IOException.class, () -> Images.readGrey(folder));
        assertEquals(folder + ": is a directory, not an image file", e.getMessage());
    }
}
