package dev.isthmus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.io.ModelFiles.ModelFile;
import dev.isthmus.io.ModelMetadata.Digests;
import dev.isthmus.io.ModelMetadata.Preprocessing;
import dev.isthmus.io.ModelMetadata.SplitRecord;
import dev.isthmus.io.ModelMetadata.Synthetic;
import dev.isthmus.io.ModelMetadata.TrainingData;
import dev.isthmus.nn.ChestXRayNet;
import dev.isthmus.nn.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metadata a model file carries: its JSON form, and what saving and loading check. */
class ModelMetadataTest {

    @TempDir
    Path dir;

    static ModelMetadata lesson(int side) {
        TrainingData data = new TrainingData("/data/xrays", "sha256:" + "ab".repeat(32), 24,
                new Synthetic("isthmus-synthetic-chest-xrays", 12, 7),
                new SplitRecord(42, 0.15, 0.15, true, 17, 3, 4), Digests.of(5, -1, 3, Long.MIN_VALUE));
        return new ModelMetadata(Preprocessing.greyscale(side), List.of("normal", "effusion"), data);
    }

    @Test
    void theJsonFormHasItsKeysInTheDocumentedOrder() {
        String json = lesson(64).toJson();
        assertTrue(json.startsWith("{\"version\":1,\"preprocessing\":{\"channels\":1,\"height\":64,\"width\":64,"
                + "\"colour\":\"grey\",\"resize\":\"area\",\"standardize\":\"per-image\"},"
                + "\"class_names\":[\"normal\",\"effusion\"],\"training_data\":{\"folder\":\"/data/xrays\","
                + "\"fingerprint\":\"sha256:abab"), json);
        assertTrue(json.contains("\"synthetic\":{\"generator\":\"isthmus-synthetic-chest-xrays\",\"per_class\":12,\"seed\":7},"
                + "\"split\":{\"seed\":42,\"test_fraction\":0.15,\"validation_fraction\":0.15,\"stratified\":true,"
                + "\"train\":17,\"validation\":3,\"test\":4},\"seen\":{\"digest\":\"sha256-64\",\"count\":4,"), json);
    }

    @Test
    void roundTripsThroughJson() {
        ModelMetadata m = lesson(64);
        assertEquals(m, ModelMetadata.fromJson(m.toJson()));
        ModelMetadata noData = new ModelMetadata(Preprocessing.greyscale(32), List.of("a", "b", "c"), null);
        assertEquals(noData, ModelMetadata.fromJson(noData.toJson()));
    }

    @Test
    void digestsAreSortedAsUnsignedBytesAndFound() {
        Digests d = Digests.of(5, -1, 3, Long.MIN_VALUE);
        String json = new ModelMetadata(Preprocessing.greyscale(8), List.of("a", "b"),
                new TrainingData("f", "sha256:0", 1, null, new SplitRecord(1, 0.1, 0.1, false, 1, 0, 0), d)).toJson();
        // 3, 5, 0x8000..., 0xFFFF... in big-endian bytes
        assertTrue(json.contains("\"values\":\"" + java.util.Base64.getEncoder().encodeToString(new byte[] {
                0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 5, -128, 0, 0, 0, 0, 0, 0, 0,
                -1, -1, -1, -1, -1, -1, -1, -1}) + "\""), json);
        assertTrue(d.contains(-1) && d.contains(Long.MIN_VALUE) && d.contains(3));
        assertFalse(d.contains(4));
        assertEquals(2, d.countContained(new long[] {3, 4, 5, 6}));
    }

    @Test
    void readingNamesTheBadField() {
        String good = lesson(64).toJson();
        assertEquals("missing field 'height'", assertThrows(IllegalArgumentException.class,
                () -> ModelMetadata.fromJson(good.replace("\"height\":64,", ""))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ModelMetadata.fromJson(good.replace("\"version\":1", "\"version\":2"))).getMessage()
                .contains("version 2 is newer"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ModelMetadata.fromJson(good.replace("\"seed\":42", "\"seed\":\"42\""))).getMessage()
                .contains("'seed' must be an integer"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelMetadata.fromJson("{nope")).getMessage()
                .startsWith("not valid JSON"));
    }

    @Test
    void savedWithTheModelAndReadBack() throws IOException {
        Model model = ChestXRayNet.build(64, 0.5f).initialize(1);
        Path file = dir.resolve("m.safetensors");
        ModelFiles.save(model, file, lesson(64), Map.of("epoch", "3"));
        ModelFile read = ModelFiles.read(file);
        assertEquals(lesson(64), read.metadata().orElseThrow());
        assertEquals("3", read.entries().get("epoch"));
        ModelFiles.save(model, file);
        assertTrue(ModelFiles.read(file).metadata().isEmpty());
    }

    @Test
    void metadataThatDoesNotFitTheModelIsRefused() throws IOException {
        Model model = ChestXRayNet.build(64, 0.5f);
        Path file = dir.resolve("m.safetensors");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFiles.save(model, file, lesson(128), Map.of()));
        assertTrue(e.getMessage().contains("(1, 128, 128)") && e.getMessage().contains("(1, 64, 64)"), e.getMessage());
        ModelMetadata threeClasses = new ModelMetadata(Preprocessing.greyscale(64), List.of("a", "b", "c"), null);
        assertThrows(IllegalArgumentException.class, () -> ModelFiles.save(model, file, threeClasses, Map.of()));

        // A file whose metadata disagrees with its architecture fails on loading, naming the file.
        ModelFiles.save(model, file, lesson(64), Map.of());
        TensorFile tensors = SafeTensors.read(file);
        TensorFile.Builder b = TensorFile.builder();
        tensors.tensors().values().forEach(t -> b.add(t.name(), t.shape(), t.data()));
        tensors.metadata().forEach((k, v) -> b.metadata(k, k.equals(ModelMetadata.KEY) ? lesson(128).toJson() : v));
        SafeTensors.write(file, b.build());
        IOException bad = assertThrows(IOException.class, () -> ModelFiles.read(file));
        assertTrue(bad.getMessage().startsWith(file + ": bad model metadata"), bad.getMessage());
    }

    /** Map.of iterates in a per-JVM order: keys must be written sorted for the bytes to repeat. */
    @Test
    void theSameModelGivesTheSameBytesWhateverTheEntryOrder() throws IOException {
        Model model = ChestXRayNet.build(64, 0.5f).initialize(3);
        Map<String, String> forward = new LinkedHashMap<>(), backward = new LinkedHashMap<>();
        forward.put("epoch", "2");
        forward.put("val_loss", "0.5");
        backward.put("val_loss", "0.5");
        backward.put("epoch", "2");
        Path a = dir.resolve("a.safetensors"), b = dir.resolve("b.safetensors");
        ModelFiles.save(model, a, lesson(64), forward);
        ModelFiles.save(model, b, lesson(64), backward);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertTrue(ModelFiles.architecture(model).startsWith(
                "{\"format\":\"isthmus-model\",\"version\":1,\"input\":{\"name\":\"input\",\"shape\":[1,64,64]},"),
                ModelFiles.architecture(model));
    }
}
