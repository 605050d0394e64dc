package dev.isthmus.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticChestXraysTest {

    @TempDir
    Path dir;

    @Test
    void writesTheLessonLayoutOf256x256GreyPngs() throws IOException {
        assertTrue(SyntheticChestXrays.generate(dir, 3, 42));
        for (String c : List.of("normal", "effusion")) {
            assertEquals(List.of(c + "_000.png", c + "_001.png", c + "_002.png"), names(dir.resolve(c)));
            BufferedImage image = ImageIO.read(dir.resolve(c).resolve(c + "_001.png").toFile());
            assertEquals(256, image.getWidth());
            assertEquals(256, image.getHeight());
            assertEquals(BufferedImage.TYPE_BYTE_GRAY, image.getType());
        }
        assertEquals("isthmus synthetic chest x-rays\nversion=1\nseed=42\nperClass=3\nside=256\n",
                Files.readString(dir.resolve(SyntheticChestXrays.MARKER)));
        LabeledImageSet set = ImageFolder.load(dir);
        assertEquals(6, set.count());
        assertArrayEquals(new float[] {1, 1, 1, 0, 0, 0}, set.dataset().y());
    }

    @Test
    void theSameSeedGivesTheSameBytes() throws IOException {
        Path a = dir.resolve("a"), b = dir.resolve("b"), c = dir.resolve("c");
        SyntheticChestXrays.generate(a, 2, 7);
        SyntheticChestXrays.generate(b, 2, 7);
        SyntheticChestXrays.generate(c, 2, 8);
        for (String f : List.of("normal/normal_000.png", "normal/normal_001.png", "effusion/effusion_001.png")) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
            assertFalse(java.util.Arrays.equals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(c.resolve(f))), f);
        }
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a.resolve("normal/normal_000.png")),
                Files.readAllBytes(a.resolve("normal/normal_001.png"))), "images differ from each other");
    }

    @Test
    void aCompleteSetIsLeftAlone() throws IOException {
        assertTrue(SyntheticChestXrays.generate(dir, 2, 1));
        Path image = dir.resolve("effusion/effusion_001.png");
        FileTime old = FileTime.fromMillis(1_000_000_000L);
        Files.setLastModifiedTime(image, old);
        assertFalse(SyntheticChestXrays.generate(dir, 2, 1));
        assertEquals(old, Files.getLastModifiedTime(image), "not rewritten");

        Files.delete(image); // incomplete: generated again
        assertTrue(SyntheticChestXrays.generate(dir, 2, 1));
        assertTrue(Files.isRegularFile(image));

        assertTrue(SyntheticChestXrays.generate(dir, 1, 1), "another count is another set");
        assertEquals(List.of("normal_000.png"), names(dir.resolve("normal")), "the larger set's extra images are gone");
        assertTrue(SyntheticChestXrays.generate(dir, 1, 2), "another seed is another set");
    }

    @Test
    void anEffusionBrightensTheBaseOfOneLungOnly() {
        // The same seed draws the same anatomy, exposure and noise in both classes, so the
        // difference is the fluid (brighter than lung), and in some normals the faint basal haze
        // (which makes the normal image the brighter one).
        for (int i = 0; i < 12; i++) {
            long seed = SyntheticChestXrays.imageSeed(3, 0, i);
            byte[] normal = SyntheticChestXrays.render(false, seed), effusion = SyntheticChestXrays.render(true, seed);
            int brighter = 0, left = 0, right = 0, top = 256;
            for (int y = 0; y < 256; y++) {
                for (int x = 0; x < 256; x++) {
                    int d = (effusion[y * 256 + x] & 0xff) - (normal[y * 256 + x] & 0xff);
                    if (d > 20) {
                        top = Math.min(top, y);
                        brighter++;
                        if (x < 128) {
                            left++;
                        } else {
                            right++;
                        }
                    }
                }
            }
            assertTrue(brighter > 600, "image " + i + ": only " + brighter + " pixels clearly brighter");
            assertTrue(Math.min(left, right) < 0.05 * Math.max(left, right), "image " + i + ": one side, got "
                    + left + " changed pixels left and " + right + " right");
            assertTrue(top > 64, "image " + i + ": the fluid reaches row " + top);
        }
    }

    @Test
    void aCountBelowOneIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SyntheticChestXrays.generate(dir, 0, 1));
        assertEquals("perClass must be >= 1, got 0", e.getMessage());
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
