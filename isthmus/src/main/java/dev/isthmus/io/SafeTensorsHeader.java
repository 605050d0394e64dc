package dev.isthmus.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;

/**
 * The JSON header of a safetensors file: parsed into entries (checked one by one here; their
 * layout in the data region is {@link SafeTensors}'s to check), and encoded for writing.
 */
final class SafeTensorsHeader {

    /** The reference implementation pads the header with spaces to this many bytes. */
    static final int ALIGNMENT = 8;

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    /** One tensor's header entry; offsets are relative to the start of the data region. */
    record Entry(String name, DType dtype, int[] shape, int count, long begin, long end) {}

    record Parsed(List<Entry> entries, SequencedMap<String, String> metadata) {}

    private SafeTensorsHeader() {}

    /**
     * Parses the header bytes of {@code file}.
     *
     * @throws SafeTensorsFormatException for invalid JSON, a duplicate name, or an entry that is
     *                                    incomplete, malformed or of an unsupported dtype
     */
    static Parsed parse(String file, byte[] json) throws SafeTensorsFormatException {
        List<Entry> entries = new ArrayList<>();
        SequencedMap<String, String> metadata = new LinkedHashMap<>();
        try (JsonParser p = MAPPER.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new SafeTensorsFormatException(file + ": header is not a JSON object");
            }
            Set<String> seen = new HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                p.nextToken();
                JsonNode value;
                try {
                    value = p.readValueAsTree();
                } catch (JsonProcessingException e) {
                    throw new SafeTensorsFormatException(file + ": header is not valid JSON in the entry '" + key + "': "
                            + e.getOriginalMessage(), e);
                }
                if (!seen.add(key)) {
                    throw new SafeTensorsFormatException(file + ": duplicate "
                            + (key.equals(TensorFile.METADATA_KEY) ? "metadata" : "tensor name '" + key + "'")
                            + " in the header");
                }
                if (key.equals(TensorFile.METADATA_KEY)) {
                    metadata = metadata(file, value);
                } else {
                    entries.add(entry(file, key, value));
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new SafeTensorsFormatException(file + ": header has content after its JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new SafeTensorsFormatException(file + ": header is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (SafeTensorsFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new SafeTensorsFormatException(file + ": cannot parse header: " + e.getMessage(), e);
        }
        return new Parsed(entries, metadata);
    }

    private static SequencedMap<String, String> metadata(String file, JsonNode node) throws SafeTensorsFormatException {
        if (!node.isObject()) {
            throw new SafeTensorsFormatException(file + ": " + TensorFile.METADATA_KEY
                    + " must be an object of strings, got " + node.getNodeType());
        }
        SequencedMap<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new SafeTensorsFormatException(file + ": " + TensorFile.METADATA_KEY + " value of '"
                        + e.getKey() + "' must be a string, got " + e.getValue());
            }
            metadata.put(e.getKey(), e.getValue().textValue());
        }
        return metadata;
    }

    private static Entry entry(String file, String name, JsonNode node) throws SafeTensorsFormatException {
        String where = file + ": tensor '" + name + "'";
        if (!node.isObject()) {
            throw new SafeTensorsFormatException(where + ": expected an object with dtype, shape and data_offsets, got "
                    + node.getNodeType());
        }
        JsonNode dtypeNode = required(where, node, "dtype");
        if (!dtypeNode.isTextual()) {
            throw new SafeTensorsFormatException(where + ": dtype must be a string, got " + dtypeNode);
        }
        DType dtype = DType.named(dtypeNode.textValue());
        if (dtype == null) {
            throw new SafeTensorsFormatException(where + " has dtype " + dtypeNode.textValue()
                    + ", which Isthmus cannot read (it reads " + Arrays.toString(DType.values()) + ")");
        }
        int[] shape = shape(where, required(where, node, "shape"));
        long[] offsets = offsets(where, required(where, node, "data_offsets"));
        long count;
        try {
            count = StoredTensor.elementCount(name, shape);
        } catch (IllegalArgumentException e) {
            throw new SafeTensorsFormatException(file + ": " + e.getMessage(), e);
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new SafeTensorsFormatException(where + ": shape " + Arrays.toString(shape) + " holds " + count
                    + " values, more than a Java array can");
        }
        long bytes = offsets[1] - offsets[0];
        if (bytes != count * dtype.size) {
            throw new SafeTensorsFormatException(where + ": data_offsets " + Arrays.toString(offsets) + " span " + bytes
                    + " bytes, but shape " + Arrays.toString(shape) + " of " + dtype + " needs " + count + " * "
                    + dtype.size + " = " + count * dtype.size);
        }
        return new Entry(name, dtype, shape, (int) count, offsets[0], offsets[1]);
    }

    private static JsonNode required(String where, JsonNode node, String field) throws SafeTensorsFormatException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new SafeTensorsFormatException(where + ": missing \"" + field + "\"");
        }
        return value;
    }

    private static int[] shape(String where, JsonNode node) throws SafeTensorsFormatException {
        if (!node.isArray()) {
            throw new SafeTensorsFormatException(where + ": shape must be an array of integers, got " + node);
        }
        int[] shape = new int[node.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = node.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                throw new SafeTensorsFormatException(where + ": shape must hold integers in [0, " + Integer.MAX_VALUE
                        + "], got " + node);
            }
            shape[i] = d.intValue();
        }
        return shape;
    }

    private static long[] offsets(String where, JsonNode node) throws SafeTensorsFormatException {
        if (!node.isArray() || node.size() != 2) {
            throw new SafeTensorsFormatException(where + ": data_offsets must be [begin, end], got " + node);
        }
        long[] offsets = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode o = node.get(i);
            if (!o.isIntegralNumber() || !o.canConvertToLong() || o.longValue() < 0) {
                throw new SafeTensorsFormatException(where + ": data_offsets must be two integers >= 0, got " + node);
            }
            offsets[i] = o.longValue();
        }
        if (offsets[0] > offsets[1]) {
            throw new SafeTensorsFormatException(where + ": data_offsets " + node + " end before they begin");
        }
        return offsets;
    }

    /**
     * The header for {@code tensors} stored as F32 one after another in file order, UTF-8 JSON
     * padded with spaces to a multiple of {@value #ALIGNMENT} bytes so the data starts aligned.
     */
    static byte[] encode(TensorFile tensors) {
        ObjectNode root = MAPPER.createObjectNode();
        if (!tensors.metadata().isEmpty()) {
            ObjectNode metadata = root.putObject(TensorFile.METADATA_KEY);
            tensors.metadata().forEach(metadata::put);
        }
        long offset = 0;
        for (StoredTensor t : tensors.tensors().values()) {
            ObjectNode entry = root.putObject(t.name());
            entry.put("dtype", DType.F32.name());
            ArrayNode shape = entry.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            long end = offset + (long) t.size() * DType.F32.size;
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = MAPPER.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a tree of strings and numbers", e);
        }
        int padded = Math.ceilDiv(json.length, ALIGNMENT) * ALIGNMENT;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }
}
