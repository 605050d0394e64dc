package dev.isthmus.data;

import dev.isthmus.kernels.Parallel;
import dev.isthmus.nn.Shape;
import dev.isthmus.train.Dataset;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Loads a folder of labelled images, {@code <dir>/<class>/*.png|jpg|jpeg}, the layout of the
 * chest X-ray lesson ({@code chest_xrays/normal}, {@code chest_xrays/effusion}), and prepares
 * them as the lesson does: grey-scale, shrunk to {@code side x side} by area averaging, scaled to
 * {@code [0, 1]}, then standardised per image to mean 0 and standard deviation 1. Samples have
 * shape {@code (1, side, side)}; an image that is not square is stretched to the square (the
 * lesson's are all square).
 *
 * <p>Classes are the sub-folders, sorted by name; files are sorted by name within a class, so
 * the sample order (and with it a seeded split) is the same on every machine. Extensions match
 * case-insensitively; hidden entries (starting with {@code .}) and other files are ignored.
 *
 * <p>In binary mode (the default, {@link Options#positiveClass()} set) there must be exactly
 * two classes; the positive one gets label 1, the other 0, which is what a sigmoid output and
 * binary cross-entropy expect. Otherwise the label is the class's index in sorted order. Either
 * way {@link LabeledImageSet#classNames()} lists the names by label.
 *
 * <p>Images are decoded on the library's threads ({@link Parallel}); each lands in its own slot,
 * so the result does not depend on the thread count.
 */
public final class ImageFolder {

    /** The lesson's image size after downsampling from 512. */
    public static final int DEFAULT_SIDE = 256;
    /** The lesson's positive class. */
    public static final String DEFAULT_POSITIVE_CLASS = "effusion";

    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg");

    private ImageFolder() {}

    /**
     * How to load: the output side, the positive class ({@code null}: one label per class),
     * whether to skip unreadable images (reported in {@link LabeledImageSet#skipped()}) instead
     * of failing, and the largest image to decode, in pixels ({@link Images#DEFAULT_MAX_PIXELS}
     * unless set; a bigger one counts as unreadable).
     */
    public record Options(int side, String positiveClass, boolean skipBadImages, long maxPixels) {

        /**
         * @throws IllegalArgumentException if {@code side < 1}, {@code positiveClass} is blank or
         *                                  {@code maxPixels < 1}
         */
        public Options {
            if (side < 1) {
                throw new IllegalArgumentException("side must be >= 1, got " + side);
            }
            if (positiveClass != null && positiveClass.isBlank()) {
                throw new IllegalArgumentException("positiveClass must not be blank; use null for one label per class");
            }
            if (maxPixels < 1) {
                throw new IllegalArgumentException("maxPixels must be >= 1, got " + maxPixels);
            }
        }

        /** With the default pixel limit. */
        public Options(int side, String positiveClass, boolean skipBadImages) {
            this(side, positiveClass, skipBadImages, Images.DEFAULT_MAX_PIXELS);
        }

        /** Side 256, positive class {@code effusion}, fail on bad images: the lesson's setup. */
        public static Options defaults() {
            return new Options(DEFAULT_SIDE, DEFAULT_POSITIVE_CLASS, false);
        }

        public Options withSide(int side) {
            return new Options(side, positiveClass, skipBadImages, maxPixels);
        }

        /** Binary labels with {@code positiveClass} as 1. */
        public Options withPositiveClass(String positiveClass) {
            return new Options(side, Objects.requireNonNull(positiveClass, "positiveClass"), skipBadImages, maxPixels);
        }

        /** Label = index of the class in sorted order, any number of classes. */
        public Options multiClass() {
            return new Options(side, null, skipBadImages, maxPixels);
        }

        public Options withSkipBadImages(boolean skipBadImages) {
            return new Options(side, positiveClass, skipBadImages, maxPixels);
        }

        public Options withMaxPixels(long maxPixels) {
            return new Options(side, positiveClass, skipBadImages, maxPixels);
        }
    }

    /** Loads {@code dir} with {@link Options#defaults()}. */
    public static LabeledImageSet load(Path dir) throws IOException {
        return load(dir, Options.defaults());
    }

    /**
     * Loads {@code dir}.
     *
     * @throws NoSuchFileException  if {@code dir} does not exist
     * @throws NotDirectoryException if it is not a directory
     * @throws IOException          naming the folder if it has no class folders, a class folder
     *                              has no images, the positive class is missing or (binary mode)
     *                              there are not exactly two classes; naming the file if an
     *                              image cannot be read, unless {@code skipBadImages}
     */
    public static LabeledImageSet load(Path dir, Options options) throws IOException {
        Objects.requireNonNull(options, "options");
        if (!Files.exists(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "image folder does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new NotDirectoryException(dir.toString());
        }
        List<Path> classDirs = list(dir, Files::isDirectory);
        if (classDirs.isEmpty()) {
            throw new IOException(dir + ": no class folders (expected " + dir + "/<class>/*.png|jpg|jpeg)");
        }
        List<String> sorted = classDirs.stream().map(p -> p.getFileName().toString()).toList();
        List<String> byLabel = labelOrder(dir, sorted, options.positiveClass());

        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path classDir : classDirs) {
            List<Path> images = list(classDir, p -> Files.isRegularFile(p) && isImageName(p));
            if (images.isEmpty()) {
                throw new IOException(classDir + ": class folder has no images (*.png, *.jpg, *.jpeg)");
            }
            int label = byLabel.indexOf(classDir.getFileName().toString());
            for (Path image : images) {
                files.add(image);
                labels.add(label);
            }
        }

        int side = options.side(), size = side * side, n = files.size();
        float[] x = new float[Math.multiplyExact(n, size)];
        IOException[] errors = new IOException[n];
        Parallel.forEach(n, i -> {
            try {
                Images.Grey grey = Images.readGrey(files.get(i), options.maxPixels());
                double[] resized = Images.resizeArea(grey.values(), grey.width(), grey.height(), side, side);
                for (int k = 0; k < size; k++) {
                    x[i * size + k] = (float) resized[k];
                }
                Images.standardize(x, i * size, size);
            } catch (IOException e) {
                errors[i] = e;
            } catch (OutOfMemoryError e) {
                // under the pixel limit but too big for this heap; the failed array is garbage
                errors[i] = new IOException(files.get(i) + ": not enough memory to decode and resize it ("
                        + e.getMessage() + "); give the JVM more heap (-Xmx)", e);
            }
        });

        List<Path> kept = new ArrayList<>(n), skipped = new ArrayList<>();
        List<Float> keptLabels = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (errors[i] == null) {
                if (kept.size() != i) {
                    System.arraycopy(x, i * size, x, kept.size() * size, size);
                }
                kept.add(files.get(i));
                keptLabels.add((float) labels.get(i));
            } else if (options.skipBadImages()) {
                skipped.add(files.get(i));
            } else {
                throw errors[i];
            }
        }
        if (kept.isEmpty()) {
            throw new IOException(dir + ": none of the " + n + " images could be read (first: "
                    + errors[0].getMessage() + ")");
        }
        float[] y = new float[kept.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = keptLabels.get(i);
        }
        float[] xKept = kept.size() == n ? x : Arrays.copyOf(x, kept.size() * size);
        return new LabeledImageSet(Dataset.of(xKept, y, Shape.of(1, side, side)), kept, byLabel, skipped);
    }

    private static List<String> labelOrder(Path dir, List<String> sorted, String positive) throws IOException {
        if (positive == null) {
            return sorted;
        }
        if (!sorted.contains(positive)) {
            throw new IOException(dir + ": positive class folder '" + positive + "' not found; class folders are "
                    + sorted);
        }
        if (sorted.size() != 2) {
            throw new IOException(dir + ": binary labels need exactly 2 class folders, found " + sorted.size() + ": "
                    + sorted + " (load with Options.multiClass() for one label per class)");
        }
        String negative = sorted.get(0).equals(positive) ? sorted.get(1) : sorted.get(0);
        return List.of(negative, positive);
    }

    static boolean isImageName(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !name.startsWith(".") && EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    private interface PathFilter {
        boolean accept(Path p);
    }

    /** Non-hidden entries of {@code dir} that pass {@code filter}, sorted by file name. */
    private static List<Path> list(Path dir, PathFilter filter) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (!p.getFileName().toString().startsWith(".") && filter.accept(p)) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return out;
    }
}
