package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.Window2d;
import dev.isthmus.kernels.runtime.Vectors;
import dev.isthmus.kernels.runtime.Workspace;
import dev.isthmus.kernels.runtime.Workspace.Slot;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * A depthwise convolution with a vector's worth of channels in the lanes: each image's channels
 * go in blocks of {@code L}, into a padded map of positions, {@code L} floats a position (one per
 * channel), so that every tap is one multiply-add of whole vectors, the taps' weights a vector
 * each. A row of 7 or 14 outputs fills a fraction of a vector in {@link DepthwiseConvolution}'s
 * rows; here every lane works whatever the map. The maps go in and out of the lanes by 16x16
 * transposes ({@link WinogradConvolution#transpose16}), so this runs at 16 lanes (512 bits) only;
 * gathers, one a position, took twice the forward pass.
 *
 * <p>Forward: at stride 1 on the padded map's grid, eight consecutive positions at a time (a
 * 3-wide kernel's row of taps from ten loads, a 5-wide one's from twelve), at stride 2 four
 * consecutive output positions at a time (across a row's end where it ends). Weight
 * gradient: each tap's products summed over the positions, in the lanes. Data gradient: at stride
 * 1 the same correlation on the gradient padded as the transposed convolution reads it, the
 * kernel flipped; at stride 2 each output's gradient times each tap's weights added where the tap
 * read. The epilogue (bias, ReLU, pooling) is {@link DenseEpilogue}'s. Every image alone, in a
 * fixed order: no thread count changes a bit.
 */
final class LaneDepthwiseConvolution implements ConvAlgorithm {

    private static final VectorSpecies<Float> S = Vectors.FLOATS;
    private static final int L = S.length();
    /** The transposes' block: {@link WinogradConvolution#transpose16}'s. */
    private static final int BLOCK = 16;

    private final ConvShape shape;
    private final ConvSupport kernels;
    private final int channels, inHeight, inWidth, kh, kw, taps, stride, padTop, padLeft, outHeight, outWidth;
    /** The padded map's rows and columns (every input position, and every position a tap reads). */
    private final int rows, cols;
    /** Each tap's offset in the padded map, in floats: {@code (a * cols + b) * L}. */
    private final int[] tapOffsets;
    /** At stride 1, the data gradient's padded map of the gradient at the output: rows, columns, each tap's offset. */
    private final int dzRows, dzCols;
    private final int[] dzTapOffsets;

    LaneDepthwiseConvolution(ConvShape shape, ConvSupport kernels) {
        if (!suits(shape, kernels)) {
            throw new IllegalArgumentException("the depthwise kernel needs one channel a group, in and out, a stride "
                    + "of 1 or 2 on both axes, no dilation, padding narrower than the kernel, and vector kernels: got "
                    + shape);
        }
        this.shape = shape;
        this.kernels = kernels;
        Window2d w = shape.window();
        channels = shape.inChannels();
        inHeight = w.inHeight();
        inWidth = w.inWidth();
        kh = w.kernelHeight();
        kw = w.kernelWidth();
        taps = kh * kw;
        stride = w.strideY();
        padTop = w.padTop();
        padLeft = w.padLeft();
        outHeight = w.outHeight();
        outWidth = w.outWidth();
        rows = Math.max(padTop + inHeight, stride * (outHeight - 1) + kh);
        cols = Math.max(padLeft + inWidth, stride * (outWidth - 1) + kw);
        tapOffsets = new int[taps];
        // dx[i][j] = sum over taps of w[kh-1-a][kw-1-b] dz[i + a - (kh-1-padTop)][j + b - (kw-1-padLeft)]
        dzRows = inHeight + kh - 1;
        dzCols = Math.max(kw - 1 - padLeft + outWidth, inWidth + kw - 1);
        dzTapOffsets = new int[taps];
        for (int k = 0; k < taps; k++) {
            tapOffsets[k] = ((k / kw) * cols + k % kw) * L;
            dzTapOffsets[k] = ((k / kw) * dzCols + k % kw) * L;
        }
    }

    /** Whether this algorithm takes {@code shape}: {@link DepthwiseConvolution}'s shapes, at 16 lanes. */
    static boolean suits(ConvShape shape, ConvSupport kernels) {
        return L == BLOCK && DepthwiseConvolution.suits(shape, kernels);
    }

    @Override
    public String name() {
        return "depthwise (lanes)";
    }

    @Override
    public ConvShape shape() {
        return shape;
    }

    @Override
    public void forwardImage(ConvTensors t, int n) {
        float[] out = DenseEpilogue.outputBuffer(shape, t);
        int ob = DenseEpilogue.outputOffset(shape, t, n), p = outHeight * outWidth;
        // at stride 1 the outputs on the padded map's grid, a row of cols; slack past them for
        // correlateFlat's last group of eight and fromLanes's last block of sixteen
        float[] lanes = Workspace.floats(Slot.DEPTHWISE_PHASES, (long) (Math.max(p, outHeight * cols) + 2 * L) * L);
        for (int c0 = 0; c0 < channels; c0 += L) {
            int count = Math.min(L, channels - c0);
            float[] xs = stageInput(t.x, t.xOffset + n * shape.inputSize() + c0 * inHeight * inWidth, count);
            int wb = c0 * taps; // the block's weights in t.prepared (prepareForward), taps * L of them
            if (stride == 1) {
                correlateFlat(xs, t.prepared, wb, cols, tapOffsets, outHeight, outWidth, lanes);
            } else {
                forward(xs, t.prepared, wb, lanes);
            }
            fromLanes(lanes, 0, p, p, count, out, ob + c0 * p);
        }
        DenseEpilogue.forward(kernels, shape, t, n, out, ob);
    }

    @Override
    public void backwardImage(ConvTensors t, int n, float[] dw, int dwAt, boolean accumulate, double[] biasSums) {
        float[] dz = DenseEpilogue.gradient(kernels, shape, t, n, biasSums);
        int dzb = DenseEpilogue.gradientOffset(shape, t, n), p = outHeight * outWidth, image = inHeight * inWidth;
        float[] sums = new float[L];
        float[] dzs = Workspace.floats(Slot.DEPTHWISE_GRADIENT, (long) (p + L) * L);
        for (int c0 = 0; c0 < channels; c0 += L) {
            int count = Math.min(L, channels - c0);
            toLanes(dz, dzb + c0 * p, p, count, p, dzs);
            if (dw != null) {
                float[] xs = stageInput(t.x, t.xOffset + n * shape.inputSize() + c0 * image, count);
                for (int k = 0; k < taps; k++) {
                    tapSums(xs, dzs, tapOffsets[k]).intoArray(sums, 0);
                    for (int i = 0; i < count; i++) {
                        int at = dwAt + (c0 + i) * taps + k;
                        dw[at] = accumulate ? dw[at] + sums[i] : sums[i];
                    }
                }
            }
            if (t.dx != null && stride == 1) {
                // the gradient padded as the transposed convolution reads it, the kernel flipped
                float[] ds = Workspace.floats(Slot.DEPTHWISE_PHASES, (long) (dzRows * dzCols + 2 * L + kw) * L);
                pad(dzs, outHeight, outWidth, kh - 1 - padTop, kw - 1 - padLeft, dzRows, dzCols, ds);
                float[] dxs = Workspace.floats(Slot.DEPTHWISE_LANES, (long) (Math.max(image, inHeight * dzCols) + 2 * L) * L);
                correlateFlat(ds, t.prepared, c0 * taps, dzCols, dzTapOffsets, inHeight, inWidth, dxs);
                fromLanes(dxs, 0, image, image, count, t.dx, t.dxOffset + n * shape.inputSize() + c0 * image);
            } else if (t.dx != null) {
                float[] dxs = Workspace.floats(Slot.DEPTHWISE_PHASES, (long) (rows * cols + L) * L);
                dataGradient(dzs, t.prepared, c0 * taps, dxs);
                for (int iy = 0; iy < inHeight; iy++) { // the padded map's rows, without the padding
                    fromLanes(dxs, ((iy + padTop) * cols + padLeft) * L, inWidth, image, count, t.dx,
                            t.dxOffset + n * shape.inputSize() + c0 * image + iy * inWidth);
                }
            }
        }
    }

    /**
     * Channels {@code [c0, c0 + count)} of the image, their planes from {@code x[from]}, into
     * this thread's {@link Slot#STAGED_INPUT}: position {@code (r, c)} of the padded map at
     * {@code (r * cols + c) * L}, lane {@code i} channel {@code c0 + i} (zeros past {@code count}
     * and in the padding). Into the lanes densely first ({@link Slot#DEPTHWISE_LANES}), then row
     * by row into place.
     */
    private float[] stageInput(float[] x, int from, int count) {
        int image = inHeight * inWidth;
        float[] dense = Workspace.floats(Slot.DEPTHWISE_LANES, (long) (image + L) * L);
        toLanes(x, from, image, count, image, dense);
        // and slack for correlateFlat's last group, whose outputs past the map are thrown away
        float[] xs = Workspace.floats(Slot.STAGED_INPUT, (long) (rows * cols + 2 * L + kw) * L);
        pad(dense, inHeight, inWidth, padTop, padLeft, rows, cols, xs);
        return xs;
    }

    /**
     * A dense map in the lanes ({@code height x width} positions) into a padded one of
     * {@code mapRows x mapCols} positions, its position {@code (r, c)} at {@code (top + r, left + c)},
     * zeros around it.
     */
    private static void pad(float[] dense, int height, int width, int top, int left, int mapRows, int mapCols,
                            float[] map) {
        int first = top * mapCols * L, end = (top + height) * mapCols * L;
        Arrays.fill(map, 0, first, 0f);
        Arrays.fill(map, end, mapRows * mapCols * L, 0f);
        for (int r = 0; r < height; r++) {
            int row = (top + r) * mapCols * L;
            Arrays.fill(map, row, row + left * L, 0f);
            System.arraycopy(dense, r * width * L, map, row + left * L, width * L);
            Arrays.fill(map, row + (left + width) * L, row + mapCols * L, 0f);
        }
    }

    /**
     * Positions {@code [0, n)} of {@code count} planes ({@code plane} apart) from {@code a[from]}
     * into the lanes, densely: position {@code q} at {@code to[q * L]}, lane {@code i} plane
     * {@code i}. Sixteen positions of sixteen planes a transpose; a block short of either through
     * a zeroed copy. Writes up to a block past position {@code n}.
     */
    private static void toLanes(float[] a, int from, int plane, int count, int n, float[] to) {
        for (int q = 0; q < n; q += BLOCK) {
            if (count == BLOCK && q + BLOCK <= n) {
                WinogradConvolution.transpose16(a, from + q, plane, to, q * L, L);
                continue;
            }
            if (n - q <= 2) { // a position or two (a 7x7 map's 49th): by the float, not a whole transpose
                for (int j = q; j < n; j++) {
                    for (int i = 0; i < L; i++) {
                        to[j * L + i] = i < count ? a[from + i * plane + j] : 0f;
                    }
                }
                continue;
            }
            float[] block = Workspace.floats(Slot.DEPTHWISE_BLOCK, BLOCK * BLOCK);
            VectorMask<Float> m = S.indexInRange(q, n);
            for (int i = 0; i < BLOCK; i++) {
                if (i < count) {
                    FloatVector.fromArray(S, a, from + i * plane + q, m).intoArray(block, i * BLOCK);
                } else {
                    FloatVector.zero(S).intoArray(block, i * BLOCK);
                }
            }
            WinogradConvolution.transpose16(block, 0, BLOCK, to, q * L, L);
        }
    }

    /**
     * Positions {@code [0, n)} from the lanes at {@code lanes[from]} (position {@code q} at
     * {@code from + q * L}) back into {@code count} planes, lane {@code i} into
     * {@code to[at + i * plane]}; writes nothing else.
     */
    private static void fromLanes(float[] lanes, int from, int n, int plane, int count, float[] to, int at) {
        for (int q = 0; q < n; q += BLOCK) {
            if (count == BLOCK && q + BLOCK <= n) {
                WinogradConvolution.transpose16(lanes, from + q * L, L, to, at + q, plane);
                continue;
            }
            if (n - q <= 2) {
                for (int i = 0; i < count; i++) {
                    for (int j = q; j < n; j++) {
                        to[at + i * plane + j] = lanes[from + j * L + i];
                    }
                }
                continue;
            }
            float[] block = Workspace.floats(Slot.DEPTHWISE_BLOCK, BLOCK * BLOCK);
            // the positions past n read the lanes' slack (a block of positions: see the callers)
            WinogradConvolution.transpose16(lanes, from + q * L, L, block, 0, BLOCK);
            VectorMask<Float> m = S.indexInRange(q, n);
            for (int i = 0; i < count; i++) {
                FloatVector.fromArray(S, block, i * BLOCK).intoArray(to, at + i * plane + q, m);
            }
        }
    }

    /**
     * The weights in the lanes, once per pass: block {@code b}'s (channels {@code [16 b, 16 b + 16)})
     * from {@code b * taps * L}, tap {@code k}'s vector at {@code k * L} in it, lanes past the
     * channels zero. Laid out per image and block, they were rewritten for every image.
     */
    @Override
    public int preparedForwardSize() {
        return blocks() * taps * L;
    }

    @Override
    public void prepareForward(float[] w, int wOffset, float[] into) {
        laneWeights(w, wOffset, false, into);
    }

    /**
     * The data gradient's weights, laid out as {@link #preparedForwardSize}'s: at stride 1 each
     * kernel rotated half a turn (the transposed convolution's taps), at stride 2 as they are.
     */
    @Override
    public int preparedBackwardSize() {
        return preparedForwardSize();
    }

    @Override
    public void prepareBackward(float[] w, int wOffset, float[] into) {
        laneWeights(w, wOffset, stride == 1, into);
    }

    private int blocks() {
        return (channels + L - 1) / L;
    }

    /** Every block's taps in the lanes, each kernel rotated half a turn when {@code flipped}. */
    private void laneWeights(float[] w, int wOffset, boolean flipped, float[] into) {
        Arrays.fill(into, 0, preparedForwardSize(), 0f);
        for (int c = 0; c < channels; c++) {
            int block = (c / L) * taps * L, lane = c % L;
            for (int k = 0; k < taps; k++) {
                into[block + (flipped ? taps - 1 - k : k) * L + lane] = w[wOffset + c * taps + k];
            }
        }
    }

    /**
     * The outputs into {@code out}, dense by position: four consecutive positions at a time (across
     * rows where a row ends), each tap's weights loaded once for the four, then one at a time.
     */
    private void forward(float[] xs, float[] weights, int wb, float[] out) {
        int positions = outHeight * outWidth, q = 0;
        for (; q + 4 <= positions; q += 4) {
            int b0 = inputAt(q), b1 = inputAt(q + 1), b2 = inputAt(q + 2), b3 = inputAt(q + 3);
            FloatVector y0 = FloatVector.zero(S), y1 = y0, y2 = y0, y3 = y0;
            for (int k = 0; k < taps; k++) {
                FloatVector w = FloatVector.fromArray(S, weights, wb + k * L);
                int off = tapOffsets[k];
                y0 = w.fma(FloatVector.fromArray(S, xs, b0 + off), y0);
                y1 = w.fma(FloatVector.fromArray(S, xs, b1 + off), y1);
                y2 = w.fma(FloatVector.fromArray(S, xs, b2 + off), y2);
                y3 = w.fma(FloatVector.fromArray(S, xs, b3 + off), y3);
            }
            y0.intoArray(out, q * L);
            y1.intoArray(out, (q + 1) * L);
            y2.intoArray(out, (q + 2) * L);
            y3.intoArray(out, (q + 3) * L);
        }
        for (; q < positions; q++) {
            int b = inputAt(q);
            FloatVector y = FloatVector.zero(S);
            for (int k = 0; k < taps; k++) {
                y = FloatVector.fromArray(S, weights, wb + k * L).fma(FloatVector.fromArray(S, xs, b + tapOffsets[k]), y);
            }
            y.intoArray(out, q * L);
        }
    }

    /**
     * {@link #forward} at stride 1, on the padded map's grid ({@code cols} positions a row, the taps
     * {@code tapOffsets} floats on; the forward's map, or the data gradient's): output
     * {@code (oy, ox)} at grid position {@code q = oy * cols + ox} reads from {@code q * L} on, so eight consecutive grid
     * positions share each tap's weights (the {@code kw - 1} positions past each row's end, and
     * those after the last row up to a group, are computed and dropped); then each row's outputs
     * moved up into place, dense by position. Per output position with its own index arithmetic,
     * four at a time, a 7x7 map ran at about 3.5 cycles an FMA.
     */
    private void correlateFlat(float[] xs, float[] weights, int wb, int cols, int[] tapOffsets, int outHeight, int outWidth,
                               float[] out) {
        int grid = (outHeight - 1) * cols + outWidth;
        for (int q = 0; q < grid; q += 8) {
            if (kw == 3) {
                groupOfThree(xs, weights, wb, q * L, cols, out);
                continue;
            }
            if (kw == 5) {
                groupOfFive(xs, weights, wb, q * L, cols, out);
                continue;
            }
            int b = q * L;
            FloatVector y0 = FloatVector.zero(S), y1 = y0, y2 = y0, y3 = y0, y4 = y0, y5 = y0, y6 = y0, y7 = y0;
            for (int k = 0; k < taps; k++) {
                FloatVector w = FloatVector.fromArray(S, weights, wb + k * L);
                int at = b + tapOffsets[k];
                y0 = w.fma(FloatVector.fromArray(S, xs, at), y0);
                y1 = w.fma(FloatVector.fromArray(S, xs, at + L), y1);
                y2 = w.fma(FloatVector.fromArray(S, xs, at + 2 * L), y2);
                y3 = w.fma(FloatVector.fromArray(S, xs, at + 3 * L), y3);
                y4 = w.fma(FloatVector.fromArray(S, xs, at + 4 * L), y4);
                y5 = w.fma(FloatVector.fromArray(S, xs, at + 5 * L), y5);
                y6 = w.fma(FloatVector.fromArray(S, xs, at + 6 * L), y6);
                y7 = w.fma(FloatVector.fromArray(S, xs, at + 7 * L), y7);
            }
            y0.intoArray(out, b);
            y1.intoArray(out, b + L);
            y2.intoArray(out, b + 2 * L);
            y3.intoArray(out, b + 3 * L);
            y4.intoArray(out, b + 4 * L);
            y5.intoArray(out, b + 5 * L);
            y6.intoArray(out, b + 6 * L);
            y7.intoArray(out, b + 7 * L);
        }
        for (int oy = 1; oy < outHeight; oy++) { // rows up into place: each lands at or before where it lies
            System.arraycopy(out, oy * cols * L, out, oy * outWidth * L, outWidth * L);
        }
    }

    /**
     * {@link #correlateFlat}'s group of eight at {@code b} for a kernel three wide: each kernel row's
     * ten input vectors loaded once for its three taps (eight outputs a tap read 24 loads for 24
     * FMAs, and on 256-bit units each 512-bit load is two).
     */
    private void groupOfThree(float[] xs, float[] weights, int wb, int b, int cols, float[] out) {
        FloatVector y0 = FloatVector.zero(S), y1 = y0, y2 = y0, y3 = y0, y4 = y0, y5 = y0, y6 = y0, y7 = y0;
        for (int a = 0; a < kh; a++) {
            int at = b + a * cols * L;
            FloatVector w0 = FloatVector.fromArray(S, weights, wb + 3 * a * L);
            FloatVector w1 = FloatVector.fromArray(S, weights, wb + (3 * a + 1) * L);
            FloatVector w2 = FloatVector.fromArray(S, weights, wb + (3 * a + 2) * L);
            FloatVector x0 = FloatVector.fromArray(S, xs, at), x1 = FloatVector.fromArray(S, xs, at + L);
            FloatVector x2 = FloatVector.fromArray(S, xs, at + 2 * L), x3 = FloatVector.fromArray(S, xs, at + 3 * L);
            FloatVector x4 = FloatVector.fromArray(S, xs, at + 4 * L), x5 = FloatVector.fromArray(S, xs, at + 5 * L);
            FloatVector x6 = FloatVector.fromArray(S, xs, at + 6 * L), x7 = FloatVector.fromArray(S, xs, at + 7 * L);
            FloatVector x8 = FloatVector.fromArray(S, xs, at + 8 * L), x9 = FloatVector.fromArray(S, xs, at + 9 * L);
            y0 = w2.fma(x2, w1.fma(x1, w0.fma(x0, y0)));
            y1 = w2.fma(x3, w1.fma(x2, w0.fma(x1, y1)));
            y2 = w2.fma(x4, w1.fma(x3, w0.fma(x2, y2)));
            y3 = w2.fma(x5, w1.fma(x4, w0.fma(x3, y3)));
            y4 = w2.fma(x6, w1.fma(x5, w0.fma(x4, y4)));
            y5 = w2.fma(x7, w1.fma(x6, w0.fma(x5, y5)));
            y6 = w2.fma(x8, w1.fma(x7, w0.fma(x6, y6)));
            y7 = w2.fma(x9, w1.fma(x8, w0.fma(x7, y7)));
        }
        y0.intoArray(out, b);
        y1.intoArray(out, b + L);
        y2.intoArray(out, b + 2 * L);
        y3.intoArray(out, b + 3 * L);
        y4.intoArray(out, b + 4 * L);
        y5.intoArray(out, b + 5 * L);
        y6.intoArray(out, b + 6 * L);
        y7.intoArray(out, b + 7 * L);
    }

    /** {@link #groupOfThree} for a kernel five wide (EfficientNet's): each kernel row's twelve input vectors loaded once for its five taps. */
    private void groupOfFive(float[] xs, float[] weights, int wb, int b, int cols, float[] out) {
        FloatVector y0 = FloatVector.zero(S), y1 = y0, y2 = y0, y3 = y0, y4 = y0, y5 = y0, y6 = y0, y7 = y0;
        for (int a = 0; a < kh; a++) {
            int at = b + a * cols * L, wa = wb + 5 * a * L;
            FloatVector w0 = FloatVector.fromArray(S, weights, wa), w1 = FloatVector.fromArray(S, weights, wa + L);
            FloatVector w2 = FloatVector.fromArray(S, weights, wa + 2 * L);
            FloatVector x0 = FloatVector.fromArray(S, xs, at), x1 = FloatVector.fromArray(S, xs, at + L);
            FloatVector x2 = FloatVector.fromArray(S, xs, at + 2 * L), x3 = FloatVector.fromArray(S, xs, at + 3 * L);
            FloatVector x4 = FloatVector.fromArray(S, xs, at + 4 * L), x5 = FloatVector.fromArray(S, xs, at + 5 * L);
            FloatVector x6 = FloatVector.fromArray(S, xs, at + 6 * L), x7 = FloatVector.fromArray(S, xs, at + 7 * L);
            FloatVector x8 = FloatVector.fromArray(S, xs, at + 8 * L), x9 = FloatVector.fromArray(S, xs, at + 9 * L);
            y0 = w2.fma(x2, w1.fma(x1, w0.fma(x0, y0)));
            y1 = w2.fma(x3, w1.fma(x2, w0.fma(x1, y1)));
            y2 = w2.fma(x4, w1.fma(x3, w0.fma(x2, y2)));
            y3 = w2.fma(x5, w1.fma(x4, w0.fma(x3, y3)));
            y4 = w2.fma(x6, w1.fma(x5, w0.fma(x4, y4)));
            y5 = w2.fma(x7, w1.fma(x6, w0.fma(x5, y5)));
            y6 = w2.fma(x8, w1.fma(x7, w0.fma(x6, y6)));
            y7 = w2.fma(x9, w1.fma(x8, w0.fma(x7, y7)));
            FloatVector w3 = FloatVector.fromArray(S, weights, wa + 3 * L), w4 = FloatVector.fromArray(S, weights, wa + 4 * L);
            FloatVector x10 = FloatVector.fromArray(S, xs, at + 10 * L), x11 = FloatVector.fromArray(S, xs, at + 11 * L);
            y0 = w4.fma(x4, w3.fma(x3, y0));
            y1 = w4.fma(x5, w3.fma(x4, y1));
            y2 = w4.fma(x6, w3.fma(x5, y2));
            y3 = w4.fma(x7, w3.fma(x6, y3));
            y4 = w4.fma(x8, w3.fma(x7, y4));
            y5 = w4.fma(x9, w3.fma(x8, y5));
            y6 = w4.fma(x10, w3.fma(x9, y6));
            y7 = w4.fma(x11, w3.fma(x10, y7));
        }
        y0.intoArray(out, b);
        y1.intoArray(out, b + L);
        y2.intoArray(out, b + 2 * L);
        y3.intoArray(out, b + 3 * L);
        y4.intoArray(out, b + 4 * L);
        y5.intoArray(out, b + 5 * L);
        y6.intoArray(out, b + 6 * L);
        y7.intoArray(out, b + 7 * L);
    }

    /** Where output position {@code q}'s first tap reads in the padded map, in floats. */
    private int inputAt(int q) {
        int oy = q / outWidth, ox = q - oy * outWidth;
        return stride * (oy * cols + ox) * L;
    }

    /** One tap's weight gradient in the lanes: its products summed over the outputs, the tap {@code offset} floats on. */
    private FloatVector tapSums(float[] xs, float[] dzs, int offset) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0;
        for (int oy = 0; oy < outHeight; oy++) {
            int ox = 0;
            for (; ox + 2 <= outWidth; ox += 2) {
                int at = (stride * oy * cols + stride * ox) * L + offset, g = (oy * outWidth + ox) * L;
                s0 = FloatVector.fromArray(S, dzs, g).fma(FloatVector.fromArray(S, xs, at), s0);
                s1 = FloatVector.fromArray(S, dzs, g + L).fma(FloatVector.fromArray(S, xs, at + stride * L), s1);
            }
            if (ox < outWidth) {
                int at = (stride * oy * cols + stride * ox) * L + offset, g = (oy * outWidth + ox) * L;
                s0 = FloatVector.fromArray(S, dzs, g).fma(FloatVector.fromArray(S, xs, at), s0);
            }
        }
        return s0.add(s1);
    }

    /**
     * The gradient at the padded input, {@code dxs} (position {@code (r, c)} at
     * {@code (r * cols + c) * L}): each output's gradient times each tap's weights, added at the
     * position the tap read, outputs in order.
     */
    private void dataGradient(float[] dzs, float[] weights, int wb, float[] dxs) {
        Arrays.fill(dxs, 0, rows * cols * L, 0f);
        for (int oy = 0; oy < outHeight; oy++) {
            for (int ox = 0; ox < outWidth; ox++) {
                FloatVector g = FloatVector.fromArray(S, dzs, (oy * outWidth + ox) * L);
                int base = (stride * oy * cols + stride * ox) * L;
                for (int a = 0; a < kh; a++) {
                    for (int b = 0; b < kw; b++) {
                        int at = base + (a * cols + b) * L;
                        FloatVector.fromArray(S, weights, wb + (a * kw + b) * L).fma(g, FloatVector.fromArray(S, dxs, at))
                                .intoArray(dxs, at);
                    }
                }
            }
        }
    }
}
