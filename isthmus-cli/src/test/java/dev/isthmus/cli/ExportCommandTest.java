package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.io.ModelFiles;
import dev.isthmus.io.SafeTensors;
import dev.isthmus.io.Weights;
import dev.isthmus.io.keras.KerasModels;
import dev.isthmus.io.onnx.OnnxExport;
import dev.isthmus.nn.ChestXRayNet;
import dev.isthmus.nn.Model;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code isthmus export}: model files, Keras models and PyTorch weights to ONNX or to Isthmus model files. */
class ExportCommandTest {

    @TempDir
    Path dir;

    /** Runs the CLI, capturing what it prints; returns {exit code, stdout + stderr}. */
    private static Object[] run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            return new Object[] {IsthmusCli.run(args), buffer.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void aModelFileBecomesOnnxWithItsMetadata() throws Exception {
        Model model = ChestXRayNet.build(64, 0.6f).initialize(3);
        Path file = dir.resolve("best-model.safetensors");
        ModelFiles.save(model, file, Map.of("epoch", "4"));
        Object[] r = run("export", "--model", file.toString(), "--format", "onnx");
        assertEquals(0, r[0], (String) r[1]);
        Path onnx = dir.resolve("best-model.onnx");
        assertEquals("wrote " + onnx + " (ONNX opset 17, input (1, 64, 64), 54,627 parameters)\n", r[1]);
        assertArrayEquals(OnnxExport.toBytes(ModelFiles.load(file), Map.of("epoch", "4")), Files.readAllBytes(onnx));
    }

    @Test
    void aKerasModelBecomesAnIsthmusModelFile() throws Exception {
        Path keras = Path.of(getClass().getResource("/fixtures/seq.keras").toURI());
        Path out = dir.resolve("seq.safetensors");
        Object[] r = run("export", "--model", keras.toString(), "--format", "safetensors", "--output", out.toString());
        assertEquals(0, r[0], (String) r[1]);
        Model converted = ModelFiles.load(out), direct = KerasModels.load(keras);
        float[] x = new float[2 * 8 * 8 * 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i);
        }
        assertArrayEquals(direct.predict(x, 2), converted.predict(x, 2));
        assertEquals("seq.keras", SafeTensors.read(out).metadata().get("converted_from"));
    }

    @Test
    void kerasWeightsIntoAModelOfTheSameArchitecture() throws Exception {
        Path keras = Path.of(getClass().getResource("/fixtures/seq.keras").toURI());
        Path file = dir.resolve("untrained.safetensors"), out = dir.resolve("trained.safetensors");
        ModelFiles.save(KerasModels.load(keras).initialize(5), file);
        Object[] r = run("export", "--model", file.toString(), "--weights", keras.toString(), "--format", "safetensors",
                "-o", out.toString());
        assertEquals(0, r[0], (String) r[1]);
        float[] x = new float[8 * 8 * 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.cos(i);
        }
        assertArrayEquals(KerasModels.load(keras).predict(x, 1), ModelFiles.load(out).predict(x, 1));
    }

    @Test
    void chestXRayNetWithPyTorchWeights() throws Exception {
        Model trained = ChestXRayNet.build(64, 0.6f).initialize(11);
        Path weights = dir.resolve("state_dict.safetensors");
        SafeTensors.write(weights, Weights.of(trained, Map.of()));
        Path out = dir.resolve("lesson.safetensors");
        Object[] r = run("export", "--model", "ChestXRayNet", "--image-size", "64", "--weights", weights.toString(),
                "--strict", "--format", "safetensors", "-o", out.toString());
        assertEquals(0, r[0], (String) r[1]);
        Model loaded = ModelFiles.load(out);
        for (var e : trained.state().entrySet()) {
            assertArrayEquals(e.getValue().value(), loaded.state().get(e.getKey()).value(), e.getKey());
        }
    }

    @Test
    void badInputIsOneErrorLine() throws Exception {
        Path missing = dir.resolve("missing.keras");
        Object[] r = run("export", "--model", missing.toString());
        assertEquals(1, r[0]);
        assertEquals("error: NoSuchFileException: " + missing + "\n", r[1]);
        Path file = dir.resolve("m.safetensors");
        ModelFiles.save(ChestXRayNet.build(64, 0.6f), file);
        r = run("export", "--model", file.toString(), "--format", "safetensors");
        assertEquals(1, r[0]);
        assertTrue(((String) r[1]).contains("is the model file itself; pass --output"), (String) r[1]);
        assertEquals(2, run("export", "--model", file.toString(), "--format", "tflite")[0]);
    }
}
