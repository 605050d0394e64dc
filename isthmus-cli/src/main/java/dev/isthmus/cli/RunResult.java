package dev.isthmus.cli;

import dev.isthmus.data.LabeledImageSet;
import dev.isthmus.io.ModelCheckpoint;
import dev.isthmus.train.History;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a finished training run knows, for its report and its last lines: the folder, the
 * checkpoint (best epoch and model file), the history, the best model's test figures, the
 * images, the settings and the wall time; when the run did not learn, what report.md and the
 * terminal say about it ({@link NoLearningNotice}), else two empty strings.
 */
record RunResult(Path folder, ModelCheckpoint checkpoint, History history, TestMetrics test, LabeledImageSet images,
                 Map<String, Object> settings, double wallSeconds, String noLearningNotice, String terminalNotice) {

    boolean learned() {
        return noLearningNotice.isEmpty();
    }

    Path bestModel() {
        return checkpoint.file();
    }
}
