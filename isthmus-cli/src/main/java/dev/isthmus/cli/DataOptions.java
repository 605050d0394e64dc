package dev.isthmus.cli;

import dev.isthmus.data.ImageFolder;
import dev.isthmus.data.LabeledImageSet;
import dev.isthmus.data.SyntheticChestXrays;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the images come from: a folder of class folders, or the generated synthetic set. */
final class DataOptions {

    static final int SYNTHETIC_PER_CLASS = 350;
    static final long SYNTHETIC_SEED = 42;

    @Option(names = "--data", description = "Image folder with one sub-folder per class (e.g. chest_xrays with normal/"
            + " and effusion/). Default: a synthetic chest X-ray set generated into --cache.")
    Path data;

    @Option(names = "--cache", description = "Where the synthetic set is generated (default: ~/.cache/isthmus/synthetic-chest-xrays).")
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "isthmus", "synthetic-chest-xrays");

    @Option(names = "--positive-class", defaultValue = "effusion", description = "Folder whose images are label 1 (default: ${DEFAULT-VALUE}).")
    String positiveClass;

    @Option(names = "--image-size", defaultValue = "256", description = "Images are resized to this square side (default: ${DEFAULT-VALUE}).")
    int side;

    @Option(names = "--skip-bad-images", description = "Skip unreadable or truncated images (counted in the report) instead of stopping.")
    boolean skipBadImages;

    /** Loads the images, generating the synthetic set first when no folder was given. */
    LabeledImageSet load(PrintStream out) throws IOException {
        Path dir = data;
        if (dir == null) {
            dir = cache;
            long t0 = System.nanoTime();
            if (SyntheticChestXrays.generate(dir, SYNTHETIC_PER_CLASS, SYNTHETIC_SEED)) {
                out.printf("generated %d synthetic chest X-rays in %s (%.1f s)%n", 2 * SYNTHETIC_PER_CLASS, dir,
                        (System.nanoTime() - t0) / 1e9);
            } else {
                out.println("using the synthetic chest X-rays in " + dir);
            }
        }
        LabeledImageSet set = ImageFolder.load(dir,
                new ImageFolder.Options(side, positiveClass, skipBadImages));
        out.printf("loaded %d images from %s (classes %s)%s%n", set.count(), dir, set.classNames(),
                set.skipped().isEmpty() ? "" : ", skipped " + set.skipped().size() + " unreadable");
        return set;
    }

    String describe() {
        return data == null ? "synthetic (" + 2 * SYNTHETIC_PER_CLASS + " images, seed " + SYNTHETIC_SEED + ", in " + cache + ")"
                : data.toString();
    }
}
