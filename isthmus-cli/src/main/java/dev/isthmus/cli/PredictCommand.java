package dev.isthmus.cli;

import dev.isthmus.data.Images;
import dev.isthmus.io.ModelFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The model's prediction for each image, prepared as the model file says. One line per image on
 * standard output, tab-separated: for a model with one sigmoid output the file, the probability
 * of class 1 and the predicted class; for a softmax model the file, the predicted class, its
 * probability, and every class's probability. An image that cannot be read or that the model
 * gives no finite output for is reported on standard error and skipped; the exit code is then 1.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Print the model's prediction for each image: the probability of the positive class, or of each class.")
final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    IsthmusCli cli;

    @Option(names = "--model", required = true, description = "Model file (.safetensors).")
    Path model;

    @Option(names = "--max-image-pixels", defaultValue = "25000000", description = "Refuse images with more pixels than"
            + " this, read from their header before decoding (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    @Parameters(arity = "1..*", description = "Image files (PNG or JPEG).")
    List<Path> images;

    @Override
    public Integer call() throws Exception {
        Flags flags = new Flags(spec);
        flags.file("--model", model);
        flags.between("--max-image-pixels", maxPixels, 1, Integer.MAX_VALUE);
        Screen screen = cli.screen();
        ModelOutput out = ModelOutput.of(ModelFiles.read(model));
        if (!out.hasClassNames()) {
            screen.println(System.err, "note: " + model + " records no class names; they are numbered");
        }
        List<String> names = out.classNames();
        int failed = 0;
        for (Path image : images) {
            try {
                float[] x = Images.preprocess(image, out.side(), maxPixels);
                float[] p = out.file().model().predict(x, 1);
                out.requireFinite(p, 1, List.of(image));
                screen.println(out.binary() ? String.format(Locale.ROOT, "%s\t%.4f\t%s", image, p[0], names.get(p[0] >= 0.5f ? 1 : 0))
                        : softmaxLine(image, p, names));
            } catch (IOException e) {
                failed++;
                screen.println(System.err, "error: " + IsthmusCli.message(e));
            }
        }
        if (failed > 0) {
            screen.println(System.err, "error: " + failed + " of " + images.size() + " images had no prediction");
            return 1;
        }
        return 0;
    }

    private static String softmaxLine(Path image, float[] p, List<String> names) {
        int best = 0;
        for (int c = 1; c < p.length; c++) {
            if (p[c] > p[best]) {
                best = c;
            }
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s\t%s\t%.4f\t", image, names.get(best), p[best]));
        for (int c = 0; c < p.length; c++) {
            b.append(c == 0 ? "" : " ").append(String.format(Locale.ROOT, "%s=%.4f", names.get(c), p[c]));
        }
        return b.toString();
    }
}
