package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.IsthmusCliTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run folder is its run's alone: unique names, no mixing with an earlier run, one run at a time. */
class RunFolderTest {

    @TempDir
    Path dir;

    /** Two default runs started in the same second mixed their files. */
    @Test
    void runsStartedInTheSameSecondGetTheirOwnFolders() throws IOException {
        LocalDateTime now = LocalDateTime.of(2026, 12, 2, 9, 30, 15);
        try (RunFolder a = RunFolder.createDefault(dir, now); RunFolder b = RunFolder.createDefault(dir, now);
             RunFolder c = RunFolder.createDefault(dir, now)) {
            assertEquals(List.of("20261202-093015", "20261202-093015-2", "20261202-093015-3"),
                    Stream.of(a, b, c).map(r -> r.path().getFileName().toString()).toList());
            assertTrue(Files.exists(a.resolve(RunFolder.LOCK)));
        }
        assertFalse(Files.exists(dir.resolve("20261202-093015").resolve(RunFolder.LOCK)), "released");
    }

    @Test
    void aFolderWithAnEarlierRunIsRefusedUnlessOverwrittenAndThenCleared() throws IOException {
        Path out = Files.createDirectories(dir.resolve("run"));
        Files.writeString(out.resolve("report.md"), "the earlier run's report");
        Files.writeString(out.resolve("notes.txt"), "the user's");
        IOException e = assertThrows(IOException.class, () -> RunFolder.open(out, false));
        assertEquals("--output " + out + " is not empty (it holds notes.txt, report.md); choose a new folder, or pass"
                + " --overwrite to replace the run in it", e.getMessage());
        assertFalse(Files.exists(out.resolve(RunFolder.LOCK)));
        try (RunFolder run = RunFolder.open(out, true)) {
            assertFalse(Files.exists(out.resolve("report.md")), "the earlier run's files are gone");
            assertTrue(Files.exists(out.resolve("notes.txt")), "other files are the user's");
        }
        try (RunFolder empty = RunFolder.open(dir.resolve("new/run"), false)) {
            assertTrue(Files.isDirectory(empty.path()));
        }
    }

    /** Two runs into one --output: the second report carried metrics of the first run's model. */
    @Test
    void aFolderInUseByALiveRunIsRefusedEvenWithOverwrite() throws Exception {
        Path out = dir.resolve("run");
        try (RunFolder first = RunFolder.open(out, false)) {
            IOException e = assertThrows(IOException.class, () -> RunFolder.open(out, true));
            assertTrue(e.getMessage().startsWith(out + " is in use by another training run (process "
                    + ProcessHandle.current().pid() + ")"), e.getMessage());
        }
        // A lock left by a process that is gone (a killed run) is taken over.
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(out.resolve(RunFolder.LOCK), gone.pid() + " 2026-01-01T00:00:00Z\n");
        try (RunFolder again = RunFolder.open(out, false)) {
            assertTrue(Files.readString(out.resolve(RunFolder.LOCK)).startsWith(ProcessHandle.current().pid() + " "));
        }
    }

    /** Killed saves left full-size hidden temporaries in run folders for good. */
    @Test
    void staleTemporariesAreRemovedWhenARunStarts() throws Exception {
        Path out = Files.createDirectories(dir.resolve("run"));
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path stale = Files.writeString(out.resolve(".best-model.safetensors.tmp-" + gone.pid() + "-00000000deadbeef"), "x");
        try (RunFolder run = RunFolder.open(out, false)) {
            assertFalse(Files.exists(stale));
        }
    }

    /** A failed run left an empty run folder behind. */
    @Test
    void aRunThatFailsBeforeWritingLeavesNoFolder() throws Exception {
        Path data = Files.createDirectories(dir.resolve("no-classes"));
        Path out = dir.resolve("run");
        Result r = IsthmusCliTest.run("train", "--data", data.toString(), "--output", out.toString(), "--image-size", "64");
        assertEquals(1, r.code(), r.output());
        assertTrue(r.has("no class folders"), r.output());
        assertFalse(Files.exists(out), "no empty run folder left");
        LocalDateTime now = LocalDateTime.now();
        try (RunFolder created = RunFolder.createDefault(dir.resolve("runs"), now)) {
            assertTrue(created.discardIfEmpty());
            assertFalse(Files.exists(created.path()));
        }
        try (RunFolder kept = RunFolder.createDefault(dir.resolve("runs"), now)) {
            Files.writeString(kept.resolve("history.csv"), "epoch\n");
            assertFalse(kept.discardIfEmpty());
            assertNotEquals(List.of(), List.of(kept.path().toFile().list()));
        }
    }
}
