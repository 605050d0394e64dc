package dev.isthmus.cli;

import dev.isthmus.data.LabeledImageSet;
import dev.isthmus.data.Split;
import dev.isthmus.explain.SaliencyMaps;
import dev.isthmus.io.ModelFiles;
import dev.isthmus.nn.Model;
import dev.isthmus.train.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Grad-CAM++ and Score-CAM panels for the first N test images, as the lesson shows them. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Write Grad-CAM++ and Score-CAM saliency panels (PNG) for test images.")
final class ExplainCommand implements Callable<Integer> {

    @Mixin
    DataOptions data = new DataOptions();

    @Option(names = "--model", required = true, description = "Model file (.safetensors), e.g. runs/<run>/best-model.safetensors.")
    Path model;

    @Option(names = "--layer", defaultValue = "conv7", description = "Layer whose output the maps come from (default: ${DEFAULT-VALUE}, the last convolution).")
    String layer;

    @Option(names = {"-n", "--images"}, defaultValue = "4", description = "How many test images (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--seed", defaultValue = "42", description = "The split's seed, as given to train (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--output", defaultValue = "saliency", description = "Folder for the panels (default: ${DEFAULT-VALUE}).")
    Path output;

    @Override
    public Integer call() throws Exception {
        RunFolder.prepare(output);
        Model m = ModelFiles.load(model);
        LabeledImageSet images = data.load(System.out);
        Split.Part test = Split.lesson(images, seed).test();
        Dataset set = test.dataset();
        SaliencyMaps maps = new SaliencyMaps(m, layer);
        int side = m.inputShape().height(), size = m.inputShape().size();
        List<String> classes = images.classNames();
        for (int i = 0; i < Math.min(count, set.count()); i++) {
            float[] x = Arrays.copyOfRange(set.x(), i * size, (i + 1) * size);
            float p = maps.probability(x);
            int explained = p >= 0.5f ? 1 : 0; // explain what the model predicted
            float[][] heat = {maps.gradCamPlusPlus(x, explained), maps.scoreCam(x, explained)};
            Path source = test.paths().get(i);
            String title = SaliencyPanel.title(source.getFileName().toString(), classes.get((int) set.y()[i]), p,
                    classes.get(1), classes.get(0));
            Path file = output.resolve(String.format("saliency-%02d-%s.png", i, source.getFileName().toString()
                    .replaceFirst("\\.[^.]+$", "")));
            SaliencyPanel.write(file, x, side, title, new String[] {"Grad-CAM++ (" + classes.get(explained) + ")",
                    "Score-CAM (" + classes.get(explained) + ")"}, heat);
            System.out.println("wrote " + file);
        }
        return 0;
    }
}
