package dev.isthmus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void writesANewFileAndReplacesAnOldOne() throws IOException {
        Path target = dir.resolve("model.safetensors");
        AtomicFiles.write(target, "first".getBytes(StandardCharsets.UTF_8));
        assertEquals("first", Files.readString(target));
        AtomicFiles.write(target, out -> {
            out.write("second, longer".getBytes(StandardCharsets.UTF_8));
            out.close(); // closing only flushes: the file is still forced and moved
        });
        assertEquals("second, longer", Files.readString(target));
        assertEquals(List.of(target), files());
    }

    @Test
    void failingWriterLeavesTheOldFileAndNoTemporary() throws IOException {
        Path target = dir.resolve("model.safetensors");
        Files.writeString(target, "good weights");
        IOException failure = new IOException("disk full");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[200_000]); // past the buffer, so bytes reach the temporary file
            throw failure;
        }));
        assertSame(failure, thrown);
        assertEquals("good weights", Files.readString(target));
        assertEquals(List.of(target), files());
    }

    @Test
    void uncheckedFailureAlsoCleansUp() throws IOException {
        Path target = dir.resolve("w.bin");
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(1);
            throw new UncheckedIOException(new IOException("boom"));
        }));
        assertEquals(List.of(), files(), "no target was created and no temporary is left");
    }

    @Test
    void failedSafeTensorsSaveKeepsThePreviousModel() throws IOException {
        Path target = dir.resolve("m.safetensors");
        TensorFile good = TensorFile.builder().add("w", new int[] {2}, new float[] {1, 2}).build();
        SafeTensors.write(target, good);
        byte[] before = Files.readAllBytes(target);
        Path missingDir = dir.resolve("no-such-dir").resolve("m.safetensors");
        assertThrows(IOException.class, () -> SafeTensors.write(missingDir, good));
        assertArrayEquals(before, Files.readAllBytes(target));
        assertEquals(good, SafeTensors.read(target));
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
