package dev.isthmus.kernels.conv;

import java.util.Arrays;

/**
 * Direct convolution, its weight gradient, and the fused ReLU, max-pooling and pooling-gradient
 * epilogues in plain Java: the fallback, and the specification of {@code PanamaConv}. One output
 * column per step ({@link DirectLayout#block} 1) and one lane of weight-gradient sums.
 */
public final class ScalarConv implements ConvSupport {

    public static final ScalarConv INSTANCE = new ScalarConv();

    private ScalarConv() {}

    @Override
    public int vectorBitSize() {
        return 0;
    }

    @Override
    public int directBlock() {
        return 1;
    }

    @Override
    public boolean directWideChannels() {
        return false;
    }

    @Override
    public int directLanes() {
        return 1;
    }

    /**
     * {@code out[oc][r][c] = act(bias[oc] + sum over (ic, ky, kx) of wp * xp[ic][oy0 + r + ky][c + kx])}
     * (at a stride, the tap's phase: {@link DirectLayout#tapOffset})
     * for {@code r < rows}, {@code c < outWp}, {@code oc < cout}; act is ReLU ({@code max(v, 0)})
     * or the identity. Each output's sum runs over {@code ic}, then {@code ky}, then {@code kx},
     * in fma. The loop over columns is innermost, so C2 vectorises it even here.
     */
    @Override
    public void directConvolve(DirectLayout g, float[] xp, float[] wp, int wpOffset, float[] bias, int biasOffset,
                               boolean relu, int oy0, int rows, float[] out, int outOffset, int outStride, int outPlane) {
        int taps = g.kh * g.kw, width = g.outWp, k = g.cin * taps;
        int[] offsets = g.tapOffsets(); // (ic, ky, kx) in the staged input: its phases at a stride
        for (int oc = 0; oc < g.cout; oc++) {
            int ob = oc / g.ocBlock, j = oc % g.ocBlock;
            float b = bias == null ? 0f : bias[biasOffset + oc];
            for (int r = 0; r < rows; r++) {
                int o = outOffset + oc * outPlane + r * outStride;
                java.util.Arrays.fill(out, o, o + width, b);
                int wb = wpOffset + ob * k * g.ocBlock + j;
                int row = (oy0 + r) * g.inStride;
                for (int ic = 0; ic < g.cin; ic++) {
                    for (int ky = 0; ky < g.kh; ky++) {
                        for (int kx = 0; kx < g.kw; kx++) {
                            int t = (ic * g.kh + ky) * g.kw + kx;
                            float w = wp[wb + (k - 1 - t) * g.ocBlock]; // packed last tap first
                            int x = row + offsets[t];
                            for (int c = 0; c < width; c++) {
                                out[o + c] = Math.fma(xp[x + c], w, out[o + c]);
                            }
                        }
                    }
                }
                if (relu) {
                    for (int c = 0; c < width; c++) {
                        out[o + c] = Math.max(out[o + c], 0f);
                    }
                }
            }
        }
    }

    /**
     * {@code acc[oc * K + tap] += sum over r < rows, c < outWp of dz[oc][r][c] * xp[tap][oy0 + r][c]},
     * each tap's sum in order, four taps at a time (four independent chains of fma).
     */
    @Override
    public void directWeightGradient(DirectLayout g, float[] xp, float[] dz, int dzOffset, int dzStride, int dzPlane,
                               int oy0, int rows, int width, float[] acc, boolean fresh) {
        int k = g.cin * g.kh * g.kw;
        int[] taps = g.tapOffsets();
        for (int oc = 0; oc < g.cout; oc++) {
            for (int t = 0; t < k; t += 4) {
                int n = Math.min(4, k - t);
                int x0 = taps[t] + oy0 * g.inStride, x1 = taps[t + Math.min(1, n - 1)] + oy0 * g.inStride;
                int x2 = taps[t + Math.min(2, n - 1)] + oy0 * g.inStride, x3 = taps[t + n - 1] + oy0 * g.inStride;
                int a = oc * k + t;
                float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
                if (!fresh) {
                    s0 = acc[a];
                    s1 = acc[a + Math.min(1, n - 1)];
                    s2 = acc[a + Math.min(2, n - 1)];
                    s3 = acc[a + n - 1];
                }
                for (int r = 0; r < rows; r++) {
                    int d = dzOffset + oc * dzPlane + r * dzStride, xr = r * g.inStride;
                    for (int c = 0; c < width; c++) {
                        float v = dz[d + c];
                        s0 = Math.fma(v, xp[x0 + xr + c], s0);
                        s1 = Math.fma(v, xp[x1 + xr + c], s1);
                        s2 = Math.fma(v, xp[x2 + xr + c], s2);
                        s3 = Math.fma(v, xp[x3 + xr + c], s3);
                    }
                }
                // A short last group repeats its last tap; its sums equal the real one's.
                acc[a + n - 1] = s3;
                acc[a + Math.min(2, n - 1)] = s2;
                acc[a + Math.min(1, n - 1)] = s1;
                acc[a] = s0;
            }
        }
    }

