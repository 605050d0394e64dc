import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Do split loads hold back the per-lane weight gradient (PanamaConv.weightGradientWide: four
 * channels of dz by five taps of the staged input, 20 accumulators, nine 512-bit loads per 20
 * FMAs)? Its loop over one flat row of {@code width} floats, reading a 64-byte-aligned off-heap
 * segment (Java arrays promise no alignment), with the loads placed: "all split" (every load
 * 4 bytes past a line), "dz aligned" (dz aligned, every tap split), "dz and column 0" (dz and
 * the taps of kernel column 0 aligned, the others one or two floats past), "all aligned". Best
 * of 200 passes of 200 calls, GFLOP/s.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector benchmarks/experiments/AlignedLoads.java [width]
 * </pre>
 * 1088 floats (a 32x32 map's flat rows) keep the nine rows in L1; 4352 put them in L2.
 */
public class AlignedLoads {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final int L = S.length();
    static final ByteOrder O = ByteOrder.nativeOrder();

    static float kernel(MemorySegment m, long[] x, long[] d, int width) {
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00, s04 = s00;
        FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00, s14 = s00;
        FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00, s24 = s00;
        FloatVector s30 = s00, s31 = s00, s32 = s00, s33 = s00, s34 = s00;
        long x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3], x4 = x[4], d0 = d[0], d1 = d[1], d2 = d[2], d3 = d[3];
        for (long c = 0, end = 4L * width; c < end; c += 4L * L) {
            FloatVector v0 = FloatVector.fromMemorySegment(S, m, x0 + c, O);
            FloatVector v1 = FloatVector.fromMemorySegment(S, m, x1 + c, O);
            FloatVector v2 = FloatVector.fromMemorySegment(S, m, x2 + c, O);
            FloatVector v3 = FloatVector.fromMemorySegment(S, m, x3 + c, O);
            FloatVector v4 = FloatVector.fromMemorySegment(S, m, x4 + c, O);
            FloatVector g = FloatVector.fromMemorySegment(S, m, d0 + c, O);
            s00 = g.fma(v0, s00); s01 = g.fma(v1, s01); s02 = g.fma(v2, s02); s03 = g.fma(v3, s03); s04 = g.fma(v4, s04);
            g = FloatVector.fromMemorySegment(S, m, d1 + c, O);
            s10 = g.fma(v0, s10); s11 = g.fma(v1, s11); s12 = g.fma(v2, s12); s13 = g.fma(v3, s13); s14 = g.fma(v4, s14);
            g = FloatVector.fromMemorySegment(S, m, d2 + c, O);
            s20 = g.fma(v0, s20); s21 = g.fma(v1, s21); s22 = g.fma(v2, s22); s23 = g.fma(v3, s23); s24 = g.fma(v4, s24);
            g = FloatVector.fromMemorySegment(S, m, d3 + c, O);
            s30 = g.fma(v0, s30); s31 = g.fma(v1, s31); s32 = g.fma(v2, s32); s33 = g.fma(v3, s33); s34 = g.fma(v4, s34);
        }
        return s00.add(s01).add(s02).add(s03).add(s04).add(s10).add(s11).add(s12).add(s13).add(s14)
                .add(s20).add(s21).add(s22).add(s23).add(s24).add(s30).add(s31).add(s32).add(s33).add(s34)
                .reduceLanes(VectorOperators.ADD);
    }

    public static void main(String[] args) {
        int width = args.length > 0 ? Integer.parseInt(args[0]) : 1088, stride = width + L;
        long plane = 40L * stride;
        MemorySegment m = Arena.global().allocate(4 * (64 * plane + 4096), 64);
        for (long i = 0; i < m.byteSize() / 4; i++) {
            m.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 7) * 0.01f);
        }
        String[] names = {"all split", "dz aligned", "dz and column 0", "all aligned"};
        float sink = 0;
        for (int round = 0; round < 3; round++) {
            StringBuilder line = new StringBuilder();
            for (int mode = 0; mode < names.length; mode++) {
                long[] x = new long[5], d = new long[4];
                for (int t = 0; t < 5; t++) { // taps (0,0) (0,1) (0,2) (1,0) (1,1) of a 3x3
                    long tap = (t / 3) * (long) stride + (mode == 3 ? 0 : t % 3);
                    x[t] = 4 * (tap + (mode <= 1 ? 1 : 0));
                }
                for (int ch = 0; ch < 4; ch++) {
                    d[ch] = 4 * ((8 + ch) * plane + (mode == 0 ? 1 : 0));
                }
                long best = Long.MAX_VALUE;
                for (int rep = 0; rep < 200; rep++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < 200; i++) {
                        sink += kernel(m, x, d, width);
                    }
                    best = Math.min(best, System.nanoTime() - t0);
                }
                line.append(String.format("%s %.0f   ", names[mode], 20.0 * 2 * width * 200 / best));
            }
            if (round > 0) {
                System.out.println(line.toString().strip());
            }
        }
        if (sink == 42) {
            System.out.println();
        }
    }
}
