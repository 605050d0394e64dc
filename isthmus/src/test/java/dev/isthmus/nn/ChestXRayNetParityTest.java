package dev.isthmus.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.io.SafeTensors;
import dev.isthmus.io.TensorFile;
import dev.isthmus.io.Weights;
import dev.isthmus.kernels.CrossEntropy;
import dev.isthmus.kernels.Parallel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PyTorch parity (fixtures/chestxraynet-torch, made with PyTorch 1.13): the seeds' weights, two
 * 256x256 images in evaluation mode; output, BCE loss and every parameter's gradient must match
 * within 1e-4 relative error per tensor, by norm.
 */
class ChestXRayNetParityTest {

    private static final double TOLERANCE = 1e-4;

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    private static Path fixture(String name) throws Exception {
        return Path.of(ChestXRayNetParityTest.class.getResource("/fixtures/chestxraynet-torch/" + name).toURI());
    }

    @Test
    void matchesPyTorchOutputLossAndGradients() throws Exception {
        Model model = ChestXRayNet.build();
        Weights.load(model, fixture("weights.safetensors"));
        TensorFile c = SafeTensors.read(fixture("case.safetensors"));
        float[] input = c.requireTensor("input", 2, 1, 256, 256).data();
        float[] labels = c.requireTensor("labels", 2, 1).data();

        Execution e = model.newExecution();
        float[] out = e.forward(input, 2, false);
        assertClose("output", c.requireTensor("output", 2, 1).data(), out, 2);

        float[] grad = new float[2];
        double loss = CrossEntropy.binaryCrossEntropy(out, 0, labels, 0, 2, grad, 0);
        double torchLoss = c.requireTensor("loss", 1).data()[0];
        assertEquals(torchLoss, loss, TOLERANCE * Math.abs(torchLoss), "loss");

        e.backward(grad);
        for (Map.Entry<String, Parameter> p : model.parameters().entrySet()) {
            float[] want = c.requireTensor("grad." + p.getKey(), p.getValue().shape()).data();
            assertClose("grad." + p.getKey(), want, p.getValue().grad(), want.length);
        }
    }

    @Test
    void summaryShowsTheSeedsShapesAndParameterCount() {
        Model model = ChestXRayNet.build();
        assertEquals(54_627, model.parameterCount());
        String summary = model.summary();
        for (String shape : new String[] {"(8, 256, 256)", "(8, 128, 128)", "(12, 64, 64)", "(50, 4, 4)", "(50)", "(128)",
                "(32)", "(1)"}) {
            assertTrue(summary.contains(shape), "summary shows " + shape + ":\n" + summary);
        }
        assertTrue(summary.contains("Total params: 54,627"), summary);
    }

    /** ||got - want|| <= tolerance * ||want||. */
    private static void assertClose(String what, float[] want, float[] got, int n) {
        double diff = 0, norm = 0;
        for (int i = 0; i < n; i++) {
            diff += Math.pow((double) got[i] - want[i], 2);
            norm += Math.pow(want[i], 2);
        }
        double rel = Math.sqrt(diff) / Math.sqrt(norm);
        assertTrue(rel <= TOLERANCE, what + ": relative error " + rel + " (norm " + Math.sqrt(norm) + ")");
    }
}
