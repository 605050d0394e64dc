package dev.isthmus.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Accuracy and ROC AUC over a whole set of predictions. A NaN or infinite prediction makes every
 * metric NaN: a broken model must not score as a number (a NaN compares false, so it would pass
 * as class 0, and it would sort as a score of its own).
 */
public final class Metrics {

    private Metrics() {}

    /**
     * What a fit reports for {@code loss}: {@code loss} (the given mean) and {@code accuracy},
     * and for a binary loss on one output also {@code auc} (ROC), each name after
     * {@code prefix} ({@code val_} for validation). {@code count} samples of {@code outputs}
     * predictions each.
     */
    public static Map<String, Double> forLoss(Loss loss, double meanLoss, float[] predictions, float[] targets, int count,
                                              int outputs, String prefix) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(prefix + "loss", meanLoss);
        switch (loss.task()) {
            case BINARY -> {
                boolean logits = !loss.onProbabilities();
                m.put(prefix + "accuracy", binaryAccuracy(predictions, targets, count * outputs, logits));
                if (outputs == 1) {
                    m.put(prefix + "auc", rocAuc(predictions, targets, count));
                }
            }
            case CATEGORICAL -> m.put(prefix + "accuracy", categoricalAccuracy(predictions, targets, count, outputs));
            case OTHER -> { }
        }
        return m;
    }

    /**
     * Binary accuracy: a probability (or, with {@code fromLogits}, a logit) counts as class 1 when
     * it is at least 0.5 (logit at least 0).
     */
    public static double binaryAccuracy(float[] predictions, float[] labels, int count, boolean fromLogits) {
        if (anyNonFinite(predictions, count)) {
            return Double.NaN;
        }
        int right = 0;
        float threshold = fromLogits ? 0f : 0.5f;
        for (int i = 0; i < count; i++) {
            boolean positive = predictions[i] >= threshold;
            if (positive == (labels[i] >= 0.5f)) {
                right++;
            }
        }
        return count == 0 ? Double.NaN : (double) right / count;
    }

    /** Multi-class accuracy: the arg-max of each row of {@code classes} scores against the label. */
    public static double categoricalAccuracy(float[] scores, float[] labels, int count, int classes) {
        if (anyNonFinite(scores, count * classes)) {
            return Double.NaN;
        }
        int right = 0;
        for (int i = 0; i < count; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (scores[i * classes + c] > scores[i * classes + best]) {
                    best = c;
                }
            }
            if (best == (int) labels[i]) {
                right++;
            }
        }
        return count == 0 ? Double.NaN : (double) right / count;
    }

    /**
     * Area under the ROC curve: the probability that a random positive scores above a random
     * negative, ties counting half (the Mann-Whitney statistic). NaN when a class is absent or a
     * score is not finite.
     */
    public static double rocAuc(float[] scores, float[] labels, int count) {
        if (anyNonFinite(scores, count)) {
            return Double.NaN;
        }
        Integer[] idx = new Integer[count];
        for (int i = 0; i < count; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (p, q) -> Float.compare(scores[p], scores[q]));
        double rankSumPositive = 0;
        long positives = 0;
        int i = 0;
        while (i < count) {
            int j = i;
            while (j + 1 < count && scores[idx[j + 1]] == scores[idx[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1; // average rank of the tie group
            for (int t = i; t <= j; t++) {
                if (labels[idx[t]] >= 0.5f) {
                    rankSumPositive += rank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = count - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    private static boolean anyNonFinite(float[] values, int count) {
        for (int i = 0; i < count; i++) {
            if (!Float.isFinite(values[i])) {
                return true;
            }
        }
        return false;
    }
}
