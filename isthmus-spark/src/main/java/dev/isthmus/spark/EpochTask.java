package dev.isthmus.spark;

import dev.isthmus.io.ModelFiles;
import dev.isthmus.kernels.Parallel;
import dev.isthmus.nn.Execution;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Parameter;
import dev.isthmus.nn.Shape;
import dev.isthmus.nn.SliceTree;
import dev.isthmus.train.BatchTransform;
import dev.isthmus.train.EpochPlan;
import dev.isthmus.train.Loss;
import dev.isthmus.train.Optimizer;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import scala.Tuple2;

/**
 * One worker's epoch, in a barrier task: loads the epoch's starting model and optimizer state
 * from the checkpoint folder, then for every batch computes its slices exactly as one machine
 * would ({@link Execution#forwardSlices}), adds its blocks, sums them with the other workers
 * ({@link GradientExchange}) and takes the same optimizer step as every other worker. Worker 0
 * writes the epoch's end to the checkpoint folder.
 *
 * <p>The loss gradient of a sample depends on that sample alone and on the batch size (the mean),
 * so a worker computes it for its own samples over a batch-sized buffer whose other places hold
 * copies of one of its samples: its own places get the one machine's floats. A worker whose loss
 * is not finite says so through the exchange, and every worker stops before the update, as
 * {@code Trainer.fit} does.
 */
