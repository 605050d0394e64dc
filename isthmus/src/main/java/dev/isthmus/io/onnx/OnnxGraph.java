package dev.isthmus.io.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An ONNX graph as it is written: nodes, initializers, the input and output, encoded as ONNX's
 * protobuf messages ({@code onnx.proto}: GraphProto, NodeProto, AttributeProto, TensorProto,
 * ValueInfoProto), and the ModelProto around them. Field numbers are ONNX's.
 */
final class OnnxGraph {

    /** TensorProto.DataType.FLOAT. */
    private static final int FLOAT = 1;
    /** AttributeProto.AttributeType. */
    private static final int ATTR_FLOAT = 1, ATTR_INT = 2, ATTR_INTS = 7;

    private final List<ProtoWriter> nodes = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private final List<ProtoWriter> inputs = new ArrayList<>();
    private final List<ProtoWriter> outputs = new ArrayList<>();

    /** An attribute value: a float, an int or a list of ints. */
    sealed interface Attribute {}

    record FloatAttribute(float value) implements Attribute {}

    record IntAttribute(long value) implements Attribute {}

    record IntsAttribute(int... values) implements Attribute {}

    void node(String name, String opType, List<String> in, String out, Map<String, Attribute> attributes) {
        ProtoWriter n = new ProtoWriter();
        in.forEach(i -> n.string(1, i));
        n.string(2, out).string(3, name).string(4, opType);
        attributes.forEach((key, value) -> n.message(5, attribute(key, value)));
        nodes.add(n);
    }

    private static ProtoWriter attribute(String name, Attribute value) {
        ProtoWriter a = new ProtoWriter().string(1, name);
        switch (value) {
            case FloatAttribute f -> a.float32(2, f.value()).varint(20, ATTR_FLOAT);
            case IntAttribute i -> a.varint(3, i.value()).varint(20, ATTR_INT);
            case IntsAttribute list -> {
                for (int v : list.values()) {
                    a.varint(8, v);
                }
                a.varint(20, ATTR_INTS);
            }
        }
        return a;
    }

    /** A float32 constant (a weight), stored as little-endian raw_data. */
    void initializer(String name, int[] shape, float[] values) {
        ProtoWriter t = new ProtoWriter();
        for (int d : shape) {
            t.varint(1, d);
        }
        t.varint(2, FLOAT).string(8, name);
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        t.bytes(9, raw.array());
        initializers.add(t);
    }

    /** A float tensor {@code [batch, dims...]}, the batch dimension symbolic. */
    void input(String name, int[] dims) {
        inputs.add(valueInfo(name, dims));
    }

    void output(String name, int[] dims) {
        outputs.add(valueInfo(name, dims));
    }

    private static ProtoWriter valueInfo(String name, int[] dims) {
        ProtoWriter shape = new ProtoWriter().message(1, new ProtoWriter().string(2, "batch"));
        for (int d : dims) {
            shape.message(1, new ProtoWriter().varint(1, d));
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, FLOAT).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
    }

    /**
     * The ModelProto: this graph, the opset it uses (the default domain at {@code opset}), and
     * {@code metadata} as metadata_props.
     */
    byte[] model(String graphName, long irVersion, int opset, String producerVersion, String docString,
                 Map<String, String> metadata) {
        ProtoWriter graph = new ProtoWriter();
        nodes.forEach(n -> graph.message(1, n));
        graph.string(2, graphName);
        initializers.forEach(t -> graph.message(5, t));
        inputs.forEach(v -> graph.message(11, v));
        outputs.forEach(v -> graph.message(12, v));
        ProtoWriter model = new ProtoWriter()
                .varint(1, irVersion)
                .string(2, "isthmus")
                .string(3, producerVersion)
                .string(6, docString)
                .message(7, graph)
                .message(8, new ProtoWriter().string(1, "").varint(2, opset));
        metadata.forEach((k, v) -> model.message(14, new ProtoWriter().string(1, k).string(2, v)));
        return model.toByteArray();
    }
}
