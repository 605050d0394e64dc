package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.data.SyntheticChestXrays;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher in a real terminal: a tmux pane 80 columns wide. Every frame of the progress bar
 * the program writes is recorded (tmux pipe-pane), and the pane's screen is read at the end
 * (capture-pane). At 80 columns the old bar shrank to {@code [ ]} and cut the speed, a refresh
 * could split the epoch line, errors were glued to the bar, and Ctrl-C printed nothing.
 */
class TerminalIT {

    private static final int COLUMNS = 80;

    @TempDir
    Path dir;

    private final String session = "isthmus-it-" + ProcessHandle.current().pid();

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }

    private static boolean tmuxInstalled() {
        try {
            return new ProcessBuilder("tmux", "-V").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private String screen() throws IOException, InterruptedException {
        return run("tmux", "capture-pane", "-p", "-t", session);
    }

    private void await(String what, Predicate<String> done, Path raw) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            if (done.test(Files.readString(raw, StandardCharsets.UTF_8))) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("waited 3 minutes for " + what + "; screen:\n" + screen());
    }

    @Test
    void theProgressBarReadsWellAt80ColumnsAndCtrlCSaysWhatWasKept() throws Exception {
        assumeTrue(tmuxInstalled(), "tmux is not installed: the terminal test needs it (apt-get install tmux)");
        Path images = dir.resolve("xrays");
        SyntheticChestXrays.generate(images, 40, 13);
        Path launcher = Path.of(System.getProperty("isthmus.distribution", "target/isthmus"), "bin", "isthmus");
        Path raw = Files.createFile(dir.resolve("raw.txt")), go = dir.resolve("go");
        // The job waits for the recording to start, so no byte escapes it. The shell traps Ctrl-C
        // (a handler, not an ignore, which the JVM would inherit) so it lives on to print the exit code.
        String job = "trap true INT; cd '" + dir + "'; while [ ! -e '" + go + "' ]; do sleep 0.05; done; '" + launcher
                + "' train --data xrays --image-size 64 --epochs 500 --batch-size 2 --output run;"
                + " echo \"exit code $?\"; sleep 600";
        run("tmux", "new-session", "-d", "-s", session, "-x", Integer.toString(COLUMNS), "-y", "40", "sh", "-c", job);
        try {
            run("tmux", "pipe-pane", "-t", session, "-o", "cat >> '" + raw + "'");
            Files.createFile(go);
            await("two epochs and a bar in the third", s -> s.contains("epoch 2/500: loss")
                    && s.substring(s.indexOf("epoch 2/500: loss")).contains("img/s"), raw);
            run("tmux", "send-keys", "-t", session, "C-c");
            await("the exit code", s -> s.contains("exit code"), raw);
            String screen = screen();
            String recorded = Files.readString(raw, StandardCharsets.UTF_8);

            // Every frame of the bar: at most 79 columns, a bar of at least 10 cells, every field whole.
            List<String> frames = new ArrayList<>();
            // (the terminal echoes Ctrl-C as ^C where the cursor is)
            for (String piece : recorded.replace("\033[K", "").replace("^C", "").split("[\r\n]")) {
                if (piece.startsWith("epoch ") && piece.contains("[")) {
                    frames.add(piece);
                }
            }
            assertTrue(frames.size() >= 3, "bar frames: " + frames);
            for (String frame : frames) {
                assertTrue(frame.length() <= COLUMNS - 3, frame.length() + " columns: " + frame);
                assertTrue(frame.matches("epoch \\d+/500 \\[[=> ]{10,40}\\] +\\d+/\\d+ loss (-|\\d\\.\\d{4}) acc (-|\\d\\.\\d{3})"
                        + " (-|\\d+) img/s( \\d+:\\d\\d left)?"), "frame: " + frame);
            }

            // The screen (the job prints relative paths here): no wrapped line, each epoch line whole
            // on its own row, no bar left over, even with the ^C the terminal echoed after it,
            // and the interruption on its own row saying what was kept.
            List<String> rows = screen.lines().toList();
            assertEquals(screen, run("tmux", "capture-pane", "-p", "-J", "-t", session), "a line wrapped");
            List<String> epochRows = rows.stream().filter(r -> r.contains("epoch ")).toList();
            assertTrue(epochRows.size() >= 3, screen);
            for (String row : epochRows) {
                assertTrue(row.matches("epoch \\d+/500: loss \\d\\.\\d{4} acc \\d\\.\\d{3}  val_loss \\d\\.\\d{4} val_acc"
                        + " \\d\\.\\d{3}  \\d+(\\.\\d)? s(  saved)?") || row.startsWith("interrupted at epoch "),
                        "row: '" + row + "'\n" + screen);
            }
            assertFalse(screen.contains("img/s"), "a bar left on the screen:\n" + screen);
            int at = rows.indexOf(rows.stream().filter(r -> r.contains("interrupted")).findFirst().orElse(""));
            assertTrue(at > 0 && rows.get(at).matches("interrupted at epoch \\d+/500; best model so far \\(epoch \\d+,"
                    + " val_loss \\d\\.\\d{4}\\) in") && rows.get(at + 1).equals("  run/best-model.safetensors"),
                    "the interruption:\n" + screen);
            assertTrue(screen.contains("exit code 130"), screen);
        } finally {
            new ProcessBuilder("tmux", "kill-session", "-t", session).start().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
