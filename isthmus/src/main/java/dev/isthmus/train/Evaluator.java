package dev.isthmus.train;

import dev.isthmus.nn.Execution;
import dev.isthmus.nn.Model;
import java.util.Map;
import java.util.Objects;

/**
 * A model and a loss, in evaluation mode (dropout off, batch norm on its running statistics):
 * {@link #evaluate} gives the loss and the metrics the loss's {@linkplain Loss#task() task}
 * calls for, {@link #predict} the outputs. No optimizer is needed to evaluate a model. Buffers
 * are kept from call to call and grow only for a larger batch or data set; not thread-safe (use
 * {@link Model#predict} from several threads).
 */
public final class Evaluator {

    private final Model model;
    private final Loss loss;
    private final Execution execution;
    private float[] x = new float[0], out = new float[0], y = new float[0], grad = new float[0];

    public Evaluator(Model model, Loss loss) {
        this(model, loss, Objects.requireNonNull(model, "model").newExecution());
    }

    /** Shares {@code execution} (a trainer's), so validation keeps no second set of buffers. */
    Evaluator(Model model, Loss loss, Execution execution) {
        this.model = Objects.requireNonNull(model, "model");
        this.loss = Objects.requireNonNull(loss, "loss");
        this.execution = execution;
    }

    public Model model() {
        return model;
    }

    public Loss loss() {
        return loss;
    }

    /**
     * Loss and metrics over {@code data}, in batches of {@code batchSize}: {@code loss},
     * {@code accuracy} (binary or categorical tasks) and {@code auc} (one binary output).
     *
     * @throws IllegalArgumentException if the samples or targets do not fit the model and loss
     */
    public Map<String, Double> evaluate(Dataset data, int batchSize) {
        return evaluate(data, batchSize, "", "evaluation data");
    }

    Map<String, Double> evaluate(Dataset data, int batchSize, String prefix, String what) {
        checkTargets(model, loss, data, what);
        checkBatch(batchSize);
        int outSize = model.outputShape().size(), targets = data.targetSize();
        float[] predictions = predictChecked(data, batchSize);
        int n0 = Math.min(batchSize, data.count());
        out = grow(out, n0 * outSize);
        y = grow(y, n0 * targets);
        grad = grow(grad, n0 * outSize);
        double lossSum = 0;
        for (int from = 0; from < data.count(); from += batchSize) {
            int n = Math.min(batchSize, data.count() - from);
            System.arraycopy(predictions, from * outSize, out, 0, n * outSize);
            System.arraycopy(data.y(), from * targets, y, 0, n * targets);
            lossSum += loss.compute(out, y, n, outSize, grad) * n;
        }
        return Metrics.forLoss(loss, lossSum / data.count(), predictions, data.y(), data.count(), outSize, prefix);
    }

    /**
     * The model's outputs for every sample of {@code data}, in batches of {@code batchSize}.
     *
     * @throws IllegalArgumentException if the samples do not have the model's input shape
     */
    public float[] predict(Dataset data, int batchSize) {
        checkSamples(model, data, "prediction data");
        checkBatch(batchSize);
        return predictChecked(data, batchSize);
    }

    private float[] predictChecked(Dataset data, int batchSize) {
        int inSize = model.inputShape().size(), outSize = model.outputShape().size();
        float[] predictions = new float[data.count() * outSize];
        x = grow(x, Math.min(batchSize, Math.max(1, data.count())) * inSize);
        for (int from = 0; from < data.count(); from += batchSize) {
            int n = Math.min(batchSize, data.count() - from);
            System.arraycopy(data.x(), from * inSize, x, 0, n * inSize);
            float[] o = execution.infer(x, n);
            System.arraycopy(o, 0, predictions, from * outSize, n * outSize);
        }
        return predictions;
    }

    private static float[] grow(float[] a, int length) {
        return a.length >= length ? a : new float[length];
    }

    private static void checkBatch(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
    }

    static void checkSamples(Model model, Dataset data, String what) {
        if (!data.sampleShape().equals(model.inputShape())) {
            throw new IllegalArgumentException(what + " samples have shape " + data.sampleShape() + ", but the model's"
                    + " input layer expects " + model.inputShape());
        }
    }

    /** The samples fit the model's input, and the targets the loss on the model's output. */
    static void checkTargets(Model model, Loss loss, Dataset data, String what) {
        checkSamples(model, data, what);
        int out = model.outputShape().size(), expected = loss.targetSize(out);
        if (data.targetSize() != expected) {
            throw new IllegalArgumentException(what + " has " + data.targetSize() + " target values per sample, but the "
                    + loss.name() + " loss on output " + model.outputShape() + " needs " + expected);
        }
    }
}
