package dev.isthmus.io.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isthmus.io.SafeTensors;
import dev.isthmus.io.StoredTensor;
import dev.isthmus.io.TensorFile;
import dev.isthmus.nn.ChestXRayNet;
import dev.isthmus.nn.Model;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keras files laid out as Keras 3 writes them (fixtures/keras, made with h5py by
 * src/test/python/make_keras_fixtures.py): the models Isthmus builds from them predict what a
 * NumPy float64 reference of the same network computed, within 1e-5.
 */
class KerasModelsTest {

    @TempDir
    Path dir;

    static Path fixture(String name) throws Exception {
        return Path.of(KerasModelsTest.class.getResource("/fixtures/keras/" + name).toURI());
    }

    /** NHWC (the reference's input) to NCHW (Isthmus's). */
    private static float[] channelsFirst(StoredTensor x) {
        int[] s = x.shape();
        int n = s[0], h = s[1], w = s[2], c = s[3];
        float[] out = new float[x.size()];
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < h; y++) {
                for (int i = 0; i < w; i++) {
                    for (int k = 0; k < c; k++) {
                        out[((b * c + k) * h + y) * w + i] = x.data()[((b * h + y) * w + i) * c + k];
                    }
                }
            }
        }
        return out;
    }

    private static void assertPredictsLikeTheReference(Model model, String name) throws Exception {
        TensorFile c = SafeTensors.read(fixture(name + "-case.safetensors"));
        StoredTensor x = c.requireTensor("input");
        float[] want = c.requireTensor("output").data();
        float[] got = model.predict(channelsFirst(x), x.shape()[0]);
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5, name + " output " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lesson.keras", "lesson.h5", "small.keras", "small.h5", "seq.keras", "seq.h5"})
    void predictsLikeTheNumPyReference(String file) throws Exception {
        Model model = KerasModels.load(fixture(file));
        assertPredictsLikeTheReference(model, file.substring(0, file.indexOf('.')));
    }

    @Test
    void tfKeras213ArchivesLoadToo() throws Exception {
        assertPredictsLikeTheReference(KerasModels.load(fixture("seq-tf213.keras")), "seq");
    }

    /** The lesson's Keras network is ChestXRayNet: same shapes, same 54,627 parameters. */
    @Test
    void theLessonsKerasModelIsChestXRayNet() throws Exception {
        Model keras = KerasModels.load(fixture("lesson.keras"));
        Model isthmus = ChestXRayNet.build(64, 0.6f);
        assertEquals(isthmus.parameterCount(), keras.parameterCount());
        assertEquals(isthmus.inputShape(), keras.inputShape());
        assertEquals(isthmus.layers().stream().map(l -> l.type() + l.outputShape()).toList(),
                keras.layers().stream().map(l -> l.type() + l.outputShape()).toList());
        assertEquals("conv2d_6", keras.layers().get(12).name(), "Keras's own layer names");
    }

    /** The lesson's Keras weights into Isthmus's ChestXRayNet (PyTorch's names): the same predictions. */
    @Test
    void kerasWeightsLoadIntoAnEqualNetworkByOrder() throws Exception {
        Model net = ChestXRayNet.build(64, 0.6f);
        KerasModels.loadWeights(net, fixture("lesson.h5"));
        assertPredictsLikeTheReference(net, "lesson");
        assertEquals(8 * 9, net.state().get("conv1.weight").size());
    }

    @Test
    void kerasWeightsOfAnotherNetworkAreRefused() throws Exception {
        Path file = fixture("seq.keras");
        Model net = ChestXRayNet.build(64, 0.6f);
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> KerasModels.loadWeights(net, file));
        assertEquals(file + ": holds 2 layers with weights [conv2d, dense], the model has 10 [conv1, conv2, conv3, conv4,"
                + " conv5, conv6, conv7, fc1, fc2, fc3]", e.getMessage());
    }

    /**
     * jHDF reads the string attributes as h5py writes Keras's: variable-length UTF-8 from a str
     * ({@code keras_version}), variable-length ASCII from bytes ({@code model_config}) and arrays
     * of those from a list of bytes ({@code layer_names}).
     */
    @Test
    void jhdfReadsTheStringAttributesH5pyWrites() throws Exception {
        try (io.jhdf.HdfFile h5 = new io.jhdf.HdfFile(fixture("small.h5"))) {
            assertEquals(java.util.List.of("3.6.0"), KerasWeightFile.strings(h5.getAttribute("keras_version")));
            assertEquals(true, KerasWeightFile.strings(h5.getAttribute("model_config")).getFirst().startsWith("{\"class_name\""));
            java.util.List<String> layers = KerasWeightFile.strings(((io.jhdf.api.Group) h5.getChild("model_weights"))
                    .getAttribute("layer_names"));
            assertEquals(18, layers.size());
            assertEquals("stem_bn", layers.get(2));
        }
    }

    /** Keras momentum 0.99 is Isthmus's (PyTorch's) 0.01; epsilon carries over. */
    @Test
    void batchNormalizationKeepsKerasSettings() throws Exception {
        Model model = KerasModels.load(fixture("small.keras"));
        assertEquals(java.util.Map.of("momentum", (double) (1 - 0.99f), "epsilon", (double) 0.001f),
                model.layer("stem_bn").config());
    }

    // --- bad files: one line naming the file and the layer or dataset ---

    @Test
    void truncatedArchive() throws Exception {
        byte[] whole = Files.readAllBytes(fixture("seq.keras"));
        Path cut = dir.resolve("cut.keras");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> KerasModels.load(cut));
        assertEquals(cut + ": not a readable zip archive (truncated?): zip END header not found", e.getMessage());
    }

    @Test
    void truncatedLegacyFile() throws Exception {
        byte[] whole = Files.readAllBytes(fixture("seq.h5"));
        Path cut = dir.resolve("cut.h5");
        Files.write(cut, Arrays.copyOf(whole, 3000));
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> KerasModels.load(cut));
        assertEquals(true, e.getMessage().startsWith(cut + ": not a readable HDF5 file (truncated?): "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void missingDatasetInAnArchive() throws Exception {
        Path file = fixture("seq-missing-dataset.keras");
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> KerasModels.load(file));
        assertEquals(file + "!model.weights.h5: layer 'dense' (Dense) has 1 weight arrays, expected 2 [kernel, bias]:"
                + " there is no layers/dense/vars/1 (bias)", e.getMessage());
    }

    @Test
    void missingDatasetInALegacyFile() throws Exception {
        Path file = fixture("seq-missing-dataset.h5");
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> KerasModels.load(file));
        assertEquals(file + ": layer 'dense' (Dense) lists weight 'sequential/dense/bias', but there is no dataset"
                + " /model_weights/dense/sequential/dense/bias", e.getMessage());
    }

    @Test
    void aLayerIsthmusLacks() throws Exception {
        Path file = withConfig("seq.keras", c -> c.replace("\"class_name\": \"Flatten\"", "\"class_name\": \"GlobalMaxPooling2D\""));
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> KerasModels.load(file));
        assertEquals(file + ": layer 'flatten' (GlobalMaxPooling2D) is not a layer Isthmus has; it builds "
                + KerasGraph.SUPPORTED, e.getMessage());
    }

    @Test
    void shapesThatDisagree() throws Exception {
        Path file = withConfig("seq.keras", c -> c.replace("\"units\": 4", "\"units\": 5"));
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> KerasModels.load(file));
        assertEquals(file + "!model.weights.h5: layer 'dense' (Dense) kernel (/layers/dense/vars/0) has shape [45, 4],"
                + " but the config makes it [45, 5]", e.getMessage());
    }

    /** A copy of a fixture archive with its config.json rewritten. */
    private Path withConfig(String fixture, UnaryOperator<String> edit) throws Exception {
        Path out = dir.resolve("edited-" + fixture);
        try (ZipFile in = new ZipFile(fixture(fixture).toFile());
             ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
            for (var entries = in.entries(); entries.hasMoreElements(); ) {
                ZipEntry e = entries.nextElement();
                byte[] bytes = in.getInputStream(e).readAllBytes();
                if (e.getName().equals("config.json")) {
                    String edited = edit.apply(new String(bytes, StandardCharsets.UTF_8));
                    assertEquals(false, edited.equals(new String(bytes, StandardCharsets.UTF_8)), "the edit applies");
                    bytes = edited.getBytes(StandardCharsets.UTF_8);
                }
                zip.putNextEntry(new ZipEntry(e.getName()));
                zip.write(bytes);
            }
        }
        return out;
    }
}
