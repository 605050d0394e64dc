package dev.isthmus.cli;

import dev.isthmus.data.LabeledImageSet;
import dev.isthmus.data.Split;
import dev.isthmus.io.ModelFiles;
import dev.isthmus.nn.Model;
import dev.isthmus.train.Adam;
import dev.isthmus.train.Dataset;
import dev.isthmus.train.Losses;
import dev.isthmus.train.Trainer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Test metrics of a saved model: on the lesson's test split (same seed as training) or on every image. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a model file on the test split of the data (or on all of it with --all).")
final class EvaluateCommand implements Callable<Integer> {

    @Mixin
    DataOptions data = new DataOptions();

    @Option(names = "--model", required = true, description = "Model file (.safetensors), e.g. runs/<run>/best-model.safetensors.")
    Path model;

    @Option(names = "--seed", defaultValue = "42", description = "The split's seed, as given to train (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--all", description = "Evaluate on every image instead of the test split.")
    boolean all;

    @Option(names = "--batch-size", defaultValue = "16", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        Model m = ModelFiles.load(model);
        LabeledImageSet images = data.load(System.out);
        Dataset set = all ? images.dataset() : Split.lesson(images, seed).test().dataset();
        TestMetrics test = TestMetrics.of(new Trainer(m, Losses.binaryCrossEntropy(), new Adam()), set, batchSize);
        System.out.print(test.describe(images.classNames()));
        return 0;
    }
}
