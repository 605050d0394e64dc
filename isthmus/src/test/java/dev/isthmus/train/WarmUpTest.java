package dev.isthmus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.kernels.Padding;
import dev.isthmus.nn.Activation;
import dev.isthmus.nn.Conv2D;
import dev.isthmus.nn.Dense;
import dev.isthmus.nn.GlobalAveragePooling2D;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Parameter;
import dev.isthmus.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WarmUpTest {

    private static List<float[]> trainedWeights() {
        Model model = ToyData.smallCnn(9);
        new Trainer(model, Losses.binaryCrossEntropy(), new Adam(1e-2))
                .fit(ToyData.squares(64, 1), ToyData.squares(16, 2), new FitOptions().epochs(1).batchSize(16).seed(3));
        List<float[]> weights = new ArrayList<>();
        for (Parameter p : model.parameters().values()) {
            weights.add(p.value().clone());
        }
        return weights;
    }

    /** Waits (a bounded while, not a timing assertion) until the warm-up has finished a step. */
    private static void awaitSteps(WarmUp warmUp, int steps) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (warmUp.steps() < steps && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(warmUp.steps() >= steps, "the warm-up finished " + warmUp.steps() + " steps in a minute");
    }

    @Test
    void trainingAfterAWarmUpGivesTheSameBitsAsWithout() throws InterruptedException {
        List<float[]> without = trainedWeights();
        WarmUp warmUp = WarmUp.start(() -> ToyData.smallCnn(1), Losses.binaryCrossEntropy(), 4);
        awaitSteps(warmUp, 3);
        warmUp.close();
        List<float[]> after = trainedWeights();
        for (int i = 0; i < without.size(); i++) {
            assertArrayEquals(without.get(i), after.get(i), "parameter " + i);
        }
    }

    @Test
    void closeWaitsForTheStepUnderWayAndStopsTheSteps() throws InterruptedException {
        WarmUp warmUp = WarmUp.start(() -> ToyData.smallCnn(2), Losses.binaryCrossEntropy(), 2);
        awaitSteps(warmUp, 1);
        warmUp.close();
        int steps = warmUp.steps();
        Thread.sleep(50);
        assertEquals(steps, warmUp.steps(), "no step after close");
        warmUp.close(); // a second close is harmless
    }

    @Test
    void stopsByItselfOnceItsStepsStopGettingFaster() throws InterruptedException {
        WarmUp warmUp = WarmUp.start(() -> ToyData.smallCnn(3), Losses.binaryCrossEntropy(), 2);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!warmUp.settled() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(warmUp.settled(), "still stepping after a minute: " + warmUp.steps() + " steps");
        int steps = warmUp.steps();
        Thread.sleep(50);
        assertEquals(steps, warmUp.steps(), "no step once settled");
        warmUp.close();
    }

    @Test
    void trainsTheSuppliedNetworkNotAnother() throws InterruptedException {
        AtomicReference<Model> built = new AtomicReference<>();
        WarmUp warmUp = WarmUp.start(() -> {
            built.set(ToyData.smallCnn(5));
            return built.get();
        }, Losses.binaryCrossEntropy(), 3);
        awaitSteps(warmUp, 2);
        warmUp.close();
        float[] trained = built.get().parameters().values().iterator().next().value();
        float[] fresh = ToyData.smallCnn(5).parameters().values().iterator().next().value();
        assertFalse(java.util.Arrays.equals(trained, fresh), "the warm-up's steps moved its own network's weights");
    }

    @Test
    void inferenceReadsTheModelAndChangesNothing() throws InterruptedException {
        Model model = ToyData.smallCnn(6);
        Dataset data = ToyData.squares(8, 4);
        float[] before = model.predict(data.x(), data.count());
        List<float[]> weights = new ArrayList<>();
        for (Parameter p : model.parameters().values()) {
            weights.add(p.value().clone());
        }
        WarmUp warmUp = WarmUp.inference(model, 3);
        awaitSteps(warmUp, 3);
        warmUp.close();
        int i = 0;
        for (Parameter p : model.parameters().values()) {
            assertArrayEquals(weights.get(i++), p.value(), "parameter " + p);
        }
        assertArrayEquals(before, model.predict(data.x(), data.count()));
        assertThrows(IllegalArgumentException.class, () -> WarmUp.inference(model, 0));
    }

    @Test
    void categoricalLossesGetClassIndices() throws InterruptedException {
        Model classifier = new Sequential(1, 12, 12)
                .add(new Conv2D(4, 3).padding(Padding.SAME).activation(Activation.RELU))
                .add(new GlobalAveragePooling2D())
                .add(new Dense(3))
                .build()
                .initialize(1);
        WarmUp warmUp = WarmUp.start(() -> classifier, Losses.sparseCategoricalCrossEntropyFromLogits(), 5);
        awaitSteps(warmUp, 2);
        warmUp.close();
    }

    @Test
    void aFailedWarmUpSaysWhyAtClose() {
        WarmUp failing = WarmUp.start(() -> {
            throw new IllegalArgumentException("no such layer");
        }, Losses.binaryCrossEntropy(), 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, failing::close);
        assertTrue(e.getMessage().contains("no such layer"), e.getMessage());
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
    }

    @Test
    void missingArgumentsAreNamed() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> WarmUp.start(null, Losses.binaryCrossEntropy(), 1));
        assertTrue(e.getMessage().contains("network"), e.getMessage());
        e = assertThrows(NullPointerException.class, () -> WarmUp.start(() -> ToyData.smallCnn(1), null, 1));
        assertTrue(e.getMessage().contains("loss"), e.getMessage());
        e = assertThrows(NullPointerException.class, () -> WarmUp.inference(null, 1));
        assertTrue(e.getMessage().contains("model"), e.getMessage());
        WarmUp nothing = WarmUp.start(() -> null, Losses.binaryCrossEntropy(), 1);
        IllegalStateException failed = assertThrows(IllegalStateException.class, nothing::close);
        assertTrue(failed.getMessage().contains("supplier returned null"), failed.getMessage());
    }

    @Test
    void badBatchSizeIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WarmUp.start(() -> ToyData.smallCnn(1), Losses.binaryCrossEntropy(), 0));
        assertTrue(e.getMessage().contains("batchSize") && e.getMessage().contains("0"), e.getMessage());
    }
}
