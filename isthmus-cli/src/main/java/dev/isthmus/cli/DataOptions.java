package dev.isthmus.cli;

import dev.isthmus.data.ImageDigests;
import dev.isthmus.data.ImageFolder;
import dev.isthmus.data.LabeledImageSet;
import dev.isthmus.data.SyntheticChestXrays;
import dev.isthmus.io.AtomicFiles;
import dev.isthmus.io.ModelMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Where training images come from: a folder of class folders, or the generated synthetic set. */
final class DataOptions {

    static final int SYNTHETIC_PER_CLASS = 350;
    static final long SYNTHETIC_SEED = 42;
    static final String SYNTHETIC_GENERATOR = "isthmus-synthetic-chest-xrays";
    /** ChestXRayNet's six 2x2 poolings need at least this side. */
    static final int MIN_SIDE = 64;
    static final int MAX_SIDE = 2048;

    @Option(names = "--data", description = "Image folder with one sub-folder per class (e.g. chest_xrays with normal/"
            + " and effusion/). Default: a synthetic chest X-ray set generated into --cache.")
    Path data;

    @Option(names = "--cache", description = "Where the synthetic set is generated (default: ~/.cache/isthmus/synthetic-chest-xrays).")
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "isthmus", "synthetic-chest-xrays");

    @Option(names = "--positive-class", defaultValue = "effusion", description = "Folder whose images are label 1 (default: ${DEFAULT-VALUE}).")
    String positiveClass;

    @Option(names = "--image-size", defaultValue = "256", description = "Images are resized to this square side,"
            + " 64 to 2048 (default: ${DEFAULT-VALUE}).")
    int side;

    @Option(names = "--skip-bad-images", description = "Skip unreadable, truncated or oversized images (listed in the report) instead of stopping.")
    boolean skipBadImages;

    @Option(names = "--max-image-pixels", defaultValue = "25000000", description = "Refuse images with more pixels than"
            + " this, read from their header before decoding (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    /** The loaded images, where they came from, and their digests. */
    record Loaded(Path folder, LabeledImageSet images, ModelMetadata.Synthetic synthetic, ImageDigests digests) {}

    void check(Flags flags) {
        flags.between("--image-size", side, MIN_SIDE, MAX_SIDE);
        flags.notBlank("--positive-class", positiveClass);
        flags.between("--max-image-pixels", maxPixels, 1, Integer.MAX_VALUE);
        if (data != null) {
            flags.folder("--data", data);
        }
    }

    /** What {@code train} and {@code evaluate} say once a folder is read. */
    static String loadedLine(LabeledImageSet set, Path dir) {
        return String.format(Locale.ROOT, "loaded %d images from %s (classes %s)%s", set.count(), dir, set.classNames(),
                set.skipped().isEmpty() ? "" : ", skipped " + set.skipped().size() + " unreadable");
    }

    /** Loads the images, generating the synthetic set first when no folder was given. */
    Loaded load(Screen screen) throws IOException {
        Path dir = data;
        ModelMetadata.Synthetic synthetic = null;
        if (dir == null) {
            dir = cache;
            synthetic = new ModelMetadata.Synthetic(SYNTHETIC_GENERATOR, SYNTHETIC_PER_CLASS, SYNTHETIC_SEED);
            generate(dir, SYNTHETIC_PER_CLASS, SYNTHETIC_SEED, screen);
        }
        LabeledImageSet set = ImageFolder.load(dir, new ImageFolder.Options(side, positiveClass, skipBadImages, maxPixels));
        screen.printWrapped(loadedLine(set, dir));
        return new Loaded(dir.toAbsolutePath().normalize(), set, synthetic, ImageDigests.of(dir, set.paths()));
    }

    /** Generates (or finds) the synthetic set in {@code dir}, first removing what killed generators left there. */
    static void generate(Path dir, int perClass, long seed, Screen screen) throws IOException {
        AtomicFiles.removeStaleTemporaries(dir);
        for (String c : SyntheticChestXrays.CLASSES) {
            AtomicFiles.removeStaleTemporaries(dir.resolve(c));
        }
        long t0 = System.nanoTime();
        if (SyntheticChestXrays.generate(dir, perClass, seed)) {
            screen.println(String.format(Locale.ROOT, "generated %d synthetic chest X-rays in %s (%.1f s)", 2 * perClass, dir,
                    (System.nanoTime() - t0) / 1e9));
        } else {
            screen.println("using the synthetic chest X-rays in " + dir);
        }
    }

    String describe() {
        return data == null ? "synthetic (" + 2 * SYNTHETIC_PER_CLASS + " images, seed " + SYNTHETIC_SEED + ", in " + cache + ")"
                : data.toString();
    }
}
