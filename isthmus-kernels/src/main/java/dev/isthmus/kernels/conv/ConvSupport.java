package dev.isthmus.kernels.conv;

/**
 * The convolution kernels, implemented twice: {@link ScalarConv} (plain Java, also the
 * specification) and {@code PanamaConv} (Vector API). The direct convolution's inner kernels
 * (over a {@link DirectLayout}), the epilogues fused around a convolution (bias and ReLU, 2x2
 * max-pooling with one winner byte per window, and their gradients), and im2col's inner copy.
 * Arguments arrive already checked; implementations never validate and never allocate.
 */
public interface ConvSupport {

    /** Floats from a run's start that {@link #copyRuns} may read, however narrow the run: {@code from} needs them. */
    int COPY_SLACK = 16;

    /** Vector width in bits the kernels run at; 0 for scalar. */
    int vectorBitSize();

    /** Output columns one step of {@link #directConvolve} computes: {@link DirectLayout#block}. */
    int directBlock();

    /** Whether {@link #directConvolve} takes eight output channels at a time where they divide (32 registers). */
    boolean directWideChannels();

    /** Lanes of partial sums per weight in {@link #directWeightGradient}'s accumulator. */
    int directLanes();

    /**
     * {@code out[oc][r][c] = act(bias[oc] + sum over taps of wp * xp)} for output rows
     * {@code [oy0, oy0 + rows)} of the staged input {@code xp}, every column block of the layout,
     * the packed weights from {@code wp[wpOffset]};
     * act is ReLU or the identity. See {@link ScalarConv#directConvolve} for the exact order.
     */
    void directConvolve(DirectLayout g, float[] xp, float[] wp, int wpOffset, float[] bias, int biasOffset, boolean relu,
                        int oy0, int rows, float[] out, int outOffset, int outStride, int outPlane);

    /**
     * Whether {@link #directConvolvePooled} takes the layout {@code g}, rectified when
     * {@code relu}: false unless an implementation pools in its register tiles.
     */
    default boolean poolsInTiles(DirectLayout g, boolean relu) {
        return false;
    }

    /**
     * {@link #directConvolve} with ReLU of output rows {@code [oy0, oy0 + rows)} ({@code oy0} and
     * {@code rows} even), each pair of rows max-pooled 2x2 as {@link #maxPool2x2} pools rectified
     * values, pooled row {@code (oy0 + r) / 2} of channel {@code oc} to
     * {@code out[outOffset + oc * outPlane + r / 2 * outStride]}, and each window's winner, where
     * {@code winners} is not null, to the same index of {@code winners} from {@code winnersOffset}
     * (laid as {@code out}): the same floats and codes as the two calls, with no strip between
     * them. The staged input starts at {@code xp[xpAt]} (the layer before may have written it
     * there). Only where {@link #poolsInTiles} says so.
     */
    default void directConvolvePooled(DirectLayout g, float[] xp, int xpAt, float[] wp, int wpOffset, float[] bias,
                                      int biasOffset, int oy0, int rows, float[] out, int outOffset, int outStride,
                                      int outPlane, byte[] winners, int winnersOffset) {
        throw new UnsupportedOperationException("no pooled tiles in " + getClass().getSimpleName());
    }

    /**
     * Adds, per lane, {@code dz x xp} to the weight-gradient sums {@code acc}: {@code rows} rows
     * from output row {@code oy0}, {@code width} columns each (a multiple of the lanes). A caller
     * may pass several rows as one, their width spanning the padding between them, where the
     * staged gradient is zero (see {@link DirectConvolution}). When {@code fresh}, the sums start
     * from zero and what {@code acc} held is ignored (a group's first call: no clearing pass).
     */
    void directWeightGradient(DirectLayout g, float[] xp, float[] dz, int dzOffset, int dzStride, int dzPlane,
                              int oy0, int rows, int width, float[] acc, boolean fresh);

    /**
     * A pointwise (1x1) convolution over maps laid flat:
     * {@code out[o][p] = act(bias[o] + sum over k of w[k * wStride + o] * x[k][p])} for
     * {@code o < kout}, {@code p < positions}, input plane {@code k} at {@code x[xOffset + k * xPlane]}
     * and output plane {@code o} at {@code out[outOffset + o * outPlane]}; act is ReLU
     * ({@code Math.max(v, 0f)}) or the identity; {@code bias} may be null. Each sum runs from the
     * bias over {@code k} in order, one fused multiply-add a term. {@code w}'s rows hold
     * {@code kout} rounded up to 4 floats (the padding read, its products not stored).
     */
    void pointwiseConvolve(float[] x, int xOffset, int xPlane, int kin, int positions, float[] w, int wStride,
                           int kout, float[] bias, int biasOffset, boolean relu, float[] out, int outOffset,
                           int outPlane);

