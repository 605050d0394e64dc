package dev.isthmus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.Activation;
import dev.isthmus.nn.Dense;
import dev.isthmus.nn.Flatten;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Node;
import dev.isthmus.nn.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

    @Test
    void evaluatesWithoutAnOptimizerAsTheTrainerDoes() {
        Model model = ToyData.smallCnn(3);
        Dataset test = ToyData.squares(40, 21);
        Map<String, Double> alone = new Evaluator(model, Losses.binaryCrossEntropy()).evaluate(test, 16);
        Map<String, Double> viaTrainer = new Trainer(model, Losses.binaryCrossEntropy(), new Adam()).evaluate(test, 16);
        assertEquals(viaTrainer, alone);
        assertEquals(java.util.List.of("loss", "accuracy", "auc"), java.util.List.copyOf(alone.keySet()));
        assertArrayEquals(model.predict(test.x(), test.count()), new Evaluator(model, Losses.binaryCrossEntropy())
                .predict(test, 7), "batches of 7 predict what one batch does");
    }

    @Test
    void theLossSaysWhichMetricsMeanSomething() {
        assertEquals(Loss.Task.BINARY, Losses.binaryCrossEntropyFromLogits().task());
        assertEquals(Loss.Task.CATEGORICAL, Losses.sparseCategoricalCrossEntropy().task());
        Node in = Node.input(1, 2, 2);
        Node out = new Dense(3).activation(Activation.SOFTMAX).apply(new Flatten().apply(in));
        Model model = new Model(in, out).initialize(1);
        Dataset data = Dataset.of(new float[] {1, 2, 3, 4, 4, 3, 2, 1}, new float[] {2, 0}, Shape.of(1, 2, 2));
        Map<String, Double> m = new Evaluator(model, Losses.sparseCategoricalCrossEntropy()).evaluate(data, 2);
        assertTrue(m.containsKey("accuracy"));
        assertFalse(m.containsKey("auc"), "no ROC AUC for a categorical task: " + m);
        Loss squared = new Loss() { // a loss of its own kind: the loss alone is reported
            @Override
            public String name() {
                return "squared_error";
            }

            @Override
            public double compute(float[] output, float[] target, int batch, int outputSize, float[] grad) {
                double sum = 0;
                for (int i = 0; i < batch * outputSize; i++) {
                    double d = output[i] - target[i];
                    sum += d * d;
                    grad[i] = (float) (2 * d / batch);
                }
                return sum / batch;
            }
        };
        Dataset regression = new Dataset(data.x(), new float[6], 2, Shape.of(1, 2, 2), 3);
        assertEquals(java.util.List.of("loss"), java.util.List.copyOf(new Evaluator(model, squared)
                .evaluate(regression, 2).keySet()));
    }

    @Test
    void badInputIsNamed() {
        Model model = ToyData.smallCnn(3);
        Evaluator evaluator = new Evaluator(model, Losses.binaryCrossEntropy());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> evaluator.evaluate(ToyData.squares(4, 1), 0));
        assertEquals("batchSize must be >= 1, got 0", e.getMessage());
        Dataset wrong = Dataset.of(new float[2 * 16], new float[2], Shape.of(1, 4, 4));
        e = assertThrows(IllegalArgumentException.class, () -> evaluator.predict(wrong, 2));
        assertEquals("prediction data samples have shape (1, 4, 4), but the model's input layer expects (1, 12, 12)",
                e.getMessage());
    }
}
