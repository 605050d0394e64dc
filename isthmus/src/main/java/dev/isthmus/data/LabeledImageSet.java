package dev.isthmus.data;

import dev.isthmus.train.Dataset;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Images loaded from a folder: the {@link Dataset}, the file each sample came from (in sample
 * order, so a prediction can be traced to its file), the class names by label, and the files
 * skipped as unreadable (empty unless the loader was asked to skip them).
 */
public record LabeledImageSet(Dataset dataset, List<Path> paths, List<String> classNames, List<Path> skipped) {

    /**
     * @throws IllegalArgumentException if there is not one path per sample
     */
    public LabeledImageSet {
        Objects.requireNonNull(dataset, "dataset");
        paths = List.copyOf(paths);
        classNames = List.copyOf(classNames);
        skipped = List.copyOf(skipped);
        if (paths.size() != dataset.count()) {
            throw new IllegalArgumentException("need one path per sample: " + dataset.count() + " samples, "
                    + paths.size() + " paths");
        }
    }

    public int count() {
        return dataset.count();
    }

    /** The label of sample {@code i} (its first target value). */
    public int label(int i) {
        return (int) dataset.y()[Objects.checkIndex(i, dataset.count()) * dataset.targetSize()];
    }
}
