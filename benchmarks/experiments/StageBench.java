package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.Padding;
import dev.isthmus.kernels.Window2d;

/**
 * The direct convolution's staging alone, per image of resnet's 16 channels of 32x32 (batch 32,
 * one thread, half a second a figure, eight rounds): {@code DirectLayout.stage} (stride 1, a
 * padded copy) and {@code DirectLayout.stagePhases} (stride 2, the image's four phases), as the
 * 3x3 convolutions with one pixel of padding stage them. It reads package-private classes, so it
 * is compiled into their package and run on the same class path:
 *
 * <pre>
 * ./mvnw -q -B -o install -DskipTests
 * bin=$(dirname "$(benchmarks/run.sh --java)"); jar=isthmus-kernels/target/isthmus-kernels-0.1.0-SNAPSHOT.jar
 * "$bin/javac" --add-modules jdk.incubator.vector -cp $jar -d /tmp/stagebench benchmarks/experiments/StageBench.java
 * "$bin/java" --add-modules jdk.incubator.vector -XX:+UseSerialGC -cp /tmp/stagebench:$jar dev.isthmus.kernels.conv.StageBench
 * </pre>
 */
public class StageBench {
    public static void main(String[] args) {
        ConvSupport k = new PanamaConv();
        int cin = 16, side = 32, batch = 32;
        float[] x = new float[batch * cin * side * side];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 7;
        }
        Padding one = Padding.symmetric(1, 1);
        DirectLayout f = DirectLayout.forward(cin, 16, Window2d.of(side, side, 3, 3, 1, 1, 1, 1, one), k.directBlock(),
                k.directWideChannels());
        DirectLayout s = DirectLayout.strided(cin, 32, Window2d.of(side, side, 3, 3, 2, 2, 1, 1, one), k.directBlock(),
                k.directWideChannels());
        float[] xp1 = new float[f.stagedSize()], xp2 = new float[s.stagedSize()];
        int image = cin * side * side;
        for (int round = 0; round < 8; round++) {
            long t0 = System.nanoTime();
            int n = 0;
            while (System.nanoTime() - t0 < 500_000_000L) {
                for (int b = 0; b < batch; b++) {
                    f.stage(x, b * image, xp1, k);
                }
                n += batch;
            }
            double stage = (System.nanoTime() - t0) / 1e3 / n;
            t0 = System.nanoTime();
            n = 0;
            while (System.nanoTime() - t0 < 500_000_000L) {
                for (int b = 0; b < batch; b++) {
                    s.stagePhases(x, b * image, xp2, k);
                }
                n += batch;
            }
            double phases = (System.nanoTime() - t0) / 1e3 / n;
            System.out.printf("stage %.2f us an image, stagePhases %.2f us an image%n", stage, phases);
        }
    }
}
