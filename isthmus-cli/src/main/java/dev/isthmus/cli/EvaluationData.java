package dev.isthmus.cli;

import dev.isthmus.data.ImageDigests;
import dev.isthmus.data.ImageFolder;
import dev.isthmus.data.LabeledImageSet;
import dev.isthmus.data.Split;
import dev.isthmus.io.ModelMetadata;
import dev.isthmus.io.ModelMetadata.SplitRecord;
import dev.isthmus.io.ModelMetadata.TrainingData;
import dev.isthmus.train.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The images {@code evaluate} and {@code explain} run a model on: by default the test split the
 * model file records (its data folder, split seed and fractions), so "test" means images the
 * model never trained on. The images are prepared as the model file says (size, grey,
 * standardisation), never as a flag repeats it.
 *
 * <p>Whatever the folder or seed, each chosen image's digest is looked up among those the model
 * was trained and validated on: a "test" that includes any is refused (another {@code --seed}
 * splits the same images differently), unless {@code --allow-seen-images}, and is then labelled
 * with how many it includes. {@code --all} evaluates every image, labelled the same way.
 */
final class EvaluationData {

    @Option(names = "--data", description = "Image folder (one sub-folder per class). Default: the folder the model"
            + " was trained on, as its file records.")
    Path data;

    @Option(names = "--seed", description = "Split seed. Default: the model's own, so the test images are its test images.")
    Long seed;

    @Option(names = "--all", description = "Use every image of the folder, not the test split (the output says how many"
            + " the model trained on).")
    boolean all;

    @Option(names = "--allow-seen-images", description = "Go on when the chosen test images include images the model"
            + " was trained or validated on (the figures are then no test; the output says so).")
    boolean allowSeen;

    @Option(names = "--skip-bad-images", description = "Skip unreadable, truncated or oversized images instead of stopping.")
    boolean skipBadImages;

    @Option(names = "--max-image-pixels", defaultValue = "25000000", description = "Refuse images with more pixels than"
            + " this, read from their header before decoding (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    /** The chosen images: a label that says what they are, the samples, and the file of each. */
    record Selection(String label, Dataset dataset, List<Path> paths, List<String> classNames, int seen) {
        int count() {
            return dataset.count();
        }
    }

    void check(Flags flags) {
        flags.between("--max-image-pixels", maxPixels, 1, Integer.MAX_VALUE);
        if (data != null) {
            flags.folder("--data", data);
        }
    }

    Selection select(ModelOutput model, Screen screen) throws IOException {
        Path modelFile = model.file().path();
        if (!model.binary()) {
            throw new IOException(modelFile + ": the model has " + model.classNames().size() + " softmax outputs;"
                    + " evaluate and explain handle models with one sigmoid output (use predict for the others)");
        }
        TrainingData trained = model.file().metadata().map(ModelMetadata::trainingData).orElse(null);
        Path folder = data;
        if (folder == null) {
            if (trained == null) {
                throw new IOException(modelFile + " does not record the data it was trained on; pass --data (and the"
                        + " --seed it was trained with)");
            }
            folder = Path.of(trained.folder());
            if (!Files.isDirectory(folder)) {
                if (trained.synthetic() == null) {
                    throw new IOException(modelFile + " was trained on " + folder + ", which is not there any more; pass"
                            + " --data");
                }
                DataOptions.generate(folder, trained.synthetic().perClass(), trained.synthetic().seed(), screen);
            }
        }
        LabeledImageSet images = ImageFolder.load(folder, new ImageFolder.Options(model.side(),
                model.hasClassNames() ? model.classNames().get(1) : ImageFolder.DEFAULT_POSITIVE_CLASS, skipBadImages,
                maxPixels));
        if (model.hasClassNames() && !images.classNames().equals(model.classNames())) {
            throw new IOException(folder + " has the classes " + images.classNames() + " (by label), but " + modelFile
                    + " was trained on " + model.classNames());
        }
        screen.printWrapped(DataOptions.loadedLine(images, folder));
        ImageDigests digests = ImageDigests.of(folder, images.paths());
        if (trained == null) {
            screen.println("note: " + modelFile + " records no training data, so nothing shows these images are not"
                    + " ones it was trained on");
        } else if (!trained.fingerprint().equals(digests.fingerprint())) {
            screen.println("note: " + folder + " is not the image set the model was trained on (" + trained.folder()
                    + ", " + trained.images() + " images); its images are checked one by one against the training images");
        }

        SplitRecord recorded = trained == null ? null : trained.split();
        long splitSeed = seed != null ? seed : recorded != null ? recorded.seed() : 42;
        double testFraction = recorded != null ? recorded.testFraction() : Split.LESSON_TEST_FRACTION;
        double validationFraction = recorded != null ? recorded.validationFraction() : Split.LESSON_VALIDATION_FRACTION;
        boolean stratified = recorded == null || recorded.stratified();
        Dataset set;
        List<Path> paths;
        int[] indices;
        if (all) {
            set = images.dataset();
            paths = images.paths();
            indices = new int[images.count()];
            java.util.Arrays.setAll(indices, i -> i);
        } else {
            Split.Part test = Split.of(images, testFraction, validationFraction, splitSeed, stratified).test();
            set = test.dataset();
            paths = test.paths();
            indices = test.indices();
        }
        int seen = trained == null ? 0 : trained.seen().countContained(digests.shortDigests(indices));
        String label = all ? "all" : "test";
        if (seen > 0) {
            if (!all && !allowSeen) {
                throw new IOException(String.format(Locale.ROOT, "%d of the %d test images (split seed %d) were used to"
                        + " train or validate %s (its split used seed %d): their figures would be no test. Drop --seed"
                        + " to use the model's own test split, or pass --allow-seen-images to see the figures anyway",
                        seen, set.count(), splitSeed, modelFile, recorded.seed()));
            }
            label += String.format(Locale.ROOT, " (%d of %d images were used in training: not a clean test)", seen, set.count());
        }
        return new Selection(label, set, paths, images.classNames(), seen);
    }
}
