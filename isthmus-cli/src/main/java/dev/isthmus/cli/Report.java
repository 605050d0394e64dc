package dev.isthmus.cli;

import dev.isthmus.io.AtomicFiles;
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

    static void write(Path file, RunResult run) throws IOException {
        AtomicFiles.write(file, text(run).getBytes(StandardCharsets.UTF_8));
    }

    static String text(RunResult run) {
        StringBuilder b = new StringBuilder("# ChestXRayNet training run\n\n").append(run.noLearningNotice())
                .append("## Settings\n\n| setting | value |\n|---|---|\n");
        run.settings().forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        b.append("\n## Training\n\n| epoch |");
        Map<String, List<Double>> h = run.history().asMap();
        h.keySet().forEach(k -> b.append(' ').append(k).append(" |"));
        b.append("\n|---|").append("---|".repeat(h.size())).append('\n');
        int bestEpoch = run.checkpoint().bestEpoch();
        for (int e = 0; e < run.history().epochs(); e++) {
            b.append("| ").append(e + 1).append(bestEpoch == e ? " (best)" : "").append(" |");
            for (List<Double> v : h.values()) {
                b.append(String.format(Locale.ROOT, " %.4f |", v.get(e)));
            }
            b.append('\n');
        }
        if (run.history().stopReason() != null) {
            b.append("\nStopped early: ").append(run.history().stopReason()).append('\n');
        }
        TestMetrics test = run.test();
        List<String> classes = run.images().classNames();
        String model = run.learned() ? "best model" : "lowest validation loss; this run did not learn";
        b.append(String.format(Locale.ROOT, "%n## Test (%s, epoch %d)%n%n", model, bestEpoch + 1));
        b.append(String.format(Locale.ROOT, "- images: %d%n- loss: %.4f%n- accuracy: %.4f%n- ROC AUC: %.4f%n%n```%n%s```%n",
                test.count(), test.loss(), test.accuracy(), test.auc(), test.confusionText(classes)));
        if (!run.images().skipped().isEmpty()) {
            b.append("\nSkipped ").append(run.images().skipped().size()).append(" unreadable images:\n");
            run.images().skipped().forEach(p -> b.append("- ").append(p).append('\n'));
        }
        b.append(String.format(Locale.ROOT, "%nWall time: %.1f s%n%nFiles: best-model.safetensors (with the preprocessing,"
                + " classes and training data it records), history.csv, history.json, loss.png, accuracy.png,"
                + " confusion-matrix.txt, confusion-matrix.png%n", run.wallSeconds()));
        return b.toString();
    }
}
