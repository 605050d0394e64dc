package dev.isthmus.cli;

import dev.isthmus.io.ModelFiles;
import dev.isthmus.io.SafeTensors;
import dev.isthmus.io.Weights;
import dev.isthmus.io.keras.KerasModels;
import dev.isthmus.io.onnx.OnnxExport;
import dev.isthmus.nn.ChestXRayNet;
import dev.isthmus.nn.Model;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Converts models: an Isthmus model file, a Keras model (.keras, .h5) or ChestXRayNet with
 * PyTorch weights, written as ONNX (to run elsewhere) or as an Isthmus model file (to train on,
 * evaluate and explain here).
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a model as ONNX (opset 17) or as an Isthmus model file.",
                "The model: an Isthmus model file (.safetensors), a Keras model (.keras or legacy .h5), or the word"
                        + " ChestXRayNet with --weights (a PyTorch state_dict as .safetensors or torch.save .pt/.pth, or"
                        + " the lesson's Keras model)."})
final class ExportCommand implements Callable<Integer> {

    enum Format { onnx, safetensors }

    /** jHDF logs every dataset it reads at INFO; keep its warnings only (held here: JUL keeps loggers weakly). */
    private static final java.util.logging.Logger JHDF_LOG = java.util.logging.Logger.getLogger("io.jhdf");

    static {
        JHDF_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    @Option(names = "--model", required = true, description = "Model file (.safetensors, .keras, .h5), or ChestXRayNet.")
    String model;

    @Option(names = "--weights", description = "Weights to load into the model first: a PyTorch state_dict (.safetensors,"
            + " .pt, .pth) under the model's parameter names, or a Keras model (.keras, .h5) of the same architecture,"
            + " matched layer by layer.")
    Path weights;

    @Option(names = "--strict", description = "With --weights: refuse tensors the model does not have, instead of"
            + " ignoring them (PyTorch's load_state_dict(strict=True)).")
    boolean strict;

    @Option(names = "--image-size", defaultValue = "256", description = "Input side for --model ChestXRayNet (default: ${DEFAULT-VALUE}).")
    int side;

    @Option(names = "--format", defaultValue = "onnx", description = "onnx or safetensors (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = {"-o", "--output"}, description = "Output file (default: the model's name with .onnx or .safetensors).")
    Path output;

    @Override
    public Integer call() throws Exception {
        Map<String, String> metadata = new LinkedHashMap<>();
        Model m = load(metadata);
        if (weights != null && isKeras(weights.toString())) {
            KerasModels.loadWeights(m, weights);
            metadata.put("weights", weights.getFileName().toString());
        } else if (weights != null) {
            List<String> ignored = Weights.load(m, weights, strict);
            metadata.put("weights", weights.getFileName().toString());
            if (!ignored.isEmpty()) {
                System.out.println("ignored " + ignored.size() + " tensors the model does not have: " + ignored);
            }
        }
        Path out = output != null ? output : Path.of(stem(model) + "." + format);
        if (!model.equalsIgnoreCase("ChestXRayNet") && out.toAbsolutePath().normalize().equals(Path.of(model).toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("the output " + out + " is the model file itself; pass --output");
        }
        if (out.toAbsolutePath().getParent() != null) {
            java.nio.file.Files.createDirectories(out.toAbsolutePath().getParent());
        }
        if (format == Format.onnx) {
            OnnxExport.write(m, metadata, out);
        } else {
            ModelFiles.save(m, out, metadata);
        }
        System.out.printf(Locale.ROOT, "wrote %s (%s, input %s, %,d parameters)%n", out,
                format == Format.onnx ? "ONNX opset " + OnnxExport.OPSET : "Isthmus model file", m.inputShape(),
                m.parameterCount());
        return 0;
    }

    private Model load(Map<String, String> metadata) throws IOException {
        if (model.equalsIgnoreCase("ChestXRayNet")) {
            return ChestXRayNet.build(side, ChestXRayNet.DEFAULT_DROPOUT);
        }
        Path file = Path.of(model);
        if (isKeras(model)) {
            metadata.put("converted_from", file.getFileName().toString());
            return KerasModels.load(file);
        }
        Model m = ModelFiles.load(file);
        SafeTensors.read(file).metadata().forEach((k, v) -> {
            if (!k.equals(ModelFiles.ARCHITECTURE_KEY)) {
                metadata.put(k, v);
            }
        });
        return m;
    }

    private static boolean isKeras(String file) {
        String name = file.toLowerCase(Locale.ROOT);
        return name.endsWith(".keras") || name.endsWith(".h5") || name.endsWith(".hdf5");
    }

    private static String stem(String model) {
        String name = Path.of(model).getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? Path.of(model).resolveSibling(name.substring(0, dot)).toString() : model;
    }
}
