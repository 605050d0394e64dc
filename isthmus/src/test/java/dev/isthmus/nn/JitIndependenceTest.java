package dev.isthmus.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.isthmus.kernels.CrossEntropy;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The same training step gives the same bits whether its kernels run interpreted, under C1 or
 * compiled by C2. A Vector API operation whose result may differ between its Java fallback and
 * its intrinsic (a lane reduction's order, a transcendental) would make training depend on when
 * the JIT got to it. Runs in a JVM of its own (the build's {@code fresh-jvm} execution), so the
 * first step really is the interpreter's.
 */
@Tag("fresh-jvm")
class JitIndependenceTest {

    @Test
    void aTrainingStepGivesTheSameBitsColdAndCompiled() {
        Model model = ChestXRayNet.build(64, 0.5f).initialize(11, Initializer.HE);
        int batch = 3, size = model.inputShape().size();
        SplittableRandom random = new SplittableRandom(12);
        float[] x = new float[batch * size], labels = {0, 1, 1}, grad = new float[batch];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        Execution e = model.newExecution();
        List<float[]> cold = step(e, x, batch, labels, grad);
        for (int s = 1; s <= 400; s++) {
            List<float[]> again = step(e, x, batch, labels, grad);
            for (int i = 0; i < cold.size(); i++) {
                assertArrayEquals(cold.get(i), again.get(i), "step " + s + ", result " + i + " (0: output, then gradients)");
            }
        }
    }

    private static List<float[]> step(Execution e, float[] x, int batch, float[] labels, float[] grad) {
        e.seed(3);
        List<float[]> results = new ArrayList<>();
        float[] out = e.forward(x, batch, true);
        results.add(java.util.Arrays.copyOf(out, batch));
        CrossEntropy.binaryCrossEntropy(out, 0, labels, 0, batch, grad, 0);
        e.backward(grad);
        for (Parameter p : e.model().parameters().values()) {
            results.add(p.grad().clone());
        }
        return results;
    }
}
