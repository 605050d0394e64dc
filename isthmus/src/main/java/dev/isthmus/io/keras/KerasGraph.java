package dev.isthmus.io.keras;

import com.fasterxml.jackson.databind.JsonNode;
import dev.isthmus.kernels.Padding;
import dev.isthmus.nn.Activation;
import dev.isthmus.nn.ActivationLayer;
import dev.isthmus.nn.Add;
import dev.isthmus.nn.AveragePooling2D;
import dev.isthmus.nn.BatchNormalization;
import dev.isthmus.nn.Concatenate;
import dev.isthmus.nn.Conv2D;
import dev.isthmus.nn.Dense;
import dev.isthmus.nn.Dropout;
import dev.isthmus.nn.Flatten;
import dev.isthmus.nn.GlobalAveragePooling2D;
import dev.isthmus.nn.Layer;
import dev.isthmus.nn.MaxPool2D;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Node;
import dev.isthmus.nn.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an Isthmus graph from a Keras model config (Keras 3's {@code config.json}, or the
 * {@code model_config} of a legacy {@code .h5}), for the layers Isthmus has.
 *
 * <p>Keras works channels-last ({@code (H, W, C)}); the Isthmus model takes the same images as
 * {@code (C, H, W)}. Every layer maps one to one, except that Keras flattens a feature map in
 * {@code (h, w, c)} order and Isthmus in {@code (c, h, w)} order: a tensor that came out of such a
 * Flatten remembers the map's shape, so the Dense layer that reads it can permute its weight rows
 * (element-wise layers in between pass the order on).
 */
final class KerasGraph {

    /** Layer classes Isthmus can build, for the message that refuses the others. */
    static final List<String> SUPPORTED = List.of("InputLayer", "Conv2D", "Dense", "BatchNormalization", "MaxPooling2D",
            "AveragePooling2D", "GlobalAveragePooling2D", "Flatten", "Dropout", "Activation", "ReLU", "LeakyReLU",
            "Softmax", "Add", "Concatenate");

    /**
     * A built layer whose weights come from the file.
     *
     * @param classPath     {@code snake_case(class)[_k]}: where a Keras 3 archive keeps its weights
     * @param flattenedFrom for a Dense layer reading a flattened feature map: the map's
     *                      {@code (C, H, W)}; null otherwise
     */
    record Weighted(String name, String className, String classPath, Layer layer, JsonNode config, Shape flattenedFrom) {
        String describe() {
            return "layer '" + name + "' (" + className + ")";
        }
    }

    record Built(Model model, List<Weighted> weighted) {}

    /** A Keras tensor: its Isthmus node and, if it is a flattened feature map, the map's (C, H, W). */
    private record Tensor(Node node, Shape flattenedFrom) {}

    private final String file;
    private final Map<String, Tensor> tensors = new HashMap<>();
    private final Map<String, Integer> classCounts = new HashMap<>();
    private final List<Weighted> weighted = new ArrayList<>();
    private Node input;

    private KerasGraph(String file) {
        this.file = file;
    }

    static Built build(String file, JsonNode root) throws KerasFormatException {
        return new KerasGraph(file).run(root);
    }

    private Built run(JsonNode root) throws KerasFormatException {
        String modelClass = root.path("class_name").asText();
        JsonNode config = root.path("config");
        JsonNode layers = config.path("layers");
        if (!layers.isArray()) {
            throw new KerasFormatException(file + ": the model config has no layer list (class '" + modelClass + "')");
        }
        boolean sequential = modelClass.equals("Sequential");
        if (!sequential && !modelClass.equals("Functional") && !modelClass.equals("Model")) {
            throw new KerasFormatException(file + ": a '" + modelClass + "' model; Isthmus builds Functional and Sequential"
                    + " models (a subclassed model has no config to build from)");
        }
        String previous = null;
        for (JsonNode layer : layers) {
            String className = layer.path("class_name").asText();
            JsonNode cfg = layer.path("config");
            String name = layer.hasNonNull("name") ? layer.get("name").asText() : cfg.path("name").asText();
            if (sequential && input == null && !className.equals("InputLayer")) {
                previous = addInput("input_layer", sequentialInputShape(config, cfg));
            }
            List<String> inputs = sequential ? (previous == null ? List.of() : List.of(previous)) : inboundNames(name, layer);
            if (className.equals("InputLayer")) {
                previous = addInput(name, inputShape(name, cfg));
                continue;
            }
            add(name, className, cfg, inputs);
            previous = name;
        }
        String output = sequential ? previous : endpoint(config.path("output_layers"), "output");
        if (!sequential) {
            String in = endpoint(config.path("input_layers"), "input");
            if (!tensors.containsKey(in) || tensors.get(in).node() != input) {
                throw new KerasFormatException(file + ": the model's input '" + in + "' is not its InputLayer");
            }
        }
        Tensor out = tensors.get(output);
        if (out == null || input == null) {
            throw new KerasFormatException(file + ": the model's output '" + output + "' is not one of its layers");
        }
        return new Built(new Model(input, out.node()), weighted);
    }

