package dev.isthmus.spark;

import dev.isthmus.data.ImageFolder;
import dev.isthmus.io.ModelFiles;
import dev.isthmus.kernels.Parallel;
import dev.isthmus.nn.ChestXRayNet;
import dev.isthmus.nn.Initializer;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Shape;
import dev.isthmus.spark.examples.ChestXRaysOnSpark;
import dev.isthmus.spark.examples.LocalCluster;
import dev.isthmus.train.Adam;
import dev.isthmus.train.Callback;
import dev.isthmus.train.FitContext;
import dev.isthmus.train.Dataset;
import dev.isthmus.train.FitOptions;
import dev.isthmus.train.Losses;
import dev.isthmus.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Images per second for ChestXRayNet training and inference on a standalone cluster of this
 * machine, one worker with all the cores against one worker per core, and on one machine (this
 * JVM, {@code Trainer.fit} and {@code model.predict}) for reference:
 * <pre>
 * SparkBenchmark [--spark-home isthmus-spark/target/spark-home] [--data DIR] [--images 256] [--epochs 3]
 *                [--cores 2] [--batch-size 16]
 * </pre>
 * The machine may be shared, so every figure is the best of several: training, the best epoch
 * after the first (which loads the JIT), as the stage's wall time (samples moved to their workers
 * included) and as the workers' step time, with the exchange's share; inference,
 * {@code ModelTransformer} over the images' bytes (decoding included) and over decoded float
 * arrays, the best of three passes after a warm-up. The exchange alone: the workers summing
 * ChestXRayNet-sized gradients step after step with nothing else to do, so its time is the
 * transfer's and not the wait for a slower worker.
 */
public final class SparkBenchmark {

    private SparkBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = ChestXRaysOnSpark.options(prepend(args));
        Path sparkHome = Path.of(o.getOrDefault("spark-home", "isthmus-spark/target/spark-home"));
        int count = Integer.parseInt(o.getOrDefault("images", "256"));
        int epochs = Integer.parseInt(o.getOrDefault("epochs", "5"));
        int cores = Integer.parseInt(o.getOrDefault("cores", "2"));
        int batch = Integer.parseInt(o.getOrDefault("batch-size", "16"));
        Path data = ChestXRaysOnSpark.data(o);
        Path work = Files.createTempDirectory("isthmus-spark-benchmark-");
        System.out.printf("ChestXRayNet, %d images of 256x256 from %s, batch %d, the best of %d epochs after the first, %d"
                + " cores; %s%n", count, data, batch, epochs - 1, cores, Runtime.version());

