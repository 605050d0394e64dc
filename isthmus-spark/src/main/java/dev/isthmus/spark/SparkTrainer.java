package dev.isthmus.spark;

import dev.isthmus.io.ModelFiles;
import dev.isthmus.io.Weights;
import dev.isthmus.nn.BatchNormalization;
import dev.isthmus.nn.Layer;
import dev.isthmus.nn.Model;
import dev.isthmus.train.Callback;
import dev.isthmus.train.EpochPlan;
import dev.isthmus.train.FitContext;
import dev.isthmus.train.FitOptions;
import dev.isthmus.train.History;
import dev.isthmus.train.Loss;
import dev.isthmus.train.Metrics;
import dev.isthmus.train.Evaluator;
import dev.isthmus.train.Trainer;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * {@link Trainer#fit} on a Spark cluster, synchronous and data-parallel, giving the weights one
 * machine gives, bit for bit, for any number of workers.
 *
 * <p>Each epoch is one barrier stage of {@link #workers} tasks. The epoch's order comes from
 * the seed ({@link EpochPlan}), the same for any worker count; Spark moves each sample to the
 * worker that computes its place ({@link ShardLayout}: the slices one machine would cut each
 * batch into, dealt out whole). A worker computes its slices exactly as one machine does, the
 * workers add their partial gradients in the machine's order ({@link GradientExchange}, directly
 * between the tasks), and every worker takes the same optimizer step. Worker 0 writes the epoch's
 * end to the checkpoint folder; the next epoch starts from there.
 *
 * <p>The driver keeps what {@code Trainer.fit} keeps: the metrics (from the workers' outputs),
 * validation on the driver, the {@link History} and the callbacks, with the model's weights
 * loaded after each epoch. {@code onBatchEnd} calls come when the epoch's stage has ended, with
 * the running metrics each batch had.
 *
 * <p><b>Failures.</b> If an executor dies, Spark runs the epoch's stage again (it retries a
 * failed barrier stage whole); the new tasks start from the checkpoint of the epoch before, so
 * nothing is lost beyond the epoch and the weights stay the one machine's. If the driver dies,
 * {@code fit} with the same checkpoint folder and settings goes on after the last finished
 * epoch. Callbacks' own state (a {@code ModelCheckpoint}'s best so far) starts afresh then.
 *
 * <p><b>Batch normalisation</b> in training normalises over the whole batch, which no worker
 * holds: a model with it is refused. (Statistics per worker would train another model.)
 */
public final class SparkTrainer {

    private final Model model;
    private final Loss loss;
    private final OptimizerFactory optimizer;
    private int workers = 1;
    private Path checkpoints;
    private String featuresColumn = "features";
    private String labelColumn = "label";
    private Duration exchangeTimeout = Duration.ofMinutes(10);
    private final List<EpochStats> stats = new ArrayList<>();

    /**
     * @param optimizer makes the optimizer on every worker, e.g. {@code () -> new Adam(1e-3)}
     */
    public SparkTrainer(Model model, Loss loss, OptimizerFactory optimizer) {
        this.model = Objects.requireNonNull(model, "model");
        this.loss = Objects.requireNonNull(loss, "loss");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
    }

