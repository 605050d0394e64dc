package dev.isthmus.io.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.io.SafeTensors;
import dev.isthmus.io.StoredTensor;
import dev.isthmus.io.TensorFile;
import dev.isthmus.io.Weights;
import dev.isthmus.kernels.Padding;
import dev.isthmus.nn.Activation;
import dev.isthmus.nn.ActivationLayer;
import dev.isthmus.nn.BatchNormalization;
import dev.isthmus.nn.Conv2D;
import dev.isthmus.nn.Dense;
import dev.isthmus.nn.Flatten;
import dev.isthmus.nn.MaxPool2D;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Node;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real PyTorch state_dict with batch norm (fixtures/torch-bn, made by
 * src/test/python/make_torch_fixtures.py with PyTorch 1.13): its int64 {@code num_batches_tracked}
 * loads where it belongs, from safetensors and from torch.save files alike, and the network then
 * predicts what PyTorch did.
 */
class TorchStateDictTest {

    @TempDir
    Path dir;

    static Path fixture(String name) throws Exception {
        return Path.of(TorchStateDictTest.class.getResource("/fixtures/torch-bn/" + name).toURI());
    }

    /** The fixture's network with PyTorch's module names. */
    static Model net() {
        Node in = Node.input(1, 8, 8);
        Node x = new Conv2D(4, 3).padding(Padding.SAME).named("conv1").apply(in);
        x = new BatchNormalization().named("bn1").apply(x);
        x = new MaxPool2D().named("pool1").apply(new ActivationLayer(Activation.RELU).named("relu1").apply(x));
        x = new Conv2D(6, 3).padding(Padding.SAME).named("conv2").apply(x);
        x = new BatchNormalization().named("bn2").apply(x);
        x = new MaxPool2D().named("pool2").apply(new ActivationLayer(Activation.RELU).named("relu2").apply(x));
        x = new Dense(3).named("fc").apply(new Flatten().named("flatten").apply(x));
        return new Model(in, x);
    }