    @Override
    public void pointwiseConvolve(float[] x, int xOffset, int xPlane, int kin, int positions, float[] w, int wStride,
                                  int kout, float[] bias, int biasOffset, boolean relu, float[] out, int outOffset,
                                  int outPlane) {
        for (int o = 0; o < kout; o++) {
            for (int p = 0; p < positions; p++) {
                float s = bias == null ? 0f : bias[biasOffset + o];
                for (int k = 0; k < kin; k++) {
                    s = Math.fma(x[xOffset + k * xPlane + p], w[k * wStride + o], s);
                }
                out[outOffset + o * outPlane + p] = relu ? Math.max(s, 0f) : s;
            }
        }
    }

    @Override
    public void pointwiseWeightGradient(float[] dz, int dzOffset, int dzPlane, int kout, float[] x, int xOffset,
                                        int xPlane, int kin, int positions, float[] acc, boolean fresh) {
        for (int o = 0; o < kout; o++) {
            for (int k = 0; k < kin; k++) {
                float s = fresh ? 0f : acc[o * kin + k];
                for (int p = 0; p < positions; p++) {
                    s = Math.fma(dz[dzOffset + o * dzPlane + p], x[xOffset + k * xPlane + p], s);
                }
                acc[o * kin + k] = s;
            }
        }
    }

    /** The first cell of a 2x2 window equal to its maximum {@code m}, in row-major order; 3 for NaN. */
    static int winner(float topLeft, float topRight, float bottomLeft, float m) {
        return topLeft == m ? 0 : topRight == m ? 1 : bottomLeft == m ? 2 : 3;
    }

    /** {@link #winner}, or {@link ConvSupport#DEAD_WINDOW} where the cells are rectified and {@code m} not positive. */
    static int code(float topLeft, float topRight, float bottomLeft, float m, boolean rectified) {
        return rectified && !(m > 0f) ? DEAD_WINDOW : winner(topLeft, topRight, bottomLeft, m);
    }

    /** One 2x2 window, its top-left cell at {@code top} and bottom-left at {@code bottom}: the maximum and its code. */
    static void poolWindow(float[] a, int top, int bottom, float[] y, int yAt, byte[] winners, int winnerAt,
                           boolean rectified) {
        float tl = a[top], tr = a[top + 1], bl = a[bottom], br = a[bottom + 1];
        float m = Math.max(Math.max(tl, tr), Math.max(bl, br));
        y[yAt] = m;
        if (winners != null) {
            winners[winnerAt] = (byte) code(tl, tr, bl, m, rectified);
        }
    }

    /** One window's gradient {@code g} at its winner {@code code}, zero at the other three cells (all four if dead). */
    static void unpoolWindow(float g, int code, float[] dz, int top, int bottom) {
        dz[top] = code == 0 ? g : 0f;
        dz[top + 1] = code == 1 ? g : 0f;
        dz[bottom] = code == 2 ? g : 0f;
        dz[bottom + 1] = code == 3 ? g : 0f;
    }

