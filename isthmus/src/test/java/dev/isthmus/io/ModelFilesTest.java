package dev.isthmus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.kernels.Padding;
import dev.isthmus.nn.Activation;
import dev.isthmus.nn.Add;
import dev.isthmus.nn.ChestXRayNet;
import dev.isthmus.nn.Concatenate;
import dev.isthmus.nn.Conv2D;
import dev.isthmus.nn.Dense;
import dev.isthmus.nn.Flatten;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Node;
import dev.isthmus.train.Adam;
import dev.isthmus.train.Dataset;
import dev.isthmus.train.FitOptions;
import dev.isthmus.train.Losses;
import dev.isthmus.train.Trainer;
import dev.isthmus.nn.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {

    @TempDir
    Path dir;

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @Test
    void chestXRayNetRoundTripsWithItsPredictions() throws IOException {
        Model model = ChestXRayNet.build(64, 0.6f).initialize(42);
        Path file = dir.resolve("model.safetensors");
        ModelFiles.save(model, file, Map.of("note", "test"));
        Model loaded = ModelFiles.load(file);
        assertEquals(model.summary(), loaded.summary());
        float[] x = random(3 * 64 * 64, 1);
        assertArrayEquals(model.predict(x, 3), loaded.predict(x, 3));
        assertEquals("test", SafeTensors.read(file).metadata().get("note"));
    }

    @Test
    void aResidualGraphRoundTrips() throws IOException {
        Node in = Node.input(2, 6, 6);
        Node a = new Conv2D(3, 3).padding(Padding.SAME).activation(Activation.RELU).apply(in);
        Node b = new Conv2D(3, 1).apply(a);
        Node sum = new Add().apply(a, b);
        Node cat = new Concatenate().apply(sum, in);
        Node out = new Dense(2).activation(Activation.SOFTMAX).apply(new Flatten().apply(cat));
        Model model = new Model(in, out).initialize(5);
        Path file = dir.resolve("residual.safetensors");
        ModelFiles.save(model, file);
        Model loaded = ModelFiles.load(file);
        float[] x = random(2 * 72, 2);
        assertArrayEquals(model.predict(x, 2), model.predict(x, 2), "model twice");
        assertEquals(ModelFiles.architecture(model), ModelFiles.architecture(loaded));
        for (var e : model.parameters().entrySet()) {
            assertArrayEquals(e.getValue().value(), loaded.parameters().get(e.getKey()).value(), e.getKey());
        }
        assertArrayEquals(model.predict(x, 2), loaded.predict(x, 2));
    }

    @Test
    void batchNormRunningStatisticsAreSavedAsBuffers() throws IOException {
        Model model = new dev.isthmus.nn.Sequential(1, 6, 6).add(new Conv2D(3, 3))
                .add(new dev.isthmus.nn.BatchNormalization()).add(new Flatten())
                .add(new Dense(1).activation(Activation.SIGMOID)).build().initialize(1);
        float[] x = random(8 * 36, 3), y = new float[8];
        for (int i = 0; i < 8; i++) {
            y[i] = i % 2;
        }
        new Trainer(model, Losses.binaryCrossEntropy(), new Adam()).fit(Dataset.of(x, y, Shape.of(1, 6, 6)), null,
                new FitOptions().epochs(2).batchSize(4));
        assertEquals(model.parameterCount(), 3 * 9 + 3 + 3 + 3 + 16 * 3 + 1);
        assertEquals(6, model.nonTrainableCount(), "running statistics; the batch counter is not a parameter");
        assertArrayEquals(new float[] {4}, model.state().get("batch_normalization.num_batches_tracked").value(),
                "2 epochs of 2 training batches, counted as PyTorch does");
        Path file = dir.resolve("bn.safetensors");
        ModelFiles.save(model, file);
        assertTrue(SafeTensors.read(file).names().contains("batch_normalization.running_var"));
        Model loaded = ModelFiles.load(file);
        assertArrayEquals(model.predict(x, 8), loaded.predict(x, 8));
    }

    @Test
    void truncatedOrForeignFilesFailWithTheFileNamed() throws IOException {
        Model model = ChestXRayNet.build(64, 0.5f);
        Path file = dir.resolve("m.safetensors");
        ModelFiles.save(model, file);
        byte[] bytes = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        IOException e = assertThrows(IOException.class, () -> ModelFiles.load(cut));
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
        Path weightsOnly = dir.resolve("weights.safetensors");
        SafeTensors.write(weightsOnly, Weights.of(model, Map.of()));
        e = assertThrows(IOException.class, () -> ModelFiles.load(weightsOnly));
        assertTrue(e.getMessage().contains("no architecture"), e.getMessage());
    }

    @Test
    void wrongShapedWeightIsNamed() {
        Model model = ChestXRayNet.build(64, 0.5f);
        TensorFile file = TensorFile.builder().add("conv1.weight", new int[] {8, 1, 5, 5}, new float[200]).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Weights.load(model, file));
        assertTrue(e.getMessage().contains("conv1.weight"), e.getMessage());
    }

    @Test
    void checkpointKeepsTheBestModelAndSurvivesANanEpoch() throws IOException {
        Shape shape = Shape.of(1, 8, 8);
        SplittableRandom r = new SplittableRandom(3);
        int n = 64;
        float[] x = random(n * 64, 4), y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(2);
            x[i * 64] += y[i] * 3;
        }
        Dataset data = Dataset.of(x, y, shape);
        Model model = new dev.isthmus.nn.Sequential(1, 8, 8).add(new Flatten())
                .add(new Dense(1).activation(Activation.SIGMOID)).build();
        Path best = dir.resolve("best.safetensors");
        ModelCheckpoint checkpoint = new ModelCheckpoint(best);
        new Trainer(model, Losses.binaryCrossEntropy(), new Adam(0.05)).fit(data, data,
                new FitOptions().epochs(5).batchSize(16).callback(checkpoint));
        assertTrue(checkpoint.bestEpoch() >= 0);
        byte[] saved = Files.readAllBytes(best);
        assertEquals(Integer.toString(checkpoint.bestEpoch() + 1), SafeTensors.read(best).metadata().get("epoch"));
        // A run that diverges at once saves nothing over the good file.
        data.x()[0] = Float.NaN;
        new Trainer(model, Losses.binaryCrossEntropy(), new Adam(0.05)).fit(data, data,
                new FitOptions().epochs(2).batchSize(64).shuffle(false).callback(new ModelCheckpoint(best)));
        assertArrayEquals(saved, Files.readAllBytes(best));
        ModelFiles.load(best);
    }

    /** Rewrites {@code file}'s architecture with {@code edit}, keeping its weights. */
    private static Path withArchitecture(Path file, java.util.function.UnaryOperator<String> edit, Path out)
            throws IOException {
        TensorFile tensors = SafeTensors.read(file);
        TensorFile.Builder b = TensorFile.builder();
        tensors.tensors().values().forEach(t -> b.add(t.name(), t.shape(), t.data()));
        tensors.metadata().forEach((k, v) -> b.metadata(k, k.equals(ModelFiles.ARCHITECTURE_KEY) ? edit.apply(v) : v));
        SafeTensors.write(out, b.build());
        return out;
    }

    /** A 223 KB file whose architecture asked for a Dense of 40,000,000 units ended in an OutOfMemoryError. */
    @Test
    void anArchitectureAskingForMoreParametersThanTheFileStoresFailsBeforeAllocating() throws IOException {
        Path good = dir.resolve("good.safetensors");
        ModelFiles.save(ChestXRayNet.build(64, 0.5f), good);
        Path huge = withArchitecture(good, a -> a.replace("\"units\":32", "\"units\":40000000"),
                dir.resolve("huge.safetensors"));
        IOException e = assertThrows(IOException.class, () -> ModelFiles.load(huge));
        assertTrue(e.getMessage().startsWith(huge + ": bad architecture"), e.getMessage());
        assertTrue(e.getMessage().contains("fc2") && e.getMessage().contains("5,120,000,000 floats")
                && e.getMessage().contains("54,627 floats the file stores"), e.getMessage());
        // Layer outputs are bounded too: the same weights on an 8192x8192 input would need 4 GB a sample.
        Path wide = withArchitecture(good, a -> a.replace("\"shape\":[1,64,64]", "\"shape\":[1,8192,8192]"),
                dir.resolve("wide.safetensors"));
        e = assertThrows(IOException.class, () -> ModelFiles.load(wide));
        assertTrue(e.getMessage().startsWith(wide + ": the architecture's layer outputs take"), e.getMessage());
    }

    @Test
    void aNonJsonArchitectureOrADirectoryIsNamed() throws IOException {
        Path good = dir.resolve("good.safetensors");
        ModelFiles.save(ChestXRayNet.build(64, 0.5f), good);
        Path notJson = withArchitecture(good, a -> "conv1 -> conv2", dir.resolve("text.safetensors"));
        IOException e = assertThrows(IOException.class, () -> ModelFiles.load(notJson));
        assertTrue(e.getMessage().startsWith(notJson + ": bad architecture (metadata key isthmus.architecture): not valid"
                + " JSON"), e.getMessage());
        e = assertThrows(IOException.class, () -> ModelFiles.load(dir));
        assertEquals(dir + " is a directory, not a model file", e.getMessage());
    }
}
