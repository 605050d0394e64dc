import dev.isthmus.data.ImageFolder;
import dev.isthmus.data.LabeledImageSet;
import dev.isthmus.data.Split;
import dev.isthmus.io.ModelCheckpoint;
import dev.isthmus.io.ModelFiles;
import dev.isthmus.nn.Activation;
import dev.isthmus.nn.Dense;
import dev.isthmus.nn.Flatten;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Sequential;
import dev.isthmus.train.Adam;
import dev.isthmus.train.FitOptions;
import dev.isthmus.train.Losses;
import dev.isthmus.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The linear baseline beside the CNN in learnability.sh: logistic regression on the pixels (a
 * one-layer Isthmus model, Flatten then Dense(1, sigmoid)) on the main job's split of the same
 * images for each seed, loaded the same way (greyscale, area-resized, standardised per image).
 * It gets every chance: images at 256, 64 and 32 pixels a side, three learning rates each, Adam,
 * batch 16, no augmentation, 60 epochs, the weights of the epoch with the best validation loss;
 * of those nine, the one with the best validation loss is tested.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp CLASSPATH benchmarks/LogisticBaseline.java DATA OUT SEED...
 * </pre>
 * Prints one JSON line per seed: the chosen side and learning rate, its test accuracy, and the best
 * test accuracy any of the nine reached (an upper bound no honest choice could beat). Writes
 * OUT/split-SEED.tsv (part, label, path per image), from which torch_learnability.py trains PyTorch on
 * exactly this split.
 */
public final class LogisticBaseline {

    static final int EPOCHS = 60;
    static final int[] SIDES = {256, 64, 32};
    static final double[] LEARNING_RATES = {1e-3, 1e-4, 1e-5};

    record Fit(int side, double learningRate, double valLoss, double testAccuracy) {}

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: LogisticBaseline DATA OUT SEED...");
            System.exit(2);
        }
        Path data = Path.of(args[0]), out = Path.of(args[1]);
        Files.createDirectories(out);
        List<List<Fit>> fits = new ArrayList<>();
        for (int s = 2; s < args.length; s++) {
            fits.add(new ArrayList<>());
        }
        for (int side : SIDES) {
            LabeledImageSet images = ImageFolder.load(data, ImageFolder.Options.defaults().withSide(side));
            for (int s = 2; s < args.length; s++) {
                long seed = Long.parseLong(args[s]);
                Split split = Split.lesson(images, seed);
                if (side == ImageFolder.DEFAULT_SIDE) {
                    writeSplit(out.resolve("split-" + seed + ".tsv"), split);
                }
                for (double lr : LEARNING_RATES) {
                    fits.get(s - 2).add(fit(split, side, lr, seed, out));
                }
            }
        }
        for (int s = 2; s < args.length; s++) {
            List<Fit> f = fits.get(s - 2);
            Fit chosen = f.stream().min((a, b) -> Double.compare(a.valLoss(), b.valLoss())).orElseThrow();
            double best = f.stream().mapToDouble(Fit::testAccuracy).max().orElseThrow();
            System.out.printf(Locale.ROOT, "{\"seed\": %s, \"side\": %d, \"learning_rate\": %s, \"val_loss\": %.4f,"
                    + " \"test_accuracy\": %.4f, \"best_test_accuracy_of_all\": %.4f}%n", args[s], chosen.side(),
                    chosen.learningRate(), chosen.valLoss(), chosen.testAccuracy(), best);
        }
    }

    private static Fit fit(Split split, int side, double lr, long seed, Path out) throws IOException {
        Model model = new Sequential(1, side, side)
                .add(new Flatten())
                .add(new Dense(1).activation(Activation.SIGMOID))
                .build()
                .initialize(seed);
        Path best = out.resolve("logistic-" + seed + "-" + side + ".safetensors");
        ModelCheckpoint checkpoint = new ModelCheckpoint(best);
        new Trainer(model, Losses.binaryCrossEntropy(), new Adam(lr)).fit(split.train().dataset(),
                split.validation().dataset(), new FitOptions().epochs(EPOCHS).batchSize(16).seed(seed).callback(checkpoint));
        Trainer tested = new Trainer(ModelFiles.load(best), Losses.binaryCrossEntropy(), new Adam());
        double accuracy = tested.evaluate(split.test().dataset(), 16).get("accuracy");
        Files.delete(best);
        return new Fit(side, lr, checkpoint.best(), accuracy);
    }

    private static void writeSplit(Path file, Split split) throws IOException {
        StringBuilder b = new StringBuilder("part\tlabel\tpath\n");
        part(b, "train", split.train());
        part(b, "validation", split.validation());
        part(b, "test", split.test());
        Files.writeString(file, b);
    }

    private static void part(StringBuilder b, String name, Split.Part part) {
        float[] y = part.dataset().y();
        for (int i = 0; i < part.count(); i++) {
            b.append(name).append('\t').append((int) y[i]).append('\t').append(part.paths().get(i).toAbsolutePath())
                    .append('\n');
        }
    }
}