    private static void assertPredictsLikePyTorch(Model model) throws Exception {
        TensorFile c = SafeTensors.read(fixture("case.safetensors"));
        float[] want = c.requireTensor("output", 4, 3).data();
        float[] got = model.predict(c.requireTensor("input", 4, 1, 8, 8).data(), 4);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5, "output " + i);
        }
    }

    @Test
    void safetensorsStateDictWithInt64CounterLoadsStrictly() throws Exception {
        Model model = net();
        assertEquals(List.of(), Weights.load(model, fixture("state_dict.safetensors"), true));
        assertArrayEquals(new float[] {3}, model.state().get("bn1.num_batches_tracked").value(), "I64 counter read");
        assertPredictsLikePyTorch(model);
    }

    @Test
    void torchSaveStateDictAndTrainingCheckpointLoad() throws Exception {
        TensorFile reference = SafeTensors.read(fixture("state_dict.safetensors"));
        for (String name : new String[] {"state_dict.pt", "checkpoint.pt"}) {
            TensorFile read = TorchCheckpoints.read(fixture(name));
            assertEquals(reference.names(), read.names(), name);
            for (StoredTensor t : reference.tensors().values()) {
                assertEquals(t, read.get(t.name()), name + " " + t.name());
            }
            Model model = net();
            Weights.load(model, fixture(name), true);
            assertPredictsLikePyTorch(model);
        }
    }

    @Test
    void viewsAreGatheredAndDtypesConverted() throws Exception {
        TensorFile f = TorchCheckpoints.read(fixture("views.pt"));
        float[] transposed = new float[24];
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 4; j++) {
                transposed[i * 4 + j] = j * 6 + i;
            }
        }
        assertArrayEquals(transposed, f.requireTensor("transposed", 6, 4).data());
        assertArrayEquals(new float[] {8, 9, 10, 14, 15, 16}, f.requireTensor("sliced", 2, 3).data());
        assertArrayEquals(new float[] {3, -1, 7}, f.requireTensor("counts", 3).data());
        assertArrayEquals(new float[] {1, 0}, f.requireTensor("mask", 2).data());
        assertArrayEquals(new float[] {1.5f, -2f}, f.requireTensor("half", 2).data());
    }

    @Test
    void tensorsTheModelLacksAreIgnoredOrRefusedWhenStrict() throws Exception {
        TensorFile.Builder b = TensorFile.builder();
        SafeTensors.read(fixture("state_dict.safetensors")).tensors().values().forEach(b::add);
        TensorFile withExtra = b.add("bn3.running_mean", new int[] {2}, new float[2]).build();
        assertEquals(List.of("bn3.running_mean"), Weights.load(net(), withExtra));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Weights.load(net(), withExtra, true));
        assertTrue(e.getMessage().startsWith("the weights hold 1 tensors the model does not have: [bn3.running_mean];"),
                e.getMessage());
    }

    /** State_dicts from before PyTorch 0.4.1 (and Keras files) have no counter: it is then 0, as in PyTorch. */
    @Test
    void aMissingCounterIsZero() throws Exception {
        TensorFile.Builder b = TensorFile.builder();
        SafeTensors.read(fixture("state_dict.safetensors")).tensors().values().stream()
                .filter(t -> !t.name().endsWith("num_batches_tracked")).forEach(b::add);
        Model model = net();
        model.state().get("bn1.num_batches_tracked").value()[0] = 5;
        Weights.load(model, b.build(), true);
        assertArrayEquals(new float[] {0}, model.state().get("bn1.num_batches_tracked").value());
        assertPredictsLikePyTorch(model);
    }

    @Test
    void aMissingWeightIsNamed() throws Exception {
        TensorFile.Builder b = TensorFile.builder();
        SafeTensors.read(fixture("state_dict.safetensors")).tensors().values().stream()
                .filter(t -> !t.name().equals("bn2.running_var")).forEach(b::add);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Weights.load(net(), b.build()));
        assertTrue(e.getMessage().startsWith("no tensor 'bn2.running_var'; the file holds 15 tensors"), e.getMessage());
    }

    // --- bad files: one line naming the file and what is wrong ---

    @Test
    void truncatedZip() throws Exception {
        byte[] whole = Files.readAllBytes(fixture("state_dict.pt"));
        Path cut = dir.resolve("cut.pt");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        IOException e = assertThrows(IOException.class, () -> Weights.load(net(), cut));
        assertEquals(cut + ": not a readable zip archive (truncated, or not written by torch.save): zip END header not found",
                e.getMessage());
    }

    @Test
    void shapesThatDisagree() throws Exception {
        Path file = fixture("state_dict.pt");
        IOException e = assertThrows(IOException.class, () -> Weights.load(dev.isthmus.nn.ChestXRayNet.build(64, 0.5f), file));
        assertEquals(file + ": tensor 'conv1.weight' has shape [4, 1, 3, 3], expected [8, 1, 3, 3]", e.getMessage());
    }

    @Test
    void missingStorage() throws Exception {
        Path file = rewrite("state_dict.pt", "state_dict/data/3");
        TorchFormatException e = assertThrows(TorchFormatException.class, () -> TorchCheckpoints.read(file));
        assertEquals(file + ": tensor 'bn1.bias' needs storage state_dict/data/3, which the archive lacks", e.getMessage());
    }

    @Test
    void aPickleThatNamesCodeIsRefused() throws Exception {
        Path file = dir.resolve("evil.pt");
        byte[] pickle = "\u0080\u0002cos\nsystem\nX\u0002\u0000\u0000\u0000lsR.".getBytes(StandardCharsets.ISO_8859_1);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(pickle);
        }
        TorchFormatException e = assertThrows(TorchFormatException.class, () -> TorchCheckpoints.read(file));
        assertTrue(e.getMessage().startsWith(file + "!archive/data.pkl: the pickle names 'os.system', which Isthmus does"
                + " not run"), e.getMessage());
    }

    @Test
    void aCheckpointWithoutStateDictListsItsKeys() throws Exception {
        Path file = dir.resolve("no-state.pt");
        // {'epoch': 3}
        byte[] pickle = "\u0080\u0002}q\u0000X\u0005\u0000\u0000\u0000epochq\u0001K\u0003s.".getBytes(StandardCharsets.ISO_8859_1);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(pickle);
        }
        TorchFormatException e = assertThrows(TorchFormatException.class, () -> TorchCheckpoints.read(file));
        assertEquals(file + ": holds a dict with keys [epoch], none of them a state_dict (a dict of tensors) under"
                + " [state_dict, model_state_dict, model]", e.getMessage());
    }

    @Test
    void aSafetensorsFileIsNotACheckpoint() throws Exception {
        assertTrue(TorchCheckpoints.isCheckpoint(fixture("state_dict.pt")));
        assertTrue(!TorchCheckpoints.isCheckpoint(fixture("state_dict.safetensors")));
    }

    /** A copy of a fixture zip without one entry. */
    private Path rewrite(String fixture, String drop) throws Exception {
        Path out = dir.resolve("without-" + drop.replace('/', '-') + ".pt");
        try (var in = new java.util.zip.ZipFile(fixture(fixture).toFile());
             OutputStream os = Files.newOutputStream(out);
             ZipOutputStream zip = new ZipOutputStream(os)) {
            for (var entries = in.entries(); entries.hasMoreElements(); ) {
                ZipEntry e = entries.nextElement();
                if (!e.getName().equals(drop)) {
                    zip.putNextEntry(new ZipEntry(e.getName()));
                    zip.write(in.getInputStream(e).readAllBytes());
                }
            }
        }
        return out;
    }
}
