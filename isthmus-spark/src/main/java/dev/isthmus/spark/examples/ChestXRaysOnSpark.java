package dev.isthmus.spark.examples;

import dev.isthmus.data.Augmentation;
import dev.isthmus.data.ImageFolder;
import dev.isthmus.data.Split;
import dev.isthmus.data.SyntheticChestXrays;
import dev.isthmus.io.ModelCheckpoint;
import dev.isthmus.io.ModelFiles;
import dev.isthmus.nn.ChestXRayNet;
import dev.isthmus.nn.Initializer;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Shape;
import dev.isthmus.spark.EpochStats;
import dev.isthmus.spark.ImageRows;
import dev.isthmus.spark.ModelTransformer;
import dev.isthmus.spark.SparkTrainer;
import dev.isthmus.spark.TrainingRows;
import dev.isthmus.train.Adam;
import dev.isthmus.train.Callback;
import dev.isthmus.train.Dataset;
import dev.isthmus.train.FitContext;
import dev.isthmus.train.FitOptions;
import dev.isthmus.train.History;
import dev.isthmus.train.Losses;
import dev.isthmus.train.Evaluator;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The chest X-ray lesson on a Spark cluster, as {@code isthmus train} runs it on one machine:
 * the lesson's split, ChestXRayNet, Adam, binary cross-entropy, the same augmentation, the best
 * model by validation loss, then the test set. And batch prediction over a folder of images.
 *
 * <pre>
 * ChestXRaysOnSpark train   --master URL [--workers 2] [--data DIR] [--epochs 10] [--batch-size 16]
 *                           [--seed 42] [--checkpoints DIR] [--output best-model.safetensors]
 * ChestXRaysOnSpark predict --master URL --model FILE --images DIR [--partitions 8]
 * </pre>
 * Without {@code --data} the synthetic set of {@code isthmus train} is generated (once) in
 * {@code ~/.cache/isthmus/synthetic-chest-xrays}. The Isthmus jars on this program's class path
 * are sent to the executors ({@code spark.jars}).
 */
public final class ChestXRaysOnSpark {

