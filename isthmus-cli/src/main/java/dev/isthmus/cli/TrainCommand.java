package dev.isthmus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.isthmus.data.Augmentation;
import dev.isthmus.data.Split;
import dev.isthmus.io.AtomicFiles;
import dev.isthmus.io.ModelCheckpoint;
import dev.isthmus.io.ModelFiles;
import dev.isthmus.io.ModelMetadata;
import dev.isthmus.kernels.KernelSelection;
import dev.isthmus.kernels.Kernels;
import dev.isthmus.kernels.Parallel;
import dev.isthmus.nn.ChestXRayNet;
import dev.isthmus.nn.Model;
import dev.isthmus.train.Adam;
import dev.isthmus.train.CsvLogger;
import dev.isthmus.train.FitOptions;
import dev.isthmus.train.History;
import dev.isthmus.train.LearningVerdict;
import dev.isthmus.train.Losses;
import dev.isthmus.train.Evaluator;
import dev.isthmus.train.Trainer;
import dev.isthmus.train.WarmUp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The lesson's run: load (or generate) the images, split 85/15 then 15% of the rest for
 * validation, train ChestXRayNet with Adam and binary cross-entropy on augmented batches, keep the
 * best model by validation loss (its file records the preprocessing, the classes and the data and
 * split it was trained on), then evaluate it on the test set and leave a run folder behind.
 *
 * <p>Every flag is checked before any work. The run folder is this run's alone
 * ({@link RunFolder}); an interrupted run says what it kept ({@link RunGuard}).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train ChestXRayNet on chest X-rays (by default a generated synthetic set) and write a run folder.")
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    IsthmusCli cli;

    @Mixin
    DataOptions data = new DataOptions();

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "16", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--learning-rate", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--dropout", defaultValue = "0.6", description = "Dropout rate after the first dense layer, 0 to 1 (default: ${DEFAULT-VALUE}).")
    float dropout;

    // Lighter than Augmentation.Config.DEFAULTS (Keras's lesson values): heavier augmentation
    // keeps the lesson's network longer on its initial plateau (benchmarks/README.md).
    @Option(names = "--rotation", defaultValue = "5", description = "Augmentation: rotation range in degrees, 0 to 180 (default: ${DEFAULT-VALUE}).")
    double rotation;

    @Option(names = "--shift", defaultValue = "0.05", description = "Augmentation: width and height shift, fraction of the side, 0 to 1 (default: ${DEFAULT-VALUE}).")
    double shift;

    @Option(names = "--zoom", defaultValue = "0.05", description = "Augmentation: zoom range, 0 to 1 (default: ${DEFAULT-VALUE}).")
    double zoom;

    @Option(names = "--no-flip", description = "Augmentation: no horizontal flips.")
    boolean noFlip;

    @Option(names = "--no-augmentation", description = "Train on the images as they are.")
    boolean noAugmentation;

    @Option(names = "--threads", description = "Threads for the kernels (default: all processors).")
    Integer threads;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for the split, initial weights, shuffling, dropout and augmentation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--init", defaultValue = "HE", description = "Initial weights: HE (He/Kaiming uniform, for ReLU"
            + " networks), KERAS (Glorot uniform, as the lesson's Keras model) or PYTORCH (default: ${DEFAULT-VALUE}).")
    dev.isthmus.nn.Initializer init;

    @Option(names = "--output", description = "Run folder (default: runs/<date-time>, made unique). An existing folder must be empty.")
    Path output;

    @Option(names = "--overwrite", description = "Let --output name the folder of an earlier run: its files are deleted first.")
    boolean overwrite;

    /** Every flag, before any work: the messages name the flags. */
    void check() {
        Flags flags = new Flags(spec);
        flags.between("--epochs", epochs, 1, 1_000_000);
        flags.between("--batch-size", batchSize, 1, 65_536);
        flags.positive("--learning-rate", learningRate);
        flags.range("--dropout", dropout, 0, 1, false);
        flags.range("--rotation", rotation, 0, 180, true);
        flags.range("--shift", shift, 0, 1, false);
        flags.range("--zoom", zoom, 0, 1, false);
        if (threads != null) {
            flags.between("--threads", threads, 1, 4096);
        }
        if (overwrite && output == null) {
            throw flags.error("--overwrite needs --output (a default run folder is always new)");
        }
        data.check(flags);
    }

    @Override
    public Integer call() throws Exception {
        check();
        long start = System.nanoTime();
        Screen screen = cli.screen();
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        try (RunFolder run = output != null ? RunFolder.open(output, overwrite)
                : RunFolder.createDefault(RunFolder.defaultRuns(), LocalDateTime.now());
             RunGuard guard = new RunGuard(screen, run)) {
            try {
                screen.println("run folder: " + run.path().toAbsolutePath());
                screen.println(kernels());
                DataOptions.Loaded loaded;
                Split split;
                ModelCheckpoint checkpoint;
                // the kernels compile on a throwaway network while the images are read
                try (WarmUp ignored = StartUpWarmUp.training(data.side, dropout, init)) {
                    loaded = data.load(screen);
                    split = Split.lesson(loaded.images(), seed);
                    screen.println(String.format(Locale.ROOT, "split: %d training, %d validation, %d test images",
                            split.train().count(), split.validation().count(), split.test().count()));
                    checkpoint = new ModelCheckpoint(run.resolve("best-model.safetensors"), "val_loss",
                            metadata(loaded, split));
                }
                RunResult result = train(run, guard, loaded, split, checkpoint, screen, start);
                if (result == null) {
                    return 1;
                }
                finish(result, screen);
                return 0;
            } catch (Exception | Error e) {
                run.discardIfEmpty();
                throw e;
            }
        }
    }

    /** The kernels and threads in one short line; why, when the kernels are the slow scalar ones. */
    static String kernels() {
        KernelSelection k = Kernels.selection();
        return k.vectorBitSize() > 0
                ? "kernels: " + k.implementation() + ", " + k.vectorBitSize() + "-bit vectors, " + Parallel.threads() + " threads"
                : "kernels: " + k.implementation() + ", " + Parallel.threads() + " threads" + System.lineSeparator() + "  ("
                        + k.reason() + ")";
    }

    /** What the model file records: the images' preparation, the classes, the data and split it was trained on. */
    private ModelMetadata metadata(DataOptions.Loaded loaded, Split split) {
        int[] seen = IntStream.concat(IntStream.of(split.train().indices()), IntStream.of(split.validation().indices()))
                .toArray();
        ModelMetadata.TrainingData trained = new ModelMetadata.TrainingData(loaded.folder().toString(),
                loaded.digests().fingerprint(), loaded.images().count(), loaded.synthetic(),
                new ModelMetadata.SplitRecord(seed, Split.LESSON_TEST_FRACTION, Split.LESSON_VALIDATION_FRACTION, true,
                        split.train().count(), split.validation().count(), split.test().count()),
                ModelMetadata.Digests.of(loaded.digests().shortDigests(seen)));
        return new ModelMetadata(ModelMetadata.Preprocessing.greyscale(data.side), loaded.images().classNames(), trained);
    }

    /** Trains, then evaluates the best model; null when no epoch gave a model to keep. */
    private RunResult train(RunFolder run, RunGuard guard, DataOptions.Loaded loaded, Split split,
                            ModelCheckpoint checkpoint, Screen screen, long start) throws IOException {
        Model model = ChestXRayNet.build(data.side, dropout).initialize(seed, init);
        Trainer trainer = new Trainer(model, Losses.binaryCrossEntropy(), new Adam(learningRate));
        Augmentation.Config augment = noAugmentation ? Augmentation.Config.NONE
                : new Augmentation.Config(rotation, shift, shift, zoom, !noFlip);
        FitOptions options = new FitOptions().epochs(epochs).batchSize(batchSize).seed(seed)
                .callback(guard)
                .callback(guard.guard(checkpoint))
                .callback(new CsvLogger(run.resolve("history.csv")))
                .callback(new ProgressReporter(screen, checkpoint));
        if (!noAugmentation) {
            options.augmentation(new Augmentation(augment));
        }
        History history = trainer.fit(split.train().dataset(), split.validation().dataset(), options);
        screen.clearLive();
        if (history.stopReason() != null) {
            screen.println("training stopped early: " + history.stopReason());
        }
        writeJson(run.resolve("history.json"), history.asMap());
        Plots.curve(history, "loss", checkpoint.bestEpoch(), run.resolve("loss.png"));
        Plots.curve(history, "accuracy", checkpoint.bestEpoch(), run.resolve("accuracy.png"));
        if (checkpoint.bestEpoch() < 0) {
            screen.println("no epoch produced a finite validation loss; no model saved");
            return null;
        }
        ModelOutput bestModel = ModelOutput.of(ModelFiles.read(checkpoint.file()));
        TestMetrics test = TestMetrics.of("test", new Evaluator(bestModel.file().model(), Losses.binaryCrossEntropy()),
                bestModel, split.test().dataset(), split.test().paths(), batchSize);
        Map<String, Object> settings = settings(loaded, split, augment);
        LearningVerdict verdict = LearningVerdict.judge(history, split.validation().dataset());
        RunResult result = new RunResult(run.path(), checkpoint, history, test, loaded.images(), settings,
                (System.nanoTime() - start) / 1e9, verdict.learned() ? "" : NoLearningNotice.forReport(verdict, epochs, seed, init),
                verdict.learned() ? "" : NoLearningNotice.forTerminal(verdict, checkpoint.file().toString(), epochs, seed, init));
        AtomicFiles.write(run.resolve("confusion-matrix.txt"), test.confusionText(loaded.images().classNames())
                .getBytes(StandardCharsets.UTF_8));
        Plots.confusion(test.confusion(), loaded.images().classNames(), run.resolve("confusion-matrix.png"));
        Report.write(run.resolve("report.md"), result);
        return result;
    }

    private Map<String, Object> settings(DataOptions.Loaded loaded, Split split, Augmentation.Config augment) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("data", data.describe());
        settings.put("data fingerprint", loaded.digests().fingerprint());
        settings.put("images", loaded.images().count());
        settings.put("skipped images", loaded.images().skipped().size());
        settings.put("image size", data.side);
        settings.put("split (train/validation/test)", split.train().count() + "/" + split.validation().count() + "/"
                + split.test().count());
        settings.put("epochs", epochs);
        settings.put("batch size", batchSize);
        settings.put("optimizer", "Adam(lr=" + learningRate + ")");
        settings.put("dropout", dropout);
        settings.put("augmentation", noAugmentation ? "none" : String.format(Locale.ROOT,
                "--rotation %s --shift %s --zoom %s%s", rotation, shift, zoom, noFlip ? " --no-flip" : ", flips"));
        settings.put("initial weights", init);
        settings.put("seed", seed);
        settings.put("threads", Parallel.threads());
        settings.put("kernels", Kernels.selection().toString());
        return settings;
    }

    /** The end of a run, in one place: the test figures, where the model is, the wall time, and whether it learned. */
    private static void finish(RunResult result, Screen screen) {
        screen.println(result.test().describe(result.images().classNames()).stripTrailing());
        screen.println(String.format(Locale.ROOT, "%s: %s (epoch %d, val_loss %.4f)",
                result.learned() ? "best model" : "saved model", result.bestModel(),
                result.checkpoint().bestEpoch() + 1, result.checkpoint().best()));
        screen.println(String.format(Locale.ROOT, "wall time: %.1f s", result.wallSeconds()));
        if (!result.learned()) {
            screen.printWrapped(result.terminalNotice().stripTrailing());
        }
    }

    static void writeJson(Path file, Object value) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        AtomicFiles.write(file, json.writeValueAsBytes(value));
    }
}
