package dev.isthmus.benchmarks;

import dev.isthmus.nn.ChestXRayNet;
import dev.isthmus.nn.Initializer;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Shape;
import dev.isthmus.train.Adam;
import dev.isthmus.train.Callback;
import dev.isthmus.train.Dataset;
import dev.isthmus.train.FitContext;
import dev.isthmus.train.FitOptions;
import dev.isthmus.train.Losses;
import dev.isthmus.train.Trainer;
import dev.isthmus.train.WarmUp;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A cold JVM's first ChestXRayNet training epoch, as the main job runs it (505 images of 256x256,
 * batch 16, Adam, all threads), with or without a {@link WarmUp} while the data "load": one core
 * busy for {@code loadSeconds} stands in for reading the images. Prints when the data are ready,
 * when the first step and the first epoch end (seconds since {@code main} began), and every
 * step's milliseconds. Run it in a fresh JVM each time; a single run says little on a shared
 * machine, so alternate the two modes.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:+UseSerialGC -cp benchmarks/target/benchmarks.jar \
 *     dev.isthmus.benchmarks.ColdStart cold|warm-up [loadSeconds]
 * </pre>
 */
public final class ColdStart {

    private ColdStart() {}

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        if (args.length < 1 || !args[0].matches("cold|warm-up")) {
            throw new IllegalArgumentException("usage: ColdStart cold|warm-up [loadSeconds], got "
                    + String.join(" ", args));
        }
        boolean warm = args[0].equals("warm-up");
        double loadSeconds = args.length > 1 ? Double.parseDouble(args[1]) : 2.5;
        int count = 505, side = ChestXRayNet.SIDE;
        Dataset train;
        try (WarmUp warmUp = warm ? WarmUp.start(() -> ChestXRayNet.build().initialize(7, Initializer.HE),
                Losses.binaryCrossEntropy(), 1) : null) {
            train = load(count, side, t0 + (long) (loadSeconds * 1e9));
            if (warmUp != null) {
                System.out.printf(Locale.ROOT, "warm-up: %d steps, %s%n", warmUp.steps(),
                        warmUp.settled() ? "settled" : "still getting faster");
            }
        }
        System.out.printf(Locale.ROOT, "data ready %.2f s%n", seconds(t0));
        Model model = ChestXRayNet.build().initialize(42, Initializer.HE);
        Trainer trainer = new Trainer(model, Losses.binaryCrossEntropy(), new Adam(1e-3));
        StringBuilder steps = new StringBuilder();
        long[] last = {System.nanoTime()};
        trainer.fit(train, null, new FitOptions().epochs(1).batchSize(16).seed(1).callback(new Callback() {
            @Override
            public void onBatchEnd(FitContext context, int epoch, int batch, int batches, Map<String, Double> logs) {
                long now = System.nanoTime();
                if (batch == 0) {
                    System.out.printf(Locale.ROOT, "first step ends %.2f s%n", seconds(t0));
                }
                steps.append((now - last[0]) / 1_000_000).append(' ');
                last[0] = now;
            }
        }));
        System.out.printf(Locale.ROOT, "first epoch ends %.2f s; step ms: %s%n", seconds(t0), steps.toString().strip());
    }

    /** Random images and labels, drawn on one core until {@code until}, as reading them would take it. */
    private static Dataset load(int count, int side, long until) {
        SplittableRandom random = new SplittableRandom(1);
        float[] x = new float[count * side * side], y = new float[count];
        do {
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextDouble();
            }
        } while (System.nanoTime() < until);
        for (int i = 0; i < count; i++) {
            y[i] = i % 2;
        }
        return Dataset.of(x, y, Shape.of(1, side, side));
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