final class EpochTask implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Checkpoints checkpoints;
    private final int epoch;
    private final long seed;
    private final boolean shuffle;
    private final BatchTransform augmentation;
    private final LossSource lossSource;
    private final OptimizerFactory optimizerFactory;
    private final ShardLayout layout;
    private final int targetSize;
    private final long timeoutNanos;

    EpochTask(Checkpoints checkpoints, int epoch, long seed, boolean shuffle, BatchTransform augmentation,
              LossSource lossSource, OptimizerFactory optimizerFactory, ShardLayout layout, int targetSize,
              long timeoutNanos) {
        this.checkpoints = checkpoints;
        this.epoch = epoch;
        this.seed = seed;
        this.shuffle = shuffle;
        this.augmentation = augmentation;
        this.lossSource = lossSource;
        this.optimizerFactory = optimizerFactory;
        this.layout = layout;
        this.targetSize = targetSize;
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * Runs worker {@code rank}'s epoch over its samples, which come sorted by their place in the
     * epoch ({@code (place, sample)} pairs).
     *
     * @param host      where this worker listens for its peers
     * @param allGather the barrier's all-gather
     * @param killCheck throws once Spark has killed the task
     */
    EpochResult run(int rank, Iterator<Tuple2<Integer, Sample>> rows, String host, Function<String, String[]> allGather,
                    Runnable killCheck) throws IOException {
        Model model = ModelFiles.load(checkpoints.model(epoch));
        List<Parameter> params = new ArrayList<>(model.parameters().values());
        Optimizer optimizer = optimizerFactory.create();
        if (Files.exists(checkpoints.optimizer(epoch))) {
            optimizer.restoreState(params, Checkpoints.readOptimizer(checkpoints.optimizer(epoch)));
        }
        Loss loss = lossSource.get();
        EpochPlan plan = EpochPlan.of(seed, epoch, layout.samples(), shuffle);
        Execution execution = model.newExecution();
        execution.seed(plan.dropoutSeed());

        Shape shape = model.inputShape();
        int size = shape.size(), outSize = model.outputShape().size(), batchSize = layout.batchSize();
        int[] offsets = new int[params.size() + 1];
        for (int p = 0; p < params.size(); p++) {
            offsets[p + 1] = offsets[p] + params.get(p).size();
        }
        int length = offsets[params.size()] + 1; // the gradient, then a flag: NaN when a loss was not finite
        float[] x = new float[batchSize * size], y = new float[batchSize * targetSize];
        float[] outPad = new float[batchSize * outSize], yPad = new float[batchSize * targetSize];
        float[] grad = new float[batchSize * outSize];
        float[][] blockBuffers = new float[0][];
        int[][] chunks = chunks(params);

        int mine = 0;
        for (int b = 0; b < layout.batches(); b++) {
            mine += layout.firstPlace(b, rank + 1) - layout.firstPlace(b, rank);
        }
        int[] positions = new int[mine];
        float[] outputs = new float[mine * outSize], targets = new float[mine * targetSize];
        int done = 0, stoppedAt = -1, steps = 0;
        long stepNanos = 0;
        try (GradientExchange exchange = GradientExchange.open(rank, layout.workers(), host, allGather, length,
                timeoutNanos, killCheck)) {
            for (int b = 0; b < layout.batches(); b++) {
                long t0 = System.nanoTime();
                int n = layout.size(b), slices = layout.slices(b);
                int s0 = layout.firstSlice(b, rank), s1 = layout.firstSlice(b, rank + 1);
                int p0 = layout.sliceStart(b, s0), p1 = layout.sliceStart(b, s1);
                for (int j = p0; j < p1; j++) {
                    int place = b * batchSize + j;
                    if (!rows.hasNext()) {
                        throw new IllegalStateException("worker " + rank + " ran out of samples at place " + place);
                    }
                    Tuple2<Integer, Sample> row = rows.next();
                    if (row._1() != place) {
                        throw new IllegalStateException("worker " + rank + " expected the sample at place " + place
                                + ", got place " + row._1());
                    }
                    System.arraycopy(row._2().x(), 0, x, j * size, size);
                    System.arraycopy(row._2().y(), 0, y, j * targetSize, targetSize);
                }
                if (augmentation != null) {
                    plan.augment(augmentation, x, p0, p1 - p0, b * batchSize + p0, shape);
                }
                float[] out = execution.forwardSlices(x, n, s0, s1);
                boolean finite = true;
                if (p1 > p0) {
                    for (int j = 0; j < n; j++) { // other workers' places: copies of our first sample
                        int from = j >= p0 && j < p1 ? j : p0;
                        System.arraycopy(out, from * outSize, outPad, j * outSize, outSize);
                        System.arraycopy(y, from * targetSize, yPad, j * targetSize, targetSize);
                    }
                    finite = Double.isFinite(loss.compute(outPad, yPad, n, outSize, grad));
                    execution.backward(grad);
                    for (int j = p0; j < p1; j++, done++) {
                        positions[done] = b * batchSize + j;
                    }
                    System.arraycopy(out, p0 * outSize, outputs, (done - (p1 - p0)) * outSize, (p1 - p0) * outSize);
                    System.arraycopy(y, p0 * targetSize, targets, (done - (p1 - p0)) * targetSize, (p1 - p0) * targetSize);
                }
                int[][] starts = new int[layout.workers()][];
                for (int w = 0; w < starts.length; w++) {
                    starts[w] = layout.blocks(b, w);
                }
                int[] myStarts = starts[rank];
                if (blockBuffers.length < myStarts.length) {
                    blockBuffers = Arrays.copyOf(blockBuffers, myStarts.length);
                }
                float[][] blocks = new float[myStarts.length][];
                for (int i = 0; i < myStarts.length; i++) {
                    if (blockBuffers[i] == null) {
                        blockBuffers[i] = new float[length];
                    }
                    int end = i + 1 < myStarts.length ? myStarts[i + 1] : s1;
                    addBlock(execution, chunks, myStarts[i], end, slices, offsets, blockBuffers[i]);
                    blockBuffers[i][length - 1] = finite ? 0f : Float.NaN;
                    blocks[i] = blockBuffers[i];
                }
                float[] total = exchange.allReduce(blocks, starts, slices);
                if (!Float.isFinite(total[length - 1])) {
                    stoppedAt = b;
                    stepNanos += System.nanoTime() - t0;
                    break;
                }
                for (int p = 0; p < params.size(); p++) {
                    System.arraycopy(total, offsets[p], params.get(p).grad(), 0, params.get(p).size());
                }
                optimizer.step(params);
                steps++;
                stepNanos += System.nanoTime() - t0;
            }
            if (stoppedAt < 0 && rows.hasNext()) {
                throw new IllegalStateException("worker " + rank + " got more samples than its places; the next is at place "
                        + rows.next()._1());
            }
            if (rank == 0) {
                Files.createDirectories(checkpoints.epoch(epoch + 1));
                ModelFiles.save(model, checkpoints.model(epoch + 1), java.util.Map.of("epoch", Integer.toString(epoch + 1)));
                Checkpoints.writeOptimizer(checkpoints.optimizer(epoch + 1), optimizer.saveState(params));
            }
            return new EpochResult(rank, Arrays.copyOf(positions, done), Arrays.copyOf(outputs, done * outSize),
                    Arrays.copyOf(targets, done * targetSize), stoppedAt, steps, stepNanos, exchange.nanos(),
                    exchange.sentBytes(), exchange.receivedBytes());
        }
    }

    /** Floats per task when adding a block: enough to be worth a hand-off, few enough to share out. */
    private static final int CHUNK = 2048;

    /** The parameters cut into pieces of at most {@link #CHUNK} floats: {parameter, from, to} each. */
    private static int[][] chunks(List<Parameter> params) {
        List<int[]> chunks = new ArrayList<>();
        for (int p = 0; p < params.size(); p++) {
            for (int from = 0; from < params.get(p).size(); from += CHUNK) {
                chunks.add(new int[] {p, from, Math.min(params.get(p).size(), from + CHUNK)});
            }
        }
        return chunks.toArray(new int[0][]);
    }

    /**
     * The partial sum of slices {@code [first, end)} (one block) into {@code flat}, parameter
     * after parameter, added in the slice tree's order a chunk per task.
     */
    private static void addBlock(Execution execution, int[][] chunks, int first, int end, int slices,
                                 int[] offsets, float[] flat) {
        Parallel.forEach(chunks.length, c -> {
            int p = chunks[c][0], from = chunks[c][1], to = chunks[c][2];
            float[][] parts = new float[slices][];
            for (int s = first; s < end; s++) {
                parts[s] = execution.sliceGradient(s, p);
            }
            SliceTree.sum(parts, first, end, from, to);
            System.arraycopy(parts[first], from, flat, offsets[p] + from, to - from);
        });
    }
}
