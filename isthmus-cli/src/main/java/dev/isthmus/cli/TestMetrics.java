package dev.isthmus.cli;

import dev.isthmus.train.Dataset;
import dev.isthmus.train.Metrics;
import dev.isthmus.train.Evaluator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Loss, accuracy, ROC AUC and the confusion matrix of a binary classifier on a held-out set,
 * with a label that says what the set is ({@code test}, {@code all}, ...). A model that gives a
 * non-finite output for any image has no figures: that is an error naming the model.
 */
record TestMetrics(String label, double loss, double accuracy, double auc, int[][] confusion, int count) {

    static TestMetrics of(String label, Evaluator evaluator, ModelOutput model, Dataset test, List<Path> paths,
                          int batchSize) throws IOException {
        float[] p = evaluator.predict(test, batchSize);
        model.requireFinite(p, test.count(), paths);
        Map<String, Double> m = evaluator.evaluate(test, batchSize);
        int[][] confusion = new int[2][2];
        for (int i = 0; i < test.count(); i++) {
            confusion[test.y()[i] >= 0.5f ? 1 : 0][p[i] >= 0.5f ? 1 : 0]++;
        }
        return new TestMetrics(label, m.get("loss"), m.get("accuracy"), Metrics.rocAuc(p, test.y(), test.count()), confusion,
                test.count());
    }

    String describe(List<String> classes) {
        return String.format(Locale.ROOT, "%s: %d images, loss %.4f, accuracy %.3f, ROC AUC %.3f%n", label, count, loss,
                accuracy, auc) + confusionText(classes);
    }

    String confusionText(List<String> classes) {
        int w = Math.max(12, Math.max(classes.get(0).length(), classes.get(1).length()) + 6);
        String f = "%-" + w + "s%" + w + "s%" + w + "s%n";
        return String.format(Locale.ROOT, f, "true \\ pred", classes.get(0), classes.get(1))
                + String.format(Locale.ROOT, f, classes.get(0), confusion[0][0], confusion[0][1])
                + String.format(Locale.ROOT, f, classes.get(1), confusion[1][0], confusion[1][1]);
    }
}
