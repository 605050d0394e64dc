import dev.isthmus.kernels.SlicedLinear;

/**
 * The kernels of a wide Dense layer (VGG-style's 8192 -> 256, the weight 8 MB) on a batch cut
 * into slices, each timed for a second at a time in a fresh JVM: the forward, the data gradient
 * and the weight gradient summed in the slice tree ("all"), or the weight gradient alone ("tree").
 * "tree" is how a program that only trains such a layer meets it: on 821670b its JIT compiled
 * the weight gradient's tile at C1's tier 2 and never again (C1's tier 3 gave up on it), and
 * every call took 50 times longer. Milliseconds a call, one line a second.
 *
 * <pre>
 * benchmarks/run.sh --build   # or ./mvnw -q -f benchmarks/pom.xml package
 * taskset -c 1 java --add-modules jdk.incubator.vector -XX:+UseSerialGC -cp benchmarks/target/benchmarks.jar \
 *     benchmarks/experiments/WideDenseKernels.java BATCH SLICES all|tree [SECONDS]
 * </pre>
 * Add {@code -XX:+PrintCompilation} and grep {@code ChainedGemm} to see the tiers. Figures:
 * benchmarks/README.md, "A wide Dense's strips, and a tile C1 could not compile".
 */
public class WideDenseKernels {
    public static void main(String[] args) {
        if (args.length < 3 || !args[2].matches("all|tree")) {
            throw new IllegalArgumentException("usage: WideDenseKernels BATCH SLICES all|tree [SECONDS], got "
                    + String.join(" ", args));
        }
        int batch = Integer.parseInt(args[0]), slices = Integer.parseInt(args[1]), in = 8192, out = 256;
        boolean all = args[2].equals("all");
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        if (slices < 1 || slices > batch) {
            throw new IllegalArgumentException("SLICES must be 1 to BATCH = " + batch + ", got " + slices);
        }
        float[] x = new float[batch * in], w = new float[out * in], y = new float[batch * out];
        float[] dy = new float[batch * out], dx = new float[batch * in], dw = new float[out * in], db = new float[out];
        java.util.Random random = new java.util.Random(1);
        for (int i = 0; i < x.length; i++) x[i] = random.nextFloat();
        for (int i = 0; i < w.length; i++) w[i] = random.nextFloat() - 0.5f;
        for (int i = 0; i < dy.length; i++) dy[i] = random.nextFloat() - 0.5f;
        int[] starts = new int[slices + 1];
        for (int s = 0; s <= slices; s++) starts[s] = (int) ((long) batch * s / slices);
        for (int second = 0; second < seconds; second++) {
            StringBuilder line = new StringBuilder();
            if (all) {
                line.append(String.format("forward %.3f  dataGradient %.3f  ",
                        time(() -> SlicedLinear.forward(batch, in, out, x, 0, w, 0, null, 0, y, 0), 0.3),
                        time(() -> SlicedLinear.inputGradient(batch, in, out, dy, 0, w, 0, dx, 0), 0.3)));
            }
            line.append(String.format("weightGradient %.3f ms", time(() ->
                    SlicedLinear.parameterGradients(starts, slices, in, out, x, 0, dy, 0, dw, 0, db, 0), all ? 0.4 : 1)));
            System.out.println(line);
        }
    }

    /** Milliseconds a call of {@code kernel}, over at least {@code seconds}. */
    static double time(Runnable kernel, double seconds) {
        long t0 = System.nanoTime(), budget = (long) (seconds * 1e9);
        int calls = 0;
        do {
            kernel.run();
            calls++;
        } while (System.nanoTime() - t0 < budget);
        return (System.nanoTime() - t0) / 1e6 / calls;
    }
}
