import dev.isthmus.kernels.conv.PanamaConv;

/**
 * {@code PanamaConv.maxPool2x2} alone on three shapes of vgg's and narrower pooled rows, without
 * winners (inference) or with them (any argument: training), half a second each, five rounds; the
 * last round printed counts. Rows narrower than a vector (8x8 at 16 lanes) take the masked row ends.
 *
 * <pre>
 * ./mvnw -q -B -o install -DskipTests
 * java --add-modules jdk.incubator.vector -cp isthmus-kernels/target/isthmus-kernels-0.1.0-SNAPSHOT.jar \
 *     benchmarks/experiments/PoolRowEnds.java [winners] [narrow]
 * </pre>
 * ({@code narrow} takes 64 channels to 12x12, 128 to 4x4 and 32 to 28x28 instead; add
 * {@code -XX:UseAVX=2} for the AVX2 path)
 */
public class PoolRowEnds {
    public static void main(String[] args) {
        PanamaConv k = new PanamaConv();
        java.util.List<String> flags = java.util.List.of(args);
        int[][] shapes = flags.contains("narrow") ? new int[][] {{64, 12, 12}, {128, 4, 4}, {32, 28, 28}}
                : new int[][] {{32, 32, 32}, {64, 16, 16}, {128, 8, 8}};
        for (int round = 0; round < 5; round++) {
            for (int[] s : shapes) {
                int ch = s[0], pooledRows = s[1], pooledWidth = s[2], stride = 2 * pooledWidth;
                int plane = 2 * pooledRows * stride;
                float[] in = new float[ch * plane + 64], y = new float[ch * pooledRows * pooledWidth];
                byte[] winners = flags.contains("winners") ? new byte[y.length] : null;
                java.util.Random r = new java.util.Random(1);
                for (int i = 0; i < in.length; i++) {
                    in[i] = r.nextFloat();
                }
                long t0 = System.nanoTime();
                int calls = 0;
                while (System.nanoTime() - t0 < 500_000_000L) {
                    k.maxPool2x2(in, 0, stride, plane, ch, pooledRows, pooledWidth, y, 0, pooledRows * pooledWidth,
                            winners, 0, false);
                    calls++;
                }
                double ns = (System.nanoTime() - t0) / (double) calls;
                if (round == 4) {
                    System.out.printf("%d channels pooled to %dx%d: %.1f us per image, %.3f ns per input%n", ch,
                            pooledRows, pooledWidth, ns / 1000, ns / (ch * plane));
                }
            }
        }
    }
}
