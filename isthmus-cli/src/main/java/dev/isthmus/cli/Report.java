package dev.isthmus.cli;

import dev.isthmus.data.LabeledImageSet;
import dev.isthmus.io.AtomicFiles;
import dev.isthmus.io.ModelCheckpoint;
import dev.isthmus.train.History;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * report.md: the settings, the per-epoch history, the test figures and the files of a run; first
 * of all, when the run did not learn, a section that says so ({@link NoLearningNotice}).
 */
final class Report {

    private Report() {}

    static void write(Path file, Map<String, Object> settings, History history, ModelCheckpoint checkpoint,
                      TestMetrics test, LabeledImageSet images, double wallSeconds, String noLearningNotice)
            throws IOException {
        StringBuilder b = new StringBuilder("# ChestXRayNet training run\n\n").append(noLearningNotice)
                .append("## Settings\n\n| setting | value |\n|---|---|\n");
        settings.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        b.append("\n## Training\n\n| epoch |");
        Map<String, List<Double>> h = history.asMap();
        h.keySet().forEach(k -> b.append(' ').append(k).append(" |"));
        b.append("\n|---|").append("---|".repeat(h.size())).append('\n');
        for (int e = 0; e < history.epochs(); e++) {
            b.append("| ").append(e + 1).append(checkpoint.bestEpoch() == e ? " (best)" : "").append(" |");
            for (List<Double> v : h.values()) {
                b.append(String.format(Locale.ROOT, " %.4f |", v.get(e)));
            }
            b.append('\n');
        }
        if (history.stopReason() != null) {
            b.append("\nStopped early: ").append(history.stopReason()).append('\n');
        }
        String model = noLearningNotice.isEmpty() ? "best model" : "lowest validation loss; this run did not learn";
        b.append(String.format(Locale.ROOT, "%n## Test (%s, epoch %d)%n%n", model, checkpoint.bestEpoch() + 1));
        b.append(String.format(Locale.ROOT, "- images: %d%n- loss: %.4f%n- accuracy: %.4f%n- ROC AUC: %.4f%n%n```%n%s```%n",
                test.count(), test.loss(), test.accuracy(), test.auc(), test.confusionText(images.classNames())));
        if (!images.skipped().isEmpty()) {
            b.append("\nSkipped ").append(images.skipped().size()).append(" unreadable images:\n");
            images.skipped().forEach(p -> b.append("- ").append(p).append('\n'));
        }
        b.append(String.format(Locale.ROOT, "%nWall time: %.1f s%n%nFiles: best-model.safetensors, history.csv,"
                + " history.json, loss.png, accuracy.png, confusion-matrix.txt, confusion-matrix.png%n", wallSeconds));
        AtomicFiles.write(file, b.toString().getBytes(StandardCharsets.UTF_8));
    }
}
