package dev.isthmus.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.isthmus.io.ModelFiles;
import dev.isthmus.io.ModelMetadata;
import dev.isthmus.io.SafeTensors;
import dev.isthmus.io.TensorFile;
import dev.isthmus.io.Weights;
import dev.isthmus.kernels.Padding;
import dev.isthmus.nn.Activation;
import dev.isthmus.nn.ActivationLayer;
import dev.isthmus.nn.Add;
import dev.isthmus.nn.AveragePooling2D;
import dev.isthmus.nn.BatchNormalization;
import dev.isthmus.nn.ChestXRayNet;
import dev.isthmus.nn.Concatenate;
import dev.isthmus.nn.Conv2D;
import dev.isthmus.nn.Dense;
import dev.isthmus.nn.Dropout;
import dev.isthmus.nn.Flatten;
import dev.isthmus.nn.GlobalAveragePooling2D;
import dev.isthmus.nn.MaxPool2D;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Node;
import dev.isthmus.nn.Parameter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exported models run in ONNX Runtime (Java, test scope) and give Isthmus's own predictions
 * within 1e-5: ChestXRayNet with the PyTorch fixture's weights, and a small net with batch norm
 * (on maps and on vectors), a residual Add, Concatenate and every other layer the exporter knows.
 */
class OnnxExportTest {

