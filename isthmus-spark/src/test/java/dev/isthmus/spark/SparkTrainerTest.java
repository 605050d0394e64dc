package dev.isthmus.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.data.Augmentation;
import dev.isthmus.kernels.Padding;
import dev.isthmus.kernels.Parallel;
import dev.isthmus.nn.BatchNormalization;
import dev.isthmus.nn.Conv2D;
import dev.isthmus.nn.Dense;
import dev.isthmus.nn.Flatten;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Sequential;
import dev.isthmus.train.Adam;
import dev.isthmus.train.Callback;
import dev.isthmus.train.Dataset;
import dev.isthmus.train.FitContext;
import dev.isthmus.train.FitOptions;
import dev.isthmus.train.History;
import dev.isthmus.train.Losses;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training in Spark's local mode ({@code local[4]}): on 1, 2 or 4 workers, the
 * weights, history and callbacks of {@code Trainer.fit} on one machine, bit for bit.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SparkTrainerTest {

    private static SparkSession spark;
    private static int threadsBefore;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        threadsBefore = Parallel.threads();
        spark = LocalSpark.get();
    }

    @AfterAll
    static void restoreThreads() {
        Parallel.setThreads(threadsBefore); // tasks set the library's threads to their cores
    }

    /** Records every callback call with its arguments, as text. */
    static final class Recorder implements Callback {
        final List<String> calls = new ArrayList<>();

        @Override
        public void onTrainBegin(FitContext c) {
            calls.add("trainBegin " + c.epochs() + " " + c.samples() + " " + c.batchSize());
        }

        @Override
        public void onEpochBegin(FitContext c, int epoch) {
            calls.add("epochBegin " + epoch);
        }

        @Override
        public void onBatchEnd(FitContext c, int epoch, int batch, int batches, Map<String, Double> logs) {
            calls.add("batchEnd " + epoch + " " + batch + "/" + batches + " " + logs);
        }

        @Override
        public void onEpochEnd(FitContext c, int epoch, Map<String, Double> logs) {
            calls.add("epochEnd " + epoch + " " + logs);
        }

        @Override
        public void onTrainEnd(FitContext c) {
            calls.add("trainEnd");
        }
    }

    private static FitOptions options(int epochs, Recorder recorder) {
        return new FitOptions().epochs(epochs).batchSize(16).seed(7).callback(recorder)
                .augmentation(new Augmentation(new Augmentation.Config(8, 0.1, 0.1, 0.1, true)));
    }

    @Test
    void oneTwoAndFourWorkersGiveTheOneMachinesWeightsHistoryAndCallbacks() {
        Dataset train = TestData.squares(75, 1), validation = TestData.squares(20, 2); // batches of 16, the last of 11
        Model single = TestData.smallCnn(3);
        Recorder once = new Recorder();
        History want = new Trainer(single, Losses.binaryCrossEntropy(), new Adam(1e-2))
                .fit(train, validation, options(2, once));
        List<float[]> weights = TestData.weights(single);
        org.apache.spark.sql.Dataset<Row> rows = TestData.frame(spark, train);
        for (int workers : new int[] {1, 2, 4}) {
            Model model = TestData.smallCnn(3);
            Recorder recorder = new Recorder();
            SparkTrainer trainer = new SparkTrainer(model, Losses.binaryCrossEntropy(), () -> new Adam(1e-2))
                    .workers(workers).checkpoints(dir.resolve("w" + workers));
            History got = trainer.fit(rows, validation, options(2, recorder));
            List<float[]> distributed = TestData.weights(model);
            for (int p = 0; p < weights.size(); p++) {
                assertArrayEquals(weights.get(p), distributed.get(p), workers + " workers, parameter " + p);
            }
            assertEquals(want.asMap(), got.asMap(), workers + " workers");
            assertEquals(once.calls, recorder.calls, workers + " workers");
            assertEquals(2, trainer.stats().size());
            assertEquals(5, trainer.stats().get(0).steps());
        }
        assertTrue(want.get("val_loss").get(1) < want.get("val_loss").get(0) + 0.5, "it trains: " + want.asMap());
    }

    @Test
    void aFitResumesAfterItsLastFinishedEpoch() {
        Dataset train = TestData.squares(40, 4);
        Model single = TestData.smallCnn(5);
        History want = new Trainer(single, Losses.binaryCrossEntropy(), new Sgd(0.1, 0.9, false, 0))
                .fit(train, null, new FitOptions().epochs(3).batchSize(8).seed(2));
        org.apache.spark.sql.Dataset<Row> rows = TestData.frame(spark, train);
        Path folder = dir.resolve("resume");
        new SparkTrainer(TestData.smallCnn(5), Losses.binaryCrossEntropy(), () -> new Sgd(0.1, 0.9, false, 0))
                .workers(2).checkpoints(folder).fit(rows, null, new FitOptions().epochs(2).batchSize(8).seed(2));
        Model resumed = TestData.smallCnn(99); // other weights: the checkpoint's must replace them
        History got = new SparkTrainer(resumed, Losses.binaryCrossEntropy(), () -> new Sgd(0.1, 0.9, false, 0))
                .workers(2).checkpoints(folder).fit(rows, null, new FitOptions().epochs(3).batchSize(8).seed(2));
        List<float[]> weights = TestData.weights(single), distributed = TestData.weights(resumed);
        for (int p = 0; p < weights.size(); p++) {
            assertArrayEquals(weights.get(p), distributed.get(p), "parameter " + p);
        }
        assertEquals(want.asMap(), got.asMap());

        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> new SparkTrainer(TestData.smallCnn(5), Losses.binaryCrossEntropy(), () -> new Sgd(0.1))
                        .checkpoints(folder).fit(rows, null, new FitOptions().epochs(4).batchSize(8).seed(3)));
        assertTrue(other.getMessage().endsWith("belongs to a fit with seed 2, batch 8, 40 samples, shuffle true; this one"
                + " has seed 3, batch 8, 40 samples, shuffle true: use another checkpoint folder, or the same settings to"
                + " resume"), other.getMessage());
    }

    @Test
    void aLossThatIsNotFiniteStopsTrainingAsOnOneMachine() {
        Dataset train = TestData.squares(48, 6);
        train.x()[30 * TestData.SHAPE.size() + 5] = Float.NaN; // sample 30 poisons its batch
        Model single = TestData.smallCnn(8);
        History want = new Trainer(single, Losses.binaryCrossEntropy(), new Adam(1e-2))
                .fit(train, null, new FitOptions().epochs(3).batchSize(16).seed(1));
        Model model = TestData.smallCnn(8);
        History got = new SparkTrainer(model, Losses.binaryCrossEntropy(), () -> new Adam(1e-2)).workers(4)
                .checkpoints(dir.resolve("nan")).fit(TestData.frame(spark, train), null,
                        new FitOptions().epochs(3).batchSize(16).seed(1));
        assertNotNull(want.stopReason());
        assertEquals(want.stopReason(), got.stopReason());
        assertEquals(want.asMap(), got.asMap());
        List<float[]> weights = TestData.weights(single), distributed = TestData.weights(model);
        for (int p = 0; p < weights.size(); p++) {
            assertArrayEquals(weights.get(p), distributed.get(p), "parameter " + p);
        }
    }

    @Test
    void batchNormalizationIsRefusedByName() {
        Model model = new Sequential(1, 12, 12).add(new Conv2D(4, 3).padding(Padding.SAME))
                .add(new BatchNormalization().named("bn1")).add(new Flatten()).add(new Dense(1)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SparkTrainer(model, Losses.binaryCrossEntropyFromLogits(), Adam::new).workers(2)
                        .checkpoints(dir).fit(TestData.frame(spark, TestData.squares(8, 1)), null, new FitOptions()));
        assertEquals("the model cannot be trained on several workers: batch normalisation [bn1] normalises over the whole"
                + " batch in training, which no worker holds (statistics per worker would train another model than one"
                + " machine does); remove it or train on one machine", e.getMessage());
    }

    @Test
    void badSettingsAndRowsAreNamed() {
        org.apache.spark.sql.Dataset<Row> rows = TestData.frame(spark, TestData.squares(8, 1));
        SparkTrainer trainer = new SparkTrainer(TestData.smallCnn(1), Losses.binaryCrossEntropy(), Adam::new)
                .checkpoints(dir.resolve("bad"));
        assertEquals("5 workers, but a batch of 4 is cut into 4 slices and a worker computes whole slices: use at most 4"
                        + " workers or a larger batch",
                assertThrows(IllegalArgumentException.class,
                        () -> trainer.workers(5).fit(rows, null, new FitOptions().batchSize(4))).getMessage());
        assertEquals("no column 'pixels'; the columns are [features, label]",
                assertThrows(IllegalArgumentException.class,
                        () -> trainer.workers(1).columns("pixels", "label").fit(rows, null, new FitOptions()))
                        .getMessage());
        org.apache.spark.sql.Dataset<Row> short_ = rows.selectExpr("slice(features, 1, 100) as features", "label");
        Exception e = assertThrows(Exception.class,
                () -> trainer.columns("features", "label").fit(short_, null, new FitOptions().epochs(1)));
        assertTrue(e.getMessage().matches("(?s).*row \\d: column 'features' holds 100 values, the model's input takes 144.*"),
                e.getMessage());
    }
}
