package dev.isthmus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** "No space left on device", "Is a directory": the operating system's words alone name no file. */
    @Test
    void fileSystemFailuresNameTheTarget() throws IOException {
        Path inMissingDir = dir.resolve("no-such-dir").resolve("m.safetensors");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(inMissingDir, new byte[3]));
        assertTrue(e.getMessage().startsWith("cannot write " + inMissingDir.toAbsolutePath() + ": "), e.getMessage());
        Path aDirectory = Files.createDirectory(dir.resolve("run"));
        e = assertThrows(IOException.class, () -> AtomicFiles.write(aDirectory, new byte[3]));
        assertEquals("cannot write " + aDirectory.toAbsolutePath() + ": it is a directory", e.getMessage());
        assertTrue(Files.isDirectory(aDirectory));
    }

    @Test
    void theTemporaryCarriesTheWritersProcessId() throws IOException {
        Path target = dir.resolve("m.bin");
        List<String> during = new java.util.ArrayList<>();
        AtomicFiles.write(target, out -> during.addAll(files().stream().map(p -> p.getFileName().toString()).toList()));
        assertEquals(1, during.size(), during.toString());
        assertTrue(during.get(0).matches("\\.m\\.bin\\.tmp-" + ProcessHandle.current().pid() + "-[0-9a-f]{16}"),
                during.get(0));
    }

    /** A killed save left a full-size hidden temporary beside the model, forever. */
    @Test
    void staleTemporariesOfDeadProcessesAreRemovedAndLiveOnesKept() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long dead = gone.pid();
        Path stale = Files.writeString(dir.resolve(".best-model.safetensors.tmp-" + dead + "-0123456789abcdef"), "x");
        Path mine = Files.writeString(dir.resolve(".best-model.safetensors.tmp-" + ProcessHandle.current().pid()
                + "-0123456789abcdef"), "x");
        Path other = Files.writeString(dir.resolve(".notes.tmp-" + dead), "not ours");
        Path model = Files.writeString(dir.resolve("best-model.safetensors"), "x");
        assertEquals(List.of(stale), AtomicFiles.removeStaleTemporaries(dir));
        assertEquals(List.of(stale, mine, other, model).stream().filter(Files::exists).sorted().toList(), files());
        assertEquals(List.of(), AtomicFiles.removeStaleTemporaries(dir.resolve("missing")));
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
