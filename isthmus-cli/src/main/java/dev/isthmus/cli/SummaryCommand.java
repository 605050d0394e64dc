package dev.isthmus.cli;

import dev.isthmus.io.ModelFiles;
import dev.isthmus.nn.ChestXRayNet;
import dev.isthmus.nn.Model;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Keras-style summary of ChestXRayNet, or of a saved model. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print the layers, output shapes and parameter counts of ChestXRayNet or of a model file.")
final class SummaryCommand implements Callable<Integer> {

    @Option(names = "--model", description = "A model file (.safetensors) to describe instead of a new ChestXRayNet.")
    Path model;

    @Option(names = "--image-size", defaultValue = "256", description = "Input side for a new ChestXRayNet (default: ${DEFAULT-VALUE}).")
    int side;

    @Override
    public Integer call() throws Exception {
        Model m = model != null ? ModelFiles.load(model) : ChestXRayNet.build(side, ChestXRayNet.DEFAULT_DROPOUT);
        System.out.print(m.summary());
        return 0;
    }
}
