import dev.isthmus.kernels.SlicedLinear;

/**
 * vgg's wide Dense alone: {@code SlicedLinear.forward} of 32 samples, 8192 -> 256, on the calling
 * thread, with the weight hot in cache and then flushed (a 64 MB array touched before each call),
 * two seconds each, four rounds. If hot and cold take the same time, the tile is the limit, not
 * memory.
 *
 * <pre>
 * ./mvnw -q -B -o install -DskipTests
 * java --add-modules jdk.incubator.vector -XX:+UseSerialGC -Disthmus.threads=1 \
 *     -cp isthmus-kernels/target/isthmus-kernels-0.1.0-SNAPSHOT.jar benchmarks/experiments/DenseRowStable.java
 * </pre>
 * (add {@code -XX:UseAVX=2} for the AVX2 path)
 */
public class DenseRowStable {
    public static void main(String[] args) {
        int batch = 32, in = 8192, out = 256;
        float[] x = new float[batch * in], w = new float[out * in], y = new float[batch * out];
        float[] flush = new float[(64 << 20) / Float.BYTES];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextFloat();
        }
        for (int round = 0; round < 4; round++) {
            for (int cold = 0; cold < 2; cold++) {
                long total = 0;
                int calls = 0;
                long end = System.nanoTime() + 2_000_000_000L;
                while (System.nanoTime() < end) {
                    if (cold == 1) {
                        for (int i = 0; i < flush.length; i += 16) {
                            flush[i] += 1;
                        }
                    }
                    long t0 = System.nanoTime();
                    SlicedLinear.forward(batch, in, out, x, 0, w, 0, null, 0, y, 0);
                    total += System.nanoTime() - t0;
                    calls++;
                }
                double ms = total / 1e6 / calls;
                System.out.printf("%s: %.3f ms, %.1f GFLOP/s%n", cold == 1 ? "cold W" : "hot W ", ms,
                        2.0 * batch * in * out / ms / 1e6);
            }
        }
    }
}
