package dev.isthmus.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    @TempDir
    Path dir;

    @Test
    void readsTheInstalledTestSet() throws IOException {
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIRECTORY),
                FashionMnist.DEFAULT_DIRECTORY + " is absent (apt-get install dataset-fashion-mnist)");
        LabeledImages test = FashionMnist.test();
        assertEquals(10000, test.count());
        assertEquals(28, test.images().rows());
        assertEquals(28, test.images().cols());
        int[] perClass = new int[10];
        for (int i = 0; i < test.count(); i++) {
            perClass[test.labels().label(i)]++;
        }
        for (int c = 0; c < 10; c++) {
            assertEquals(1000, perClass[c], "images of class " + c + " (" + FashionMnist.CLASSES.get(c) + ")");
        }
        int max = 0;
        for (byte b : test.images().pixels()) {
            max = Math.max(max, b & 0xff);
        }
        assertEquals(255, max, "pixels are unsigned bytes up to 255");
    }

    @Test
    void readsUncompressedFilesToo() throws IOException {
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), IdxFiles.idx(Idx.IMAGES_MAGIC, new int[] {2, 28, 28},
                IdxFiles.ramp(2 * 28 * 28)));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), IdxFiles.gzip(IdxFiles.idx(Idx.LABELS_MAGIC, new int[] {2},
                new byte[] {3, 9})));
        LabeledImages test = FashionMnist.test(dir);
        assertEquals(2, test.count());
        assertEquals(9, test.labels().label(1));
    }

    @Test
    void mismatchedCountsAreAnError() throws IOException {
        Files.write(dir.resolve("train-images-idx3-ubyte"), IdxFiles.idx(Idx.IMAGES_MAGIC, new int[] {2, 28, 28},
                new byte[2 * 28 * 28]));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), IdxFiles.idx(Idx.LABELS_MAGIC, new int[] {3}, new byte[3]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> FashionMnist.train(dir));
        assertTrue(e.getMessage().contains("3 labels") && e.getMessage().contains("2 images"), e.getMessage());
    }

    @Test
    void missingFilesSayHowToInstall() {
        Path nowhere = dir.resolve("nowhere");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> FashionMnist.train(nowhere));
        assertTrue(e.getMessage().contains(nowhere.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    }
}