    private static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** Every layer the exporter knows, with odd sizes and Keras's asymmetric "same" padding at stride 2. */
    static Model everyLayer() {
        Node in = Node.input(3, 11, 11);
        Node a = new Conv2D(4, 3).padding(Padding.SAME).activation(Activation.RELU).named("stem").apply(in);
        Node bn = new BatchNormalization().named("stem_bn").apply(a);
        Node b = new Conv2D(4, 1).named("branch").apply(bn);
        Node c = new Conv2D(4, 3).padding(Padding.SAME).useBias(false).activation(Activation.TANH).named("branch2").apply(bn);
        Node sum = new Add().named("residual").apply(bn, b, c);
        Node cat = new Concatenate().named("with_input").apply(sum, in);
        Node pooled = new MaxPool2D(3, 2, Padding.SAME).named("pool").apply(cat); // 11 -> 6
        Node down = new Conv2D(6, 3).stride(2).padding(Padding.SAME).activation(Activation.leakyRelu(0.2f))
                .named("down").apply(pooled); // 6 -> 3, padding 0 top, 1 bottom
        Node avg = new AveragePooling2D(2, 1, Padding.SAME).named("smooth").apply(down);
        Node dilated = new Conv2D(5, 2).dilation(2).padding(Padding.explicit(1, 1, 1, 1)).activation(Activation.SIGMOID)
                .named("dilated").apply(avg);
        Node flat = new Flatten().named("flatten").apply(dilated);
        Node gap = new GlobalAveragePooling2D().named("gap").apply(avg);
        Node joined = new Concatenate().named("features").apply(flat, gap);
        Node hidden = new Dense(7).activation(Activation.RELU).named("hidden").apply(joined);
        Node drop = new Dropout(0.5f).named("drop").apply(hidden);
        Node bn1 = new BatchNormalization().named("hidden_bn").apply(drop);
        Node act = new ActivationLayer(Activation.leakyRelu(0.01f)).named("leaky").apply(bn1);
        Node out = new Dense(3).activation(Activation.SOFTMAX).named("classes").apply(act);
        Model model = new Model(in, out).initialize(3);
        SplittableRandom r = new SplittableRandom(9);
        for (Map.Entry<String, Parameter> e : model.state().entrySet()) {
            float[] v = e.getValue().value();
            if (e.getKey().endsWith("running_var")) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = 0.5f + (float) r.nextDouble();
                }
            } else if (e.getKey().endsWith("running_mean") || e.getKey().endsWith("bn.weight")) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) r.nextGaussian() * 0.3f + (e.getKey().endsWith("weight") ? 1 : 0);
                }
            }
        }
        return model;
    }

    static float[] runInOnnxRuntime(byte[] onnx, float[] x, int batch, int[] dims) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = new long[dims.length + 1];
        shape[0] = batch;
        for (int i = 0; i < dims.length; i++) {
            shape[i + 1] = dims[i];
        }
        try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
             OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT_NAME, input))) {
            OnnxTensor out = (OnnxTensor) result.get(OnnxExport.OUTPUT_NAME).orElseThrow();
            FloatBuffer values = out.getFloatBuffer();
            float[] copy = new float[values.remaining()];
            values.get(copy);
            return copy;
        }
    }

    private static void assertSamePredictions(Model model, float[] x, int batch) throws Exception {
        float[] want = model.predict(x, batch);
        float[] got = runInOnnxRuntime(OnnxExport.toBytes(model, Map.of()), x, batch, model.inputShape().dims());
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], TOLERANCE, "output " + i);
        }
    }

    @Test
    void chestXRayNetWithPyTorchWeightsRunsInOnnxRuntime() throws Exception {
        Model model = ChestXRayNet.build();
        Weights.load(model, Path.of(getClass().getResource("/fixtures/chestxraynet-torch/weights.safetensors").toURI()));
        TensorFile c = SafeTensors.read(Path.of(getClass().getResource("/fixtures/chestxraynet-torch/case.safetensors").toURI()));
        assertSamePredictions(model, c.requireTensor("input", 2, 1, 256, 256).data(), 2);
    }

    @Test
    void batchNormResidualAddAndConcatenateRunInOnnxRuntime() throws Exception {
        Model model = everyLayer();
        assertSamePredictions(model, random(5 * 3 * 11 * 11, 4), 5);
    }

    @Test
    void inputOutputAndMetadataAreRecorded() throws Exception {
        Model model = ChestXRayNet.build(64, 0.6f).initialize(1);
        Path file = dir.resolve("model.onnx");
        OnnxExport.write(model, Map.of("epoch", "7"), file);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
            NodeInfo input = session.getInputInfo().get("input");
            assertArrayEquals(new long[] {-1, 1, 64, 64}, ((TensorInfo) input.getInfo()).getShape());
            assertArrayEquals(new long[] {-1, 1}, ((TensorInfo) session.getOutputInfo().get("output").getInfo()).getShape());
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            assertEquals("[\"batch\", 1, 64, 64]", meta.get("input.shape"));
            assertEquals("NCHW float32", meta.get("input.layout"));
            assertTrue(meta.get("preprocessing").contains("area-resized to 64x64, standardised to mean 0"), meta.get("preprocessing"));
            assertEquals(ModelFiles.architecture(model), meta.get(ModelFiles.ARCHITECTURE_KEY));
            assertEquals("7", meta.get("epoch"));
            assertEquals("isthmus", session.getMetadata().getProducerName());
        }
    }

    /**
     * ONNX's own checker (Debian's python3-onnx), with full_check: schema, opset, types and shape
     * inference, which must agree with the shapes Isthmus declared for the output.
     */
    @Test
    void passesTheOnnxChecker() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python), "no /usr/bin/python3 to run ONNX's checker");
        Assumptions.assumeTrue(run(python.toString(), "-c", "import onnx").exitCode() == 0,
                "python3-onnx is not installed (apt-get install python3-onnx), so ONNX's checker is not run");
        Path chest = dir.resolve("chest.onnx"), small = dir.resolve("small.onnx");
        OnnxExport.write(ChestXRayNet.build(), chest);
        OnnxExport.write(everyLayer(), small);
        String script = String.join("\n", "import onnx, sys",
                "for f in sys.argv[1:]:",
                "    m = onnx.load(f)",
                "    onnx.checker.check_model(m, full_check=True)",
                "    inferred = onnx.shape_inference.infer_shapes(m, strict_mode=True)",
                "    print(f, m.opset_import[0].version, [d.dim_value or d.dim_param for d in inferred.graph.output[0].type.tensor_type.shape.dim])");
        Run r = run(python.toString(), "-c", script, chest.toString(), small.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains(chest + " 17 ['batch', 1]"), r.output());
        assertTrue(r.output().contains(small + " 17 ['batch', 3]"), r.output());
    }

    record Run(int exitCode, String output) {}

    private static Run run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return new Run(p.waitFor(), output);
    }

    @Test
    void aRecordedPreprocessingWinsOverTheDefault() {
        Model model = ChestXRayNet.build(64, 0.6f);
        assertEquals("scaled to [0, 1]", OnnxMetadata.of(model, Map.of("preprocessing", "scaled to [0, 1]")).get("preprocessing"));
    }

    /** A model file's ModelMetadata (what `isthmus train` writes) reaches the ONNX file in words and as itself. */
    @Test
    void theModelFilesMetadataGivesThePreprocessingAndClassNames() {
        Model model = ChestXRayNet.build(64, 0.6f);
        ModelMetadata recorded = new ModelMetadata(ModelMetadata.Preprocessing.greyscale(64), List.of("normal", "effusion"),
                null);
        Map<String, String> props = OnnxMetadata.of(model, Map.of(ModelMetadata.KEY, recorded.toJson()));
        assertEquals("recorded in the model file (isthmus.metadata): each image as 1 channel (greyscale, ITU-R BT.601 luma"
                + " in [0, 1]), area-resized to 64x64, standardised to mean 0 and standard deviation 1 per image",
                props.get(OnnxMetadata.PREPROCESSING_KEY));
        assertEquals("normal,effusion", props.get(OnnxMetadata.CLASS_NAMES_KEY));
        assertEquals(recorded.toJson(), props.get(ModelMetadata.KEY));
        assertTrue(OnnxMetadata.of(model, Map.of()).get(OnnxMetadata.PREPROCESSING_KEY).startsWith("none recorded"));
    }
}
