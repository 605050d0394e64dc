package dev.isthmus.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Zalando): 28x28 grey-scale images of clothing in 10 classes, 60000 for training
 * and 10000 for testing, read from the four IDX files in a directory.
 *
 * <p>The default directory is where Debian's {@code dataset-fashion-mnist} package installs them,
 * so nothing is downloaded at run time. Each file may be gzipped ({@code name.gz}, as shipped) or
 * not ({@code name}).
 */
public final class FashionMnist {

    /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
    public static final Path DEFAULT_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

    public static final int ROWS = 28;
    public static final int COLS = 28;

    /** Class names by label. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private FashionMnist() {}

    /** The 60000 training images from {@link #DEFAULT_DIRECTORY}. */
    public static LabeledImages train() throws IOException {
        return train(DEFAULT_DIRECTORY);
    }

    /** The 10000 test images from {@link #DEFAULT_DIRECTORY}. */
    public static LabeledImages test() throws IOException {
        return test(DEFAULT_DIRECTORY);
    }

    /**
     * The training images from {@code directory}.
     *
     * @throws NoSuchFileException if a file is missing; the message names the directory and how
     *                             to install the data set
     * @throws IdxFormatException  if a file is damaged or not 28x28 images with matching labels
     */
    public static LabeledImages train(Path directory) throws IOException {
        return load(directory, "train");
    }

    /** The test images from {@code directory}; see {@link #train(Path)}. */
    public static LabeledImages test(Path directory) throws IOException {
        return load(directory, "t10k");
    }

    private static LabeledImages load(Path directory, String split) throws IOException {
        Path imagesFile = find(directory, split + "-images-idx3-ubyte");
        Path labelsFile = find(directory, split + "-labels-idx1-ubyte");
        IdxImages images = Idx.readImages(imagesFile);
        if (images.rows() != ROWS || images.cols() != COLS) {
            throw new IdxFormatException(imagesFile + ": Fashion-MNIST images are " + ROWS + "x" + COLS + ", got "
                    + images.rows() + "x" + images.cols());
        }
        IdxLabels labels = Idx.readLabels(labelsFile);
        if (labels.count() != images.count()) {
            throw new IdxFormatException(labelsFile + ": holds " + labels.count() + " labels, but " + imagesFile
                    + " holds " + images.count() + " images");
        }
        for (int i = 0; i < labels.count(); i++) {
            if (labels.label(i) >= CLASSES.size()) {
                throw new IdxFormatException(labelsFile + ": label " + i + " is " + labels.label(i)
                        + ", outside [0, " + CLASSES.size() + ")");
            }
        }
        return new LabeledImages(images, labels);
    }

    private static Path find(Path directory, String name) throws NoSuchFileException {
        for (Path candidate : List.of(directory.resolve(name + ".gz"), directory.resolve(name))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new NoSuchFileException(directory.resolve(name + ".gz").toString(), null,
                "Fashion-MNIST file " + name + "(.gz) not found in " + directory
                        + (Files.isDirectory(directory) ? "" : " (no such directory)")
                        + "; install the data set with `apt-get install dataset-fashion-mnist`, which puts it in "
                        + DEFAULT_DIRECTORY + ", or pass the directory that holds the four files");
    }
}
