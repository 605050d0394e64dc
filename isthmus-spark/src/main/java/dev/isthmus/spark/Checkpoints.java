package dev.isthmus.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.isthmus.io.AtomicFiles;
import dev.isthmus.io.SafeTensors;
import dev.isthmus.io.StoredTensor;
import dev.isthmus.io.TensorFile;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The checkpoint folder of a distributed fit, on a path every worker and the driver can reach:
 * <pre>
 *   epoch-0003/model.safetensors       the model after 3 epochs (a model file)
 *   epoch-0003/optimizer.safetensors   the optimizer's state then ({@code Optimizer.saveState})
 *   progress.json                      epochs done, their history, and what the fit was run with
 * </pre>
 * An epoch's files are whole or absent (each written to a temporary name and renamed); an epoch
 * counts as done once {@code progress.json} says so, which the driver writes last.
 */
final class Checkpoints implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String directory;

    Checkpoints(Path directory) {
        this.directory = directory.toAbsolutePath().toString();
    }

    Path directory() {
        return Path.of(directory);
    }

    Path epoch(int epochsDone) {
        return directory().resolve(String.format(Locale.ROOT, "epoch-%04d", epochsDone));
    }

    Path model(int epochsDone) {
        return epoch(epochsDone).resolve("model.safetensors");
    }

    Path optimizer(int epochsDone) {
        return epoch(epochsDone).resolve("optimizer.safetensors");
    }

    Path progress() {
        return directory().resolve("progress.json");
    }

    static void writeOptimizer(Path file, Map<String, float[]> state) throws IOException {
        Files.createDirectories(file.getParent());
        TensorFile.Builder b = TensorFile.builder().metadata("isthmus.optimizer-state", "1");
        state.forEach((name, values) -> b.add(name, new int[] {values.length}, values));
        SafeTensors.write(file, b.build());
    }

    static Map<String, float[]> readOptimizer(Path file) throws IOException {
        Map<String, float[]> state = new LinkedHashMap<>();
        for (StoredTensor t : SafeTensors.read(file).tensors().values()) {
            state.put(t.name(), t.data());
        }
        return state;
    }

    /**
     * What {@code progress.json} holds: the epochs done and their metrics, and the settings that
     * must match for a fit to resume from it.
     */
    record Progress(int epochsDone, Map<String, List<Double>> history, long seed, int batchSize, int samples,
                    boolean shuffle) {}

    void writeProgress(Progress p) throws IOException {
        AtomicFiles.write(progress(), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(p));
    }

    /** The progress so far, or null when this folder holds no fit yet. */
    Progress readProgress() throws IOException {
        Path file = progress();
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return JSON.readValue(file.toFile(), Progress.class);
        } catch (IOException e) {
            throw new IOException(file + ": not a checkpoint progress file (" + e.getMessage() + ")", e);
        }
    }

    /** Deletes the folders of epochs before {@code keep}: a resume needs only the last. */
    void deleteBefore(int keep) throws IOException {
        for (int e = 0; e < keep; e++) {
            Path dir = epoch(e);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(dir);
            }
        }
    }
}
