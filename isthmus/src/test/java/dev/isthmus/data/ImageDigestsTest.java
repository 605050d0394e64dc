package dev.isthmus.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDigestsTest {

    @TempDir
    Path dir;

    private Path file(String relative, String content) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, content);
    }

    @Test
    void theFingerprintFollowsContentAndPathsNotOrderOrLocation() throws Exception {
        Path a = file("x/normal/a.png", "one"), b = file("x/effusion/b.png", "two");
        String fingerprint = ImageDigests.of(dir.resolve("x"), List.of(a, b)).fingerprint();
        assertTrue(fingerprint.matches("sha256:[0-9a-f]{64}"), fingerprint);
        assertEquals(fingerprint, ImageDigests.of(dir.resolve("x"), List.of(b, a)).fingerprint(), "order");
        Path a2 = file("copy/normal/a.png", "one"), b2 = file("copy/effusion/b.png", "two");
        assertEquals(fingerprint, ImageDigests.of(dir.resolve("copy"), List.of(a2, b2)).fingerprint(), "another place");

        Files.writeString(b2, "changed");
        assertNotEquals(fingerprint, ImageDigests.of(dir.resolve("copy"), List.of(a2, b2)).fingerprint(), "content");
        Files.writeString(b2, "two");
        Path moved = Files.move(b2, Files.createDirectories(dir.resolve("copy/normal")).resolve("b.png"));
        assertNotEquals(fingerprint, ImageDigests.of(dir.resolve("copy"), List.of(a2, moved)).fingerprint(), "class");
    }

    @Test
    void shortDigestsAreTheFirstBytesOfEachSha256() throws Exception {
        Path a = file("x/a.png", "one"), b = file("x/b.png", "two");
        ImageDigests d = ImageDigests.of(dir.resolve("x"), List.of(a, b));
        long expected = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest("two".getBytes())).getLong();
        assertEquals(expected, d.shortDigest(1));
        assertEquals(2, d.count());
        assertEquals(expected, d.shortDigests(new int[] {1, 0})[0]);
    }

    @Test
    void anUnreadableFileIsNamed() throws IOException {
        Path missing = dir.resolve("x/gone.png");
        IOException e = assertThrows(IOException.class, () -> ImageDigests.of(dir.resolve("x"), List.of(missing)));
        assertTrue(e.getMessage().startsWith(missing.toString()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageDigests.of(dir.resolve("x"), List.of(dir.resolve("y.png"))));
    }
}