    private String addInput(String name, int[] kerasShape) throws KerasFormatException {
        if (input != null) {
            throw new KerasFormatException(file + ": a second input '" + name + "'; Isthmus models have one input");
        }
        int[] shape = kerasShape.length == 3 ? new int[] {kerasShape[2], kerasShape[0], kerasShape[1]} : kerasShape;
        if (shape.length != 3 && shape.length != 1) {
            throw new KerasFormatException(file + ": input '" + name + "' has shape " + java.util.Arrays.toString(kerasShape)
                    + "; Isthmus takes images (H, W, C) or feature vectors");
        }
        input = Node.input(shape);
        tensors.put(name, new Tensor(input, null));
        count("InputLayer");
        return name;
    }

    /** {@code batch_shape} (Keras 3) or {@code batch_input_shape} (Keras 2), without the batch. */
    private int[] inputShape(String name, JsonNode cfg) throws KerasFormatException {
        JsonNode shape = cfg.has("batch_shape") ? cfg.get("batch_shape") : cfg.get("batch_input_shape");
        if (shape == null || !shape.isArray() || shape.size() < 2) {
            throw new KerasFormatException(file + ": input '" + name + "' has no batch_shape");
        }
        int[] dims = new int[shape.size() - 1];
        for (int i = 0; i < dims.length; i++) {
            if (!shape.get(i + 1).canConvertToInt()) {
                throw new KerasFormatException(file + ": input '" + name + "' has shape " + shape
                        + "; Isthmus needs every dimension but the batch fixed");
            }
            dims[i] = shape.get(i + 1).intValue();
        }
        return dims;
    }

    private int[] sequentialInputShape(JsonNode modelConfig, JsonNode firstLayer) throws KerasFormatException {
        for (JsonNode shape : new JsonNode[] {modelConfig.get("build_input_shape"), firstLayer.get("batch_input_shape"),
                firstLayer.get("batch_shape")}) {
            if (shape != null && shape.isArray()) {
                com.fasterxml.jackson.databind.node.ObjectNode cfg = com.fasterxml.jackson.databind.node.JsonNodeFactory
                        .instance.objectNode();
                cfg.set("batch_shape", shape);
                return inputShape("input_layer", cfg);
            }
        }
        throw new KerasFormatException(file + ": a Sequential model without an input shape (build it before saving)");
    }

    /** The names of the layers a functional layer reads, from Keras 3's or Keras 2's inbound_nodes. */
    private List<String> inboundNames(String name, JsonNode layer) throws KerasFormatException {
        JsonNode nodes = layer.path("inbound_nodes");
        if (nodes.size() > 1) {
            throw new KerasFormatException(file + ": layer '" + name + "' is applied " + nodes.size()
                    + " times (a shared layer); an Isthmus layer belongs to one place in the graph");
        }
        List<String> names = new ArrayList<>();
        if (nodes.size() == 1) {
            JsonNode node = nodes.get(0);
            collectHistory(node.isObject() ? node.path("args") : node, names, node.isArray());
        }
        return names;
    }

    private static void collectHistory(JsonNode n, List<String> names, boolean legacy) {
        if (legacy && n.isArray() && n.size() >= 3 && n.get(0).isTextual() && n.get(1).isNumber()) {
            names.add(n.get(0).asText()); // [layer, node, tensor, kwargs]
            return;
        }
        if (n.isObject() && n.has("keras_history")) {
            names.add(n.get("keras_history").get(0).asText());
            return;
        }
        for (JsonNode child : n) {
            collectHistory(child, names, legacy);
        }
    }

    /** {@code ["name", 0, 0]} or {@code [["name", 0, 0]]}: the one input or output layer. */
    private String endpoint(JsonNode n, String what) throws KerasFormatException {
        if (n.isArray() && n.size() == 1 && n.get(0).isArray()) {
            n = n.get(0);
        }
        if (!n.isArray() || n.size() < 1 || !n.get(0).isTextual()) {
            throw new KerasFormatException(file + ": the model has " + (n.isArray() ? n.size() : 0) + " " + what
                    + "s; Isthmus models have one input and one output");
        }
        return n.get(0).asText();
    }

