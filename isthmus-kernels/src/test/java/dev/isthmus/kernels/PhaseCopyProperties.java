package dev.isthmus.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.isthmus.kernels.conv.ConvSupport;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;

/**
 * The copies a direct convolution stages and scatters with, against plain loops: an image's rows
 * taken every {@code step}-th cell into a staged buffer, or (step 1) a map's rows staged and
 * unstaged ({@code copyStridedRows}, its last run ending at the source array's end, where a
 * vector must not read past it), a map's rows staged with their zero borders in one pass ({@code padRows}), a staged
 * map's border gaps cleared ({@code clearRuns}), and a
 * stride-2 data gradient's two column phases interleaved ({@code interleaveRows}), an image's
 * padded rows split into their two column phases ({@code splitPaddedRows}). Every float
 * outside the written cells keeps its value.
 */
@Tag("kernel-ops")
@Tag("vector-width")
class PhaseCopyProperties {

    private static final ConvSupport KERNELS = KernelProvider.conv();

    private static float[] random(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    @Property(tries = 300, seed = Seeds.FIXED)
    void copyStridedRowsTakesEveryStepthCell(@ForAll @IntRange(min = 1, max = 6) int runs,
                                             @ForAll @IntRange(min = 1, max = 70) int width,
                                             @ForAll @IntRange(min = 1, max = 3) int step,
                                             @ForAll @IntRange(min = 0, max = 5) int gap,
                                             @ForAll @IntRange(min = 0, max = 3) int toPad, @ForAll long seed) {
        Random random = new Random(seed);
        int fromStride = (width - 1) * step + 1 + gap, fromAt = gap;
        // the last run's last cell is the source's last float
        float[] from = random(random, fromAt + (runs - 1) * fromStride + (width - 1) * step + 1);
        int toStride = width + toPad, toAt = toPad;
        float[] to = random(random, toAt + runs * toStride + toPad), expected = to.clone();
        for (int i = 0; i < runs; i++) {
            for (int j = 0; j < width; j++) {
                expected[toAt + i * toStride + j] = from[fromAt + i * fromStride + j * step];
            }
        }
        KERNELS.copyStridedRows(from, fromAt, fromStride, runs, width, step, to, toAt, toStride);
        assertArrayEquals(expected, to);
    }

    @Property(tries = 300, seed = Seeds.FIXED)
    void padRowsWritesWholeStagedRows(@ForAll @IntRange(min = 1, max = 6) int runs,
                                      @ForAll @IntRange(min = 1, max = 70) int width,
                                      @ForAll @IntRange(min = 0, max = 20) int left,
                                      @ForAll @IntRange(min = 0, max = 40) int right,
                                      @ForAll @IntRange(min = 0, max = 5) int gap,
                                      @ForAll @IntRange(min = 0, max = 3) int toAt, @ForAll long seed) {
        Random random = new Random(seed);
        int fromStride = width + gap, fromAt = gap;
        // the last run's last cell is the source's last float
        float[] from = random(random, fromAt + (runs - 1) * fromStride + width);
        int toStride = left + width + right;
        float[] to = random(random, toAt + runs * toStride + 3), expected = to.clone();
        for (int i = 0; i < runs; i++) {
            for (int j = 0; j < toStride; j++) {
                expected[toAt + i * toStride + j] = j < left || j >= left + width ? 0f
                        : from[fromAt + i * fromStride + j - left];
            }
        }
        KERNELS.padRows(from, fromAt, fromStride, runs, width, left, to, toAt, toStride);
        assertArrayEquals(expected, to);
    }

    @Property(tries = 200, seed = Seeds.FIXED)
    void clearRunsZeroesOnlyTheRuns(@ForAll @IntRange(min = 0, max = 6) int runs,
                                    @ForAll @IntRange(min = 0, max = 40) int width,
                                    @ForAll @IntRange(min = 0, max = 5) int gap,
                                    @ForAll @IntRange(min = 0, max = 3) int at, @ForAll long seed) {
        int stride = width + gap;
        // the last run's last float is the array's last
        float[] to = random(new Random(seed), at + Math.max(0, runs - 1) * stride + width), expected = to.clone();
        for (int i = 0; i < runs; i++) {
            java.util.Arrays.fill(expected, at + i * stride, at + i * stride + width, 0f);
        }
        KERNELS.clearRuns(to, at, stride, runs, width);
        assertArrayEquals(expected, to);
    }

    @Property(tries = 400, seed = Seeds.FIXED)
    void splitPaddedRowsWritesBothPhasesOfEachPaddedRow(@ForAll @IntRange(min = 1, max = 5) int runs,
                                                       @ForAll @IntRange(min = 1, max = 80) int width,
                                                       @ForAll @IntRange(min = 0, max = 3) int padLeft,
                                                       @ForAll @IntRange(min = -3, max = 4) int extraColumns,
                                                       @ForAll @IntRange(min = 0, max = 5) int gap,
                                                       @ForAll @IntRange(min = 0, max = 3) int toPad,
                                                       @ForAll long seed) {
        Random random = new Random(seed);
        int fromStride = width + gap, fromAt = gap;
        // the last run ends at the source's last float
        float[] from = random(random, fromAt + (runs - 1) * fromStride + width);
        // the phases' width: what the padded row fills, give or take a few (a strided window may read fewer)
        int toWidth = Math.max(1, (padLeft + width + 1) / 2 + extraColumns);
        int toStride = toWidth + toPad, even = toPad, odd = even + runs * toStride + toPad;
        float[] to = random(random, odd + runs * toStride), expected = to.clone();
        for (int i = 0; i < runs; i++) {
            for (int c = 0; c < toWidth; c++) {
                int e = 2 * c - padLeft, o = e + 1, row = fromAt + i * fromStride;
                expected[even + i * toStride + c] = e >= 0 && e < width ? from[row + e] : 0f;
                expected[odd + i * toStride + c] = o >= 0 && o < width ? from[row + o] : 0f;
            }
        }
        KERNELS.splitPaddedRows(from, fromAt, fromStride, runs, width, padLeft, to, even, odd, toStride, toWidth);
        assertArrayEquals(expected, to);
    }

    @Property(tries = 300, seed = Seeds.FIXED)
    void interleaveRowsZipsTwoPhases(@ForAll @IntRange(min = 1, max = 3) int channels,
                                     @ForAll @IntRange(min = 1, max = 5) int rows,
                                     @ForAll @IntRange(min = 1, max = 70) int widthA,
                                     @ForAll boolean oneShorter, @ForAll @IntRange(min = 0, max = 9) int pad,
                                     @ForAll long seed) {
        Random random = new Random(seed);
        int widthB = oneShorter ? widthA - 1 : widthA;
        int aStride = widthA + pad, aPlane = rows * aStride + pad, bStride = widthB + 2 * pad, bPlane = rows * bStride;
        float[] a = random(random, channels * aPlane), b = random(random, channels * bPlane + 1);
        int toStride = 2 * (widthA + widthB) + pad, toPlane = rows * toStride + pad, toAt = pad;
        float[] to = random(random, toAt + channels * toPlane), expected = to.clone();
        for (int ch = 0; ch < channels; ch++) {
            for (int r = 0; r < rows; r++) {
                int o = toAt + ch * toPlane + r * toStride;
                for (int c = 0; c < widthA; c++) {
                    expected[o + 2 * c] = a[ch * aPlane + r * aStride + c];
                }
                for (int c = 0; c < widthB; c++) {
                    expected[o + 2 * c + 1] = b[ch * bPlane + r * bStride + c];
                }
            }
        }
        KERNELS.interleaveRows(a, aPlane, aStride, b, bPlane, bStride, channels, rows, widthA, widthB, to, toAt,
                toStride, toPlane);
        assertArrayEquals(expected, to);
    }
}
