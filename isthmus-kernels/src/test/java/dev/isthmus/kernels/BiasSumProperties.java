package dev.isthmus.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.kernels.conv.ConvSupport;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;

/**
 * The bias gradient's plane sums ({@code channelSums}, {@code activationGradient}'s, taken while
 * it copies the output gradient, and {@code maxPool2x2Backward}'s, while it unpools) bit for bit
 * against their order of additions written out ({@link #referenceSum}, and the pooled one's). That order is what makes the result independent of the thread count
 * and of the JIT, so a faster way of adding must keep it, or change it here too.
 */
@Tag("kernel-ops")
@Tag("vector-width")
class BiasSumProperties {

    private static final ConvSupport KERNELS = KernelProvider.conv();

    /** Floats per vector of the chosen kernels; 0 for the scalar ones, which add every float in order. */
    private static int lanes() {
        KernelSelection k = Kernels.selection();
        return k.vectorBitSize() / Float.SIZE;
    }

    /**
     * The vector kernels' order: rows in groups (so each lane adds at most 32 floats, a row at least
     * a group); a group's whole vectors added lane by lane, row by row, the lanes summed by halving
     * ({@code Vectors.laneSum}), then each row's tail floats summed from {@code 0f} and added; the
     * groups added in double.
     * The scalar kernels add every row in float, in order, and the rows in double.
     */
    private static double referenceSum(float[] a, int at, int stride, int rows, int cols) {
        int lanes = lanes(), vectors = lanes == 0 ? 0 : cols / lanes, vectorCols = vectors * lanes;
        int group = vectors == 0 ? 1 : Math.max(1, 32 / vectors);
        double total = 0;
        for (int first = 0; first < rows; first += group) {
            int n = Math.min(group, rows - first);
            float[] lane = new float[Math.max(lanes, 1)];
            for (int r = first; r < first + n; r++) {
                for (int c = 0; c < vectorCols; c++) {
                    lane[c % lanes] += a[at + r * stride + c];
                }
            }
            float sum = lanes == 0 ? 0f : halving(lane);
            for (int r = first; r < first + n && vectorCols < cols; r++) {
                float tail = 0f;
                for (int c = vectorCols; c < cols; c++) {
                    tail += a[at + r * stride + c];
                }
                sum += tail;
            }
            total += sum;
        }
        return total;
    }