    private ChestXRaysOnSpark() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !(args[0].equals("train") || args[0].equals("predict"))) {
            System.err.println("usage: ChestXRaysOnSpark train|predict --master URL [options]; see the class comment");
            System.exit(2);
        }
        Map<String, String> o = options(args);
        SparkSession spark = session(o.getOrDefault("master", "local[2]"), o);
        try {
            if (args[0].equals("train")) {
                train(spark, o);
            } else {
                predict(spark, o);
            }
        } finally {
            spark.stop();
        }
    }

    /** {@code --name value} pairs after the command word. */
    public static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value pairs, got '" + args[i] + "'");
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        return o;
    }

    /**
     * A driver on 127.0.0.1 sending the Isthmus jars of its class path to the executors, asking for
     * {@code workers} executors of {@code cores-per-worker} cores, each task using them all.
     */
    public static SparkSession session(String master, Map<String, String> o) {
        List<String> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("isthmus") && name.endsWith(".jar")) {
                jars.add(Path.of(entry).toAbsolutePath().toString());
            }
        }
        int workers = Integer.parseInt(o.getOrDefault("workers", "2"));
        int cores = Integer.parseInt(o.getOrDefault("cores-per-worker", "1"));
        SparkSession spark = SparkSession.builder().master(master).appName("isthmus chest x-rays")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.jars", String.join(",", jars))
                .config("spark.executor.cores", Integer.toString(cores))
                .config("spark.task.cpus", Integer.toString(cores))
                .config("spark.cores.max", Integer.toString(workers * cores))
                .config("spark.executor.memory", o.getOrDefault("executor-memory", "1500m"))
                .config("spark.sql.shuffle.partitions", Integer.toString(4 * workers * cores))
                .getOrCreate();
        spark.sparkContext().setLogLevel(o.getOrDefault("log-level", "WARN"));
        return spark;
    }

    /** {@code --data}, or the synthetic set of {@code isthmus train}, generated once. */
    public static Path data(Map<String, String> o) throws java.io.IOException {
        if (o.containsKey("data")) {
            return Path.of(o.get("data"));
        }
        Path dir = Path.of(System.getProperty("user.home"), ".cache", "isthmus", "synthetic-chest-xrays");
        if (SyntheticChestXrays.generate(dir, 350, 42)) {
            System.out.println("generated 700 synthetic chest X-rays in " + dir);
        }
        return dir;
    }

    private static void train(SparkSession spark, Map<String, String> o) throws Exception {
        long t0 = System.nanoTime();
        int workers = Integer.parseInt(o.getOrDefault("workers", "2"));
        int epochs = Integer.parseInt(o.getOrDefault("epochs", "10"));
        int batch = Integer.parseInt(o.getOrDefault("batch-size", "16"));
        long seed = Long.parseLong(o.getOrDefault("seed", "42"));
        Path output = Path.of(o.getOrDefault("output", "best-model.safetensors"));
        Path checkpoints = Path.of(o.getOrDefault("checkpoints", "spark-checkpoints"));
        int side = ImageFolder.DEFAULT_SIDE;

        // The lesson's images, decoded on the executors, in ImageFolder's order; the split from their labels.
        org.apache.spark.sql.Dataset<Row> images = ImageRows.imageFolder(spark, data(o).toString(),
                ImageFolder.Options.defaults()).cache();
        Split split = labelSplit(images, seed);
        org.apache.spark.sql.Dataset<Row> train = inOrder(spark, images, split.train().indices());
        Dataset validation = TrainingRows.collect(inOrder(spark, images, split.validation().indices()), "features",
                "label", Shape.of(1, side, side), 1);
        Dataset test = TrainingRows.collect(inOrder(spark, images, split.test().indices()), "features", "label",
                Shape.of(1, side, side), 1);
        System.out.printf("split: %d training, %d validation, %d test images; %d workers%n", split.train().count(),
                validation.count(), test.count(), workers);

        Model model = ChestXRayNet.build(side, ChestXRayNet.DEFAULT_DROPOUT).initialize(seed, Initializer.HE);
        ModelCheckpoint best = new ModelCheckpoint(output);
        FitOptions options = new FitOptions().epochs(epochs).batchSize(batch).seed(seed).callback(best)
                .callback(new Callback() {
                    @Override
                    public void onEpochEnd(FitContext context, int epoch, Map<String, Double> logs) {
                        System.out.printf(Locale.ROOT, "epoch %d/%d  loss %.4f  accuracy %.3f  val_loss %.4f  val_accuracy %.3f%n",
                                epoch + 1, context.epochs(), logs.get("loss"), logs.get("accuracy"), logs.get("val_loss"),
                                logs.get("val_accuracy"));
                    }
                })
                .augmentation(new Augmentation(new Augmentation.Config(5, 0.05, 0.05, 0.05, true)));
        SparkTrainer trainer = new SparkTrainer(model, Losses.binaryCrossEntropy(), () -> new Adam(1e-3))
                .workers(workers).checkpoints(checkpoints);
        History history = trainer.fit(train, validation, options);
        for (EpochStats s : trainer.stats()) {
            System.out.printf(Locale.ROOT, "epoch %d: stage %.1f s, steps %.1f images/s, step %.1f ms, exchange %.2f ms"
                    + " per step, %d KiB sent per worker%n", s.epoch() + 1, s.stageNanos() / 1e9, s.stepImagesPerSecond(),
                    s.stepMillis(), s.exchangeMillisPerStep(), s.bytesPerWorker() / 1024);
        }
        if (history.stopReason() != null) {
            System.out.println("stopped early: " + history.stopReason());
        }
        Model kept = ModelFiles.load(output);
        Map<String, Double> scores = new Evaluator(kept, Losses.binaryCrossEntropy()).evaluate(test, batch);
        System.out.printf(Locale.ROOT, "best model: %s (epoch %d); test accuracy %.3f, ROC AUC %.3f; %.1f s%n", output,
                best.bestEpoch() + 1, scores.get("accuracy"), scores.get("auc"), (System.nanoTime() - t0) / 1e9);
    }

    /** The lesson's split, from the labels alone (the images stay on the executors). */
    private static Split labelSplit(org.apache.spark.sql.Dataset<Row> images, long seed) {
        List<Row> labels = images.select("label").collectAsList();
        float[] y = new float[labels.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.get(i).getFloat(0);
        }
        return Split.of(Dataset.of(new float[y.length], y, Shape.of(1, 1, 1)), List.of(), Split.LESSON_TEST_FRACTION,
                Split.LESSON_VALIDATION_FRACTION, seed, true);
    }

    /** The rows at {@code indices} of {@code images}, in that order. */
    static org.apache.spark.sql.Dataset<Row> inOrder(SparkSession spark, org.apache.spark.sql.Dataset<Row> images,
                                                     int[] indices) {
        StructType schema = images.schema().add("index", DataTypes.LongType);
        org.apache.spark.sql.Dataset<Row> numbered = spark.createDataFrame(images.toJavaRDD().zipWithIndex().map(t -> {
            Object[] values = new Object[t._1().length() + 1];
            for (int c = 0; c < t._1().length(); c++) {
                values[c] = t._1().get(c);
            }
            values[values.length - 1] = t._2();
            return RowFactory.create(values);
        }), schema);
        List<Row> places = new ArrayList<>();
        for (int p = 0; p < indices.length; p++) {
            places.add(RowFactory.create((long) indices[p], p));
        }
        org.apache.spark.sql.Dataset<Row> order = spark.createDataFrame(places, new StructType()
                .add("index", DataTypes.LongType).add("place", DataTypes.IntegerType));
        return numbered.join(order, "index").sort("place").drop("index", "place");
    }

    private static void predict(SparkSession spark, Map<String, String> o) {
        String images = o.get("images");
        if (images == null || !o.containsKey("model")) {
            throw new IllegalArgumentException("predict needs --model FILE and --images DIR");
        }
        int partitions = Integer.parseInt(o.getOrDefault("partitions", "8"));
        long t0 = System.nanoTime();
        List<Row> rows = new ModelTransformer().setModelPath(o.get("model"))
                .transform(spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                        .option("pathGlobFilter", "*.{png,jpg,jpeg,PNG,JPG,JPEG}").load(images).repartition(partitions))
                .select("path", "probability", "prediction", "error").collectAsList();
        double seconds = (System.nanoTime() - t0) / 1e9;
        int errors = 0, positive = 0;
        for (Row row : rows) {
            if (!row.isNullAt(3)) {
                errors++;
                System.out.println("error: " + row.getString(3));
            } else if (row.getInt(2) == 1) {
                positive++;
            }
        }
        for (Row row : rows.subList(0, Math.min(5, rows.size()))) {
            System.out.println(row.getString(0) + "  " + (row.isNullAt(1) ? "-" : row.getList(1)) + "  "
                    + (row.isNullAt(2) ? "-" : row.getInt(2)));
        }
        System.out.printf(Locale.ROOT, "%d images: %d class 1, %d class 0, %d errors; %.1f s (%.0f images/s)%n",
                rows.size(), positive, rows.size() - positive - errors, errors, seconds, rows.size() / seconds);
    }
}
