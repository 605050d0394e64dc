package dev.isthmus.io.onnx;

import dev.isthmus.io.AtomicFiles;
import dev.isthmus.io.onnx.OnnxGraph.Attribute;
import dev.isthmus.io.onnx.OnnxGraph.FloatAttribute;
import dev.isthmus.io.onnx.OnnxGraph.IntAttribute;
import dev.isthmus.io.onnx.OnnxGraph.IntsAttribute;
import dev.isthmus.kernels.Padding;
import dev.isthmus.kernels.Window2d;
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
import dev.isthmus.nn.Parameter;
import dev.isthmus.nn.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an Isthmus model as an ONNX model (opset 17, IR version 8) for inference elsewhere (ONNX
 * Runtime, TensorRT, a browser): the input is {@value #INPUT_NAME}, {@code [batch, C, H, W]}
 * float32 as Isthmus takes it, the output {@value #OUTPUT_NAME}; the weights are initializers
 * under Isthmus's (PyTorch's) names; {@link OnnxMetadata} says the rest in metadata_props.
 *
 * <p>Each layer becomes the operator of the same meaning: Conv (with the padding Isthmus resolved,
 * so Keras's asymmetric "same" stays exact), Gemm, MaxPool, AveragePool (padding not counted),
 * GlobalAveragePool then Flatten, BatchNormalization with the running statistics, Add, Concat on
 * channels, Flatten, and Relu, LeakyRelu, Sigmoid, Tanh, Softmax for activations. Dropout is the
 * identity in inference and is left out. The protobuf is written here, without a protobuf library.
 */
public final class OnnxExport {

    public static final String INPUT_NAME = "input";
    public static final String OUTPUT_NAME = "output";
    public static final int OPSET = 17;
    /** The IR version that goes with opset 17 (ONNX 1.12). */
    static final long IR_VERSION = 8;

    private OnnxExport() {}

    /** Writes {@code model} to {@code file}, atomically; metadata from the model alone. */
    public static void write(Model model, Path file) throws IOException {
        write(model, Map.of(), file);
    }

    /**
     * Writes {@code model} to {@code file}, atomically, with {@code saved} (the metadata of the
     * file the model came from) passed on through {@link OnnxMetadata#of}.
     */
    public static void write(Model model, Map<String, String> saved, Path file) throws IOException {
        AtomicFiles.write(file, toBytes(model, saved));
    }

    /** The ONNX model as bytes (a serialized ModelProto). */
    public static byte[] toBytes(Model model, Map<String, String> saved) {
        return new Writer(model).run(OnnxMetadata.of(model, saved));
    }

    /** Walks the layers in execution order, naming each tensor after the layer that makes it. */
    private static final class Writer {

        private final Model model;
        private final OnnxGraph graph = new OnnxGraph();
        private final Map<String, String> tensorOf = new HashMap<>(); // layer name -> ONNX tensor
        private final Map<String, Parameter> state;

        Writer(Model model) {
            this.model = model;
            this.state = model.state();
            tensorOf.put(Model.INPUT_NAME, INPUT_NAME);
        }

        byte[] run(Map<String, String> metadata) {
            graph.input(INPUT_NAME, model.inputShape().dims());
            for (Layer layer : model.layers()) {
                List<String> in = model.inputNames(layer).stream().map(tensorOf::get).toList();
                String out = layer == model.outputLayer() ? OUTPUT_NAME : layer.name();
                tensorOf.put(layer.name(), layer(layer, in, out));
            }
            String last = tensorOf.get(model.outputLayer().name());
            if (!last.equals(OUTPUT_NAME)) { // the output layer was left out (a Dropout)
                graph.node("output_identity", "Identity", List.of(last), OUTPUT_NAME, Map.of());
            }
            graph.output(OUTPUT_NAME, model.outputShape().dims());
            return graph.model("isthmus", IR_VERSION, OPSET, "0.1.0",
                    "Exported by Isthmus: input " + INPUT_NAME + " " + metadata.get("input.shape") + " "
                            + metadata.get("input.layout") + ", output " + OUTPUT_NAME + " " + metadata.get("output.shape"),
                    metadata);
        }

        /** Adds the layer's nodes reading {@code in}; returns the tensor holding its output. */
        private String layer(Layer layer, List<String> in, String out) {
            String name = layer.name();
            Shape inShape = layer.inputShapes().getFirst();
            switch (layer) {
                case Conv2D c -> {
                    int[] k = c.kernelSize(), s = c.strides();
                    Window2d w = Window2d.of(inShape.height(), inShape.width(), k[0], k[1], s[0], s[1], c.dilationRate(),
                            c.dilationRate(), c.padding());
                    List<String> inputs = new ArrayList<>(List.of(in.getFirst(), weight(name + ".weight")));
                    if (c.usesBias()) {
                        inputs.add(weight(name + ".bias"));
                    }
                    boolean activated = c.activation() != Activation.LINEAR;
                    String conv = activated ? name + "/conv" : out;
                    graph.node(name, "Conv", inputs, conv, attributes("kernel_shape", new IntsAttribute(k),
                            "strides", new IntsAttribute(s), "dilations", new IntsAttribute(c.dilationRate(), c.dilationRate()),
                            "pads", pads(w), "group", new IntAttribute(c.groups())));
                    return activation(name, c.activation(), conv, out);
                }
                case Dense d -> {
                    boolean activated = d.activation() != Activation.LINEAR;
                    String gemm = activated ? name + "/gemm" : out;
                    graph.node(name, "Gemm", List.of(in.getFirst(), weight(name + ".weight"), weight(name + ".bias")), gemm,
                            attributes("transB", new IntAttribute(1)));
                    return activation(name, d.activation(), gemm, out);
                }
                case MaxPool2D p -> {
                    Window2d w = Window2d.of(inShape.height(), inShape.width(), p.poolSize(), p.stride(), p.padding());
                    graph.node(name, "MaxPool", in, out, attributes("kernel_shape", new IntsAttribute(p.poolSize(), p.poolSize()),
                            "strides", new IntsAttribute(p.stride(), p.stride()), "pads", pads(w)));
                    return out;
                }
                case AveragePooling2D p -> {
                    Map<String, Object> cfg = p.config();
                    int size = ((Number) cfg.get("pool_size")).intValue(), stride = ((Number) cfg.get("strides")).intValue();
                    Window2d w = Window2d.of(inShape.height(), inShape.width(), size, stride, padding(cfg.get("padding")));
                    graph.node(name, "AveragePool", in, out, attributes("kernel_shape", new IntsAttribute(size, size),
                            "strides", new IntsAttribute(stride, stride), "pads", pads(w),
                            "count_include_pad", new IntAttribute(0)));
                    return out;
                }
                case GlobalAveragePooling2D g -> {
                    graph.node(name, "GlobalAveragePool", in, name + "/pooled", Map.of());
                    graph.node(name + "/flatten", "Flatten", List.of(name + "/pooled"), out,
                            attributes("axis", new IntAttribute(1)));
                    return out;
                }
                case Flatten f -> {
                    graph.node(name, "Flatten", in, out, attributes("axis", new IntAttribute(1)));
                    return out;
                }
                case BatchNormalization b -> {
                    float eps = ((Number) b.config().get("epsilon")).floatValue();
                    graph.node(name, "BatchNormalization", List.of(in.getFirst(), weight(name + ".weight"),
                            weight(name + ".bias"), weight(name + ".running_mean"), weight(name + ".running_var")), out,
                            attributes("epsilon", new FloatAttribute(eps)));
                    return out;
                }
                case Dropout d -> {
                    return in.getFirst(); // the identity in inference
                }
                case ActivationLayer a -> {
                    if (a.activation() == Activation.LINEAR) {
                        graph.node(name, "Identity", in, out, Map.of());
                        return out;
                    }
                    return activation(name, a.activation(), in.getFirst(), out);
                }
                case Add a -> {
                    String sum = in.getFirst();
                    for (int i = 1; i < in.size(); i++) {
                        String to = i == in.size() - 1 ? out : name + "/sum" + i;
                        graph.node(i == 1 ? name : name + "/" + i, "Add", List.of(sum, in.get(i)), to, Map.of());
                        sum = to;
                    }
                    return out;
                }
                case Concatenate c -> {
                    graph.node(name, "Concat", in, out, attributes("axis", new IntAttribute(1)));
                    return out;
                }
                default -> throw new IllegalArgumentException("layer '" + name + "' (" + layer.type()
                        + ") has no ONNX form in Isthmus's exporter");
            }
        }

        /** The activation's node from {@code from} to {@code out}; {@code from} itself for linear. */
        private String activation(String layer, Activation a, String from, String out) {
            String op = switch (a.toString()) {
                case "linear" -> null;
                case "relu" -> "Relu";
                case "sigmoid" -> "Sigmoid";
                case "tanh" -> "Tanh";
                case "softmax" -> "Softmax";
                default -> a.toString().startsWith("leaky_relu(") ? "LeakyRelu" : "?";
            };
            if (op == null) {
                return from;
            }
            if (op.equals("?")) {
                throw new IllegalArgumentException("layer '" + layer + "': activation " + a + " has no ONNX form in Isthmus's"
                        + " exporter");
            }
            Map<String, Attribute> attributes = switch (op) {
                case "LeakyRelu" -> attributes("alpha", new FloatAttribute(Float.parseFloat(
                        a.toString().substring("leaky_relu(".length(), a.toString().length() - 1))));
                case "Softmax" -> attributes("axis", new IntAttribute(-1));
                default -> Map.of();
            };
            graph.node(layer + "/" + op.toLowerCase(java.util.Locale.ROOT), op, List.of(from), out, attributes);
            return out;
        }

        /** Registers the parameter as an initializer (once) and returns its name. */
        private String weight(String name) {
            Parameter p = state.get(name);
            graph.initializer(name, p.shape(), p.value());
            return name;
        }

        private static IntsAttribute pads(Window2d w) {
            return new IntsAttribute(w.padTop(), w.padLeft(), w.padBottom(), w.padRight());
        }

        private static Padding padding(Object json) {
            if ("same".equals(json)) {
                return Padding.SAME;
            }
            if ("valid".equals(json)) {
                return Padding.VALID;
            }
            List<?> l = (List<?>) json;
            return Padding.explicit(((Number) l.get(0)).intValue(), ((Number) l.get(1)).intValue(),
                    ((Number) l.get(2)).intValue(), ((Number) l.get(3)).intValue());
        }

        private static Map<String, Attribute> attributes(Object... keysAndValues) {
            Map<String, Attribute> m = new LinkedHashMap<>();
            for (int i = 0; i < keysAndValues.length; i += 2) {
                m.put((String) keysAndValues[i], (Attribute) keysAndValues[i + 1]);
            }
            return m;
        }
    }
}
