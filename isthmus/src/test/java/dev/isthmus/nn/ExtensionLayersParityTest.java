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
 * layers added as extension points: grouped and depthwise convolution, transposed convolution,
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
        Execution e = model.newExecution();
        assertEquals(List.of("c+bn+relu"), e.fusedLayersInInference());
        assertEquals(List.of(), e.fusedLayers(), "training keeps the layers apart");
        float[] input = torch.requireTensor("convbn.input").data();
        int batch = shape[0];
        assertClose("convbn folded output", torch.requireTensor("convbn.output").data(), e.infer(input, batch));
        IllegalStateException noGradients = assertThrows(IllegalStateException.class,
                () -> e.backward(torch.requireTensor("convbn.dy").data()));
        assertTrue(noGradients.getMessage().startsWith("backward cannot follow an inference pass"),
                noGradients.getMessage());
        checkPasses(model, e, "convbn", input, batch, x, names);
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
        checkPasses(model, model.newExecution(), name, torch.requireTensor(name + ".input").data(), shape[0], x, names);
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
        double relative = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
        assertTrue(relative <= TOLERANCE, what + ": relative error " + relative);
    }
}
