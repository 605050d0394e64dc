package dev.isthmus.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedMap;
import java.util.stream.Collectors;

/**
 * The contents of a safetensors file: named float32 tensors in file order, and string metadata.
 *
 * <p>Immutable (the maps are read-only copies; see {@link StoredTensor} for its data array).
 * Build one to write with {@link #builder()}, or get one from {@link SafeTensors#read}.
 */
public final class TensorFile {

    /** The header key that holds metadata; no tensor may have this name. */
    public static final String METADATA_KEY = "__metadata__";

    private static final int LISTED_NAMES = 40;

    private final SequencedMap<String, StoredTensor> tensors;
    private final SequencedMap<String, String> metadata;

    private TensorFile(SequencedMap<String, StoredTensor> tensors, SequencedMap<String, String> metadata) {
        this.tensors = Collections.unmodifiableSequencedMap(tensors);
        this.metadata = Collections.unmodifiableSequencedMap(metadata);
    }

    /**
     * @throws IllegalArgumentException if two tensors share a name, or one is named
     *                                  {@value #METADATA_KEY}
     */
    public static TensorFile of(List<StoredTensor> tensors, Map<String, String> metadata) {
        Builder b = builder();
        tensors.forEach(b::add);
        metadata.forEach(b::metadata);
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The tensors by name, in file order. */
    public SequencedMap<String, StoredTensor> tensors() {
        return tensors;
    }

    /** The {@value #METADATA_KEY} entries, in file order; empty if the file has none. */
    public SequencedMap<String, String> metadata() {
        return metadata;
    }

    /** The tensor names, in file order. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** The tensor with this name, or null. */
    public StoredTensor get(String name) {
        return tensors.get(name);
    }

    /**
     * The tensor with this name, whatever its shape.
     *
     * @throws IllegalArgumentException naming the tensor and listing the names present, if missing
     */
    public StoredTensor requireTensor(String name) {
        StoredTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor '" + name + "'; the file holds " + tensors.size()
                    + " tensors: " + listed(tensors.keySet()));
        }
        return t;
    }

    /**
     * The tensor with this name, which must have exactly this shape (pass {@code new int[0]} for a
     * scalar).
     *
     * @throws IllegalArgumentException naming the tensor, the expected and the actual shape, or
     *                                  listing the names present if it is missing
     */
    public StoredTensor requireTensor(String name, int... expectedShape) {
        StoredTensor t = requireTensor(name);
        if (!t.hasShape(expectedShape)) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(expectedShape));
        }
        return t;
    }

    /** The names, or the first {@value #LISTED_NAMES} of them and how many more. */
    private static String listed(Collection<String> names) {
        if (names.size() <= LISTED_NAMES) {
            return names.toString();
        }
        return names.stream().limit(LISTED_NAMES).collect(Collectors.joining(", ", "[", ", ... ("
                + (names.size() - LISTED_NAMES) + " more)]"));
    }

    @Override
    public boolean equals(Object o) {
        // Order matters in a file: compare entry lists, not maps.
        return o instanceof TensorFile f && new ArrayList<>(tensors.values()).equals(new ArrayList<>(f.tensors.values()))
                && new ArrayList<>(metadata.entrySet()).equals(new ArrayList<>(f.metadata.entrySet()));
    }

    @Override
    public int hashCode() {
        return Objects.hash(new ArrayList<>(tensors.values()), new ArrayList<>(metadata.entrySet()));
    }

    @Override
    public String toString() {
        return "TensorFile" + tensors.values() + (metadata.isEmpty() ? "" : " metadata " + metadata);
    }

    /** Collects tensors (kept in the order added) and metadata for a {@link TensorFile}. */
    public static final class Builder {

        private final SequencedMap<String, StoredTensor> tensors = new LinkedHashMap<>();
        private final SequencedMap<String, String> metadata = new LinkedHashMap<>();

        private Builder() {}

        /**
         * @throws IllegalArgumentException if the name is taken or is {@value #METADATA_KEY}
         */
        public Builder add(StoredTensor tensor) {
            String name = tensor.name();
            if (name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("a tensor may not be named '" + METADATA_KEY
                        + "': safetensors reserves that key for metadata");
            }
            if (tensors.putIfAbsent(name, tensor) != null) {
                throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
            }
            return this;
        }

        /** Adds {@code new StoredTensor(name, shape, data)}; the data array is not copied. */
        public Builder add(String name, int[] shape, float[] data) {
            return add(new StoredTensor(name, shape, data));
        }

        /** Sets a metadata entry, replacing any earlier value for the key. */
        public Builder metadata(String key, String value) {
            metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value of " + key));
            return this;
        }

        public TensorFile build() {
            return new TensorFile(new LinkedHashMap<>(tensors), new LinkedHashMap<>(metadata));
        }
    }
}
