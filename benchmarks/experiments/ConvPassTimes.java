import dev.isthmus.kernels.Convolution;
import dev.isthmus.kernels.Padding;
import dev.isthmus.kernels.Parallel;
import dev.isthmus.kernels.Window2d;
import java.util.SplittableRandom;

/**
 * A 3x3 "same" convolution's three passes timed apart on one thread (the {@code conv backward}
 * line of the Sampler times the last two together): forward, data gradient, weight gradient
 * (with the bias gradient), each for a second per round, ms per call. A fifth argument,
 * {@code forward}, {@code data} or {@code weights}, times that pass alone.
 *
 * <pre>
 * taskset -c 1 java --add-modules jdk.incubator.vector -XX:+UseSerialGC \
 *     -cp benchmarks/target/benchmarks.jar benchmarks/experiments/ConvPassTimes.java BATCH CIN SIDE COUT [PASS]
 * </pre>
 * Figures: benchmarks/README.md, "A packed by transposes".
 */
public class ConvPassTimes {

    public static void main(String[] args) {
        if (args.length != 4 && args.length != 5) {
            throw new IllegalArgumentException("usage: ConvPassTimes BATCH CIN SIDE COUT [forward|data|weights], got "
                    + args.length + " arguments");
        }
        int only = args.length == 4 ? -1 : java.util.List.of("forward", "data", "weights").indexOf(args[4]);
        if (args.length == 5 && only < 0) {
            throw new IllegalArgumentException("PASS must be forward, data or weights, got '" + args[4] + "'");
        }
        int batch = Integer.parseInt(args[0]), cin = Integer.parseInt(args[1]), side = Integer.parseInt(args[2]);
        int cout = Integer.parseInt(args[3]);
        Parallel.setThreads(1);
        Convolution conv = new Convolution(cin, cout, Window2d.of(side, side, 3, 3, 1, 1, 1, 1, Padding.symmetric(1, 1)));
        SplittableRandom random = new SplittableRandom(42);
        float[] x = random(random, batch * conv.inputSize()), w = random(random, conv.weightSize());
        float[] bias = random(random, cout), y = new float[batch * conv.outputSize()];
        float[] dy = random(random, y.length), dx = new float[x.length], dw = new float[w.length], db = new float[cout];
        Runnable[] passes = {
            () -> conv.forward(batch, x, 0, w, 0, bias, 0, y, 0),
            () -> conv.backwardData(batch, dy, 0, w, 0, dx, 0),
            () -> conv.backwardWeights(batch, x, 0, dy, 0, dw, 0, db, 0)};
        for (int round = 0; round < 12; round++) {
            double[] ms = new double[passes.length];
            for (int p = 0; p < passes.length; p++) {
                if (only >= 0 && p != only) {
                    continue;
                }
                long start = System.nanoTime();
                int calls = 0;
                while (System.nanoTime() - start < 1_000_000_000L) {
                    passes[p].run();
                    calls++;
                }
                ms[p] = (System.nanoTime() - start) / 1e6 / calls;
            }
            System.out.printf("forward %.3f ms, data gradient %.3f ms, weight gradient %.3f ms%n", ms[0], ms[1], ms[2]);
        }
    }

    private static float[] random(SplittableRandom random, int length) {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return values;
    }
}
