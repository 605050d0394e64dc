package dev.isthmus.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.isthmus.nn.Layer;
import dev.isthmus.nn.Layers;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Node;
import dev.isthmus.nn.ParameterBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.TreeMap;

/**
 * A model file: one safetensors file holding the weights under their dotted names (so PyTorch's
 * {@code safetensors.torch.load_file} reads them) and, in its metadata, the architecture as JSON
 * under {@value #ARCHITECTURE_KEY} and, where known, the {@link ModelMetadata} (preprocessing,
 * class names, training data) under {@value ModelMetadata#KEY}. Saving goes through a temporary
 * file and a rename, so a crash never leaves a half-written model where a good one was.
 *
 * <p>The same model and metadata always give the same bytes: metadata keys are written sorted,
 * and the architecture's keys in a fixed order.
 *
 * <p>Loading checks the file before it allocates the model: the architecture may not ask for more
 * parameters than the file stores, nor for more than {@link #MAX_ACTIVATIONS_PER_SAMPLE} floats of
 * layer outputs per sample, so a damaged or hostile file fails with a message naming it instead
 * of exhausting the heap.
 */
public final class ModelFiles {

    public static final String ARCHITECTURE_KEY = "isthmus.architecture";
    /** The most floats the layers' outputs may take for one sample (1 GiB); ChestXRayNet needs 1.1 million. */
    public static final long MAX_ACTIVATIONS_PER_SAMPLE = 1L << 28;
    private static final String FORMAT = "isthmus-model";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelFiles() {}

    /** A loaded model file: the model, its metadata if it has any, and every metadata entry. */
    public record ModelFile(Path path, Model model, Optional<ModelMetadata> metadata, SequencedMap<String, String> entries) {}

    /** Writes {@code model} to {@code file} atomically; {@code metadata} adds string entries (e.g. the epoch). */
    public static void save(Model model, Path file, Map<String, String> metadata) throws IOException {
        save(model, file, null, metadata);
    }

    public static void save(Model model, Path file) throws IOException {
        save(model, file, Map.of());
    }

    /**
     * Writes {@code model} with its {@code metadata} (may be null) and string {@code entries},
     * atomically.
     *
     * @throws IllegalArgumentException if the metadata does not fit the model (input shape, number
     *                                  of class names) or an entry uses a reserved key
     */
    public static void save(Model model, Path file, ModelMetadata metadata, Map<String, String> entries) throws IOException {
        Map<String, String> all = new TreeMap<>(entries); // sorted: the same bytes on every run
        for (String reserved : List.of(ARCHITECTURE_KEY, ModelMetadata.KEY)) {
            if (all.containsKey(reserved)) {
                throw new IllegalArgumentException("metadata key " + reserved + " is the model file's own");
            }
        }
        all.put(ARCHITECTURE_KEY, architecture(model));
        if (metadata != null) {
            metadata.checkFits(model.inputShape(), model.outputShape().size());
            all.put(ModelMetadata.KEY, metadata.toJson());
        }
        SafeTensors.write(file, Weights.of(model, all));
    }

    /** The architecture as JSON: input shape, then each layer's type, configuration and inputs. */
    public static String architecture(Model model) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("version", 1);
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("name", Model.INPUT_NAME);
        input.put("shape", model.inputShape().dims());
        root.put("input", input);
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
        return read(file).model();
    }

    /**
     * Reads a model file with its metadata.
     *
     * @throws IOException as {@link #load}, and for metadata that cannot be read or does not fit
     *                     the architecture
     */
    public static ModelFile read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a directory, not a model file");
        }
        TensorFile tensors = SafeTensors.read(file);
        String json = tensors.metadata().get(ARCHITECTURE_KEY);
        if (json == null) {
            throw new IOException(file + " holds weights but no architecture (metadata key " + ARCHITECTURE_KEY
                    + "); load them into a model you build with Weights.load");
        }
        long stored = 0;
        for (StoredTensor t : tensors.tensors().values()) {
            stored += t.data().length;
        }
        Model model;
        try {
            String limit = String.format(Locale.ROOT, "the %,d floats the file stores", stored);
            model = ParameterBudget.limit(stored, limit, () -> fromArchitecture(json));
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": bad architecture (metadata key " + ARCHITECTURE_KEY + "): "
                    + (e instanceof JsonProcessingException j ? "not valid JSON: " + j.getOriginalMessage() : e.getMessage()), e);
        }
        checkActivations(file, model);
        try {
            Weights.load(model, tensors, true);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        ModelMetadata metadata = null;
        String metadataJson = tensors.metadata().get(ModelMetadata.KEY);
        if (metadataJson != null) {
            try {
                metadata = ModelMetadata.fromJson(metadataJson);
                metadata.checkFits(model.inputShape(), model.outputShape().size());
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": bad model metadata (metadata key " + ModelMetadata.KEY + "): "
                        + e.getMessage(), e);
            }
        }
        return new ModelFile(file, model, Optional.ofNullable(metadata), tensors.metadata());
    }

    private static void checkActivations(Path file, Model model) throws IOException {
        long total = floats(model.inputShape().dims()), most = total;
        String largest = "input " + model.inputShape();
        for (Layer l : model.layers()) {
            long n = floats(l.outputShape().dims());
            total = n > Long.MAX_VALUE - total ? Long.MAX_VALUE : total + n;
            if (n > most) {
                most = n;
                largest = l.name() + " " + l.outputShape();
            }
        }
        if (total > MAX_ACTIVATIONS_PER_SAMPLE) {
            throw new IOException(String.format(Locale.ROOT, "%s: the architecture's layer outputs take %,d floats per"
                    + " sample (the largest: %s), over the limit of %,d", file, total, largest, MAX_ACTIVATIONS_PER_SAMPLE));
        }
    }

    private static long floats(int[] dims) {
        long n = 1;
        for (int d : dims) {
            if (n > Long.MAX_VALUE / d) {
                return Long.MAX_VALUE;
            }
            n *= d;
        }
        return n;
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