    @Override
    public void maxPool2x2(float[] a, int aOffset, int aStride, int aPlane, int channels, int pooledRows, int pooledWidth,
                           float[] y, int yOffset, int yPlane, byte[] winners, int winnersOffset, boolean rectified) {
        for (int ch = 0; ch < channels; ch++) {
            for (int py = 0; py < pooledRows; py++) {
                int top = aOffset + ch * aPlane + 2 * py * aStride, bottom = top + aStride;
                int o = ch * yPlane + py * pooledWidth;
                for (int px = 0; px < pooledWidth; px++) {
                    poolWindow(a, top + 2 * px, bottom + 2 * px, y, yOffset + o + px, winners, winnersOffset + o + px,
                            rectified);
                }
            }
        }
    }

    @Override
    public void maxPool2x2Backward(float[] dy, int dyOffset, int plane, byte[] winners, int winnersOffset, int channels,
                                   int pooledRows, int pooledWidth, float[] dz, int dzOffset, int dzStride, int dzPlane,
                                   double[] sums) {
        for (int ch = 0; ch < channels; ch++) {
            float sum = 0f;
            for (int py = 0; py < pooledRows; py++) {
                int o = ch * plane + py * pooledWidth;
                int top = dzOffset + ch * dzPlane + 2 * py * dzStride, bottom = top + dzStride;
                for (int px = 0; px < pooledWidth; px++) {
                    int code = winners[winnersOffset + o + px];
                    float g = code == DEAD_WINDOW ? 0f : dy[dyOffset + o + px];
                    sum += g;
                    unpoolWindow(g, code, dz, top + 2 * px, bottom + 2 * px);
                }
            }
            if (sums != null) {
                sums[ch] += sum;
            }
        }
    }

    @Override
    public void biasActivation(float[] a, int offset, int plane, int channels, int n, float[] bias, int biasOffset,
                               boolean relu) {
        for (int ch = 0; ch < channels; ch++) {
            float b = bias == null ? 0f : bias[biasOffset + ch];
            int at = offset + ch * plane;
            for (int i = 0; i < n; i++) {
                float v = a[at + i] + b;
                a[at + i] = relu ? Math.max(v, 0f) : v;
            }
        }
    }

    @Override
    public void addResidual(float[] y, int yOffset, float[] r, int rOffset, int n, boolean relu) {
        for (int i = 0; i < n; i++) {
            float v = y[yOffset + i] + r[rOffset + i];
            y[yOffset + i] = relu && v < 0f ? 0f : v;
        }
    }

    @Override
    public void activationGradient(float[] dy, int dyOffset, float[] y, int yOffset, int channels, int rows, int cols,
                                   boolean relu, float[] dz, int dzOffset, int dzStride, int dzPlane, double[] sums) {
        for (int ch = 0; ch < channels; ch++) {
            double total = 0;
            for (int r = 0; r < rows; r++) {
                int src = (ch * rows + r) * cols, dst = dzOffset + ch * dzPlane + r * dzStride;
                float row = 0f;
                for (int c = 0; c < cols; c++) {
                    float g = dy[dyOffset + src + c];
                    float v = !relu || y[yOffset + src + c] > 0f ? g : 0f;
                    dz[dst + c] = v;
                    row += v;
                }
                total += row;
            }
            if (sums != null) {
                sums[ch] += total;
            }
        }
    }

    @Override
    public void channelSums(float[] a, int offset, int stride, int plane, int channels, int rows, int cols, double[] sums) {
        for (int ch = 0; ch < channels; ch++) {
            double total = 0;
            for (int r = 0; r < rows; r++) {
                int at = offset + ch * plane + r * stride;
                float row = 0f;
                for (int c = 0; c < cols; c++) {
                    row += a[at + c];
                }
                total += row;
            }
            sums[ch] += total;
        }
    }

    @Override
    public void copyRuns(float[] from, int fromAt, int fromStride, int runs, int width, float[] to, int toAt,
                         int toLimit) {
        copyRuns(from, fromAt, fromStride, runs, width, to, toAt);
    }

    /** Float by float: the Panama kernel's way with runs narrower than a vector near the end. */
    static void copyRuns(float[] from, int fromAt, int fromStride, int runs, int width, float[] to, int toAt) {
        for (int r = 0; r < runs; r++, fromAt += fromStride, toAt += width) {
            for (int i = 0; i < width; i++) {
                to[toAt + i] = from[fromAt + i];
            }
        }
    }