    /**
     * Adds, per lane, {@code dz[o][p] * x[k][p]} over {@code p < positions} to
     * {@code acc[(o * kin + k) * directLanes() + lane]}, position {@code p} to lane
     * {@code p % directLanes()}, in order of {@code p}, one fused multiply-add a term: a pointwise
     * convolution's weight gradient. When {@code fresh}, the sums start from zero and what
     * {@code acc} held is ignored.
     */
    void pointwiseWeightGradient(float[] dz, int dzOffset, int dzPlane, int kout, float[] x, int xOffset, int xPlane,
                                 int kin, int positions, float[] acc, boolean fresh);

    /**
     * 2x2 max-pooling of {@code channels} planes, two input rows per output row; each window's
     * winner (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right: the first cell equal to the
     * maximum) into {@code winners} when it is not null. The maximum is {@code Math.max}'s (NaN
     * when a cell is NaN, +0 above -0). {@code rectified} says every cell is a ReLU's output
     * ({@code Math.max(v, 0f)}: +0, above it, or NaN), which lets a kernel order the cells by
     * their bits; the maxima are the same. Rectified, a window whose maximum is not positive (+0
     * or NaN) is coded {@link #DEAD_WINDOW}: the ReLU passes it no gradient, so the backward pass
     * needs only the codes, not the pooled maxima.
     */
    void maxPool2x2(float[] a, int aOffset, int aStride, int aPlane, int channels, int pooledRows, int pooledWidth,
                    float[] y, int yOffset, int yPlane, byte[] winners, int winnersOffset, boolean rectified);

    /**
     * A rectified window's code ({@link #maxPool2x2}) where its maximum is not positive: no cell
     * passes a gradient. Reading it, the unpooling leaves the pooled maxima alone (ChestXRayNet's
     * conv1 read 512 KB of them an image, from memory, only for the ReLU's mask).
     */
    int DEAD_WINDOW = 4;

    /**
     * The 2x2 pooling's input gradient: each window's {@code dy} at its winner, zero at the other
     * three cells, and at all four where the window is coded {@link #DEAD_WINDOW} (a ReLU came
     * before); when {@code sums} is not null, also {@code sums[c] +=} the sum of channel
     * {@code c}'s window gradients, which is the bias gradient of the convolution before the
     * pooling. {@code plane}: the pooled planes' size, of {@code dy} and the winners alike.
     */
    void maxPool2x2Backward(float[] dy, int dyOffset, int plane, byte[] winners, int winnersOffset, int channels,
                            int pooledRows, int pooledWidth, float[] dz, int dzOffset, int dzStride, int dzPlane,
                            double[] sums);

    /** {@code a = relu ? max(a + bias[c], 0) : a + bias[c]} in place over {@code channels} planes of {@code n}. */
    void biasActivation(float[] a, int offset, int plane, int channels, int n, float[] bias, int biasOffset, boolean relu);

    /**
     * {@code y = y + r} over {@code n} floats, then when {@code relu} ReLU as the layer computes it
     * ({@code v < 0 ? 0 : v}: -0 and NaN pass): a residual block's end, added to a convolution's
     * output while it is in cache.
     */
    void addResidual(float[] y, int yOffset, float[] r, int rOffset, int n, boolean relu);

    /**
     * {@code dz = relu ? (y > 0 ? dy : 0) : dy}, from dense {@code dy} and {@code y} into rows of
     * {@code dz}; when {@code sums} is not null, also what {@link #channelSums} would then add for
     * those rows of {@code dz}, to the same bits, without reading it again.
     */
    void activationGradient(float[] dy, int dyOffset, float[] y, int yOffset, int channels, int rows, int cols,
                            boolean relu, float[] dz, int dzOffset, int dzStride, int dzPlane, double[] sums);

    /**
     * {@code sums[c] +=} the sum of {@code rows x cols} of plane {@code c}: a few rows at a time in
     * float (in the implementation's order), those sums added in double.
     */
    void channelSums(float[] a, int offset, int stride, int plane, int channels, int rows, int cols, double[] sums);

    /**
     * {@code runs} runs of {@code width} floats, run {@code i} from {@code from[fromAt + i * fromStride]},
     * laid end to end from {@code to[toAt]}: im2col's inner step on narrow maps. May read up to
     * {@link #COPY_SLACK} floats from a run's start, and may overwrite {@code to} after the runs up
     * to {@code toLimit} (exclusive; at least {@code toAt + runs * width}) with garbage: im2col
     * fills the column matrix in order, so what spills past one row is written again by the next.
     */
    void copyRuns(float[] from, int fromAt, int fromStride, int runs, int width, float[] to, int toAt, int toLimit);

    /**
     * Whether im2col takes each tap's row of {@code count} floats, its runs {@code width} wide and
     * all within {@code span} floats of the window's start, by {@link #selectRows}: false unless
     * an implementation picks such a row from two vectors faster than it copies its runs.
     */
    default boolean selectsRows(int width, int count, int span) {
        return false;
    }

