package dev.isthmus.cli;

import dev.isthmus.explain.SaliencyMaps;
import dev.isthmus.io.ModelFiles;
import dev.isthmus.nn.Model;
import dev.isthmus.train.Dataset;
import dev.isthmus.train.WarmUp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Grad-CAM++ and Score-CAM panels for the first N images of the model's test split, as the lesson
 * shows them, with the images prepared as the model file says.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Write Grad-CAM++ and Score-CAM saliency panels (PNG) for the model's test images.")
final class ExplainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    IsthmusCli cli;

    @Mixin
    EvaluationData data = new EvaluationData();

    @Option(names = "--model", required = true, description = "Model file (.safetensors), e.g. runs/<run>/best-model.safetensors.")
    Path model;

    @Option(names = "--layer", defaultValue = "conv7", description = "Layer whose output the maps come from (default: ${DEFAULT-VALUE}, the last convolution).")
    String layer;

    @Option(names = {"-n", "--images"}, defaultValue = "4", description = "How many test images (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--output", defaultValue = "saliency", description = "Folder for the panels (default: ${DEFAULT-VALUE}).")
    Path output;

    @Override
    public Integer call() throws Exception {
        Flags flags = new Flags(spec);
        flags.file("--model", model);
        flags.atLeast("--images", count, 1);
        flags.notBlank("--layer", layer);
        data.check(flags);
        if (Files.exists(output) && !Files.isDirectory(output)) {
            throw flags.error("--output " + output + " is a file, not a folder");
        }
        Screen screen = cli.screen();
        ModelOutput out = ModelOutput.of(ModelFiles.read(model));
        Model m = out.file().model();
        if (m.layers().stream().noneMatch(l -> l.name().equals(layer))) {
            throw flags.error("--layer " + layer + ": " + model + " has no such layer; its layers are "
                    + m.layers().stream().map(l -> l.name()).toList());
        }
        EvaluationData.Selection chosen;
        try (WarmUp ignored = StartUpWarmUp.inference(m)) {
            chosen = data.select(out, screen); // the kernels compile while the images load
        }
        Files.createDirectories(output);
        Dataset set = chosen.dataset();
        SaliencyMaps maps = new SaliencyMaps(m, layer);
        int side = m.inputShape().height(), size = m.inputShape().size();
        List<String> classes = chosen.classNames();
        for (int i = 0; i < Math.min(count, set.count()); i++) {
            float[] x = Arrays.copyOfRange(set.x(), i * size, (i + 1) * size);
            float p = maps.probability(x);
            Path source = chosen.paths().get(i);
            out.requireFinite(new float[] {p}, 1, List.of(source));
            int explained = p >= 0.5f ? 1 : 0; // explain what the model predicted
            float[][] heat = {maps.gradCamPlusPlus(x, explained), maps.scoreCam(x, explained)};
            String title = SaliencyPanel.title(source.getFileName().toString(), classes.get((int) set.y()[i]), p,
                    classes.get(1), classes.get(0));
            Path file = output.resolve(String.format("saliency-%02d-%s.png", i, source.getFileName().toString()
                    .replaceFirst("\\.[^.]+$", "")));
            SaliencyPanel.write(file, x, side, title, new String[] {"Grad-CAM++ (" + classes.get(explained) + ")",
                    "Score-CAM (" + classes.get(explained) + ")"}, heat);
            screen.println("wrote " + file);
        }
        if (chosen.seen() > 0) {
            screen.println("note: the images are " + chosen.label());
        }
        return 0;
    }
}