    @Override
    public void copyStridedRuns(float[] from, int fromAt, int fromStride, int runs, int width, int step, float[] to,
                                int toAt, int toLimit) {
        copyStridedRuns(from, fromAt, fromStride, runs, width, step, to, toAt);
    }

    @Override
    public void interleaveRows(float[] a, int aPlane, int aStride, float[] b, int bPlane, int bStride, int channels,
                               int rows, int widthA, int widthB, float[] to, int toAt, int toStride, int toPlane) {
        for (int ch = 0; ch < channels; ch++) {
            for (int r = 0; r < rows; r++) {
                int o = toAt + ch * toPlane + r * toStride;
                interleaveRow(a, ch * aPlane + r * aStride, b, ch * bPlane + r * bStride, 0, widthA, widthB, to, o);
            }
        }
    }

    /** One row of {@link #interleaveRows}, from column {@code c}. */
    static void interleaveRow(float[] a, int aAt, float[] b, int bAt, int c, int widthA, int widthB, float[] to,
                              int o) {
        for (; c < widthB; c++) {
            to[o + 2 * c] = a[aAt + c];
            to[o + 2 * c + 1] = b[bAt + c];
        }
        if (widthA > widthB) {
            to[o + 2 * widthB] = a[aAt + widthB];
        }
    }

    @Override
    public void copyStridedRows(float[] from, int fromAt, int fromStride, int runs, int width, int step, float[] to,
                                int toAt, int toStride) {
        for (int i = 0; i < runs; i++) {
            copyStrided(from, fromAt + i * fromStride, 0, width, step, to, toAt + i * toStride);
        }
    }

    @Override
    public void padRows(float[] from, int fromAt, int fromStride, int runs, int width, int left, float[] to, int toAt,
                        int toStride) {
        for (int i = 0; i < runs; i++, fromAt += fromStride, toAt += toStride) {
            Arrays.fill(to, toAt, toAt + left, 0f);
            System.arraycopy(from, fromAt, to, toAt + left, width);
            Arrays.fill(to, toAt + left + width, toAt + toStride, 0f);
        }
    }

    @Override
    public void splitPaddedRows(float[] from, int fromAt, int fromStride, int runs, int width, int padLeft, float[] to,
                                int even, int odd, int toStride, int toWidth) {
        for (int i = 0; i < runs; i++) {
            int row = fromAt + i * fromStride;
            for (int c = 0; c < toWidth; c++) {
                int e = 2 * c - padLeft, o = e + 1;
                to[even + i * toStride + c] = e >= 0 && e < width ? from[row + e] : 0f;
                to[odd + i * toStride + c] = o >= 0 && o < width ? from[row + o] : 0f;
            }
        }
    }

    @Override
    public void clearRuns(float[] to, int toAt, int toStride, int runs, int width) {
        for (int i = 0; i < runs; i++) {
            for (int j = 0; j < width; j++) {
                to[toAt + i * toStride + j] = 0f;
            }
        }
    }

    /** {@code to[toAt + j] = from[fromAt + j * step]} for {@code j} in {@code [j0, width)}. */
    static void copyStrided(float[] from, int fromAt, int j0, int width, int step, float[] to, int toAt) {
        for (int j = j0; j < width; j++) {
            to[toAt + j] = from[fromAt + j * step];
        }
    }

    /** Float by float (the Panama kernel's way with steps other than 2): {@link #copyStridedRows}, runs end to end. */
    static void copyStridedRuns(float[] from, int fromAt, int fromStride, int runs, int width, int step, float[] to,
                                int toAt) {
        for (int r = 0; r < runs; r++) {
            copyStrided(from, fromAt + r * fromStride, 0, width, step, to, toAt + r * width);
        }
    }

    @Override
    public void addStridedRuns(float[] from, int fromAt, int runs, int width, float[] to, int toAt, int toStride,
                               int step) {
        addRuns(from, fromAt, runs, width, to, toAt, toStride, step);
    }

    /** Float by float: the Panama kernel's way with steps above 2. */
    static void addRuns(float[] from, int fromAt, int runs, int width, float[] to, int toAt, int toStride, int step) {
        for (int r = 0; r < runs; r++, fromAt += width, toAt += toStride) {
            for (int i = 0; i < width; i++) {
                to[toAt + i * step] += from[fromAt + i];
            }
        }
    }
}