    private String count(String className) {
        String base = snakeCase(className);
        int k = classCounts.merge(base, 1, Integer::sum) - 1;
        return k == 0 ? base : base + "_" + k;
    }

    /** keras.src.utils.naming.to_snake_case. */
    static String snakeCase(String name) {
        String s = name.replaceAll("\\W+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private void add(String name, String className, JsonNode cfg, List<String> inputNames) throws KerasFormatException {
        String where = "layer '" + name + "' (" + className + ")";
        if (!SUPPORTED.contains(className)) {
            throw new KerasFormatException(file + ": " + where + " is not a layer Isthmus has; it builds " + SUPPORTED);
        }
        String classPath = count(className);
        List<Tensor> ins = new ArrayList<>();
        for (String in : inputNames) {
            Tensor t = tensors.get(in);
            if (t == null) {
                throw new KerasFormatException(file + ": " + where + " reads '" + in + "', which no earlier layer produces");
            }
            ins.add(t);
        }
        if (ins.isEmpty()) {
            throw new KerasFormatException(file + ": " + where + " has no input");
        }
        Shape flattened = ins.get(0).flattenedFrom();
        try {
            Layer layer = layer(className, cfg, ins, where);
            layer.named(name);
            Node out = layer.apply(ins.stream().map(Tensor::node).toArray(Node[]::new));
            Shape passOn = switch (className) {
                case "Flatten" -> ins.get(0).node().shape().rank() == 3 ? ins.get(0).node().shape() : null;
                case "Dropout", "Activation", "ReLU", "LeakyReLU", "Softmax", "Add" -> flattened;
                default -> null;
            };
            tensors.put(name, new Tensor(out, passOn));
            if (className.equals("Conv2D") || className.equals("Dense") || className.equals("BatchNormalization")) {
                weighted.add(new Weighted(name, className, classPath, layer, cfg,
                        className.equals("Dense") ? flattened : null));
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new KerasFormatException(file + ": " + where + ": " + e.getMessage(), e);
        }
    }

    private Layer layer(String className, JsonNode c, List<Tensor> ins, String where) throws KerasFormatException {
        Shape in = ins.get(0).node().shape();
        boolean flattened = ins.stream().anyMatch(t -> t.flattenedFrom() != null);
        if (flattened && !List.of("Dense", "Dropout", "Activation", "ReLU", "LeakyReLU", "Softmax", "Add").contains(className)) {
            throw new KerasFormatException(file + ": " + where + " reads a flattened feature map; Isthmus permutes"
                    + " Keras's (h, w, c) order into its (c, h, w) order only for Dense and element-wise layers");
        }
        if (className.equals("Add") && ins.stream().map(Tensor::flattenedFrom).distinct().count() > 1) {
            throw new KerasFormatException(file + ": " + where + " adds vectors flattened from different feature maps");
        }
        if (c.has("data_format") && !c.get("data_format").asText().equals("channels_last")) {
            throw new KerasFormatException(file + ": " + where + " has data_format " + c.get("data_format")
                    + "; Isthmus converts channels_last models");
        }
        return switch (className) {
            case "Conv2D" -> {
                int[] k = pair(c, "kernel_size", where), s = pair(c, "strides", where), d = pair(c, "dilation_rate", where);
                if (d[0] != d[1]) {
                    throw new KerasFormatException(file + ": " + where + " has dilation " + d[0] + "x" + d[1]
                            + "; Isthmus dilates both axes alike");
                }
                if (c.path("groups").asInt(1) != 1) {
                    throw new KerasFormatException(file + ": " + where + " has groups=" + c.get("groups")
                            + "; Isthmus convolutions are not grouped");
                }
                yield new Conv2D(c.path("filters").asInt(), k[0], k[1]).stride(s[0], s[1]).dilation(d[0])
                        .padding(padding(c, where)).activation(activation(c.path("activation"), where))
                        .useBias(c.path("use_bias").asBoolean(true));
            }
            case "Dense" -> new Dense(c.path("units").asInt()).activation(activation(c.path("activation"), where));
            case "BatchNormalization" -> {
                int axis = axis(c.path("axis"));
                if (axis != -1 && axis != in.rank()) {
                    throw new KerasFormatException(file + ": " + where + " normalises axis " + c.get("axis")
                            + "; Isthmus normalises the channel (last, in Keras) axis");
                }
                yield new BatchNormalization(1 - (float) c.path("momentum").asDouble(0.99),
                        (float) c.path("epsilon").asDouble(1e-3));
            }
            case "MaxPooling2D", "AveragePooling2D" -> {
                int[] p = pair(c, "pool_size", where);
                int[] s = c.hasNonNull("strides") ? pair(c, "strides", where) : p;
                if (p[0] != p[1] || s[0] != s[1]) {
                    throw new KerasFormatException(file + ": " + where + " has pool " + p[0] + "x" + p[1] + ", strides "
                            + s[0] + "x" + s[1] + "; Isthmus pools square windows with one stride");
                }
                yield className.equals("MaxPooling2D") ? new MaxPool2D(p[0], s[0], padding(c, where))
                        : new AveragePooling2D(p[0], s[0], padding(c, where));
            }
            case "GlobalAveragePooling2D" -> {
                if (c.path("keepdims").asBoolean(false)) {
                    throw new KerasFormatException(file + ": " + where + " keeps its dimensions; Isthmus's gives vectors");
                }
                yield new GlobalAveragePooling2D();
            }
            case "Flatten" -> new Flatten();
            case "Dropout" -> new Dropout((float) c.path("rate").asDouble());
            case "Activation" -> new ActivationLayer(activation(c.path("activation"), where));
            case "ReLU" -> {
                double slope = c.path("negative_slope").asDouble(0);
                if (!c.path("max_value").isNull() && !c.path("max_value").isMissingNode() || c.path("threshold").asDouble(0) != 0) {
                    throw new KerasFormatException(file + ": " + where + " has max_value " + c.get("max_value")
                            + " and threshold " + c.get("threshold") + "; Isthmus's ReLU has neither");
                }
                yield new ActivationLayer(slope == 0 ? Activation.RELU : Activation.leakyRelu((float) slope));
            }
            case "LeakyReLU" -> new ActivationLayer(Activation.leakyRelu((float) (c.has("negative_slope")
                    ? c.get("negative_slope").asDouble() : c.path("alpha").asDouble(0.3))));
            case "Softmax" -> {
                if (c.has("axis") && axis(c.get("axis")) != -1 && axis(c.get("axis")) != in.rank()) {
                    throw new KerasFormatException(file + ": " + where + " takes softmax over axis " + c.get("axis")
                            + "; Isthmus takes it over features");
                }
                yield new ActivationLayer(Activation.SOFTMAX);
            }
            case "Add" -> new Add();
            case "Concatenate" -> {
                int axis = axis(c.path("axis"));
                if (axis != -1 && axis != in.rank()) {
                    throw new KerasFormatException(file + ": " + where + " joins axis " + axis
                            + "; Isthmus joins channels (the last axis in Keras)");
                }
                yield new Concatenate();
            }
            default -> throw new IllegalStateException(className);
        };
    }

    private int[] pair(JsonNode c, String key, String where) throws KerasFormatException {
        JsonNode v = c.get(key);
        if (v != null && v.canConvertToInt()) {
            return new int[] {v.intValue(), v.intValue()};
        }
        if (v == null || !v.isArray() || v.size() != 2) {
            throw new KerasFormatException(file + ": " + where + " has " + key + " " + v + ", expected two integers");
        }
        return new int[] {v.get(0).intValue(), v.get(1).intValue()};
    }

    private Padding padding(JsonNode c, String where) throws KerasFormatException {
        String p = c.path("padding").asText("valid");
        return switch (p) {
            case "valid" -> Padding.VALID;
            case "same" -> Padding.SAME;
            default -> throw new KerasFormatException(file + ": " + where + " has padding '" + p
                    + "'; Isthmus pads 'valid' or 'same'");
        };
    }

    private static int axis(JsonNode n) {
        return n.isArray() && n.size() == 1 ? n.get(0).asInt() : n.asInt(-1);
    }

    /** Keras's activation names; Keras's leaky_relu function has slope 0.2. */
    private Activation activation(JsonNode n, String where) throws KerasFormatException {
        String name = n.isObject() ? n.path("config").asText(n.path("class_name").asText()) : n.asText("linear");
        return switch (name) {
            case "linear", "" -> Activation.LINEAR;
            case "relu" -> Activation.RELU;
            case "sigmoid" -> Activation.SIGMOID;
            case "tanh" -> Activation.TANH;
            case "softmax" -> Activation.SOFTMAX;
            case "leaky_relu" -> Activation.leakyRelu(0.2f);
            default -> throw new KerasFormatException(file + ": " + where + " has activation '" + name
                    + "', which Isthmus lacks (it has linear, relu, leaky_relu, sigmoid, tanh, softmax)");
        };
    }
}
