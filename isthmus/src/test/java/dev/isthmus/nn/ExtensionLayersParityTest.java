package dev.isthmus.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.io.SafeTensors;
import dev.isthmus.io.TensorFile;
import dev.isthmus.kernels.Padding;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PyTorch parity (fixtures/torch-layers, made by make_layer_fixtures.py with PyTorch 1.13) for the
 * layers added as extension points: grouped and depthwise convolution (a depth multiplier of 2,
 * and of 1 at strides 1 and 2, the depthwise kernels' own), transposed convolution,
 * and convolution + batch norm + ReLU folded into one pass for inference. Output, input gradient
 * and every parameter gradient of {@code sum(output * dy)} within 1e-5 relative, by norm.
 */
class ExtensionLayersParityTest {

    private static final double TOLERANCE = 1e-5;
    private static TensorFile torch;

    @BeforeAll
    static void read() throws Exception {
        torch = SafeTensors.read(Path.of(ExtensionLayersParityTest.class
                .getResource("/fixtures/torch-layers/layers.safetensors").toURI()));
    }

    @Test
    void groupedConvolution() {
        check("grouped", new Conv2D(6, 3).padding(Padding.symmetric(1, 1)).groups(2));
    }

    @Test
    void depthwiseConvolution() {
        check("depthwise", new DepthwiseConv2D(3, 2).stride(2).padding(Padding.symmetric(1, 1)));
    }

    /** A depth multiplier of 1 at stride 1: the depthwise kernels' own, over a block of 16 channels and 4 more. */
    @Test
    void depthwiseConvolutionOneChannelAGroup() {
        check("depthwise1", new DepthwiseConv2D(3).padding(Padding.symmetric(1, 1)));
    }

    /** The same with a 5x5 kernel at stride 2 (17 channels). */
    @Test
    void depthwiseConvolutionFiveByFiveAtStrideTwo() {
        check("depthwise1s2", new DepthwiseConv2D(5).stride(2).padding(Padding.symmetric(2, 2)));
    }

    @Test
    void transposedConvolution() {
        check("transposed", new Conv2DTranspose(4, 3).stride(2).padding(1, 1));
    }

    /**
     * The evaluation pass (layers apart) matches PyTorch's output and gradients; the inference
     * pass folds the three layers into one convolution and matches the same output.
     */
    @Test
    void convolutionBatchNormAndReluFoldForInference() {
        int[] shape = torch.requireTensor("convbn.input").shape();
        Node in = Node.input(shape[1], shape[2], shape[3]);
        Node x = new ActivationLayer(Activation.LINEAR).named("in").apply(in);
        Node c = new Conv2D(5, 3).padding(Padding.symmetric(1, 1)).named("c").apply(x);
        Node b = new BatchNormalization().named("bn").apply(c);
        Node y = new ActivationLayer(Activation.RELU).named("relu").apply(b);
        Model model = new Model(in, y).initialize(1);
        Map<String, String> names = Map.of("c.weight", "0.weight", "c.bias", "0.bias", "bn.weight", "1.weight",
                "bn.bias", "1.bias", "bn.running_mean", "1.running_mean", "bn.running_var", "1.running_var");
        load(model, "convbn", names);
        Execution e = model.newExecution("in");
        assertEquals(List.of("c+bn+relu"), e.fusedLayersInInference());
        assertEquals(List.of("bn+relu"), e.fusedLayers(), "training keeps the convolution apart");
        float[] input = torch.requireTensor("convbn.input").data();
        int batch = shape[0];
        assertClose("convbn folded output", torch.requireTensor("convbn.output").data(), e.infer(input, batch));
        IllegalStateException noGradients = assertThrows(IllegalStateException.class,
                () -> e.backward(torch.requireTensor("convbn.dy").data()));
        assertTrue(noGradients.getMessage().startsWith("backward cannot follow an inference pass"),
                noGradients.getMessage());
        checkPasses(model, e, "convbn", input, batch, x, names);
    }

    /**
     * Batch normalisation in training runs inside the slices (statistics per slice, merged in
     * slice order): output, every gradient and the updated running statistics match PyTorch's
     * training step, and one thread gives the same bits as two.
     */
    @Test
    void batchNormalisationTrainsInSlicesAsPyTorch() {
        int[] shape = torch.requireTensor("bntrain.input").shape();
        float[][] one = trainStep(shape, 1), two = trainStep(shape, 2);
        for (int i = 0; i < one.length; i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(one[i], two[i], "result " + i + ", 1 vs 2 threads");
        }
    }

    private static float[][] trainStep(int[] shape, int threads) {
        dev.isthmus.kernels.Parallel.setThreads(threads);
        try {
            Node in = Node.input(shape[1], shape[2], shape[3]);
            Node x = new ActivationLayer(Activation.LINEAR).named("in").apply(in);
            Node c = new Conv2D(5, 3).padding(Padding.symmetric(1, 1)).named("c").apply(x);
            Node b = new BatchNormalization().named("bn").apply(c);
            Node y = new ActivationLayer(Activation.RELU).named("relu").apply(b);
            Model model = new Model(in, y).initialize(1);
            Map<String, String> names = Map.of("c.weight", "0.weight", "c.bias", "0.bias", "bn.weight", "1.weight",
                    "bn.bias", "1.bias", "bn.running_mean", "1.running_mean", "bn.running_var", "1.running_var");
            load(model, "bntrain", names);
            Execution e = model.newExecution("in");
            float[] out = e.forward(torch.requireTensor("bntrain.input").data(), shape[0], true).clone();
            assertEquals(shape[0], e.slices(), "one slice per sample: batch norm no longer forces the whole batch");
            assertClose("bntrain output", torch.requireTensor("bntrain.output").data(), out);
            e.backward(torch.requireTensor("bntrain.dy").data());
            float[] dx = e.gradient(x).clone();
            assertClose("bntrain input gradient", torch.requireTensor("bntrain.dinput").data(), dx);
            Map<String, Parameter> state = model.state();
            names.forEach((ours, theirs) -> {
                if (model.parameters().containsKey(ours)) {
                    assertClose("bntrain gradient of " + ours, torch.requireTensor("bntrain.d" + theirs).data(),
                            state.get(ours).grad());
                }
            });
            assertClose("running mean", torch.requireTensor("bntrain.1.running_mean_after").data(),
                    state.get("bn.running_mean").value());
            assertClose("running variance", torch.requireTensor("bntrain.1.running_var_after").data(),
                    state.get("bn.running_var").value());
            return new float[][] {out, dx, state.get("bn.weight").grad().clone(), state.get("c.weight").grad().clone(),
                    state.get("bn.running_var").value().clone()};
        } finally {
            dev.isthmus.kernels.Parallel.setThreads(Runtime.getRuntime().availableProcessors());
        }
    }

    /** Loads the fixture's parameters into a one-layer model named {@code name}, then checks both passes. */
    private static void check(String name, Layer layer) {
        int[] shape = torch.requireTensor(name + ".input").shape();
        Node in = Node.input(shape[1], shape[2], shape[3]);
        Node x = new ActivationLayer(Activation.LINEAR).named("in").apply(in); // so the layer's input gradient is kept
        Node y = layer.named(name).apply(x);
        Model model = new Model(in, y).initialize(1);
        Map<String, String> names = Map.of(name + ".weight", "weight", name + ".bias", "bias");
        load(model, name, names);
        checkPasses(model, model.newExecution("in"), name, torch.requireTensor(name + ".input").data(), shape[0], x, names);
    }

    private static void load(Model model, String prefix, Map<String, String> names) {
        Map<String, Parameter> state = model.state();
        names.forEach((ours, theirs) -> {
            float[] value = torch.requireTensor(prefix + "." + theirs).data();
            float[] target = state.get(ours).value();
            assertEquals(target.length, value.length, ours);
            System.arraycopy(value, 0, target, 0, value.length);
        });
    }

    private static void checkPasses(Model model, Execution e, String prefix, float[] input, int batch, Node layerInput,
                                    Map<String, String> names) {
        float[] out = e.forward(input, batch, false);
        assertClose(prefix + " output", torch.requireTensor(prefix + ".output").data(), out);
        e.backward(torch.requireTensor(prefix + ".dy").data());
        assertClose(prefix + " input gradient", torch.requireTensor(prefix + ".dinput").data(), e.gradient(layerInput));
        Map<String, Parameter> parameters = model.parameters();
        names.forEach((ours, theirs) -> {
            if (parameters.containsKey(ours)) {
                assertClose(prefix + " gradient of " + ours, torch.requireTensor(prefix + ".d" + theirs).data(),
                        parameters.get(ours).grad());
            }
        });
    }

    private static void assertClose(String what, float[] want, float[] got) {
        double diff = 0, norm = 0;
        for (int i = 0; i < want.length; i++) {
            diff += Math.pow(got[i] - want[i], 2);
            norm += Math.pow(want[i], 2);
        }
        // Relative by norm, absolute below norm 1: a gradient that is zero in exact arithmetic (a
        // bias before batch norm) is rounding noise in both frameworks.
        double relative = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1);
        assertTrue(relative <= TOLERANCE, what + ": relative error " + relative);
    }
}
