package dev.isthmus.cli;

import dev.isthmus.train.Dataset;
import dev.isthmus.train.Metrics;
import dev.isthmus.train.Trainer;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Loss, accuracy, ROC AUC and the confusion matrix of a binary classifier on a held-out set. */
record TestMetrics(double loss, double accuracy, double auc, int[][] confusion, int count) {

    static TestMetrics of(Trainer trainer, Dataset test, int batchSize) {
        Map<String, Double> m = trainer.evaluate(test, batchSize);
        float[] p = trainer.predict(test, batchSize);
        int[][] confusion = new int[2][2];
        for (int i = 0; i < test.count(); i++) {
            confusion[test.y()[i] >= 0.5f ? 1 : 0][p[i] >= 0.5f ? 1 : 0]++;
        }
        return new TestMetrics(m.get("loss"), m.get("accuracy"), Metrics.rocAuc(p, test.y(), test.count()), confusion,
                test.count());
    }

    String describe(List<String> classes) {
        return String.format(Locale.ROOT, "test: %d images, loss %.4f, accuracy %.3f, ROC AUC %.3f%n", count, loss, accuracy, auc)
                + confusionText(classes);
    }

    String confusionText(List<String> classes) {
        int w = Math.max(12, Math.max(classes.get(0).length(), classes.get(1).length()) + 6);
        String f = "%-" + w + "s%" + w + "s%" + w + "s%n";
        return String.format(Locale.ROOT, f, "true \\ pred", classes.get(0), classes.get(1))
                + String.format(Locale.ROOT, f, classes.get(0), confusion[0][0], confusion[0][1])
                + String.format(Locale.ROOT, f, classes.get(1), confusion[1][0], confusion[1][1]);
    }
}
