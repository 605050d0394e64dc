package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.data.SyntheticChestXrays;
import dev.isthmus.io.ModelFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end on a tiny generated set, and its errors. */
class IsthmusCliTest {

    @TempDir
    static Path shared;
    static Path images;

    @BeforeAll
    static void generate() throws Exception {
        images = shared.resolve("xrays");
        SyntheticChestXrays.generate(images, 12, 7);
    }

    /** Runs the CLI, capturing what it prints; returns {exit code, stdout + stderr}. */
    private static Object[] run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            int code = IsthmusCli.run(args);
            return new Object[] {code, buffer.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void trainWritesARunFolderThenEvaluateAndPredictUseIt() throws Exception {
        Path run = shared.resolve("run");
        Object[] r = run("train", "--data", images.toString(), "--epochs", "2", "--batch-size", "4", "--image-size", "64",
                "--output", run.toString(), "--threads", "2");
        assertEquals(0, r[0], (String) r[1]);
        String log = (String) r[1];
        assertTrue(log.contains("split: 17 training, 3 validation, 4 test images"), log);
        assertTrue(log.contains("epoch 2/2: loss"), log);
        assertTrue(log.contains("wall time:"), log);
        for (String f : new String[] {"best-model.safetensors", "history.csv", "history.json", "loss.png", "accuracy.png",
                "confusion-matrix.txt", "confusion-matrix.png", "report.md"}) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        assertEquals(3, Files.readAllLines(run.resolve("history.csv")).size()); // header + 2 epochs
        ModelFiles.load(run.resolve("best-model.safetensors"));

        Object[] e = run("evaluate", "--data", images.toString(), "--image-size", "64", "--model",
                run.resolve("best-model.safetensors").toString());
        assertEquals(0, e[0], (String) e[1]);
        assertTrue(((String) e[1]).contains("test: 4 images"), (String) e[1]);

        Path saliency = shared.resolve("saliency");
        Object[] x = run("explain", "--data", images.toString(), "--image-size", "64", "--model",
                run.resolve("best-model.safetensors").toString(), "-n", "2", "--output", saliency.toString());
        assertEquals(0, x[0], (String) x[1]);
        try (var files = Files.list(saliency)) {
            assertEquals(2, files.filter(f -> f.getFileName().toString().endsWith(".png")).count());
        }

        Path image = images.resolve("effusion").resolve("effusion_000.png");
        Object[] p = run("predict", "--model", run.resolve("best-model.safetensors").toString(), image.toString());
        assertEquals(0, p[0], (String) p[1]);
        assertTrue(((String) p[1]).startsWith(image.toString() + "\t0."), (String) p[1]);
    }

    /** A learning rate of 0 keeps the initial weights, whose output stays near 0.5: a run that cannot learn. */
    @Test
    void aRunThatDidNotLearnSaysSoOnceAndStillExitsZero() throws Exception {
        Path run = shared.resolve("stuck");
        Object[] r = run("train", "--data", images.toString(), "--epochs", "1", "--batch-size", "8", "--image-size", "64",
                "--learning-rate", "0", "--init", "pytorch", "--no-augmentation", "--output", run.toString());
        assertEquals(0, r[0], (String) r[1]);
        String log = (String) r[1];
        assertEquals(1, log.split("THIS RUN DID NOT LEARN", -1).length - 1, log);
        assertTrue(log.contains("saved model: "), log);
        assertFalse(log.contains("best model: "), log);
        String notice = log.substring(log.indexOf("THIS RUN DID NOT LEARN"));
        assertTrue(notice.contains("At epoch 1, "), notice);
        assertTrue(notice.contains("no better than a guess: do not use it. Try more epochs (--epochs 2), another seed"
                + " (--seed 43) or He initial weights (--init he)."), notice);
        assertTrue(log.indexOf("wall time:") < log.indexOf("THIS RUN DID NOT LEARN"), "printed at the end: " + log);

        String report = Files.readString(run.resolve("report.md"));
        assertTrue(report.startsWith("# ChestXRayNet training run\n\n## This run did not learn\n\nAt epoch 1, "), report);
        assertTrue(report.contains("## Test (lowest validation loss; this run did not learn, epoch 1)"), report);
        assertFalse(report.contains("best model"), report);

        Object[] he = run("train", "--data", images.toString(), "--epochs", "1", "--batch-size", "8", "--image-size", "64",
                "--learning-rate", "0", "--no-augmentation", "--output", shared.resolve("stuck-he").toString());
        assertTrue(((String) he[1]).contains("another seed (--seed 43)."), "no --init he advice with He weights: " + he[1]);
    }

    @Test
    void summaryShowsChestXRayNet() {
        Object[] r = run("summary");
        assertEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("Total params: 54,627"), (String) r[1]);
    }

    @Test
    void aMissingDataFolderIsNamed() {
        Path missing = shared.resolve("no-such-folder");
        Object[] r = run("train", "--data", missing.toString(), "--output", shared.resolve("r2").toString());
        assertEquals(1, r[0]);
        assertTrue(((String) r[1]).contains(missing.toString()), (String) r[1]);
    }

    @Test
    void anUnwritableOutputStopsBeforeTraining() throws Exception {
        Path file = Files.writeString(shared.resolve("not-a-folder"), "x");
        Object[] r = run("train", "--data", images.toString(), "--output", file.resolve("run").toString());
        assertEquals(1, r[0]);
        assertTrue(((String) r[1]).contains("cannot write to the output folder"), (String) r[1]);
        assertTrue(!((String) r[1]).contains("loaded"), "failed before loading data: " + r[1]);
    }

    @Test
    void helpOnEachCommand() {
        for (String command : new String[] {"train", "evaluate", "predict", "explain", "summary", "info"}) {
            Object[] r = run(command, "--help");
            assertEquals(0, r[0], command);
            assertTrue(((String) r[1]).contains("Usage: isthmus " + command), (String) r[1]);
        }
    }
}
