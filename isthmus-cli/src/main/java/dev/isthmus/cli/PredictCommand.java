package dev.isthmus.cli;

import dev.isthmus.data.Images;
import dev.isthmus.io.ModelFiles;
import dev.isthmus.nn.Model;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The model's probability of the positive class for each image, preprocessed as in training. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Print the probability of the positive class (effusion) for each image.")
final class PredictCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Model file (.safetensors).")
    Path model;

    @Option(names = "--positive-class", defaultValue = "effusion", description = "Name printed for label 1 (default: ${DEFAULT-VALUE}).")
    String positiveClass;

    @Parameters(arity = "1..*", description = "Image files (PNG or JPEG).")
    List<Path> images;

    @Override
    public Integer call() throws Exception {
        Model m = ModelFiles.load(model);
        int side = m.inputShape().height();
        for (Path image : images) {
            float[] x = Images.preprocess(image, side);
            float p = m.predict(x, 1)[0];
            System.out.printf(Locale.ROOT, "%s\t%.4f\t%s%n", image, p, p >= 0.5f ? positiveClass : "not " + positiveClass);
        }
        return 0;
    }
}
