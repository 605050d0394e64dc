package dev.isthmus.spark;

import dev.isthmus.io.ModelFiles;
import dev.isthmus.nn.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The models of this JVM, one per model file's content: an executor parses a model once, however
 * many tasks and rows use it, and its tasks share it ({@code Model.predict} is thread-safe). Keeps
 * the {@value #KEEP} models used last.
 */
final class ExecutorModels {

    static final int KEEP = 4;

    private static final Map<String, Model> MODELS = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Model> eldest) {
            return size() > KEEP;
        }
    };

    private ExecutorModels() {}

    /** A name for a model file's content: its SHA-256. */
    static String key(byte[] modelFile) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(modelFile));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    /**
     * The model whose file has {@code key}, parsed from {@code modelFile} the first time this JVM
     * asks (then {@code onLoad} runs once).
     */
    static synchronized Model get(String key, Supplier<byte[]> modelFile, Runnable onLoad) {
        Model model = MODELS.get(key);
        if (model == null) {
            model = parse(modelFile.get());
            MODELS.put(key, model);
            onLoad.run();
        }
        return model;
    }

    /** Parses a model file's bytes, bypassing the cache. */
    static Model parse(byte[] bytes) {
        try {
            Path file = Files.createTempFile("isthmus-model-", ".safetensors");
            try {
                Files.write(file, bytes);
                return ModelFiles.load(file);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model file on this executor: " + e.getMessage(), e);
        }
    }
}
