package dev.isthmus.kernels.conv;

/**
 * {@link ConvSupport#splitPaddedRows} alone as Winograd stages an image (one pixel of padding,
 * each staged half a vector and one float wide), 16 channels of 32x32 and of 16x16: nanoseconds
 * per row, eight rounds of 20,000 images. It calls package-private classes, so it is compiled
 * into their package and run on the same class path:
 *
 * <pre>
 * ./mvnw -q -B -o install -DskipTests
 * bin=$(dirname "$(benchmarks/run.sh --java)"); jar=isthmus-kernels/target/isthmus-kernels-0.1.0-SNAPSHOT.jar
 * "$bin/javac" --add-modules jdk.incubator.vector -cp $jar -d /tmp/splitrows benchmarks/experiments/SplitRowsBench.java
 * taskset -c 1 "$bin/java" --add-modules jdk.incubator.vector -XX:+UseSerialGC -cp /tmp/splitrows:$jar dev.isthmus.kernels.conv.SplitRowsBench
 * </pre>
 */
public class SplitRowsBench {
    public static void main(String[] args) {
        ConvSupport k = new PanamaConv();
        for (int side : new int[] {32, 16}) {
            int cin = 16, half = 17, stagedRow = 2 * half, stagedPlane = (side + 2) * stagedRow, image = cin * side * side;
            float[] x = new float[2 * image];
            for (int i = 0; i < x.length; i++) {
                x[i] = i % 7;
            }
            float[] xs = new float[cin * stagedPlane];
            StringBuilder line = new StringBuilder(side + "x" + side + ", ns per row:");
            for (int round = 0; round < 8; round++) {
                int images = 20_000;
                long t0 = System.nanoTime();
                for (int n = 0; n < images; n++) {
                    for (int c = 0; c < cin; c++) {
                        int first = c * stagedPlane + stagedRow;
                        k.splitPaddedRows(x, (n & 1) * image + c * side * side, side, side, side, 1, xs, first,
                                first + half, stagedRow, half);
                    }
                }
                line.append(String.format(" %.1f", (System.nanoTime() - t0) / (double) images / cin / side));
            }
            System.out.println(line);
        }
    }
}
