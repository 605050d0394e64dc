package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.data.SyntheticChestXrays;
import dev.isthmus.io.ModelFiles;
import dev.isthmus.io.ModelMetadata;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end on a tiny generated set, run in this JVM: what it prints and returns. */
class IsthmusCliTest {

    @TempDir
    static Path shared;
    static Path images, run, model;

    /** One short training run that the other tests use. */
    @BeforeAll
    static void train() throws Exception {
        images = shared.resolve("xrays");
        SyntheticChestXrays.generate(images, 12, 7);
        run = shared.resolve("run");
        Result r = run("train", "--data", images.toString(), "--epochs", "2", "--batch-size", "4", "--image-size", "64",
                "--output", run.toString(), "--threads", "2");
        assertEquals(0, r.code(), r.output());
        model = run.resolve("best-model.safetensors");
    }

    record Result(int code, String output) {
        boolean has(String text) {
            return output.contains(text);
        }
    }

    /** Runs the CLI, capturing what it prints on standard output and error together. */
    static Result run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            int code = IsthmusCli.run(args);
            return new Result(code, buffer.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void trainWritesARunFolderWhoseModelRecordsItsData() throws Exception {
        for (String f : new String[] {"best-model.safetensors", "history.csv", "history.json", "loss.png", "accuracy.png",
                "confusion-matrix.txt", "confusion-matrix.png", "report.md"}) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        assertFalse(Files.exists(run.resolve(RunFolder.LOCK)), "the lock is released");
        assertEquals(3, Files.readAllLines(run.resolve("history.csv")).size()); // header + 2 epochs
        ModelMetadata m = ModelFiles.read(model).metadata().orElseThrow();
        assertEquals(ModelMetadata.Preprocessing.greyscale(64), m.preprocessing());
        assertEquals(java.util.List.of("normal", "effusion"), m.classNames());
        assertEquals(images.toAbsolutePath().toString(), m.trainingData().folder());
        assertEquals(new ModelMetadata.SplitRecord(42, 0.15, 0.15, true, 17, 3, 4), m.trainingData().split());
        assertEquals(20, m.trainingData().seen().count()); // training and validation images
    }

    /** Without --data or --seed, evaluate and explain use the test split the model file records. */
    @Test
    void evaluateAndExplainDefaultToTheModelsOwnTestSplit() throws Exception {
        Result e = run("evaluate", "--model", model.toString());
        assertEquals(0, e.code(), e.output());
        assertTrue(e.has("loaded 24 images from " + images), e.output());
        assertTrue(e.has("test: 4 images, loss"), e.output());

        Path saliency = shared.resolve("saliency");
        Result x = run("explain", "--model", model.toString(), "-n", "2", "--output", saliency.toString());
        assertEquals(0, x.code(), x.output());
        try (Stream<Path> files = Files.list(saliency)) {
            for (Path png : files.toList()) {
                BufferedImage panel = ImageIO.read(png.toFile());
                // three 64-pixel tiles and their gutters: the model's side, not a flag's
                assertEquals(16 + 3 * (64 + 8 + 14 + 34 + 16), panel.getWidth(), png.toString());
            }
        }
        assertEquals(2, saliency.toFile().list().length);
    }

    /** explain once wrote scrambled panels (rc 0) for a model whose side was not --image-size: the flag is gone. */
    @Test
    void theInputSizeIsNoLongerAFlagOfEvaluateOrExplain() {
        for (String command : new String[] {"evaluate", "explain"}) {
            Result r = run(command, "--model", model.toString(), "--image-size", "128");
            assertEquals(2, r.code(), r.output());
            assertTrue(r.has("Unknown options: '--image-size'"), r.output());
        }
    }

    /** Another seed splits the same images differently: its "test" images include training images. */
    @Test
    void aTestOnTrainingImagesIsRefusedOrLabelled() {
        Result r = run("evaluate", "--model", model.toString(), "--seed", "7");
        assertEquals(1, r.code(), r.output());
        assertTrue(r.has("of the 4 test images (split seed 7) were used to train or validate " + model), r.output());
        assertFalse(r.has("accuracy"), r.output());

        Result allowed = run("evaluate", "--model", model.toString(), "--seed", "7", "--allow-seen-images");
        assertEquals(0, allowed.code(), allowed.output());
        assertTrue(allowed.output().matches("(?s).*test \\(\\d of 4 images were used in training: not a clean test\\): 4 images.*"),
                allowed.output());

        Result all = run("evaluate", "--model", model.toString(), "--all");
        assertEquals(0, all.code(), all.output());
        assertTrue(all.has("all (20 of 24 images were used in training: not a clean test): 24 images"), all.output());

        Result x = run("explain", "--model", model.toString(), "--seed", "7", "--output", shared.resolve("s7").toString());
        assertEquals(1, x.code(), x.output());
    }

    /** A copy of the training images elsewhere is caught by content, not by path. */
    @Test
    void aCopyOfTheTrainingImagesIsRecognisedByContent() throws Exception {
        Path copy = shared.resolve("copy");
        for (String c : new String[] {"normal", "effusion"}) {
            Files.createDirectories(copy.resolve(c));
            try (Stream<Path> files = Files.list(images.resolve(c))) {
                for (Path f : files.toList()) {
                    Files.copy(f, copy.resolve(c).resolve(f.getFileName()));
                }
            }
        }
        Files.delete(copy.resolve("normal/normal_000.png")); // not the same set any more: split differently
        Result r = run("evaluate", "--model", model.toString(), "--data", copy.toString());
        assertTrue(r.has("is not the image set the model was trained on"), r.output());
        assertEquals(1, r.code(), r.output());
        assertTrue(r.has("were used to train or validate"), r.output());
    }

    @Test
    void predictPrintsTheProbabilityWithTheRecordedClassNames() {
        Path image = images.resolve("effusion").resolve("effusion_000.png");
        Result p = run("predict", "--model", model.toString(), image.toString());
        assertEquals(0, p.code(), p.output());
        assertTrue(p.output().matches(java.util.regex.Pattern.quote(image.toString()) + "\t0\\.\\d{4}\t(normal|effusion)\n"),
                p.output());
    }

    /** predict stopped at the first missing image: now it reports each and goes on. */
    @Test
    void predictReportsEachBadImageAndGoesOn() throws Exception {
        Path good = images.resolve("normal").resolve("normal_001.png");
        Path missing = shared.resolve("missing.png");
        Path notImage = Files.writeString(shared.resolve("notes.png"), "not a picture");
        Result p = run("predict", "--model", model.toString(), missing.toString(), notImage.toString(), good.toString());
        assertEquals(1, p.code(), p.output());
        assertTrue(p.has("error: NoSuchFileException: " + missing), p.output());
        assertTrue(p.has("error: " + notImage + ": "), p.output());
        assertTrue(p.has(good + "\t0."), "the good image after the bad ones: " + p.output());
        assertTrue(p.has("error: 2 of 3 images had no prediction"), p.output());
    }

    /** A learning rate of 1e-30 keeps the initial weights, whose output stays near 0.5: a run that cannot learn. */
    @Test
    void aRunThatDidNotLearnSaysSoOnceAndStillExitsZero() throws Exception {
        Path run = shared.resolve("stuck");
        Result r = run("train", "--data", images.toString(), "--epochs", "1", "--batch-size", "8", "--image-size", "64",
                "--learning-rate", "1e-30", "--init", "pytorch", "--no-augmentation", "--output", run.toString());
        assertEquals(0, r.code(), r.output());
        String log = r.output();
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

        Result he = run("train", "--data", images.toString(), "--epochs", "1", "--batch-size", "8", "--image-size", "64",
                "--learning-rate", "1e-30", "--no-augmentation", "--output", shared.resolve("stuck-he").toString());
        assertTrue(he.has("another seed (--seed 43)."), "no --init he advice with He weights: " + he.output());
    }

    @Test
    void summaryShowsChestXRayNetOrAModelFileWithWhatItRecords() {
        Result r = run("summary");
        assertEquals(0, r.code());
        assertTrue(r.has("Total params: 54,627"), r.output());
        Result m = run("summary", "--model", model.toString());
        assertEquals(0, m.code(), m.output());
        assertTrue(m.has("(1, 64, 64)") && m.has("Classes by label: [normal, effusion]") && m.has("Trained on: " + images),
                m.output());
    }

    @Test
    void aMissingDataFolderIsNamedWithItsFlag() {
        Path missing = shared.resolve("no-such-folder");
        Result r = run("train", "--data", missing.toString(), "--output", shared.resolve("r2").toString());
        assertEquals(2, r.code());
        assertTrue(r.has("--data " + missing + ": no such folder"), r.output());
        assertFalse(Files.exists(shared.resolve("r2")), "no run folder for a run that never started");
    }

    @Test
    void anUnwritableOutputStopsBeforeTraining() throws Exception {
        Path file = Files.writeString(shared.resolve("not-a-folder"), "x");
        Result r = run("train", "--data", images.toString(), "--output", file.resolve("run").toString());
        assertEquals(1, r.code());
        assertTrue(r.has("cannot write to the output folder"), r.output());
        assertFalse(r.has("loaded"), "failed before loading data: " + r.output());
    }

    /** Options were checked after all images were loaded, in Java's names (heightShift, batchSize, MaxPool2D(pool6...)). */
    @Test
    void everyFlagIsCheckedBeforeAnyWorkAndNamed() {
        String[][] cases = {
                {"--batch-size", "0", "--batch-size must be from 1 to 65,536, got 0"},
                {"--epochs", "0", "--epochs must be from 1 to 1,000,000, got 0"},
                {"--shift", "1.5", "--shift must be from 0 to 1 (exclusive), got 1.5"},
                {"--rotation", "400", "--rotation must be from 0 to 180 (inclusive), got 400"},
                {"--zoom", "-0.1", "--zoom must be from 0 to 1 (exclusive), got -0.1"},
                {"--dropout", "1", "--dropout must be from 0 to 1 (exclusive), got 1"},
                {"--learning-rate", "0", "--learning-rate must be a positive number, got 0"},
                {"--image-size", "32", "--image-size must be from 64 to 2,048, got 32"},
                {"--threads", "0", "--threads must be from 1 to 4,096, got 0"},
                {"--max-image-pixels", "0", "--max-image-pixels must be from 1 to 2,147,483,647, got 0"},
        };
        for (String[] c : cases) {
            Path out = shared.resolve("never");
            Result r = run("train", "--data", images.toString(), "--output", out.toString(), c[0], c[1]);
            assertEquals(2, r.code(), r.output());
            assertTrue(r.has("error: " + c[2] + "\n(see 'isthmus train --help')"), r.output());
            assertFalse(r.has("loaded") || r.has("run folder"), r.output());
            assertFalse(Files.exists(out));
        }
        Result e = run("evaluate", "--model", shared.toString());
        assertEquals(2, e.code());
        assertTrue(e.has("error: --model " + shared + " is a directory, not a file"), e.output());
        Result x = run("explain", "--model", model.toString(), "--layer", "conv9", "--output", shared.resolve("x").toString());
        assertEquals(2, x.code());
        assertTrue(x.has("--layer conv9: " + model + " has no such layer; its layers are [conv1, pool1"), x.output());
    }

    /** What {@code info} prints fits an 80-column terminal: the kernel line once ran to 81. */
    @Test
    void infoFitsEightyColumns() {
        Result r = run("info");
        assertEquals(0, r.code(), r.output());
        assertTrue(r.has("kernels: "), r.output());
        assertTrue(r.has("sgemm 1024^3:"), r.output());
        for (String line : r.output().lines().toList()) {
            assertTrue(line.length() <= 80, "longer than 80 columns: '" + line + "'");
        }
    }

    @Test
    void helpOnEachCommand() {
        for (String command : new String[] {"train", "evaluate", "predict", "explain", "summary", "info"}) {
            Result r = run(command, "--help");
            assertEquals(0, r.code(), command);
            assertTrue(r.has("Usage: isthmus " + command), r.output());
        }
    }
}
