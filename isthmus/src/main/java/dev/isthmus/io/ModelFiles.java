package dev.isthmus.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.isthmus.nn.Layer;
import dev.isthmus.nn.Layers;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Node;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model file: one safetensors file holding the weights under their dotted names (so PyTorch's
 * {@code safetensors.torch.load_file} reads them) and, in its metadata, the architecture as JSON
 * under {@value #ARCHITECTURE_KEY}. Saving goes through a temporary file and a rename, so a crash
 * never leaves a half-written model where a good one was.
 */
public final class ModelFiles {

    public static final String ARCHITECTURE_KEY = "isthmus.architecture";
    private static final String FORMAT = "isthmus-model";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelFiles() {}

    /** Writes {@code model} to {@code file} atomically; {@code metadata} adds string entries (e.g. the epoch). */
    public static void save(Model model, Path file, Map<String, String> metadata) throws IOException {
        Map<String, String> all = new LinkedHashMap<>(metadata);
        all.put(ARCHITECTURE_KEY, architecture(model));
        SafeTensors.write(file, Weights.of(model, all));
    }

    public static void save(Model model, Path file) throws IOException {
        save(model, file, Map.of());
    }

    /** The architecture as JSON: input shape, then each layer's type, configuration and inputs. */
    public static String architecture(Model model) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("version", 1);
        root.put("input", Map.of("name", Model.INPUT_NAME, "shape", model.inputShape().dims()));
        List<Map<String, Object>> layers = new ArrayList<>();
        for (Layer l : model.layers()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", l.name());
            entry.put("type", l.type());
            entry.put("config", l.config());
            entry.put("inputs", model.inputNames(l));
            layers.add(entry);
        }
        root.put("layers", layers);
        root.put("output", model.outputLayer().name());
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the architecture of " + model, e);
        }
    }

    /**
     * Reads a model file: rebuilds the graph and loads every weight, checking shapes.
     *
     * @throws IOException for an unreadable, truncated or corrupt file, or one without an
     *                     architecture; the message names the file and what is wrong
     */
    public static Model load(Path file) throws IOException {
        TensorFile tensors = SafeTensors.read(file);
        String json = tensors.metadata().get(ARCHITECTURE_KEY);
        if (json == null) {
            throw new IOException(file + " holds weights but no architecture (metadata key " + ARCHITECTURE_KEY
                    + "); load them into a model you build with Weights.load");
        }
        Model model;
        try {
            model = fromArchitecture(json);
        } catch (RuntimeException e) {
            throw new IOException(file + ": bad architecture: " + e.getMessage(), e);
        }
        try {
            Weights.load(model, tensors, true);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        return model;
    }

    @SuppressWarnings("unchecked")
    static Model fromArchitecture(String json) throws IOException {
        Map<String, Object> root = JSON.readValue(json, Map.class);
        if (!FORMAT.equals(root.get("format"))) {
            throw new IllegalArgumentException("format must be '" + FORMAT + "', got " + root.get("format"));
        }
        Map<String, Object> input = (Map<String, Object>) root.get("input");
        List<Number> shape = (List<Number>) input.get("shape");
        Node in = Node.input(shape.stream().mapToInt(Number::intValue).toArray());
        Map<String, Node> nodes = new HashMap<>();
        nodes.put(Model.INPUT_NAME, in);
        for (Map<String, Object> entry : (List<Map<String, Object>>) root.get("layers")) {
            String name = (String) entry.get("name");
            Layer layer = Layers.create((String) entry.get("type"), (Map<String, Object>) entry.get("config")).named(name);
            List<String> inputNames = (List<String>) entry.get("inputs");
            Node[] inputs = new Node[inputNames.size()];
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = nodes.get(inputNames.get(i));
                if (inputs[i] == null) {
                    throw new IllegalArgumentException("layer " + name + " reads '" + inputNames.get(i)
                            + "', which no earlier layer produces");
                }
            }
            nodes.put(name, layer.apply(inputs));
        }
        Node output = nodes.get((String) root.get("output"));
        if (output == null) {
            throw new IllegalArgumentException("output layer '" + root.get("output") + "' is not defined");
        }
        return new Model(in, output);
    }
}
