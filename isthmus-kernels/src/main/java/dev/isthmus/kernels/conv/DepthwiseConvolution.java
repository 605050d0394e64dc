package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.Window2d;
import dev.isthmus.kernels.runtime.Vectors;
import dev.isthmus.kernels.runtime.Workspace;
import dev.isthmus.kernels.runtime.Workspace.Slot;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A depthwise convolution (every channel its own group, one output channel each, as MobileNet's)
 * at stride 1 or 2, computed plane by plane in vectors along the output rows. The grouped route
 * ran each channel as a convolution of one input channel: an im2col and an SGEMM one row tall
 * per channel and image, at a quarter of PyTorch's speed.
 *
 * <p>Each channel is staged with its padding just before it is read (at stride 2, each padded row
 * split into its even and odd columns, so that a tap's inputs along an output row are one
 * contiguous load). The forward pass and the data gradient are one routine, {@link #correlate}:
 * the forward reads the staged input with the kernel; the data gradient reads the staged gradient
 * at the output with the kernel flipped (at stride 2, once per phase of the padded input, with
 * the taps of that phase, the phases then merged column by column). The weight gradient sums
 * each tap's products over the plane ({@link #weightGradient}). The
 * epilogue (bias, ReLU, pooling) is {@link DenseEpilogue}'s. Every image is computed alone in a
 * fixed order, so results do not depend on the thread count.
 */
final class DepthwiseConvolution implements ConvAlgorithm {

    private static final VectorSpecies<Float> S = Vectors.FLOATS;
    private static final int L = S.length();
    /** Output rows computed together, each with its own accumulator, sharing each tap's broadcast. */
    private static final int ROWS = 4;
    /** Lanes {@code 2i, 2i + 1}: lane {@code i} of the first vector, then of the second; then the upper halves. */
    private static final VectorShuffle<Float> ZIP_LOW = zip(0), ZIP_HIGH = zip(L / 2);
    /** The zips as {@link Vectors#pair}'s indices: low, high. */
    private static final int[] PAIR_INDICES = Vectors.TWO_SOURCE_SELECT ? Vectors.selectIndices(ZIP_LOW, ZIP_HIGH) : new int[0];

    private final ConvShape shape;
    private final ConvSupport kernels;
    private final int channels, inHeight, inWidth, kh, kw, stride, padTop, padLeft, outHeight, outWidth;
    /** A staged channel of the input: floats per row (at stride 2, the even columns, then the odd from {@link #half}), rows, plane. */
    private final int xRow, half, xRows, xPlane;
    /** A staged channel of the gradient at the output, padded for the data gradient: rows of {@link #dzRow}, its top and left padding. */
    private final int dzRow, dzRows, dzPlane, dzTop, dzLeft;
    /** At stride 2: the data gradient's phase planes' rows and row length. */
    private final int phaseRows, phaseRow;

    DepthwiseConvolution(ConvShape shape, ConvSupport kernels) {
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
        stride = w.strideY();
        padTop = w.padTop();
        padLeft = w.padLeft();
        outHeight = w.outHeight();
        outWidth = w.outWidth();
        // rows: every input row, and every row a tap reads (the last vector of a row reads up to
        // L - 1 columns past the output, and as many past the kernel: a vector of slack)
        xRows = Math.max(padTop + inHeight, stride * (outHeight - 1) + kh);
        if (stride == 1) {
            half = 0;
            xRow = roundUp(Math.max(padLeft + inWidth, outWidth + kw - 1), L) + L;
        } else {
            half = roundUp(Math.max((padLeft + inWidth + 1) / 2, outWidth + (kw - 1) / 2), L) + L;
            xRow = 2 * half;
        }
        xPlane = xRows * xRow;
        if (stride == 1) {
            // dx[i][j] = sum w[kh-1-a][kw-1-b] dz[i + a - dzTop][j + b - dzLeft]
            dzTop = kh - 1 - padTop;
            dzLeft = kw - 1 - padLeft;
            dzRows = inHeight + kh - 1;
            dzRow = roundUp(Math.max(dzLeft + outWidth, inWidth + kw - 1), L) + L;
            phaseRows = phaseRow = 0;
        } else {
            // phase (py, px) of the padded input, row q: sum over its taps (py + 2a, px + 2b) of
            // w dz[q - a][p - b]; staged with the most taps any phase has, less one, above and to the left
            dzTop = (kh + 1) / 2 - 1;
            dzLeft = (kw + 1) / 2 - 1;
            phaseRows = (padTop + inHeight + 1) / 2;
            int phaseCols = (padLeft + inWidth + 1) / 2;
            phaseRow = roundUp(phaseCols, L) + L;
            dzRows = phaseRows + dzTop;
            dzRow = roundUp(Math.max(dzLeft + outWidth, phaseCols + dzLeft), L) + L;
        }
        dzPlane = dzRows * dzRow;
    }

    /**
     * Whether this algorithm takes {@code shape}: groups of one channel in and out, a stride of 1
     * or 2 the same on both axes, no dilation, each padding narrower than the kernel on its axis,
     * and vector kernels of this width.
     */
    static boolean suits(ConvShape shape, ConvSupport kernels) {
        Window2d w = shape.window();
        int s = w.strideY();
        return kernels.vectorBitSize() == S.vectorBitSize() && shape.groups() > 1
                && shape.groups() == shape.inChannels() && shape.groups() == shape.outChannels()
                && (s == 1 || s == 2) && w.strideX() == s && w.dilationY() == 1 && w.dilationX() == 1
                && w.padTop() < w.kernelHeight() && w.padBottom() < w.kernelHeight()
                && w.padLeft() < w.kernelWidth() && w.padRight() < w.kernelWidth();
    }

    @Override
    public String name() {
        return "depthwise (rows)";
    }

    @Override
    public ConvShape shape() {
        return shape;
    }

    /** Channel by channel, each staged just before it is read (a whole image staged first went through L2: 22% of the time). */
    @Override
    public void forwardImage(ConvTensors t, int n) {
        float[] out = DenseEpilogue.outputBuffer(shape, t);
        int ob = DenseEpilogue.outputOffset(shape, t, n), p = outHeight * outWidth;
        for (int c = 0; c < channels; c++) {
            float[] xs = stageInput(t.x, t.xOffset + n * shape.inputSize() + c * inHeight * inWidth);
            correlate(xs, 0, xRow, stride, half, t.w, t.wOffset + c * kh * kw, kw, 1, kh, kw, out, ob + c * p, outWidth,
                    outHeight, outWidth);
        }
        DenseEpilogue.forward(kernels, shape, t, n, out, ob);
    }

    @Override
    public void backwardImage(ConvTensors t, int n, float[] dw, int dwAt, boolean accumulate, double[] biasSums) {
        float[] dz = DenseEpilogue.gradient(kernels, shape, t, n, biasSums);
        int dzb = DenseEpilogue.gradientOffset(shape, t, n), p = outHeight * outWidth;
        for (int c = 0; c < channels; c++) {
            if (dw != null) {
                float[] xs = stageInput(t.x, t.xOffset + n * shape.inputSize() + c * inHeight * inWidth);
                weightGradient(xs, dz, dzb + c * p, dw, dwAt + c * kh * kw, accumulate);
            }
            if (t.dx != null) {
                dataGradient(t.w, t.wOffset + c * kh * kw, dz, dzb + c * p, t.dx,
                        t.dxOffset + n * shape.inputSize() + c * inHeight * inWidth);
            }
        }
    }

    /**
     * The channel plane at {@code x[from]} into this thread's {@link Slot#STAGED_INPUT}: its padded
     * row {@code r} at {@code r * xRow}; at stride 2 its even columns first, its odd from
     * {@link #half}. Every float of the staged plane is written.
     */
    private float[] stageInput(float[] x, int from) {
        float[] xs = Workspace.floats(Slot.STAGED_INPUT, xPlane);
        int first = padTop * xRow, end = first + inHeight * xRow;
        Arrays.fill(xs, 0, first, 0f);
        Arrays.fill(xs, end, xPlane, 0f);
        if (stride == 1) {
            kernels.padRows(x, from, inWidth, inHeight, inWidth, padLeft, xs, first, xRow);
        } else {
            kernels.splitPaddedRows(x, from, inWidth, inHeight, inWidth, padLeft, xs, first, first + half, xRow, half);
        }
        return xs;
    }

    /**
     * {@code out[ob + i * outRow + j] = sum over taps (a, b) of w[wb + a * wRowStep + b * wColStep]
     * * src[sb + (step * i + a) * srcRow + column(b) + j]} for {@code i < rows}, {@code j < cols},
     * the taps {@code kRows x kCols}; {@code column(b)} is {@code b}, or at a {@code step} of 2
     * {@code (b % 2) * half + b / 2} (the staged row's column phases). Reads up to a vector past
     * each row's last column in {@code src}; writes only the {@code cols} of each row.
     */
    private static void correlate(float[] src, int sb, int srcRow, int step, int half, float[] w, int wb, int wRowStep,
                                  int wColStep, int kRows, int kCols, float[] out, int ob, int outRow, int rows,
                                  int cols) {
        int i = 0;
        for (; i + ROWS <= rows; i += ROWS) {
            for (int j = 0; j < cols; j += L) {
                FloatVector y0 = FloatVector.zero(S), y1 = y0, y2 = y0, y3 = y0;
                for (int a = 0; a < kRows; a++) {
                    int r0 = sb + (step * i + a) * srcRow + j, next = step * srcRow;
                    for (int b = 0; b < kCols; b++) {
                        FloatVector k = FloatVector.broadcast(S, w[wb + a * wRowStep + b * wColStep]);
                        int at = r0 + (step == 1 ? b : (b & 1) * half + (b >> 1));
                        y0 = k.fma(FloatVector.fromArray(S, src, at), y0);
                        y1 = k.fma(FloatVector.fromArray(S, src, at + next), y1);
                        y2 = k.fma(FloatVector.fromArray(S, src, at + 2 * next), y2);
                        y3 = k.fma(FloatVector.fromArray(S, src, at + 3 * next), y3);
                    }
                }
                int o = ob + i * outRow + j;
                if (j + L <= cols) {
                    y0.intoArray(out, o);
                    y1.intoArray(out, o + outRow);
                    y2.intoArray(out, o + 2 * outRow);
                    y3.intoArray(out, o + 3 * outRow);
                } else {
                    VectorMask<Float> m = S.indexInRange(j, cols);
                    y0.intoArray(out, o, m);
                    y1.intoArray(out, o + outRow, m);
                    y2.intoArray(out, o + 2 * outRow, m);
                    y3.intoArray(out, o + 3 * outRow, m);
                }
            }
        }
        for (; i < rows; i++) {
            for (int j = 0; j < cols; j += L) {
                FloatVector y0 = FloatVector.zero(S);
                for (int a = 0; a < kRows; a++) {
                    int r0 = sb + (step * i + a) * srcRow + j;
                    for (int b = 0; b < kCols; b++) {
                        FloatVector k = FloatVector.broadcast(S, w[wb + a * wRowStep + b * wColStep]);
                        y0 = k.fma(FloatVector.fromArray(S, src, r0 + (step == 1 ? b : (b & 1) * half + (b >> 1))), y0);
                    }
                }
                int o = ob + i * outRow + j;
                if (j + L <= cols) {
                    y0.intoArray(out, o);
                } else {
                    y0.intoArray(out, o, S.indexInRange(j, cols));
                }
            }
        }
    }

    /**
     * One channel's weight gradient from its staged plane: for each tap, the sum over the plane of
     * {@code dz} times the staged input the tap read, then across the lanes; into {@code dw[dwAt]},
     * or added there when {@code accumulate}. Up to four taps of a kernel row share a sweep of the
     * plane and each load of {@code dz} (a sweep a tap made it 41% of a 3x3's time).
     */
    private void weightGradient(float[] xs, float[] dz, int dzAt, float[] dw, int dwAt, boolean accumulate) {
        for (int a = 0; a < kh; a++) {
            for (int b = 0; b < kw; b += 4) {
                int taps = Math.min(4, kw - b);
                int c0 = column(b), c1 = column(Math.min(b + 1, kw - 1)), c2 = column(Math.min(b + 2, kw - 1));
                int c3 = column(Math.min(b + 3, kw - 1));
                FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
                for (int i = 0; i < outHeight; i++) {
                    int x0 = (stride * i + a) * xRow, d0 = dzAt + i * outWidth;
                    for (int j = 0; j < outWidth; j += L) {
                        // past the row's outputs both operands masked: a zero gradient times an
                        // infinite input no output reads would make the sum NaN
                        VectorMask<Float> m = S.indexInRange(j, outWidth);
                        FloatVector g = FloatVector.fromArray(S, dz, d0 + j, m);
                        s0 = g.fma(FloatVector.fromArray(S, xs, x0 + c0 + j, m), s0);
                        if (taps > 1) { // invariant in the loop: C2 compiles a copy of it per count
                            s1 = g.fma(FloatVector.fromArray(S, xs, x0 + c1 + j, m), s1);
                        }
                        if (taps > 2) {
                            s2 = g.fma(FloatVector.fromArray(S, xs, x0 + c2 + j, m), s2);
                        }
                        if (taps > 3) {
                            s3 = g.fma(FloatVector.fromArray(S, xs, x0 + c3 + j, m), s3);
                        }
                    }
                }
                int at = dwAt + a * kw + b;
                store(dw, at, Vectors.laneSum(s0), accumulate);
                if (taps > 1) {
                    store(dw, at + 1, Vectors.laneSum(s1), accumulate);
                }
                if (taps > 2) {
                    store(dw, at + 2, Vectors.laneSum(s2), accumulate);
                }
                if (taps > 3) {
                    store(dw, at + 3, Vectors.laneSum(s3), accumulate);
                }
            }
        }
    }

    /** Where tap column {@code b} starts in a staged row: {@code b}, or at stride 2 in its column phase. */
    private int column(int b) {
        return stride == 1 ? b : (b & 1) * half + (b >> 1);
    }

    private static void store(float[] dw, int at, float sum, boolean accumulate) {
        dw[at] = accumulate ? dw[at] + sum : sum;
    }

    /**
     * One channel's data gradient into {@code dx[dxAt]} from {@code dz[dzAt]}, its kernel at
     * {@code w[wAt]}: the gradient staged with {@link #dzTop} rows and {@link #dzLeft} columns of
     * zeros before it, then correlated with the flipped kernel (stride 1), or per phase of the
     * padded input with that phase's taps flipped, the phases merged column by column (stride 2).
     */
    private void dataGradient(float[] w, int wAt, float[] dz, int dzAt, float[] dx, int dxAt) {
        float[] ds = Workspace.floats(Slot.DEPTHWISE_GRADIENT, dzPlane);
        int first = dzTop * dzRow, end = first + outHeight * dzRow;
        Arrays.fill(ds, 0, first, 0f);
        Arrays.fill(ds, end, dzPlane, 0f);
        kernels.padRows(dz, dzAt, outWidth, outHeight, outWidth, dzLeft, ds, first, dzRow);
        if (stride == 1) { // the kernel flipped: taps from the last, backwards
            correlate(ds, 0, dzRow, 1, 0, w, wAt + kh * kw - 1, -kw, -1, kh, kw, dx, dxAt, inWidth, inHeight, inWidth);
            return;
        }
        float[] phases = Workspace.floats(Slot.DEPTHWISE_PHASES, 4L * phaseRows * phaseRow);
        int phasePlane = phaseRows * phaseRow;
        for (int py = 0; py < 2; py++) {
            for (int px = 0; px < 2; px++) {
                int ka = (kh - py + 1) / 2, kb = (kw - px + 1) / 2, phase = (2 * py + px) * phasePlane;
                if (ka == 0 || kb == 0) { // a kernel one tap wide: none falls in this phase
                    Arrays.fill(phases, phase, phase + phasePlane, 0f);
                    continue;
                }
                // the phase's taps (py + 2a, px + 2b) flipped; its staged rows and columns start later
                // where it has fewer taps than the staging's padding allows for
                int last = wAt + (py + 2 * (ka - 1)) * kw + px + 2 * (kb - 1);
                int from = (dzTop + 1 - ka) * dzRow + dzLeft + 1 - kb;
                correlate(ds, from, dzRow, 1, 0, w, last, -2 * kw, -2, ka, kb, phases, phase, phaseRow, phaseRows,
                        phaseRow - L);
            }
        }
        // dx row i is padded row i + padTop: phase row (i + padTop) / 2 of phase (i + padTop) % 2;
        // its column j, padded column j + padLeft, likewise
        for (int parity = 0; parity < 2 && parity < inHeight; parity++) {
            int py = (parity + padTop) & 1, q = (parity + padTop) >> 1, rows = (inHeight - parity + 1) / 2;
            int pxA = padLeft & 1, pxB = pxA ^ 1; // the phases of dx's even and odd columns
            int a = (2 * py + pxA) * phasePlane + q * phaseRow + (padLeft >> 1);
            int b = (2 * py + pxB) * phasePlane + q * phaseRow + ((padLeft + 1) >> 1);
            for (int r = 0; r < rows; r++) {
                interleave(phases, a + r * phaseRow, b + r * phaseRow, (inWidth + 1) / 2, inWidth / 2, dx,
                        dxAt + (parity + 2 * r) * inWidth);
            }
        }
    }

    /**
     * {@code to[o + 2c] = from[a + c]} for {@code c < widthA}, {@code to[o + 2c + 1] = from[b + c]}
     * for {@code c < widthB} ({@code widthA} or one less): a stride-2 data gradient's two column
     * phases merged into a row of {@code dx}, as {@link ConvSupport#interleaveRows} merges whole planes.
     */
    private static void interleave(float[] from, int a, int b, int widthA, int widthB, float[] to, int o) {
        IntVector zipLow = Vectors.pairIndices(PAIR_INDICES, 0), zipHigh = Vectors.pairIndices(PAIR_INDICES, 1);
        int c = 0;
        for (; c + L <= widthB; c += L) {
            FloatVector va = FloatVector.fromArray(S, from, a + c), vb = FloatVector.fromArray(S, from, b + c);
            Vectors.pair(zipLow, ZIP_LOW, va, vb).intoArray(to, o + 2 * c);
            Vectors.pair(zipHigh, ZIP_HIGH, va, vb).intoArray(to, o + 2 * c + L);
        }
        ScalarConv.interleaveRow(from, a, from, b, c, widthA, widthB, to, o);
    }

    private static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    private static VectorShuffle<Float> zip(int from) {
        return VectorShuffle.fromOp(S, i -> (i & 1) * L + from + i / 2);
    }
}
