package dev.isthmus.data;

import static dev.isthmus.data.IdxFiles.gzip;
import static dev.isthmus.data.IdxFiles.idx;
import static dev.isthmus.data.IdxFiles.ramp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void readsImages(boolean gzipped) throws IOException {
        byte[] pixels = ramp(3 * 4 * 5);
        byte[] bytes = idx(Idx.IMAGES_MAGIC, new int[] {3, 4, 5}, pixels);
        // The name says nothing: gzip is found by its magic bytes.
        Path p = Files.write(dir.resolve("images"), gzipped ? gzip(bytes) : bytes);
        IdxImages images = Idx.readImages(p);
        assertEquals(3, images.count());
        assertEquals(4, images.rows());
        assertEquals(5, images.cols());
        assertArrayEquals(pixels, images.pixels());
        assertEquals(pixels[(2 * 4 + 3) * 5 + 1] & 0xff, images.pixel(2, 3, 1));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void readsLabels(boolean gzipped) throws IOException {
        byte[] labels = {0, 9, 3, (byte) 255};
        byte[] bytes = idx(Idx.LABELS_MAGIC, new int[] {4}, labels);
        Path p = Files.write(dir.resolve(gzipped ? "labels" : "labels.gz"), gzipped ? gzip(bytes) : bytes);
        IdxLabels l = Idx.readLabels(p);
        assertEquals(4, l.count());
        assertEquals(9, l.label(1));
        assertEquals(255, l.label(3));
    }

    @Test
    void emptySetIsFine() throws IOException {
        Path p = Files.write(dir.resolve("none"), idx(Idx.IMAGES_MAGIC, new int[] {0, 28, 28}, new byte[0]));
        assertEquals(0, Idx.readImages(p).count());
    }

    @Test
    void toFloatsScalesARangeOfImages() {
        IdxImages images = new IdxImages(3, 2, 2, new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 255});
        float[] out = new float[10];
        images.toFloats(1, 3, out, 2, 0.5f);
        assertArrayEquals(new float[] {0, 0, 2, 2.5f, 3, 3.5f, 4, 4.5f, 5, 127.5f}, out);
        assertThrows(IndexOutOfBoundsException.class, () -> images.toFloats(2, 4, new float[8], 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> images.toFloats(0, 3, new float[11], 0, 1));
    }

    @Test
    void wrongMagicIsNamed() throws IOException {
        Path labels = Files.write(dir.resolve("labels"), idx(Idx.LABELS_MAGIC, new int[] {2}, new byte[2]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readImages(labels));
        assertEquals(labels + ": magic number 0x00000801 is not 0x00000803 (unsigned-byte images [n, rows, cols]);"
                + " the file holds unsigned-byte labels [n]", e.getMessage());
        Path text = Files.writeString(dir.resolve("text"), "hello world");
        assertMessage(() -> Idx.readLabels(text), text, "magic number 0x68656C6C is not 0x00000801");
    }

    @Test
    void truncationNamesExpectedAndActualBytes() throws IOException {
        byte[] whole = idx(Idx.IMAGES_MAGIC, new int[] {2, 3, 3}, ramp(18));
        assertEquals(34, whole.length);
        for (boolean gzipped : new boolean[] {false, true}) {
            Path cutData = write("data", Arrays.copyOf(whole, 30), gzipped);
            assertMessage(() -> Idx.readImages(cutData), cutData, "truncated", "need 34 bytes", "has 30",
                    gzipped ? "after gunzip" : "[2, 3, 3]");
            Path cutHeader = write("header", Arrays.copyOf(whole, 10), gzipped);
            assertMessage(() -> Idx.readImages(cutHeader), cutHeader, "truncated: the header need 16 bytes", "has 10");
            Path cutMagic = write("magic", Arrays.copyOf(whole, 2), gzipped);
            assertMessage(() -> Idx.readImages(cutMagic), cutMagic, "magic number need 4 bytes", "has 2");
        }
    }

    @Test
    void cutGzipStreamIsAnError() throws IOException {
        byte[] whole = gzip(idx(Idx.IMAGES_MAGIC, new int[] {10, 20, 20}, ramp(4000)));
        for (int cut : new int[] {whole.length / 2, whole.length - 4, whole.length - 1}) {
            Path p = Files.write(dir.resolve("cut" + cut), Arrays.copyOf(whole, cut));
            assertMessage(() -> Idx.readImages(p), p, "truncated");
        }
    }

    @Test
    void extraBytesAreAnError() throws IOException {
        byte[] whole = idx(Idx.LABELS_MAGIC, new int[] {3}, new byte[4]);
        Path p = Files.write(dir.resolve("long"), whole);
        assertMessage(() -> Idx.readLabels(p), p, "bytes after the 11");
    }

    @Test
    void hugeDimensionsAreAnError() throws IOException {
        Path p = Files.write(dir.resolve("huge"), idx(Idx.IMAGES_MAGIC, new int[] {1 << 20, 1 << 20, 1 << 20}, new byte[0]));
        assertMessage(() -> Idx.readImages(p), p, "more than a Java array");
        Path q = Files.write(dir.resolve("neg"), idx(Idx.LABELS_MAGIC, new int[] {-1}, new byte[0]));
        assertMessage(() -> Idx.readLabels(q), q, "dimension 0 is 4294967295");
    }

    private Path write(String name, byte[] bytes, boolean gzipped) throws IOException {
        return Files.write(dir.resolve(name + (gzipped ? ".gz" : "")), gzipped ? gzip(bytes) : bytes);
    }

    interface Read {
        void run() throws IOException;
    }

    private static void assertMessage(Read read, Path file, String... parts) {
        IdxFormatException e = assertThrows(IdxFormatException.class, read::run);
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
        }
    }
}
