package dev.isthmus.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether a classifier's training got anywhere, judged from its last epoch's validation figures
 * against what a constant guess scores. Predicting every class at its frequency gives a
 * cross-entropy equal to the labels' entropy ({@code ln 2 = 0.6931} for two balanced classes),
 * and always answering the largest class gives an accuracy equal to that class's share. A run
 * whose final validation loss is within {@value #LOSS_TOLERANCE} (relative) of that entropy, or
 * whose validation accuracy is no better than that share, did not learn: its model is no better
 * than a guess, however the run ended.
 *
 * <p>Meant for the cross-entropy losses (binary, or softmax with class indices), where the
 * constant guess's loss is the entropy; the history must hold {@code val_loss} and
 * {@code val_accuracy}.
 *
 * @param learned      whether the run left the constant guess behind
 * @param epoch        the epoch judged (1-based: the last one)
 * @param valLoss      its validation loss
 * @param valAccuracy  its validation accuracy
 * @param chanceLoss   the constant guess's loss on the validation labels
 * @param majorityRate the largest class's share of the validation labels
 * @param reasons      why it did not learn, one sentence each; empty if it learned
 */
public record LearningVerdict(boolean learned, int epoch, double valLoss, double valAccuracy, double chanceLoss,
        double majorityRate, List<String> reasons) {

    /** How close to the constant guess's loss (relative) still counts as not having left it. */
    public static final double LOSS_TOLERANCE = 0.01;

    public LearningVerdict {
        reasons = List.copyOf(reasons);
    }

    /**
     * Judges {@code history}'s last epoch against the labels of {@code validation} (one target
     * per sample: a 0/1 label or a class index).
     *
     * @throws IllegalArgumentException if the history has no validation figures, or the
     *                                  validation data is empty, has more than one target per sample
     *                                  or a label that is not finite
     */
    public static LearningVerdict judge(History history, Dataset validation) {
        if (validation.targetSize() != 1) {
            throw new IllegalArgumentException("the verdict needs one label per validation sample, got "
                    + validation.targetSize() + " targets per sample");
        }
        if (validation.count() == 0) {
            throw new IllegalArgumentException("the verdict needs validation data, got none");
        }
        Map<Float, Integer> counts = new TreeMap<>();
        float[] y = validation.y();
        for (int i = 0; i < validation.count(); i++) {
            if (!Float.isFinite(y[i])) {
                throw new IllegalArgumentException("the verdict needs finite validation labels, got " + y[i]
                        + " for sample " + i);
            }
            counts.merge(y[i], 1, Integer::sum);
        }
        double entropy = 0;
        int largest = 0;
        for (int count : counts.values()) {
            double share = (double) count / validation.count();
            entropy -= share * Math.log(share);
            largest = Math.max(largest, count);
        }
        return judge(history, entropy, (double) largest / validation.count());
    }

    /**
     * Judges {@code history}'s last epoch against a constant guess that scores {@code chanceLoss}
     * and {@code majorityRate}.
     *
     * @throws IllegalArgumentException if the history has no epoch with {@code val_loss} and
     *                                  {@code val_accuracy}, {@code chanceLoss} is negative or not
     *                                  finite, or {@code majorityRate} is not in (0, 1]
     */
    public static LearningVerdict judge(History history, double chanceLoss, double majorityRate) {
        if (!(chanceLoss >= 0) || Double.isInfinite(chanceLoss)) {
            throw new IllegalArgumentException("chanceLoss must be a finite loss >= 0, got " + chanceLoss);
        }
        if (!(majorityRate > 0 && majorityRate <= 1)) {
            throw new IllegalArgumentException("majorityRate must be a share in (0, 1], got " + majorityRate);
        }
        List<Double> losses = history.get("val_loss"), accuracies = history.get("val_accuracy");
        if (losses.isEmpty() || accuracies.isEmpty()) {
            throw new IllegalArgumentException("the verdict needs val_loss and val_accuracy in the history, got "
                    + history.asMap().keySet());
        }
        int last = losses.size() - 1;
        double loss = losses.get(last), accuracy = accuracies.get(last);
        List<String> reasons = new ArrayList<>();
        if (!Double.isFinite(loss)) {
            reasons.add("the validation loss is " + loss);
        } else if (Math.abs(loss - chanceLoss) <= LOSS_TOLERANCE * chanceLoss) {
            reasons.add(String.format(Locale.ROOT, "validation loss %.4f is within 1%% of %.4f, what a constant guess"
                    + " scores%s", loss, chanceLoss, Math.abs(chanceLoss - Math.log(2)) < 1e-9 ? " (ln 2)" : ""));
        }
        if (!(accuracy > majorityRate + 1e-9)) {
            reasons.add(String.format(Locale.ROOT, "validation accuracy %.3f is no better than %.3f, what always"
                    + " answering the largest class scores", accuracy, majorityRate));
        }
        return new LearningVerdict(reasons.isEmpty(), last + 1, loss, accuracy, chanceLoss, majorityRate, reasons);
    }

    /** One line: "did not learn: ..." with the reasons, or "learned: ..." with the figures. */
    public String summary() {
        return learned ? String.format(Locale.ROOT, "learned: validation loss %.4f (a constant guess: %.4f),"
                + " validation accuracy %.3f (the largest class: %.3f) at epoch %d", valLoss, chanceLoss, valAccuracy,
                majorityRate, epoch)
                : "did not learn: at epoch " + epoch + ", " + String.join("; ", reasons);
    }
}
