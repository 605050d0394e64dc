import dev.isthmus.kernels.BatchNorm;
import java.util.Arrays;

/**
 * How much does batch norm's backward lose when its input is no longer in cache? After the
 * slices wait for the whole batch's statistics, each reads what every slice wrote, long gone from
 * L2. Runs {@code BatchNorm.inputGradient} and {@code BatchNorm.gradientStatistics} on one slice
 * ({@code batch} images of {@code channels} planes of {@code plane} floats) taken in turn from
 * {@code sets} copies: one copy stays in cache, many come from L3 or memory. Nanoseconds per value.
 *
 * <pre>
 * ./mvnw -q -B -o install -DskipTests
 * java --add-modules jdk.incubator.vector -cp isthmus-kernels/target/isthmus-kernels-0.1.0-SNAPSHOT.jar \
 *     benchmarks/experiments/BatchNormCold.java 2 16 1024 1     (then 64, then 512)
 * </pre>
 */
public class BatchNormCold {
    public static void main(String[] args) {
        int batch = Integer.parseInt(args[0]), channels = Integer.parseInt(args[1]);
        int plane = Integer.parseInt(args[2]), sets = Integer.parseInt(args[3]);
        int n = batch * channels * plane;
        float[][] dy = new float[sets][n], x = new float[sets][n], dx = new float[sets][n];
        for (int s = 0; s < sets; s++) {
            for (int i = 0; i < n; i++) {
                dy[s][i] = (i % 7) * 0.1f;
                x[s][i] = (i % 11) * 0.5f;
            }
        }
        float[] a = new float[channels], b = new float[channels], c = new float[channels], mean = new float[channels];
        Arrays.fill(a, 1.1f);
        Arrays.fill(b, 0.2f);
        Arrays.fill(c, 0.3f);
        double[] sums = new double[2 * channels];
        for (int round = 0; round < 6; round++) { // the first four: C2's warm-up
            for (String op : new String[] {"inputGradient", "gradientStatistics"}) {
                long t0 = System.nanoTime();
                int reps = 0;
                while (System.nanoTime() - t0 < 500_000_000L) {
                    for (int s = 0; s < sets; s++) {
                        if (op.equals("inputGradient")) {
                            BatchNorm.inputGradient(x[s], dy[s], 0, batch, channels, plane, a, b, c, dx[s]);
                        } else {
                            BatchNorm.gradientStatistics(x[s], dy[s], 0, batch, channels, plane, mean, sums);
                        }
                    }
                    reps++;
                }
                double ns = (System.nanoTime() - t0) / (double) reps / sets;
                if (round >= 4) {
                    System.out.printf("%s, %d x %d planes of %d, %d copies: %.2f ns per value%n", op, batch, channels,
                            plane, sets, ns / n);
                }
            }
        }
    }
}
