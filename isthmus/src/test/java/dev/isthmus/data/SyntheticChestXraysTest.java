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
        String marker = Files.readString(dir.resolve(SyntheticChestXrays.MARKER));
        assertTrue(marker.matches("isthmus synthetic chest x-rays\nversion=" + SyntheticChestXrays.VERSION
                + "\ngenerator=[0-9a-f]{8}\nseed=42\nperClass=3\nside=256\n"), marker);
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

    /**
     * The same seed draws the same patient, exposure and noise in both classes, so the difference
     * between the two films is the fluid: brighter than the air it replaces, in the lungs the film
     * says hold it and nowhere else, below the apices.
     */
    @Test
    void anEffusionBrightensTheLungsThatHoldIt() {
        int unilateral = 0, bilateral = 0;
        for (int i = 0; i < 32; i++) {
            long seed = SyntheticChestXrays.imageSeed(3, 1, i);
            ChestFilm film = ChestFilm.draw(true, new java.util.SplittableRandom(seed));
            boolean[] sides = film.fluidSides();
            byte[] normal = SyntheticChestXrays.render(false, seed), effusion = SyntheticChestXrays.render(true, seed);
            int[] changed = new int[2];
            int darker = 0;
            for (int y = 0; y < 256; y++) {
                for (int x = 0; x < 256; x++) {
                    int d = (effusion[y * 256 + x] & 0xff) - (normal[y * 256 + x] & 0xff);
                    double[] c = canonical(film, x, y);
                    if (d > 20) {
                        changed[c[0] < 0.5 ? 0 : 1]++;
                        assertTrue(c[1] > 0.12, "image " + i + ": fluid above the apex, at row " + y);
                    } else if (d < -20) {
                        darker++;
                    }
                }
            }
            assertEquals(0, darker, "image " + i + ": the fluid only brightens");
            for (int k = 0; k < 2; k++) {
                if (sides[k]) {
                    assertTrue(changed[k] > 300, "image " + i + ": only " + changed[k] + " pixels brighter in lung " + k);
                } else {
                    assertTrue(changed[k] < 0.03 * changed[1 - k], "image " + i + ": " + changed[k] + " pixels changed in lung "
                            + k + ", which holds no fluid");
                }
            }
            if (sides[0] && sides[1]) {
                bilateral++;
            } else {
                unilateral++;
            }
        }
        assertTrue(unilateral >= 3 && bilateral >= 3, "both kinds drawn: " + unilateral + " one-sided, " + bilateral + " two-sided");
    }

    /** The fluid replaces the air, so the lung markings and most of the ribs vanish under it. */
    @Test
    void theFluidHidesTheLungMarkings() {
        for (int i = 0; i < 8; i++) {
            long seed = SyntheticChestXrays.imageSeed(5, 1, i);
            byte[] normal = SyntheticChestXrays.render(false, seed), effusion = SyntheticChestXrays.render(true, seed);
            double normalDetail = 0, effusionDetail = 0;
            int n = 0;
            for (int y = 1; y < 250; y++) {
                for (int x = 1; x < 250; x++) {
                    int p = y * 256 + x;
                    if (under(normal, effusion, p) && under(normal, effusion, p + 4) && under(normal, effusion, p + 4 * 256)) {
                        normalDetail += detail(normal, p);
                        effusionDetail += detail(effusion, p);
                        n++;
                    }
                }
            }
            assertTrue(n > 1000, "image " + i + ": " + n + " pixels under fluid");
            assertTrue(effusionDetail < 0.6 * normalDetail, String.format("image %d: detail under the fluid %.1f, in the"
                    + " same place without it %.1f", i, effusionDetail / n, normalDetail / n));
        }
    }

    private static boolean under(byte[] normal, byte[] effusion, int p) {
        return (effusion[p] & 0xff) - (normal[p] & 0xff) > 40;
    }

    /**
     * Contrast at the markings' scale around p: how much the 3x3 mean at p differs from those 4
     * pixels to the right and 4 below (means, so that the pixel noise, alike in both films, counts little).
     */
    private static double detail(byte[] image, int p) {
        return Math.abs(mean3x3(image, p) - mean3x3(image, p + 4)) + Math.abs(mean3x3(image, p) - mean3x3(image, p + 4 * 256));
    }

    private static double mean3x3(byte[] image, int p) {
        double sum = 0;
        for (int dy = -256; dy <= 256; dy += 256) {
            for (int dx = -1; dx <= 1; dx++) {
                sum += image[p + dy + dx] & 0xff;
            }
        }
        return sum / 9;
    }

    /** Pixel (x, y) in the film's canonical frame, where the midline is at 0.5 and the apices near 0.15. */
    private static double[] canonical(ChestFilm film, int x, int y) {
        ChestFilm.Placement p = film.placement();
        double dx = (x + 0.5) / 256 - p.cx(), dy = (y + 0.5) / 256 - p.cy();
        return new double[] {0.5 + p.cos() * dx + p.sin() * dy, 0.5 - p.sin() * dx + p.cos() * dy};
    }

    /**
     * A cache written by another version of the generator, or by one that draws differently
     * under the same version number (another fingerprint), is drawn again, never reused.
     */
    @Test
    void aSetFromAnotherGeneratorIsDrawnAgain() throws IOException {
        assertTrue(SyntheticChestXrays.generate(dir, 2, 42));
        Path marker = dir.resolve(SyntheticChestXrays.MARKER), image = dir.resolve("normal/normal_001.png");
        byte[] current = Files.readAllBytes(image);
        String text = Files.readString(marker);
        for (String old : List.of(
                text.replace("version=" + SyntheticChestXrays.VERSION + "\n", "version=1\n"),
                text.replaceAll("generator=[0-9a-f]{8}", "generator=0badf00d"),
                "isthmus synthetic chest x-rays\nversion=1\nseed=42\nperClass=2\nside=256\n")) { // written by version 1
            Files.writeString(marker, old);
            Files.write(image, new byte[] {1, 2, 3}); // stands for an image the old generator drew
            assertTrue(SyntheticChestXrays.generate(dir, 2, 42), old);
            assertArrayEquals(current, Files.readAllBytes(image), "drawn again under " + old);
            assertEquals(text, Files.readString(marker));
        }
        assertEquals(SyntheticChestXrays.markerText(2, 42), text);
        assertFalse(SyntheticChestXrays.generate(dir, 2, 42), "this generator's set is reused");
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
