package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.data.SyntheticChestXrays;
import dev.isthmus.io.ModelFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training runs stopped from outside, as processes: a kill leaves the best model whole, Ctrl-C
 * says what was kept, and a job whose launcher dies stops too. Each run trains for many epochs on
 * a tiny set and is stopped once its first checkpoint exists.
 */
class InterruptedTrainingTest {

    @TempDir
    static Path shared;
    static Path images;

    @TempDir
    Path dir;

    @BeforeAll
    static void generate() throws IOException {
        images = shared.resolve("xrays");
        SyntheticChestXrays.generate(images, 12, 3);
    }

    private static List<String> java(String... jvmOptions) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), IsthmusCli.class.getName()));
        return command;
    }

    private List<String> train(Path run) {
        return List.of("train", "--data", images.toString(), "--image-size", "64", "--epochs", "500", "--batch-size", "4",
                "--output", run.toString());
    }

    private Process start(List<String> command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("log.txt"), StandardCharsets.UTF_8);
    }

    /** Waits (up to 60 s) for {@code file} to exist, with the process still training. */
    private void awaitCheckpoint(Path file, ProcessHandle process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(file) && System.nanoTime() < deadline && process.isAlive()) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(file), "no checkpoint within 60 s: " + log());
        Thread.sleep(300); // let it train on, and maybe start another checkpoint write
    }

    private static List<String> files(Path run) throws IOException {
        try (Stream<Path> s = Files.list(run)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aKilledRunLeavesALoadableBestModel() throws Exception {
        Path run = dir.resolve("run");
        Path best = run.resolve("best-model.safetensors");
        Process p = start(concat(java(), train(run)));
        try {
            awaitCheckpoint(best, p.toHandle());
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertFalse(p.isAlive());
        ModelFiles.load(best); // whole and loadable
        for (String f : files(run)) {
            assertTrue(!f.endsWith(".safetensors") || f.equals("best-model.safetensors") || f.startsWith("."),
                    "unexpected file " + f);
        }
    }

    /** Ctrl-C printed nothing: now it says where the run stopped and what it kept. */
    @Test
    void ctrlCSaysWhatWasKept() throws Exception {
        Path run = dir.resolve("run");
        Path best = run.resolve("best-model.safetensors");
        Process p = start(concat(java(), train(run)));
        try {
            awaitCheckpoint(best, p.toHandle());
            assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "still running after SIGINT: " + log());
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertEquals(130, p.exitValue(), log());
        String log = log();
        assertTrue(log.matches("(?s).*\ninterrupted at epoch \\d+/500; best model so far \\(epoch \\d+, val_loss"
                + " \\d\\.\\d{4}\\) in\n  " + java.util.regex.Pattern.quote(best.toString()) + "\n.*"), log);
        ModelFiles.load(best);
        assertFalse(files(run).contains(RunFolder.LOCK), "the lock is released: " + files(run));
        assertTrue(files(run).stream().noneMatch(f -> f.contains(".tmp-")), "no temporary left: " + files(run));
    }

    /**
     * kill -9 of Maven orphaned the training JVM, which trained on and kept replacing its
     * checkpoint. With the property the Maven profile sets, the job stops when its parent does.
     */
    @Test
    void aJobWhoseLauncherDiesStops() throws Exception {
        Path run = dir.resolve("run");
        Path best = run.resolve("best-model.safetensors");
        // a shell stands in for Maven: it starts the job as its child and waits for it
        String job = String.join(" ", concat(java("-D" + ParentWatch.PROPERTY + "=true"), train(run)).stream()
                .map(a -> "'" + a + "'").toList());
        Process launcher = start(List.of("bash", "-c", job + "; echo done"));
        ProcessHandle child = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (child == null && System.nanoTime() < deadline) {
                child = launcher.toHandle().children().findFirst().orElse(null);
                Thread.sleep(20);
            }
            assertTrue(child != null, "the job did not start: " + log());
            awaitCheckpoint(best, child);
            launcher.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no signal reaches the job
            assertTrue(child.onExit().get(20, TimeUnit.SECONDS) != null);
            assertFalse(child.isAlive(), "the orphaned job is still training");
        } finally {
            if (child != null) {
                child.destroyForcibly();
            }
            launcher.destroyForcibly();
        }
        // the job's last words went to the log file it shares with the dead shell
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!log().contains("interrupted at epoch") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(log().contains("has ended: stopping"), log());
        assertTrue(log().contains("interrupted at epoch"), log());
        ModelFiles.load(best);
        assertFalse(files(run).contains(RunFolder.LOCK), files(run).toString());
    }

    /**
     * "No space left on device" named no file. A file-size limit (ulimit -f; the JVM ignores
     * SIGXFSZ, so the write fails with EFBIG) makes the checkpoint's write fail the way a full
     * disk does, deterministically.
     */
    @Test
    void aFailedWriteNamesTheFile() throws Exception {
        Path run = dir.resolve("run");
        String job = String.join(" ", concat(java("-XX:-UsePerfData"), List.of("train", "--data", images.toString(),
                "--image-size", "64", "--epochs", "1", "--batch-size", "4", "--output", run.toString())).stream()
                .map(a -> "'" + a + "'").toList());
        Process p = start(List.of("bash", "-c", "ulimit -f 100 && exec " + job)); // 100 KiB: the model is 230 KB
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), log());
        assertEquals(1, p.exitValue(), log());
        String expected = "error: cannot save the checkpoint to " + run.resolve("best-model.safetensors") + ": cannot write "
                + run.toAbsolutePath().resolve("best-model.safetensors") + ": File too large";
        assertTrue(log().lines().anyMatch(expected::equals), expected + "\n" + log());
        assertFalse(Files.exists(run), "the failed run wrote nothing, so its folder is gone, temporaries and all");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
