package dev.isthmus.examples;

import dev.isthmus.data.FashionMnist;
import dev.isthmus.data.LabeledImages;
import dev.isthmus.kernels.Padding;
import dev.isthmus.nn.Activation;
import dev.isthmus.nn.ActivationLayer;
import dev.isthmus.nn.BatchNormalization;
import dev.isthmus.nn.Conv2D;
import dev.isthmus.nn.Dense;
import dev.isthmus.nn.Dropout;
import dev.isthmus.nn.Flatten;
import dev.isthmus.nn.MaxPool2D;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Sequential;
import dev.isthmus.nn.Shape;
import dev.isthmus.train.Adam;
import dev.isthmus.train.Callback;
import dev.isthmus.train.Dataset;
import dev.isthmus.train.FitContext;
import dev.isthmus.train.FitOptions;
import dev.isthmus.train.History;
import dev.isthmus.train.Losses;
import dev.isthmus.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * A small CNN on Fashion-MNIST, read from the files Debian's {@code dataset-fashion-mnist}
 * installs: conv 32 3x3 + batch norm + ReLU + max-pool, conv 64 3x3 + batch norm + ReLU +
 * max-pool, flatten, dense 128 + ReLU + dropout 0.3, dense 10 softmax; Adam 1e-3, batch 64.
 * The convolutions pad "same" (28 -> 14 -> 7), so the dense layer sees 64 x 7 x 7 features.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... dev.isthmus.examples.FashionMnistExample [epochs] [train images] [dir]
 * </pre>
 * Prints one line per epoch (time, loss, accuracy, test loss and accuracy).
 */
public final class FashionMnistExample {

    private FashionMnistExample() {}

    public static Model model(long seed) {
        return new Sequential(1, FashionMnist.ROWS, FashionMnist.COLS)
                .add(new Conv2D(32, 3).padding(Padding.SAME))
                .add(new BatchNormalization())
                .add(new ActivationLayer(Activation.RELU))
                .add(new MaxPool2D())
                .add(new Conv2D(64, 3).padding(Padding.SAME))
                .add(new BatchNormalization())
                .add(new ActivationLayer(Activation.RELU))
                .add(new MaxPool2D())
                .add(new Flatten())
                .add(new Dense(128).activation(Activation.RELU))
                .add(new Dropout(0.3f))
                .add(new Dense(FashionMnist.CLASSES.size()).activation(Activation.SOFTMAX))
                .build()
                .initialize(seed);
    }

    /** The first {@code limit} images as a dataset: pixels scaled to [0, 1], labels as class indices. */
    public static Dataset dataset(LabeledImages images, int limit) {
        int n = Math.min(limit, images.count());
        int size = FashionMnist.ROWS * FashionMnist.COLS;
        float[] x = new float[n * size], y = new float[n];
        images.images().toFloats(0, n, x, 0, 1f / 255f);
        for (int i = 0; i < n; i++) {
            y[i] = images.labels().label(i);
        }
        return Dataset.of(x, y, Shape.of(1, FashionMnist.ROWS, FashionMnist.COLS));
    }

    /** Trains and evaluates; returns the history, with test metrics per epoch as {@code val_}. */
    public static History run(Path directory, int epochs, int trainImages, long seed, Callback progress) throws IOException {
        Dataset train = dataset(FashionMnist.train(directory), trainImages);
        Dataset test = dataset(FashionMnist.test(directory), Integer.MAX_VALUE);
        Trainer trainer = new Trainer(model(seed), Losses.sparseCategoricalCrossEntropy(), new Adam(1e-3));
        FitOptions options = new FitOptions().epochs(epochs).batchSize(64).seed(seed);
        if (progress != null) {
            options.callback(progress);
        }
        return trainer.fit(train, test, options);
    }

    public static void main(String[] args) throws IOException {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int limit = args.length > 1 ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;
        Path dir = args.length > 2 ? Path.of(args[2]) : FashionMnist.DEFAULT_DIRECTORY;
        Callback timer = new Callback() {
            long start;

            @Override
            public void onEpochBegin(FitContext context, int epoch) {
                start = System.nanoTime();
            }

            @Override
            public void onEpochEnd(FitContext context, int epoch, Map<String, Double> logs) {
                System.out.printf(Locale.ROOT, "epoch %d: %.1f s (training and test evaluation), loss %.4f, accuracy %.4f, test loss %.4f,"
                                + " test accuracy %.4f%n", epoch + 1, (System.nanoTime() - start) / 1e9,
                        logs.get("loss"), logs.get("accuracy"), logs.get("val_loss"), logs.get("val_accuracy"));
            }
        };
        run(dir, epochs, limit, 1, timer);
    }
}
