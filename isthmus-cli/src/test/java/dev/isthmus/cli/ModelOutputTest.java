package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.IsthmusCliTest.Result;
import dev.isthmus.data.SyntheticChestXrays;
import dev.isthmus.io.ModelFiles;
import dev.isthmus.io.ModelMetadata;
import dev.isthmus.io.SafeTensors;
import dev.isthmus.io.TensorFile;
import dev.isthmus.nn.Activation;
import dev.isthmus.nn.ChestXRayNet;
import dev.isthmus.nn.Dense;
import dev.isthmus.nn.GlobalAveragePooling2D;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Sequential;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No result that can lie: a model file whose output is no probability, or is not finite, gives an
 * error naming the file, never a figure with exit code 0.
 */
class ModelOutputTest {

    @TempDir
    static Path dir;
    static Path images, image;

    @BeforeAll
    static void generate() throws Exception {
        images = dir.resolve("xrays");
        SyntheticChestXrays.generate(images, 6, 5);
        image = images.resolve("normal/normal_000.png");
    }

    private static ModelMetadata metadata(List<String> classes) {
        return new ModelMetadata(ModelMetadata.Preprocessing.greyscale(64), classes, null);
    }

    /** ChestXRayNet at side 64 whose last bias is NaN: every output is NaN. */
    private static Path nanModel() throws Exception {
        Model m = ChestXRayNet.build(64, 0.5f).initialize(1);
        Arrays.fill(m.parameters().get("fc3.bias").value(), Float.NaN);
        Path file = dir.resolve("nan.safetensors");
        ModelFiles.save(m, file, metadata(List.of("normal", "effusion")), Map.of());
        return file;
    }

    /** predict printed NaN as "not effusion", with exit code 0. */
    @Test
    void predictRefusesANonFiniteOutputNamingTheModel() throws Exception {
        Path nan = nanModel();
        Result r = IsthmusCliTest.run("predict", "--model", nan.toString(), image.toString());
        assertEquals(1, r.code(), r.output());
        assertTrue(r.has("error: " + nan + ": the model gave a non-finite output (NaN) for 1 of 1 images (first: " + image),
                r.output());
        assertFalse(r.has("\t"), "no prediction line: " + r.output());
    }

    /** evaluate reported ROC AUC 0.575 for a model that outputs NaN. */
    @Test
    void evaluateRefusesANonFiniteOutput() throws Exception {
        Path nan = nanModel();
        Result r = IsthmusCliTest.run("evaluate", "--model", nan.toString(), "--data", images.toString(), "--all");
        assertEquals(1, r.code(), r.output());
        assertTrue(r.has(nan + ": the model gave a non-finite output (NaN) for 12 of 12 images"), r.output());
        assertFalse(r.has("ROC AUC"), r.output());
    }

    /** predict printed a linear output (2.8) as a probability. */
    @Test
    void aLinearOutputIsNoProbability() throws Exception {
        Model linear = new Sequential(1, 64, 64).add(new GlobalAveragePooling2D()).add(new Dense(1)).build().initialize(2);
        Path file = dir.resolve("linear.safetensors");
        ModelFiles.save(linear, file);
        Result r = IsthmusCliTest.run("predict", "--model", file.toString(), image.toString());
        assertEquals(1, r.code(), r.output());
        assertTrue(r.has("error: " + file + ": the model's output is (1) from Dense(dense, units=1) with activation linear;"
                + " a probability needs one sigmoid output or a softmax over the classes"), r.output());
    }

    /** predict printed a 10-class softmax model's first output as p(effusion). */
    @Test
    void aSoftmaxModelGetsEveryClassByName() throws Exception {
        List<String> digits = List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");
        Model softmax = new Sequential(1, 64, 64).add(new GlobalAveragePooling2D())
                .add(new Dense(10).activation(Activation.SOFTMAX)).build().initialize(3);
        Path file = dir.resolve("softmax.safetensors");
        ModelFiles.save(softmax, file, metadata(digits), Map.of());
        Result r = IsthmusCliTest.run("predict", "--model", file.toString(), image.toString());
        assertEquals(0, r.code(), r.output());
        String[] fields = r.output().strip().split("\t");
        assertEquals(4, fields.length, r.output());
        assertTrue(digits.contains(fields[1]), r.output());
        assertTrue(fields[3].startsWith("zero=0.") && fields[3].contains(" nine=0."), r.output());
        // evaluate handles one sigmoid output only, and says so
        Result e = IsthmusCliTest.run("evaluate", "--model", file.toString(), "--data", images.toString());
        assertEquals(1, e.code(), e.output());
        assertTrue(e.has("10 softmax outputs"), e.output());
    }

    /** A 223 KB file whose architecture asked for a Dense of 40,000,000 units ended in an OutOfMemoryError. */
    @Test
    void aModelFileAskingForHugeLayersIsAnErrorNamingTheFile() throws Exception {
        Path good = dir.resolve("good.safetensors");
        ModelFiles.save(ChestXRayNet.build(64, 0.5f), good);
        TensorFile tensors = SafeTensors.read(good);
        TensorFile.Builder b = TensorFile.builder();
        tensors.tensors().values().forEach(t -> b.add(t.name(), t.shape(), t.data()));
        tensors.metadata().forEach((k, v) -> b.metadata(k, v.replace("\"units\":128", "\"units\":40000000")));
        Path huge = dir.resolve("huge.safetensors");
        SafeTensors.write(huge, b.build());
        for (String command : new String[] {"predict", "summary"}) {
            Result r = command.equals("predict") ? IsthmusCliTest.run(command, "--model", huge.toString(), image.toString())
                    : IsthmusCliTest.run(command, "--model", huge.toString());
            assertEquals(1, r.code(), r.output());
            assertTrue(r.has("error: " + huge + ": bad architecture"), r.output());
            assertEquals(1, r.output().strip().lines().count(), "one line: " + r.output());
        }
    }

    /** Directories and text files given as models are named. */
    @Test
    void aModelThatIsNoModelFileIsNamed() throws Exception {
        Path text = java.nio.file.Files.writeString(dir.resolve("notes.safetensors"), "hello");
        Result r = IsthmusCliTest.run("summary", "--model", text.toString());
        assertEquals(1, r.code(), r.output());
        assertTrue(r.has("error: " + text + ": "), r.output());
    }
}
