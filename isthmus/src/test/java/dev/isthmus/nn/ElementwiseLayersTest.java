package dev.isthmus.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Add} and {@link ActivationLayer} write their outputs in one pass from their inputs; these
 * pin the floats against the sums and activations written out here, in the same order.
 */
class ElementwiseLayersTest {

    @Test
    void addOfThreeSumsInInputOrderAndActivationsReadTheirInput() {
        Node in = Node.input(7);
        Node relu = new ActivationLayer(Activation.RELU).apply(in);
        Node leaky = new ActivationLayer(Activation.leakyRelu(0.25f)).apply(in);
        Node linear = new ActivationLayer(Activation.LINEAR).apply(in);
        Model model = new Model(in, new Add().apply(relu, leaky, linear)).initialize(1);
        int batch = 5;
        float[] x = new float[batch * 7];
        Random random = new Random(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        float[] y = model.predict(x, batch);
        for (int i = 0; i < x.length; i++) {
            float r = Math.max(x[i], 0f), l = x[i] > 0 ? x[i] : 0.25f * x[i];
            assertEquals((r + l) + x[i], y[i], 0f, "element " + i);
        }
    }

    @Test
    void everyActivationGivesTheSameFloatsFromItsInputAsInPlaceAndLeavesTheInput() {
        Random random = new Random(5);
        int n = 24, row = 6, offset = 3;
        float[] x = new float[offset + n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (3 * random.nextGaussian());
        }
        for (Activation a : List.of(Activation.LINEAR, Activation.RELU, Activation.leakyRelu(0.1f), Activation.SIGMOID,
                Activation.TANH, Activation.SOFTMAX)) {
            float[] input = x.clone(), inPlace = x.clone(), y = new float[x.length];
            a.forward(inPlace, offset, n, row);
            a.forward(input, offset, y, offset, n, row);
            assertArrayEquals(java.util.Arrays.copyOfRange(inPlace, offset, x.length),
                    java.util.Arrays.copyOfRange(y, offset, x.length), a.toString());
            float[] moved = new float[n]; // another array at another offset (a slice's own buffer)
            a.forward(input, offset, moved, 0, n, row);
            assertArrayEquals(java.util.Arrays.copyOfRange(inPlace, offset, x.length), moved, a + " moved");
            assertArrayEquals(x, input, a + " left its input alone");
        }
    }
}
