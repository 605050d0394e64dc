package dev.isthmus.cli;

import dev.isthmus.io.ModelFiles;
import dev.isthmus.train.Losses;
import dev.isthmus.train.Evaluator;
import dev.isthmus.train.WarmUp;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Test metrics of a saved model, on the test split its file records (or on other images, checked
 * against the ones it trained on), with images prepared as the file says.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a model file on its own test split (recorded in the file), on another folder's, or on every image (--all).")
final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    IsthmusCli cli;

    @Mixin
    EvaluationData data = new EvaluationData();

    @Option(names = "--model", required = true, description = "Model file (.safetensors), e.g. runs/<run>/best-model.safetensors.")
    Path model;

    @Option(names = "--batch-size", defaultValue = "16", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        Flags flags = new Flags(spec);
        flags.file("--model", model);
        flags.atLeast("--batch-size", batchSize, 1);
        data.check(flags);
        Screen screen = cli.screen();
        ModelOutput output = ModelOutput.of(ModelFiles.read(model));
        EvaluationData.Selection chosen;
        try (WarmUp ignored = StartUpWarmUp.inference(output.file().model())) {
            chosen = data.select(output, screen); // the kernels compile while the images load
        }
        Evaluator evaluator = new Evaluator(output.file().model(), Losses.binaryCrossEntropy());
        TestMetrics test = TestMetrics.of(chosen.label(), evaluator, output, chosen.dataset(), chosen.paths(), batchSize);
        screen.println(test.describe(chosen.classNames()).stripTrailing());
        return 0;
    }
}
