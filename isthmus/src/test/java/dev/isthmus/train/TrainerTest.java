package dev.isthmus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.kernels.Parallel;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Parameter;
import dev.isthmus.nn.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TrainerTest {

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    private static List<float[]> train(int threads, long seed) {
        Parallel.setThreads(threads);
        Model model = ToyData.smallCnn(seed);
        new Trainer(model, Losses.binaryCrossEntropy(), new Adam(1e-2))
                .fit(ToyData.squares(96, 1), ToyData.squares(32, 2), new FitOptions().epochs(2).batchSize(16).seed(seed));
        List<float[]> weights = new ArrayList<>();
        for (Parameter p : model.parameters().values()) {
            weights.add(p.value().clone());
        }
        return weights;
    }

    @Test
    void sameSeedGivesBitwiseIdenticalWeightsOnAnyThreadCount() {
        List<float[]> once = train(1, 7), again = train(1, 7), twoThreads = train(2, 7), threeThreads = train(3, 7);
        for (int i = 0; i < once.size(); i++) {
            assertArrayEquals(once.get(i), again.get(i), "run to run, parameter " + i);
            assertArrayEquals(once.get(i), twoThreads.get(i), "1 vs 2 threads, parameter " + i);
            assertArrayEquals(once.get(i), threeThreads.get(i), "1 vs 3 threads, parameter " + i);
        }
        List<float[]> otherSeed = train(1, 8);
        assertTrue(!java.util.Arrays.equals(once.get(0), otherSeed.get(0)), "another seed gives other weights");
    }

    @Test
    void learnsASeparableTask() {
        Model model = ToyData.smallCnn(3);
        Trainer trainer = new Trainer(model, Losses.binaryCrossEntropy(), new Adam(1e-2));
        History h = trainer.fit(ToyData.squares(256, 11), ToyData.squares(128, 12),
                new FitOptions().epochs(8).batchSize(16).seed(5));
        assertEquals(8, h.epochs());
        assertTrue(h.get("loss").get(7) < h.get("loss").get(0), "training loss falls: " + h.get("loss"));
        double accuracy = trainer.evaluate(ToyData.squares(128, 13), 32).get("accuracy");
        assertTrue(accuracy >= 0.9, "test accuracy " + accuracy + ", history " + h.asMap());
        assertNotNull(h.get("val_auc"));
    }

    @Test
    void predictFromManyThreadsEqualsSequentialCalls() throws Exception {
        Model model = ToyData.smallCnn(4);
        Dataset data = ToyData.squares(40, 21);
        int size = ToyData.SHAPE.size();
        float[][] sequential = new float[data.count()][];
        for (int i = 0; i < data.count(); i++) {
            sequential[i] = model.predict(java.util.Arrays.copyOfRange(data.x(), i * size, (i + 1) * size), 1);
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < data.count(); i++) {
                    int k = i;
                    results.add(pool.submit(() -> model.predict(java.util.Arrays.copyOfRange(data.x(), k * size, (k + 1) * size), 1)));
                }
            }
            for (int r = 0; r < results.size(); r++) {
                assertArrayEquals(sequential[r % data.count()], results.get(r).get(), "sample " + (r % data.count()));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void nanLossStopsTrainingWithAClearReason() {
        Model model = ToyData.smallCnn(4);
        Dataset data = ToyData.squares(64, 1);
        data.x()[100] = Float.NaN;
        History h = new Trainer(model, Losses.binaryCrossEntropy(), new Adam()).fit(data, null,
                new FitOptions().epochs(3).batchSize(64).shuffle(false));
        assertNotNull(h.stopReason());
        assertTrue(h.stopReason().startsWith("loss became NaN at epoch 1, batch 1"), h.stopReason());
        for (Parameter p : model.parameters().values()) {
            for (float v : p.value()) {
                assertTrue(Float.isFinite(v), "weights untouched by the NaN step");
            }
        }
    }

    @Test
    void badInputsAreNamed() {
        Model model = ToyData.smallCnn(4);
        Trainer trainer = new Trainer(model, Losses.binaryCrossEntropy(), new Adam());
        Dataset wrongShape = Dataset.of(new float[2 * 100], new float[2], Shape.of(1, 10, 10));
        assertEquals("training data samples have shape (1, 10, 10), but the model's input layer expects (1, 12, 12)",
                assertThrows(IllegalArgumentException.class, () -> trainer.fit(wrongShape, null, new FitOptions())).getMessage());
        Dataset badLabels = ToyData.squares(4, 1);
        badLabels.y()[2] = 3;
        assertEquals("binary cross-entropy targets must be in [0, 1], got 3.0 at index 2",
                assertThrows(IllegalArgumentException.class,
                        () -> trainer.fit(badLabels, null, new FitOptions().shuffle(false).batchSize(4))).getMessage());
        assertEquals("the model input expects 2 samples of shape (1, 12, 12) = 288 values, got an array of 100",
                assertThrows(IllegalArgumentException.class, () -> model.predict(new float[100], 2)).getMessage());
    }

    @Test
    void rocAucCountsTiesAsHalf() {
        assertEquals(1.0, Metrics.rocAuc(new float[] {0.1f, 0.9f}, new float[] {0, 1}, 2));
        assertEquals(0.5, Metrics.rocAuc(new float[] {0.5f, 0.5f}, new float[] {0, 1}, 2));
        assertEquals(0.75, Metrics.rocAuc(new float[] {0.1f, 0.4f, 0.35f, 0.8f}, new float[] {0, 0, 1, 1}, 4));
    }
}