        Model model = ChestXRayNet.build().initialize(42, Initializer.HE);
        Path modelFile = work.resolve("model.safetensors");
        ModelFiles.save(model, modelFile);
        Dataset local = null;
        System.out.println("| setup | training, stage images/s | training, step images/s | step ms | exchange ms per step"
                + " (wait included) | exchange alone, ms | KiB sent per worker per step | inference from PNG, images/s"
                + " | inference from floats, images/s |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (int workers : new int[] {1, cores}) {
            int perWorker = cores / workers;
            try (LocalCluster cluster = LocalCluster.start(sparkHome, work.resolve("cluster-" + workers), workers, perWorker,
                    "3g")) {
                Map<String, String> conf = Map.of("workers", Integer.toString(workers), "cores-per-worker",
                        Integer.toString(perWorker), "executor-memory", "2g");
                SparkSession spark = ChestXRaysOnSpark.session(cluster.url(), conf);
                try {
                    org.apache.spark.sql.Dataset<Row> rows = ImageRows.imageFolder(spark, data.toString(),
                            ImageFolder.Options.defaults()).limit(count).cache();
                    rows.count();
                    if (local == null) {
                        local = TrainingRows.collect(rows, "features", "label", Shape.of(1, 256, 256), 1);
                    }
                    Model trained = ChestXRayNet.build().initialize(42, Initializer.HE);
                    SparkTrainer trainer = new SparkTrainer(trained, Losses.binaryCrossEntropy(), () -> new Adam(1e-3))
                            .workers(workers).checkpoints(work.resolve("checkpoints-" + workers));
                    trainer.fit(rows, null, new FitOptions().epochs(epochs).batchSize(batch).seed(1));
                    List<EpochStats> warm = trainer.stats().subList(1, trainer.stats().size());
                    EpochStats fastest = warm.stream().min(java.util.Comparator.comparingLong(EpochStats::stepNanos)).get();
                    long stage = warm.stream().mapToLong(EpochStats::stageNanos).min().getAsLong();
                    long step = fastest.stepNanos(), exchange = fastest.exchangeNanos(), bytes = fastest.bytesPerWorker();
                    int steps = fastest.steps(), samples = fastest.samples();
                    ModelTransformer transformer = new ModelTransformer().setModelPath(modelFile.toString()).setBatchSize(batch);
                    org.apache.spark.sql.Dataset<Row> files = spark.read().format("binaryFile")
                            .option("recursiveFileLookup", "true").option("pathGlobFilter", "*.png").load(data.toString())
                            .limit(count).repartition(4 * workers).cache();
                    files.count();
                    double fromPng = inference(transformer.copy(new org.apache.spark.ml.param.ParamMap()), files, count);
                    org.apache.spark.sql.Dataset<Row> arrays = rows.select("features").repartition(4 * workers).cache();
                    arrays.count();
                    double fromFloats = inference(transformer.copy(new org.apache.spark.ml.param.ParamMap())
                            .setInputCol("features"), arrays, count);
                    int floats = (int) trained.parameterCount() + 1;
                    double alone = exchangeAlone(spark, workers, floats, 200);
                    System.out.printf(Locale.ROOT, "| %d worker%s x %d thread%s | %.0f | %.0f | %.1f | %.2f | %.3f | %d | %.0f | %.0f |%n",
                            workers, workers > 1 ? "s" : "", perWorker, perWorker > 1 ? "s" : "", samples / (stage / 1e9),
                            samples / (step / 1e9), step / 1e6 / steps, exchange / 1e6 / steps, alone, bytes / steps / 1024,
                            fromPng, fromFloats);
                } finally {
                    spark.stop();
                }
            }
        }
        Parallel.setThreads(cores);
        Trainer trainer = new Trainer(ChestXRayNet.build().initialize(42, Initializer.HE), Losses.binaryCrossEntropy(),
                new Adam(1e-3));
        long[] epochNanos = new long[epochs];
        trainer.fit(local, null, new FitOptions().epochs(epochs).batchSize(batch).seed(1).callback(new Callback() {
            private long t0;

            @Override
            public void onEpochBegin(FitContext context, int epoch) {
                t0 = System.nanoTime();
            }

            @Override
            public void onEpochEnd(FitContext context, int epoch, Map<String, Double> logs) {
                epochNanos[epoch] = System.nanoTime() - t0;
            }
        }));
        double train = local.count() / (java.util.Arrays.stream(epochNanos, 1, epochs).min().getAsLong() / 1e9);
        double infer = 0;
        for (int pass = 0; pass < 4; pass++) { // a warm-up, then the best of three
            long t0 = System.nanoTime();
            for (int from = 0; from < local.count(); from += batch) {
                int n = Math.min(batch, local.count() - from);
                model.predict(java.util.Arrays.copyOfRange(local.x(), from * 65536, (from + n) * 65536), n);
            }
            infer = pass == 0 ? 0 : Math.max(infer, local.count() / ((System.nanoTime() - t0) / 1e9));
        }
        System.out.printf(Locale.ROOT, "| one machine (this JVM), %d threads | %.0f | | | | | | | %.0f |%n", cores, train, infer);
    }

    /**
     * Milliseconds per exchange of {@code floats} floats (one block per worker, a batch of 16
     * slices) between {@code workers} barrier tasks doing nothing else, the median of
     * {@code steps} after as many for warm-up.
     */
    static double exchangeAlone(SparkSession spark, int workers, int floats, int steps) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Double> medians = Barrier.mapPartitions(jsc.parallelize(java.util.Collections.nCopies(workers, 0), workers),
                (context, rows) -> {
                    int rank = context.partitionId();
                    String address = context.getTaskInfos()[rank].address();
                    ShardLayout layout = new ShardLayout(16, 16, workers, 16, 16);
                    int[][] starts = new int[workers][];
                    for (int w = 0; w < workers; w++) {
                        starts[w] = layout.blocks(0, w);
                    }
                    float[][] blocks = new float[starts[rank].length][floats];
                    long[] nanos = new long[steps];
                    try (GradientExchange exchange = GradientExchange.open(rank, workers,
                            address.substring(0, address.lastIndexOf(':')), context::allGather, floats,
                            java.util.concurrent.TimeUnit.MINUTES.toNanos(5), context::killTaskIfInterrupted)) {
                        for (int s = -steps; s < steps; s++) {
                            long t0 = System.nanoTime();
                            exchange.allReduce(blocks, starts, 16);
                            if (s >= 0) {
                                nanos[s] = System.nanoTime() - t0;
                            }
                        }
                    }
                    java.util.Arrays.sort(nanos);
                    return List.of(nanos[steps / 2] / 1e6).iterator();
                }, Double.class).collect();
        return medians.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    /** Rows per second, the best of three passes after a warm-up. */
    private static double inference(ModelTransformer transformer, org.apache.spark.sql.Dataset<Row> rows, int count) {
        transformer.transform(rows).select("prediction").collectAsList();
        double best = 0;
        for (int pass = 0; pass < 3; pass++) {
            long t0 = System.nanoTime();
            List<Row> out = transformer.transform(rows).select("prediction", "error").collectAsList();
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (out.size() != count || out.stream().anyMatch(r -> !r.isNullAt(1))) {
                throw new IllegalStateException(out.size() + " rows of " + count + ", failed: "
                        + out.stream().filter(r -> !r.isNullAt(1)).findFirst());
            }
            best = Math.max(best, out.size() / seconds);
        }
        return best;
    }

    /** {@link ChestXRaysOnSpark#options} skips a command word. */
    private static String[] prepend(String[] args) {
        String[] all = new String[args.length + 1];
        all[0] = "benchmark";
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }
}