    /** {@code Vectors.laneSum}'s order: lane i plus lane i ^ L/2, then i ^ L/4, ... down to i ^ 1; lane 0. */
    static float halving(float[] lanes) {
        float[] w = lanes.clone();
        for (int half = w.length / 2; half >= 1; half /= 2) {
            float[] next = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                next[i] = w[i] + w[i ^ half];
            }
            w = next;
        }
        return w[0];
    }

    private static float[] gaussian(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian() * (random.nextInt(4) == 0 ? 1e3f : 1f); // wide range: rounding shows
        }
        return a;
    }

    @Property(tries = 200, seed = Seeds.FIXED)
    void channelSumsAddInTheirOrder(@ForAll @IntRange(min = 1, max = 4) int channels,
                                    @ForAll @IntRange(min = 1, max = 80) int rows,
                                    @ForAll @IntRange(min = 1, max = 140) int cols,
                                    @ForAll @IntRange(min = 0, max = 9) int pad, @ForAll long seed) {
        Random random = new Random(seed);
        int stride = cols + pad, plane = rows * stride + pad, offset = pad;
        float[] a = gaussian(random, offset + channels * plane);
        double[] sums = {0.25, -1.5, 3.0, 0.0};
        double[] expected = sums.clone();
        KERNELS.channelSums(a, offset, stride, plane, channels, rows, cols, sums);
        for (int ch = 0; ch < channels; ch++) {
            expected[ch] += referenceSum(a, offset + ch * plane, stride, rows, cols);
        }
        assertArrayEquals(expected, sums);
    }

    @Property(tries = 200, seed = Seeds.FIXED)
    void activationGradientCopiesMasksAndSumsInTheSameOrder(@ForAll @IntRange(min = 1, max = 4) int channels,
                                                            @ForAll @IntRange(min = 1, max = 80) int rows,
                                                            @ForAll @IntRange(min = 1, max = 140) int cols,
                                                            @ForAll @IntRange(min = 0, max = 9) int pad,
                                                            @ForAll boolean relu, @ForAll boolean withSums,
                                                            @ForAll long seed) {
        Random random = new Random(seed);
        int dzStride = cols + pad, dzPlane = rows * dzStride + pad, dzOffset = pad, n = channels * rows * cols;
        float[] dy = gaussian(random, 3 + n), y = gaussian(random, 2 + n);
        float[] dz = new float[dzOffset + channels * dzPlane + 64];
        double[] sums = {1.0, 0.0, -2.0, 7.5};
        double[] expected = sums.clone();
        // without sums (a layer with no bias), only the copy
        KERNELS.activationGradient(dy, 3, y, 2, channels, rows, cols, relu, dz, dzOffset, dzStride, dzPlane,
                withSums ? sums : null);
        for (int ch = 0; ch < channels; ch++) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int i = (ch * rows + r) * cols + c;
                    float g = !relu || y[2 + i] > 0f ? dy[3 + i] : 0f;
                    assertEquals(g, dz[dzOffset + ch * dzPlane + r * dzStride + c], "channel " + ch + " row " + r + " col " + c);
                }
            }
            if (withSums) {
                expected[ch] += referenceSum(dz, dzOffset + ch * dzPlane, dzStride, rows, cols);
            }
        }
        assertArrayEquals(expected, sums);
    }

    /**
     * The pooled backward's bias sums ({@code maxPool2x2Backward}, taken while it unpools): the
     * vector kernels add each pooled row's whole vectors (or, where a row is half a vector, each
     * pair of rows) lane by lane over the plane, sum the lanes by halving and add the rows' ends
     * (in float, in order) in double; the scalar ones add
     * every value in float, in order. The unpooled gradient: each window's value at its winner,
     * none at all from a window coded dead (a ReLU's, where the maximum was not positive).
     */
    @Property(tries = 200, seed = Seeds.FIXED)
    void pooledBackwardUnpoolsAndSumsInItsOrder(@ForAll @IntRange(min = 1, max = 3) int channels,
                                                @ForAll @IntRange(min = 1, max = 9) int pooledRows,
                                                @ForAll @IntRange(min = 1, max = 40) int pooledWidth,
                                                @ForAll boolean rectified, @ForAll long seed) {
        Random random = new Random(seed);
        int plane = pooledRows * pooledWidth, dzStride = 2 * pooledWidth + 1, dzPlane = 2 * pooledRows * dzStride + 3;
        float[] dy = gaussian(random, 1 + channels * plane);
        byte[] winners = new byte[channels * plane];
        for (int i = 0; i < winners.length; i++) {
            winners[i] = (byte) random.nextInt(rectified ? 5 : 4); // 4: ConvSupport.DEAD_WINDOW
        }
        float[] dz = new float[channels * dzPlane];
        double[] sums = {0.5, -2.0, 4.0};
        double[] expected = sums.clone();
        KERNELS.maxPool2x2Backward(dy, 1, plane, winners, 0, channels, pooledRows, pooledWidth, dz, 0, dzStride, dzPlane,
                sums);
        int lanes = lanes(), vectorCols = lanes == 0 ? 0 : pooledWidth / lanes * lanes;
        boolean rowPairs = 2 * pooledWidth == lanes; // two pooled rows a vector, an odd last row at the ends
        for (int ch = 0; ch < channels; ch++) {
            float[] lane = new float[Math.max(lanes, 1)];
            float ends = 0f, inOrder = 0f;
            for (int py = 0; py < pooledRows; py++) {
                for (int px = 0; px < pooledWidth; px++) {
                    int i = ch * plane + py * pooledWidth + px;
                    float g = winners[i] == ConvSupport.DEAD_WINDOW ? 0f : dy[1 + i];
                    inOrder += g;
                    if (rowPairs && py < pooledRows / 2 * 2) {
                        lane[py % 2 * pooledWidth + px] += g;
                    } else if (px < vectorCols) {
                        lane[px % lanes] += g;
                    } else {
                        ends += g;
                    }
                    int code = winners[i], top = ch * dzPlane + 2 * py * dzStride + 2 * px;
                    for (int cell = 0; cell < 4; cell++) {
                        float want = cell == code ? g : 0f;
                        assertEquals(want, dz[top + (cell / 2) * dzStride + cell % 2], "channel " + ch + " window " + py
                                + ", " + px + " cell " + cell);
                    }
                }
            }
            expected[ch] += lanes == 0 ? inOrder : (double) halving(lane) + ends;
        }
        assertArrayEquals(expected, sums);
    }
}
