package dev.isthmus.nn;

import static dev.isthmus.nn.ExecutionTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.isthmus.kernels.Padding;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Convolutions lay their weights out once per pass ({@link PassWeights}): an execution that ran
 * before the weights changed gives, in every kind of pass, the bits of a new execution.
 */
class PassWeightsTest {

    @Test
    void everyPassReadsTheWeightsAsTheyAreThen() {
        // two identical models with the same history (training passes move the batch norms' running statistics)
        Model model = net(), twin = net();
        int batch = 16; // in slices
        float[] x = random(batch * model.inputShape().size(), 3), dy = random(batch * 4, 4);
        Execution used = model.newExecution();
        passes(used, x, batch, dy);
        passes(twin.newExecution(), x, batch, dy);
        change(model);
        change(twin);
        List<float[]> again = passes(used, x, batch, dy), fresh = passes(twin.newExecution(), x, batch, dy);
        for (int i = 0; i < fresh.size(); i++) {
            assertArrayEquals(fresh.get(i), again.get(i), "result " + i);
        }
    }

    private static void change(Model model) {
        for (Parameter p : model.parameters().values()) {
            float[] v = p.value();
            for (int i = 0; i < v.length; i++) {
                v[i] = -0.75f * v[i] + 0.01f;
            }
        }
    }

    /** Inference (convolutions with batch norm folded), then training and evaluation with their backward passes. */
    private static List<float[]> passes(Execution e, float[] x, int batch, float[] dy) {
        List<float[]> out = new ArrayList<>();
        out.add(e.infer(x, batch).clone());
        for (boolean training : new boolean[] {true, false}) {
            out.add(e.forward(x, batch, training).clone());
            e.backward(dy);
            for (Parameter p : e.model().parameters().values()) {
                out.add(p.grad().clone());
            }
        }
        return out;
    }

    /** Winograd (8 -> 8 on 8x8) with batch norm and a residual, a pooled convolution, a strided one. */
    private static Model net() {
        Node in = Node.input(3, 16, 16);
        Node stem = new Conv2D(8, 3).padding(Padding.SAME).activation(Activation.RELU).named("stem").apply(in);
        Node pooled = new MaxPool2D(2).named("pool").apply(stem);
        Node c1 = new BatchNormalization().apply(new Conv2D(8, 3).padding(Padding.SAME).named("conv1").apply(pooled));
        Node r1 = new ActivationLayer(Activation.RELU).apply(c1);
        Node c2 = new BatchNormalization().apply(new Conv2D(8, 3).padding(Padding.SAME).named("conv2").apply(r1));
        Node sum = new ActivationLayer(Activation.RELU).apply(new Add().apply(pooled, c2));
        Node down = new Conv2D(16, 3).stride(2).padding(Padding.SAME).activation(Activation.TANH).apply(sum);
        Node out = new GlobalAveragePooling2D().apply(down);
        return new Model(in, new Dense(4).apply(out)).initialize(7, Initializer.HE);
    }
}
