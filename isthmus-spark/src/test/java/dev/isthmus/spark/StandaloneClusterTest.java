package dev.isthmus.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.data.Images;
import dev.isthmus.io.ModelFiles;
import dev.isthmus.kernels.Parallel;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Shape;
import dev.isthmus.spark.examples.LocalCluster;
import dev.isthmus.train.Adam;
import dev.isthmus.train.BatchTransform;
import dev.isthmus.train.Dataset;
import dev.isthmus.train.FitOptions;
import dev.isthmus.train.History;
import dev.isthmus.train.Losses;
import dev.isthmus.train.Trainer;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real cluster on this machine: a standalone Master and two Workers started from the jars
 * Maven fetched ({@code target/spark-home}), each executor its own JVM, this test the driver.
 * Training on the two executors gives one machine's weights bit for bit, even when an executor
 * JVM is killed in the middle of an epoch; batch prediction gives model.predict's floats.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class StandaloneClusterTest {

    private static final Path TARGET = Path.of("target");
    private static LocalCluster cluster;
    private static SparkSession spark;
    private static int threadsBefore;

    @BeforeAll
    static void start() throws Exception {
        threadsBefore = Parallel.threads();
        LocalSpark.stop(); // one SparkContext per JVM
        Path work = Files.createTempDirectory(TARGET.toAbsolutePath(), "spark-cluster-");
        cluster = LocalCluster.start(TARGET.resolve("spark-home"), work, 2, 1, "1g");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        spark = LocalSpark.builder(cluster.url())
                .config("spark.executor.memory", "640m")
                .config("spark.executor.cores", "1")
                .config("spark.cores.max", "2")
                .config("spark.executor.extraClassPath", classpath) // this module's classes and the tests'
                .getOrCreate();
        awaitExecutors(2);
    }

    /** Waits until the driver has {@code count} executors registered and running. */
    static void awaitExecutors(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (spark.sparkContext().statusTracker().getExecutorInfos().length < count + 1 // the driver is listed too
                || cluster.executors().size() < count) {
            assertTrue(System.nanoTime() < deadline, "executors did not start; see the logs under target/spark-cluster-*");
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stop() {
        try {
            if (spark != null) {
                spark.stop();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            Parallel.setThreads(threadsBefore);
        }
    }

    /** The name Spark gives an epoch's training stage: the barrier stage, named after the shuffle that follows it. */
    static final String TRAINING_STAGE = "repartition at SparkTrainer.java";

    /** No change to the images, only time: each image takes a while, so an epoch lasts long enough to be cut short. */
    record Slow(long millis) implements BatchTransform, Serializable {
        @Override
        public void apply(float[] x, int batch, Shape shape, RandomGenerator random) {
            try {
                Thread.sleep(millis * batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Counts the training stages submitted, and the tasks that failed because their executor was lost. */
    static final class Failures extends SparkListener {
        final Map<Integer, String> stages = new ConcurrentHashMap<>();
        final List<String> lost = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** Epoch stages (the barrier stage that trains, named after the shuffle that follows it) submitted so far. */
        final java.util.concurrent.atomic.AtomicInteger trainingStages = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
            stages.put(submitted.stageInfo().stageId(), submitted.stageInfo().name());
            if (submitted.stageInfo().name().startsWith(TRAINING_STAGE)) {
                trainingStages.incrementAndGet();
            }
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.reason() instanceof ExecutorLostFailure failure) {
                lost.add(stages.get(end.stageId()) + ": " + failure.toErrorString());
            }
        }
    }

    @Test
    void twoExecutorsTrainOneMachinesWeightsEvenWhenOneIsKilledMidEpoch() throws Exception {
        assertEquals(2, cluster.executors().size(), "two executor JVMs");
        assertNotEquals(cluster.executors().get(0).pid(), cluster.executors().get(1).pid());
        Dataset train = TestData.squares(96, 1), validation = TestData.squares(16, 2);
        FitOptions options = new FitOptions().epochs(3).batchSize(16).seed(5);
        Model single = TestData.smallCnn(3);
        History want = new Trainer(single, Losses.binaryCrossEntropy(), new Adam(1e-2))
                .fit(train, validation, new FitOptions().epochs(3).batchSize(16).seed(5).augmentation(new Slow(0)));

        Failures failures = new Failures();
        spark.sparkContext().addSparkListener(failures);
        Path checkpoints = Files.createTempDirectory(TARGET.toAbsolutePath(), "checkpoints-");
        Model model = TestData.smallCnn(3);
        SparkTrainer trainer = new SparkTrainer(model, Losses.binaryCrossEntropy(), () -> new Adam(1e-2)).workers(2)
                .checkpoints(checkpoints);
        org.apache.spark.sql.Dataset<Row> rows = TestData.frame(spark, train);
        CompletableFuture<History> fit = CompletableFuture.supplyAsync(
                () -> trainer.fit(rows, validation, options.augmentation(new Slow(40)))); // 6 batches of 16: 3.8 s an epoch
        Path progress = checkpoints.resolve("progress.json");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        // into the second epoch's steps: its training stage submitted, then a second (a fixed wait
        // after the first epoch's checkpoint once landed in the stage that places the samples, on
        // a loaded machine)
        while (!(Files.exists(progress) && Files.readString(progress).contains("\"epochsDone\" : 1"))
                || failures.trainingStages.get() < 2) {
            assertTrue(System.nanoTime() < deadline, "the second epoch's training did not start");
            Thread.sleep(50);
        }
        Thread.sleep(1000);
        assertTrue(cluster.executors().get(0).destroyForcibly(), "kill -9 an executor JVM"); // its Worker reaps it

        History got = fit.get(6, TimeUnit.MINUTES);
        assertTrue(failures.lost.stream().anyMatch(f -> f.startsWith(TRAINING_STAGE)),
                "a worker's training task died with its executor: " + failures.lost);
        List<float[]> weights = TestData.weights(single), distributed = TestData.weights(model);
        for (int p = 0; p < weights.size(); p++) {
            assertArrayEquals(weights.get(p), distributed.get(p), "parameter " + p + " (lost: " + failures.lost + ")");
        }
        assertEquals(want.asMap(), got.asMap());
        assertEquals(3, trainer.stats().size());
    }

    @Test
    void batchPredictionOnTheClusterGivesModelPredictsFloats() throws IOException {
        Path folder = Files.createTempDirectory(TARGET.toAbsolutePath(), "images-");
        List<Path> files = ModelTransformerTest.images(folder, 40, 3);
        Path modelFile = folder.resolve("model.safetensors");
        ModelFiles.save(TestData.smallCnn(21), modelFile);
        Model model = ModelFiles.load(modelFile);
        ModelTransformer transformer = new ModelTransformer().setModelPath(modelFile.toString()).setBatchSize(4);
        List<Row> rows = transformer.transform(spark.read().format("binaryFile").load(folder + "/*.png").repartition(8))
                .select("path", "probability", "error").collectAsList();
        assertEquals(40, rows.size());
        assertTrue(transformer.modelLoads() >= 1 && transformer.modelLoads() <= 2,
                "parsed once per executor JVM (2), not per task (8): " + transformer.modelLoads());
        List<String> seen = new ArrayList<>();
        for (Row row : rows) {
            String path = row.getString(0);
            int i = Integer.parseInt(path.substring(path.length() - 7, path.length() - 4));
            float want = model.predict(Images.preprocess(files.get(i), 12), 1)[0];
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(((Number) row.getList(1).get(0)).floatValue()),
                    path);
            seen.add(path);
        }
        assertEquals(40, seen.stream().distinct().count());
    }
}