    /**
     * im2col's rows where {@link #selectsRows} says so, each {@code count} floats long (the count
     * it accepted): row {@code (c, ky, kx)} (in that order, from {@code to[0]}) holds
     * {@code from[at + offsets[i]]} for {@code i < count}, where
     * {@code at = c * plane + ky * tapRowStep + kx * tapColStep}.
     */
    default void selectRows(float[] from, int[] offsets, int channels, int plane, int kernelH, int kernelW,
                            int tapRowStep, int tapColStep, float[] to) {
        throw new UnsupportedOperationException("no row selection in " + getClass().getSimpleName());
    }

    /**
     * Two half-width images merged column by column: {@code to[ch][r][2c] = a[ch][r][c]} for
     * {@code c < widthA} and {@code to[ch][r][2c + 1] = b[ch][r][c]} for {@code c < widthB}, where
     * {@code widthB} is {@code widthA} or one less; rows of {@code to} {@code toStride} apart from
     * {@code toAt}, planes {@code toPlane} apart. A stride-2 data gradient's two column phases.
     */
    void interleaveRows(float[] a, int aPlane, int aStride, float[] b, int bPlane, int bStride, int channels, int rows,
                        int widthA, int widthB, float[] to, int toAt, int toStride, int toPlane);

    /**
     * {@code to[toAt + i * toStride + j] = from[fromAt + i * fromStride + j * step]} for {@code i < runs},
     * {@code j < width}: an image's rows, every {@code step}-th cell, into rows of a staged
     * buffer (with {@code step} 1, a map's rows staged or unstaged). Writes nothing else and reads
     * nothing outside {@code from}; {@code from} and {@code to} do not overlap.
     */
    void copyStridedRows(float[] from, int fromAt, int fromStride, int runs, int width, int step, float[] to, int toAt,
                         int toStride);

    /**
     * Whole rows of a staged buffer: for {@code i < runs} and {@code j < toStride},
     * {@code to[toAt + i * toStride + j]} is {@code from[fromAt + i * fromStride + j - left]} where
     * {@code left <= j < left + width}, else 0 ({@code left + width <= toStride}). An image's rows
     * staged with their borders in one pass. Writes nothing else and reads nothing outside
     * {@code from}; {@code from} and {@code to} do not overlap.
     */
    void padRows(float[] from, int fromAt, int fromStride, int runs, int width, int left, float[] to, int toAt,
                 int toStride);

    /**
     * Splits each of {@code runs} rows of {@code width} floats (from {@code from[fromAt]},
     * {@code fromStride} apart), padded with {@code padLeft} zeros on the left and zeros past its
     * end, into its even and odd columns: {@code to[even + i * toStride + c] = padded[2c]} and
     * {@code to[odd + i * toStride + c] = padded[2c + 1]} for {@code c < toWidth}. Every one of
     * those floats is written, zeros included; nothing else is, and nothing outside a row is read.
     * The runs' phase rows must not overlap ({@code toStride >= toWidth}, the phases apart): the
     * floats are written in no particular order.
     * The two phases of a row at stride 2 ({@link DirectLayout#stagePhases}).
     */
    void splitPaddedRows(float[] from, int fromAt, int fromStride, int runs, int width, int padLeft, float[] to,
                         int even, int odd, int toStride, int toWidth);

    /**
     * {@code to[toAt + i * toStride + j] = 0} for {@code i < runs}, {@code j < width}: the gaps
     * around a staged map's rows. Writes nothing else.
     */
    void clearRuns(float[] to, int toAt, int toStride, int runs, int width);

    /** Floats from a run's start that {@link #copyStridedRuns} may read, however narrow the run. */
    int STRIDED_SLACK = 64;

    /**
     * {@link #copyRuns} taking every {@code step}-th float: run {@code i}'s element {@code j} is
     * {@code from[fromAt + i * fromStride + j * step]}, im2col's inner step at a stride above 1.
     * May read up to {@code max(2 * step * width, STRIDED_SLACK)} floats from a run's start, and
     * may overwrite {@code to} up to {@code toLimit} as {@link #copyRuns} does.
     */
    void copyStridedRuns(float[] from, int fromAt, int fromStride, int runs, int width, int step, float[] to, int toAt,
                         int toLimit);

    /**
     * The adjoint of {@link #copyStridedRuns}, col2im's inner step: {@code to[toAt + i * toStride + j * step]
     * += from[fromAt + i * width + j]} for {@code runs} runs of {@code width}. Runs must not overlap
     * in {@code to}. May read and write back up to {@code 2 * step * width + STRIDED_SLACK} floats
     * of {@code to} from a run's start, adding 0 to those outside the run: unchanged, except that
     * a -0 there becomes +0 (col2im's sums start from +0 and never hold -0).
     */
    void addStridedRuns(float[] from, int fromAt, int runs, int width, float[] to, int toAt, int toStride, int step);
}
