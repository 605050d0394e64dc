package dev.isthmus.train;

import dev.isthmus.nn.Execution;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Parameter;
import dev.isthmus.nn.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keras's compile/fit in one object: a model, a loss and an optimizer. {@link #fit} trains with
 * shuffled mini-batches and reports per-epoch metrics; {@link #evaluate} and {@link #predict}
 * run in evaluation mode (dropout off, batch norm on running statistics) through an
 * {@link Evaluator}, which is all a program that only evaluates a model needs.
 *
 * <p>Metrics: {@code loss}; {@code accuracy} for a binary or categorical loss; {@code auc} (ROC)
 * for a binary loss on one output ({@link Metrics#forLoss}). Validation metrics carry a
 * {@code val_} prefix. Every buffer is kept from batch to batch.
 * With the same seed, training gives bitwise identical weights on every run and thread count.
 */
public final class Trainer {

    private final Model model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final Execution execution;
    private final Evaluator evaluator;
    private final List<Parameter> parameters;

    public Trainer(Model model, Loss loss, Optimizer optimizer) {
        this.model = Objects.requireNonNull(model, "model");
        this.loss = Objects.requireNonNull(loss, "loss");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.execution = model.newExecution();
        this.evaluator = new Evaluator(model, loss, execution);
        this.parameters = List.copyOf(model.parameters().values());
    }

    public Model model() {
        return model;
    }

    public Loss loss() {
        return loss;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    private void checkData(Dataset data, String what) {
        Evaluator.checkTargets(model, loss, data, what);
    }

    /**
     * Trains for {@code options.epochs()} epochs (fewer if a callback stops it or the loss turns
     * NaN, see {@link History#stopReason()}).
     *
     * @param validation evaluated after every epoch; may be null
     */
    public History fit(Dataset train, Dataset validation, FitOptions options) {
        checkData(train, "training data");
        if (validation != null) {
            checkData(validation, "validation data");
        }
        if (train.count() == 0) {
            throw new IllegalArgumentException("training data is empty");
        }
        int batchSize = Math.min(options.batchSize(), train.count());
        Shape shape = model.inputShape();
        int outSize = model.outputShape().size();
        float[] xBatch = new float[batchSize * shape.size()];
        float[] yBatch = new float[batchSize * train.targetSize()];
        float[] grad = new float[batchSize * outSize];
        float[] epochPredictions = new float[train.count() * outSize];
        float[] epochTargets = new float[train.count() * train.targetSize()];
        History history = new History();
        FitContext context = new FitContext(model, options.epochs(), train.count(), batchSize);
        List<Callback> callbacks = options.callbacks();
        callbacks.forEach(c -> c.onTrainBegin(context));
        int batches = (train.count() + batchSize - 1) / batchSize;
        for (int epoch = 0; epoch < options.epochs() && !context.stopRequested(); epoch++) {
            EpochPlan plan = EpochPlan.of(options.seed(), epoch, train.count(), options.shuffle());
            int[] order = plan.order();
            execution.seed(plan.dropoutSeed());
            int e = epoch;
            callbacks.forEach(c -> c.onEpochBegin(context, e));
            double lossSum = 0;
            int seen = 0;
            for (int b = 0; b < batches; b++) {
                int from = b * batchSize, to = Math.min(train.count(), from + batchSize), n = to - from;
                train.gather(order, from, to, xBatch, yBatch);
                if (options.augmentation() != null) {
                    plan.augment(options.augmentation(), xBatch, 0, n, from, shape);
                }
                float[] out = execution.forward(xBatch, n, true);
                double batchLoss = loss.compute(out, yBatch, n, outSize, grad);
                if (Double.isNaN(batchLoss) || Double.isInfinite(batchLoss)) {
                    context.stop("loss became " + batchLoss + " at epoch " + (epoch + 1) + ", batch " + (b + 1)
                            + "; stopped before updating the weights with it");
                    break;
                }
                System.arraycopy(out, 0, epochPredictions, seen * outSize, n * outSize);
                System.arraycopy(yBatch, 0, epochTargets, seen * train.targetSize(), n * train.targetSize());
                execution.backward(grad);
                optimizer.step(parameters);
                lossSum += batchLoss * n;
                seen += n;
                Map<String, Double> running = metrics(lossSum / seen, epochPredictions, epochTargets, seen, "");
                int bb = b;
                callbacks.forEach(c -> c.onBatchEnd(context, e, bb, batches, running));
            }
            if (seen == 0) {
                break;
            }
            Map<String, Double> logs = new LinkedHashMap<>(metrics(lossSum / seen, epochPredictions, epochTargets, seen, ""));
            if (validation != null && validation.count() > 0) {
                logs.putAll(evaluate(validation, batchSize, "val_"));
            }
            history.record(logs);
            callbacks.forEach(c -> c.onEpochEnd(context, e, logs));
        }
        history.stopReason(context.stopReason());
        callbacks.forEach(c -> c.onTrainEnd(context));
        return history;
    }

    private Map<String, Double> metrics(double meanLoss, float[] predictions, float[] targets, int count, String prefix) {
        return Metrics.forLoss(loss, meanLoss, predictions, targets, count, model.outputShape().size(), prefix);
    }

    /** Loss and metrics over {@code data} in evaluation mode (see {@link Evaluator#evaluate}). */
    public Map<String, Double> evaluate(Dataset data, int batchSize) {
        return evaluator.evaluate(data, batchSize);
    }

    private Map<String, Double> evaluate(Dataset data, int batchSize, String prefix) {
        return evaluator.evaluate(data, batchSize, prefix, "validation data");
    }

    /** The model's outputs for every sample, in evaluation mode (see {@link Evaluator#predict}). */
    public float[] predict(Dataset data, int batchSize) {
        return evaluator.predict(data, batchSize);
    }

    /** The parameters the optimizer updates, in model order. */
    List<Parameter> parameters() {
        return new ArrayList<>(parameters);
    }
}