    /** The number of barrier tasks (workers); the cluster must have as many task slots free at once. */
    public SparkTrainer workers(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        }
        this.workers = workers;
        return this;
    }

    /**
     * Where the epochs' checkpoints go: a folder the driver and every executor reach under this
     * path (a shared file system on a cluster; any folder on one machine). Required.
     */
    public SparkTrainer checkpoints(Path directory) {
        this.checkpoints = Objects.requireNonNull(directory, "directory");
        return this;
    }

    /** The training DataFrame's columns: the input as {@code array<float>}, the target as a number or array. */
    public SparkTrainer columns(String features, String label) {
        this.featuresColumn = Objects.requireNonNull(features, "features");
        this.labelColumn = Objects.requireNonNull(label, "label");
        return this;
    }

    /** How long a worker waits for the others' gradients before it gives up (10 minutes by default). */
    public SparkTrainer exchangeTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("exchangeTimeout must be positive, got " + timeout);
        }
        this.exchangeTimeout = timeout;
        return this;
    }

    public Model model() {
        return model;
    }

    /** Per epoch of the last {@link #fit}: how its stage and its steps went. */
    public List<EpochStats> stats() {
        return List.copyOf(stats);
    }

    /**
     * Trains on {@code train}'s rows in their order (the data's sample {@code i} is row {@code i}),
     * as {@code Trainer.fit} trains on a {@code Dataset} holding the same rows.
     *
     * @param validation evaluated on the driver after every epoch; may be null
     * @throws IllegalArgumentException for a model with batch normalisation, more workers than a
     *                                  batch has slices, a missing column, a row whose input or
     *                                  target has the wrong size (named), or a checkpoint folder
     *                                  holding a fit with other settings
     */
    public History fit(Dataset<Row> train, dev.isthmus.train.Dataset validation, FitOptions options) {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(options, "options");
        if (checkpoints == null) {
            throw new IllegalStateException("set a checkpoint folder first: checkpoints(Path), one every executor reaches");
        }
        if (options.augmentation() != null && !(options.augmentation() instanceof Serializable)) {
            throw new IllegalArgumentException("augmentation " + options.augmentation() + " is not Serializable, so the"
                    + " executors cannot get it");
        }
        LossSource lossSource = LossSource.of(loss);
        int outSize = model.outputShape().size();
        int targetSize = loss.name().startsWith("binary") ? outSize : 1;
        if (validation != null && validation.count() > 0) { // its shape and targets, checked now rather than after an epoch
            new Evaluator(model, loss).evaluate(validation.slice(0, 1), 1);
        }
        JavaSparkContext spark = JavaSparkContext.fromSparkContext(train.sparkSession().sparkContext());
        JavaRDD<Sample> samples = TrainingRows.samples(train, featuresColumn, labelColumn, model.inputShape().size(),
                targetSize).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            return fit(spark, samples, validation, options, lossSource, targetSize);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } finally {
            samples.unpersist(false);
        }
    }

    private History fit(JavaSparkContext spark, JavaRDD<Sample> samples, dev.isthmus.train.Dataset validation,
                        FitOptions options, LossSource lossSource, int targetSize) throws IOException {
        long count = samples.count();
        if (count == 0) {
            throw new IllegalArgumentException("training data is empty");
        }
        int n = Math.toIntExact(count);
        int batchSize = Math.min(options.batchSize(), n);
        ShardLayout layout = layout(n, batchSize);
        int outSize = model.outputShape().size();
        Checkpoints folder = new Checkpoints(checkpoints);
        History history = new History();
        int start = resume(folder, history, options, n, batchSize);
        stats.clear();
        FitContext context = new FitContext(model, options.epochs(), n, batchSize);
        List<Callback> callbacks = options.callbacks();
        Evaluator evaluator = validation == null ? null : new Evaluator(model, loss);
        callbacks.forEach(c -> c.onTrainBegin(context));
        int batches = layout.batches();
        for (int epoch = start; epoch < options.epochs() && !context.stopRequested(); epoch++) {
            int e = epoch;
            callbacks.forEach(c -> c.onEpochBegin(context, e));
            EpochPlan plan = EpochPlan.of(options.seed(), epoch, n, options.shuffle());
            int[] placeOf = new int[n];
            for (int p = 0; p < n; p++) {
                placeOf[plan.sample(p)] = p;
            }
            EpochTask task = new EpochTask(folder, epoch, options.seed(), options.shuffle(), options.augmentation(),
                    lossSource, optimizer, layout, targetSize, exchangeTimeout.toNanos());
            long t0 = System.nanoTime();
            List<EpochResult> results = runEpoch(spark, samples, placeOf, layout, task);
            long stageNanos = System.nanoTime() - t0;

            float[] predictions = new float[n * outSize], targets = new float[n * targetSize];
            int stoppedAt = -1;
            long stepNanos = 0, exchangeNanos = 0, bytes = 0;
            int steps = 0;
            for (EpochResult r : results) {
                for (int i = 0; i < r.positions().length; i++) {
                    System.arraycopy(r.outputs(), i * outSize, predictions, r.positions()[i] * outSize, outSize);
                    System.arraycopy(r.targets(), i * targetSize, targets, r.positions()[i] * targetSize, targetSize);
                }
                stoppedAt = Math.max(stoppedAt, r.stoppedAt());
                stepNanos = Math.max(stepNanos, r.stepNanos());
                exchangeNanos = Math.max(exchangeNanos, r.exchangeNanos());
                bytes = Math.max(bytes, r.sentBytes());
                steps = r.steps();
            }
            int done = stoppedAt >= 0 ? stoppedAt : batches;
            stats.add(new EpochStats(epoch, workers, Math.min(n, done * batchSize), steps, stageNanos, stepNanos,
                    exchangeNanos, bytes));

            double lossSum = 0;
            int seen = 0;
            float[] grad = new float[batchSize * outSize];
            for (int b = 0; b <= done && b < batches; b++) {
                int size = layout.size(b), from = b * batchSize;
                float[] out = Arrays.copyOfRange(predictions, from * outSize, (from + size) * outSize);
                float[] y = Arrays.copyOfRange(targets, from * targetSize, (from + size) * targetSize);
                double batchLoss = loss.compute(out, y, size, outSize, grad);
                if (b == stoppedAt) {
                    context.stop("loss became " + batchLoss + " at epoch " + (epoch + 1) + ", batch " + (b + 1)
                            + "; stopped before updating the weights with it");
                    break;
                }
                lossSum += batchLoss * size;
                seen += size;
                if (!callbacks.isEmpty()) {
                    Map<String, Double> running = Metrics.forLoss(loss, lossSum / seen, predictions, targets, seen, outSize, "");
                    int bb = b;
                    callbacks.forEach(c -> c.onBatchEnd(context, e, bb, batches, running));
                }
            }
            Weights.load(model, folder.model(epoch + 1));
            if (seen == 0) {
                break;
            }
            Map<String, Double> logs = new LinkedHashMap<>(Metrics.forLoss(loss, lossSum / seen, predictions, targets, seen,
                    outSize, ""));
            if (evaluator != null && validation.count() > 0) {
                evaluator.evaluate(validation, batchSize).forEach((k, v) -> logs.put("val_" + k, v));
            }
            history.record(logs);
            callbacks.forEach(c -> c.onEpochEnd(context, e, logs));
            // A callback may have changed the weights: the next epoch starts from the driver's model.
            ModelFiles.save(model, folder.model(epoch + 1), Map.of("epoch", Integer.toString(epoch + 1)));
            folder.writeProgress(new Checkpoints.Progress(epoch + 1, history.asMap(), options.seed(), batchSize, n,
                    options.shuffle()));
            folder.deleteBefore(epoch + 1);
        }
        history.stopReason(context.stopReason());
        callbacks.forEach(c -> c.onTrainEnd(context));
        return history;
    }

    /** The slices one machine cuts the batches into, dealt to the workers; checks the model can be split. */
    private ShardLayout layout(int n, int batchSize) {
        var execution = model.newExecution();
        int full = execution.trainingSlices(batchSize);
        List<String> whole = new ArrayList<>();
        for (Layer l : model.layers()) {
            if (l instanceof BatchNormalization) { // the one layer whose training pass needs the whole batch
                whole.add(l.name());
            }
        }
        if (!whole.isEmpty() || (full == 1 && batchSize > 1)) {
            throw new IllegalArgumentException("the model cannot be trained on several workers: "
                    + (whole.isEmpty() ? "a layer" : "batch normalisation " + whole)
                    + " normalises over the whole batch in training, which no worker holds (statistics per worker"
                    + " would train another model than one machine does); remove it or train on one machine");
        }
        if (workers > full) {
            throw new IllegalArgumentException(workers + " workers, but a batch of " + batchSize + " is cut into " + full
                    + " slices and a worker computes whole slices: use at most " + full + " workers or a larger batch");
        }
        int last = n % batchSize == 0 ? batchSize : n % batchSize;
        return new ShardLayout(n, batchSize, workers, full, execution.trainingSlices(last));
    }

    /** The epoch to start from: 0 for a new folder, after the last finished epoch for a fit already under way. */
    private int resume(Checkpoints folder, History history, FitOptions options, int n, int batchSize) throws IOException {
        Checkpoints.Progress p = folder.readProgress();
        if (p == null) {
            Files.createDirectories(folder.epoch(0));
            ModelFiles.save(model, folder.model(0), Map.of("epoch", "0"));
            return 0;
        }
        if (p.seed() != options.seed() || p.batchSize() != batchSize || p.samples() != n || p.shuffle() != options.shuffle()) {
            throw new IllegalArgumentException(folder.progress() + " belongs to a fit with seed " + p.seed() + ", batch "
                    + p.batchSize() + ", " + p.samples() + " samples, shuffle " + p.shuffle() + "; this one has seed "
                    + options.seed() + ", batch " + batchSize + ", " + n + " samples, shuffle " + options.shuffle()
                    + ": use another checkpoint folder, or the same settings to resume");
        }
        for (int e = 0; e < p.epochsDone(); e++) {
            Map<String, Double> epoch = new LinkedHashMap<>();
            int i = e;
            p.history().forEach((k, v) -> epoch.put(k, v.get(i)));
            history.record(epoch);
        }
        Weights.load(model, folder.model(p.epochsDone()));
        return p.epochsDone();
    }

    private static List<EpochResult> runEpoch(JavaSparkContext spark, JavaRDD<Sample> samples, int[] placeOf,
                                              ShardLayout layout, EpochTask task) {
        Broadcast<int[]> places = spark.broadcast(placeOf);
        try {
            JavaPairRDD<Integer, Sample> placed = samples
                    .mapToPair(s -> new Tuple2<>(places.value()[s.index()], s))
                    .repartitionAndSortWithinPartitions(new WorkerPartitioner(layout));
            JavaRDD<EpochResult> epoch = Barrier.mapPartitions(placed.rdd().toJavaRDD(), (context, rows) -> {
                TaskThreads.use(context.cpus());
                String address = context.getTaskInfos()[context.partitionId()].address();
                String host = address.substring(0, address.lastIndexOf(':'));
                EpochResult r = task.run(context.partitionId(), rows, host, context::allGather,
                        context::killTaskIfInterrupted);
                return List.of(r).iterator();
            }, EpochResult.class);
            // Spark runs a failed barrier stage again only when it writes a shuffle (a failed result
            // stage may have committed output, so it aborts the job): one more, tiny, stage.
            return epoch.repartition(1).collect();
        } finally {
            places.destroy();
        }
    }
}
