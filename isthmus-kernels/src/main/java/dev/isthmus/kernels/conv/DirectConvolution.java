package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.MapLayout;
import dev.isthmus.kernels.Window2d;
import dev.isthmus.kernels.gemm.GemmSupport;
import dev.isthmus.kernels.runtime.WorkerPool;
import dev.isthmus.kernels.runtime.Workspace;
import dev.isthmus.kernels.runtime.Workspace.Slot;

/**
 * Direct convolution ("implicit GEMM", see {@link DirectLayout}): every receptive
 * field is read straight from a zero-padded copy of the image, a few output rows at a time, so
 * nothing the size of an im2col matrix is written. The epilogue pools those rows while they are in
 * cache. The data gradient is the same kernel run on the padded output gradient with flipped
 * weights (for a wide 3x3 "same" convolution, a Winograd pass of the transposed shape:
 * {@link ConvAlgorithms#winogradDataGradient}); the weight gradient keeps per-lane partial sums
 * over the same shifted reads, reduced once per gradient group.
 *
 * <p>At a stride above 1 the forward pass runs on the image's phases ({@link DirectLayout#strided}),
 * and so do the gradients where their geometry suits ({@link DirectLayout#phaseGradients}): the
 * weight gradient is the same per-lane (or SGEMM) sum over the phases' shifted reads, and the
 * data gradient is one stride-1 convolution of the output gradient per phase, with that phase's
 * taps, scattered back {@code s} columns apart. Elsewhere {@link ForwardAndGradients} pairs
 * the strided forward with im2col's gradients.
 */
public final class DirectConvolution implements ConvAlgorithm {

    /** Floats of output (all channels) a strip of rows aims at: 16 KiB, in L1. */
    private static final int STRIP_FLOATS = 4096;

    /**
     * Floats of the gradient at the output (a block of {@link DirectLayout#OC_BLOCK} channels) the
     * per-lane weight gradient takes a strip at a time. Each strip passes every weight's lane sums
     * through the kernel once, and each block of taps passes the strip's rows, so the strip
     * trades the one against the other. On a Zen 4, 16,384 rather than 4,096 ran vgg's 32 -> 32
     * backward on 64x64 7% faster (since gone to Winograd) and ChestXRayNet's training step 4%;
     * on an Intel Xeon (model 207) 4,096 is faster everywhere it was measured, its strips of
     * rows staying in L1 (benchmarks/README.md, "Direct tiles three vectors wide"): backward of
     * ChestXRayNet's 8 -> 8 on 128x128 x0.83-0.86, 8 -> 12 on 64x64 x0.87, vgg's stem x0.93,
     * resnet's stem x0.93 (AVX2: x0.81-0.87).
     */
    private static final int WEIGHT_GRADIENT_STRIP_FLOATS = 4096;
    /**
     * Floats of every channel's rows of a strip of the unpooled gradient
     * ({@link #pooledWeightGradientInStrips}), even rows, two at least: in L1 with room for the
     * input rows. ChestXRayNet's conv1 at batch 2 (Intel Xeon, alternated JVMs): 2 rows 0.322 ms,
     * 6 rows 0.359, 14 rows 0.393.
     */
    private static final int POOLED_STRIP_FLOATS = 8192;

    private final ConvShape shape;
    /** The forward layout, and the data gradient's (at a stride: phase 0's, whose staging every phase shares). */
    private final DirectLayout forward, back;
    /**
     * Where {@link #forward} is flat but its rows would fit a row layout, that layout (a lone
     * image's bands); strided, its {@link #pairedForward}.
     */
    private final DirectLayout bandLayout;
    /** The strided flat layout's forward in paired rows ({@link DirectLayout#stridedPairs}), or null. */
    private final DirectLayout pairedForward;
    /** At a stride above 1, the data gradient's layout per phase {@code py * s + px}; null at stride 1. */
    private final DirectLayout[] phases;
    /** Where each phase's packed weights start (one array holds them all). */
    private final int[] phaseWeightsAt;
    private final ConvSupport kernels;
    /** The weight gradient as one SGEMM per image (see {@link #gemmWeightGradient}), or null: per-lane sums. */
    private final GemmSupport gemm;
    /** The data gradient as a Winograd pass of the transposed shape, or null: the direct kernel. */
    private final WinogradDataGradient winogradDataGradient;
    /** The weight gradient by Winograd ({@link WinogradConvolution#weightGradient}, {@link Winograd4x4Convolution#weightGradient}), or null. */
    private final WinogradWeightGradient winogradWeightGradient;

    /**
     * At stride 1; the data gradient by {@code winogradDataGradient} and the weight gradient by
     * {@code winogradWeightGradient} where they are not null.
     */
    DirectConvolution(ConvShape shape, DirectLayout forward, DirectLayout back, ConvSupport kernels, GemmSupport gemm,
                      WinogradDataGradient winogradDataGradient, WinogradWeightGradient winogradWeightGradient) {
        this(shape, forward, back, null, kernels, gemm, winogradDataGradient, winogradWeightGradient);
    }

    private DirectConvolution(ConvShape shape, DirectLayout forward, DirectLayout back, DirectLayout[] phases,
                              ConvSupport kernels, GemmSupport gemm, WinogradDataGradient winogradDataGradient,
                              WinogradWeightGradient winogradWeightGradient) {
        this.shape = shape;
        this.forward = forward;
        this.back = back;
        this.pairedForward = DirectLayout.stridedPairs(forward);
        this.bandLayout = forward.flat && forward.stride == 1 ? DirectLayout.rows(forward) : pairedForward;
        this.phases = phases;
        this.phaseWeightsAt = phases == null ? null : new int[phases.length + 1];
        for (int p = 0; phases != null && p < phases.length; p++) {
            phaseWeightsAt[p + 1] = phaseWeightsAt[p] + phases[p].packedWeightsSize();
        }
        this.kernels = kernels;
        this.gemm = gemm != null && back.inStride == forward.inStride ? gemm : null;
        if (winogradDataGradient != null && (phases != null
                || !winogradDataGradient.shape().equals(WinogradConvolution.transposed(shape)))) {
            throw new IllegalArgumentException("a Winograd data gradient needs stride 1 and the transposed shape of "
                    + shape + ": got " + winogradDataGradient.shape());
        }
        this.winogradDataGradient = winogradDataGradient;
        if (winogradWeightGradient != null && (phases != null || !winogradWeightGradient.shape().equals(shape))) {
            throw new IllegalArgumentException("a Winograd weight gradient needs stride 1 and the shape " + shape
                    + ": got " + winogradWeightGradient.shape());
        }
        this.winogradWeightGradient = winogradWeightGradient;
    }

    /** The forward pass alone (a strided layout: see {@link ForwardAndGradients}); the backward methods refuse. */
    static DirectConvolution forwardOnly(ConvShape shape, DirectLayout forward, ConvSupport kernels) {
        return new DirectConvolution(shape, forward, null, null, kernels, null, null, null);
    }

    /** A strided layout with its gradients on the phases ({@link DirectLayout#phaseGradients}, not null). */
    static DirectConvolution strided(ConvShape shape, DirectLayout forward, DirectLayout[] phases, ConvSupport kernels,
                                     GemmSupport gemm) {
        return new DirectConvolution(shape, forward, phases[0], phases, kernels, gemm, null, null);
    }

    @Override
    public String name() {
        String layout = forward.stride > 1 ? (pairedForward != null ? "direct (strided, paired rows)"
                : forward.flat ? "direct (strided, flat)" : "direct (strided)")
                : forward.flat ? "direct (flat)" : forward.paired ? "direct (paired rows)" : "direct";
        if (back == null) {
            return layout;
        }
        String weights = winogradWeightGradient != null ? ", " + winogradWeightGradient.weightGradientName()
                : gemm == null ? "" : ", SGEMM weight gradient";
        return layout + (forward.stride > 1 ? ", phase gradients" : "") + weights
                + (winogradDataGradient == null ? ""
                : ", W" + winogradDataGradient.name().substring(1) + " data gradient"); // its name, capitalised
    }

    @Override
    public ConvShape shape() {
        return shape;
    }

    @Override
    public int preparedForwardSize() {
        return forward.packedWeightsSize();
    }

    @Override
    public void prepareForward(float[] w, int wOffset, float[] into) {
        forward.pack(w, wOffset, false, into);
    }

    @Override
    public void forwardImage(ConvTensors t, int n) {
        int yb = outputAt(t, n), wb = t.winnersOffset + n * shape.pooledSize();
        if (t.inputLayout != null) { // staged by the pass before this one, as stagedInput says
            forwardRows(forward, t, t.x, t.xOffset + n * t.inputLayout.imageSize(), 0, rowsToCompute(t.pool), yb, wb);
            return;
        }
        float[] xp = stagedInput(t.x, t.xOffset + n * shape.inputSize());
        if (pairedForward != null) {
            forwardRows(pairedForward, t, xp, 0, 0, rowsToCompute(t.pool), yb, wb);
        } else if (forward.flat) {
            forwardFlat(t, xp, yb, wb);
        } else {
            forwardRows(forward, t, xp, 0, 0, rowsToCompute(t.pool), yb, wb);
        }
    }

    /**
     * Where image {@code n}'s output starts: its first cell, in a padded output layout after its
     * borders are cleared (the tiles write the cells alone).
     */
    private int outputAt(ConvTensors t, int n) {
        MapLayout out = t.outputLayout;
        if (out == null) {
            return t.yOffset + n * shape.outputSize(t.pool);
        }
        int at = t.yOffset + n * out.imageSize();
        PaddedImage.clearBorders(kernels, t.y, at, out);
        return at + out.offset();
    }

    /**
     * A single image on all threads: staged once, then bands of output rows (even, when pooling)
     * per thread. A flat layout is one computed row, so a map laid flat only to save the rounding
     * of its rows ({@link DirectLayout#rows}) takes its bands from the row layout, and a strided
     * one computed in paired rows from those ({@link #pairedForward}, bands of two rows); a
     * narrow one runs on one thread.
     */
    @Override
    public void forwardOneImage(ConvTensors t) {
        DirectLayout g = forward.flat ? bandLayout : forward;
        if (g == null || WorkerPool.sequential(2)) {
            forwardImage(t, 0);
            return;
        }
        boolean staged = t.inputLayout != null; // then g is the forward layout (stagedInput)
        float[] xp = staged ? t.x : stagedInput(g, t.x, t.xOffset);
        int xpAt = staged ? t.xOffset : 0, yb = outputAt(t, 0);
        int rows = rowsToCompute(t.pool), unit = t.pool || g.paired ? 2 : 1, units = rows / unit;
        int bands = Math.min(units, 4 * WorkerPool.threads());
        WorkerPool.forEach(bands, b -> {
            int from = (int) ((long) units * b / bands) * unit, to = (int) ((long) units * (b + 1) / bands) * unit;
            forwardRows(g, t, xp, xpAt, from, to, yb, t.winnersOffset);
        });
    }

    /**
     * The forward layout's staging as a {@link MapLayout}, where a pass without winners reads it
     * as it lies: where it pools in the register tiles ({@link ConvSupport#poolsInTiles}), the one
     * path that takes an offset into the staged input and writes any row and plane stride.
     */
    @Override
    public MapLayout stagedInput(boolean relu, boolean pool) {
        return poolsInTiles(relu, pool) ? forward.stagedLayout() : null;
    }

    @Override
    public boolean writesLayout(MapLayout layout, boolean relu, boolean pool) {
        return layout.isDense() || poolsInTiles(relu, pool);
    }

    private boolean poolsInTiles(boolean relu, boolean pool) {
        return pool && pairedForward == null && !forward.flat && kernels.poolsInTiles(forward, relu);
    }

    private void requireBackward() {
        if (back == null) {
            throw new IllegalStateException(name() + " has no backward pass of its own: pair it (ForwardAndGradients)");
        }
    }

    /** The image at {@code x[xOffset]} staged for the forward layout, in this thread's buffer. */
    private float[] stagedInput(float[] x, int xOffset) {
        return stagedInput(forward, x, xOffset);
    }

    private float[] stagedInput(DirectLayout g, float[] x, int xOffset) {
        float[] xp = Workspace.floats(Slot.STAGED_INPUT, g.stagedSize());
        if (g.stride > 1) {
            g.stagePhases(x, xOffset, xp, kernels);
        } else {
            g.stage(x, xOffset, xp, kernels);
        }
        return xp;
    }

    /** Output rows the forward pass computes: all of them, or the even count that pooling reads. */
    private int rowsToCompute(boolean pool) {
        return pool ? 2 * shape.pooledHeight() : shape.window().outHeight();
    }

    /**
     * Output rows {@code [r0, r1)} of one image staged for the row layout {@code g} at
     * {@code xp[xpAt]}, a strip at a time; {@code xpAt} is 0 but where the pass pools in the tiles.
     */
    private void forwardRows(DirectLayout g, ConvTensors t, float[] xp, int xpAt, int r0, int r1, int yb,
                             int winnersB) {
        Window2d w = shape.window();
        int outW = w.outWidth(), outSize = w.outSize(), cout = shape.outChannels();
        if (!t.pool && g.outWp == outW) { // rows land in y exactly: no strip
            kernels.directConvolve(g, xp, t.prepared, 0, t.bias, t.biasOffset, t.relu, r0, r1 - r0, t.y,
                    yb + r0 * outW, outW, outSize);
            return;
        }
        int pw = shape.pooledWidth(), pooledPlane = shape.pooledHeight() * pw;
        if (t.pool && kernels.poolsInTiles(g, t.relu)) { // pooled in the tiles, the winners (training) beside
            MapLayout out = t.outputLayout; // padded only in inference: winners are laid as the dense output
            int outStride = out == null ? pw : out.rowStride(), outPlane = out == null ? pooledPlane : out.plane();
            kernels.directConvolvePooled(g, xp, xpAt, t.prepared, 0, t.bias, t.biasOffset, r0, r1 - r0, t.y,
                    yb + r0 / 2 * outStride, outStride, outPlane, t.winners, winnersB + r0 / 2 * pw);
            return;
        }
        if (t.inputLayout != null || t.outputLayout != null) {
            throw new IllegalStateException(name() + " reads a staged input and writes a padded output only where it"
                    + " pools in its tiles");
        }
        int stripRows = stripRows(g, t.pool);
        int plane = stripRows * g.outWp;
        float[] strip = Workspace.floats(Slot.STRIP, (long) cout * plane);
        for (int oy = r0; oy < r1; oy += stripRows) {
            int rows = Math.min(stripRows, r1 - oy);
            kernels.directConvolve(g, xp, t.prepared, 0, t.bias, t.biasOffset, t.relu, oy, rows, strip, 0,
                    g.outWp, plane);
            if (t.pool) {
                kernels.maxPool2x2(strip, 0, g.outWp, plane, cout, rows / 2, pw, t.y, yb + oy / 2 * pw,
                        pooledPlane, t.winners, winnersB + oy / 2 * pw, t.relu);
            } else {
                copyRows(strip, plane, g.outWp, cout, rows, outW, t.y, yb + oy * outW, outSize);
            }
        }
    }

    /** The flat layout: the whole image as one computed row, its rows {@code rowStride} apart. */
    private void forwardFlat(ConvTensors t, float[] xp, int yb, int winnersB) {
        Window2d w = shape.window();
        int plane = forward.outWp, stride = forward.rowStride, cout = shape.outChannels();
        float[] strip = Workspace.floats(Slot.STRIP, (long) cout * plane);
        kernels.directConvolve(forward, xp, t.prepared, 0, t.bias, t.biasOffset, t.relu, 0, 1, strip, 0, plane, plane);
        if (t.pool) {
            kernels.maxPool2x2(strip, 0, stride, plane, cout, shape.pooledHeight(), shape.pooledWidth(), t.y, yb,
                    shape.pooledHeight() * shape.pooledWidth(), t.winners, winnersB, t.relu);
        } else {
            copyRows(strip, plane, stride, cout, w.outHeight(), w.outWidth(), t.y, yb, w.outSize());
        }
    }

    /** Rows per strip: about {@link #STRIP_FLOATS} of output, even when pooling reads them in pairs or the layout pairs them. */
    private int stripRows(DirectLayout g, boolean pool) {
        int rows = Math.max(1, STRIP_FLOATS / (shape.outChannels() * g.outWp));
        return pool || g.paired ? Math.max(2, rows & ~1) : rows;
    }

    /**
     * {@code rows} rows of {@code width} floats per channel, from rows {@code stride} apart in
     * planes of {@code plane}, to rows {@code width} apart in planes of {@code yPlane} at {@code yb}.
     */
    private void copyRows(float[] from, int plane, int stride, int channels, int rows, int width,
                          float[] y, int yb, int yPlane) {
        for (int ch = 0; ch < channels; ch++) {
            kernels.copyStridedRows(from, ch * plane, stride, rows, width, 1, y, yb + ch * yPlane, width);
        }
    }

    /** Winograd's transformed weights, the flipped kernels packed, or each phase's packed after the last. */
    @Override
    public int preparedBackwardSize() {
        requireBackward();
        return winogradDataGradient != null ? winogradDataGradient.preparedDataGradientSize()
                : phases == null ? back.packedWeightsSize() : phaseWeightsAt[phases.length];
    }

    @Override
    public void prepareBackward(float[] w, int wOffset, float[] into) {
        requireBackward();
        if (winogradDataGradient != null) {
            winogradDataGradient.prepareDataGradient(w, wOffset, into);
        } else if (phases == null) {
            back.pack(w, wOffset, true, into);
        } else {
            int s = forward.stride;
            for (int p = 0; p < phases.length; p++) {
                phases[p].packPhase(w, wOffset, forward.kh, forward.kw, s, p / s, p % s, into, phaseWeightsAt[p]);
            }
        }
    }

    /** Floats of the group's weight-gradient sums: per lane and weight, or (SGEMM) the transposed gradient. */
    private int sumsSize() {
        if (winogradWeightGradient != null) {
            return winogradWeightGradient.transformedWeightsSize();
        }
        return gemm != null ? shape.weightSize()
                : forward.gradientBlocks * DirectLayout.OC_BLOCK * shape.patch() * kernels.directLanes();
    }

    /**
     * The weight gradient of one image as one SGEMM: {@code dW^T[K, Cout] (+)= X[K, Q] dz^T[Q, Cout]},
     * where {@code Q} runs over the output positions on the staged stride (the padding between
     * rows included: the staged gradient is zero there) and row {@code t} of {@code X} is the
     * staged input from tap {@code t}'s offset, read there through a row table (no im2col copy, no
     * edge cases). The
     * group's {@code dW^T} is transposed into {@code dw} once, at its end. Wide layers, where the
     * per-lane kernel's accumulators go to memory too often, run faster this way.
     */
    private void gemmWeightGradient(float[] xp, float[] dz, int at, boolean accumulate) {
        int k = shape.patch(), cout = shape.outChannels();
        int q = (shape.window().outHeight() - 1) * forward.inStride + shape.window().outWidth();
        // the column matrix's row t is the staged image from tap t's offset: SGEMM reads it there
        float[] sums = Workspace.floats(Slot.WEIGHT_SUMS, sumsSize());
        gemm.sgemmRows(true, k, cout, q, 1f, xp, forward.tapOffsets(), dz, at, back.inPlane, accumulate ? 1f : 0f,
                sums, 0, cout);
    }

    @Override
    public void backwardImage(ConvTensors t, int n, float[] dw, int dwAt, boolean accumulate, double[] biasSums) {
        requireBackward();
        int ySize = shape.outputSize(t.pool);
        int yb = t.yOffset + n * ySize, dyb = t.dyOffset + n * ySize, winB = t.winnersOffset + n * shape.pooledSize();
        Window2d w = shape.window();
        int outH = w.outHeight(), outW = w.outWidth(), ph = shape.pooledHeight(), pw = shape.pooledWidth();
        int cout = shape.outChannels(), cin = shape.inChannels();
        DirectLayout b = back;
        if (!t.pool && (t.dx == null || winogradDataGradient != null) && (dw == null || winogradWeightGradient != null)) {
            winogradBackwardImage(t, n, yb, dyb, dw, accumulate, biasSums);
            return;
        }
        if (t.pool && t.dx == null && dw != null && winogradWeightGradient == null && gemm == null && !forward.flat) {
            pooledWeightGradientInStrips(t, yb, stagedInput(t.x, t.xOffset + n * shape.inputSize()), dyb, winB,
                    accumulate, biasSums);
            return;
        }
        // dz, the gradient at the convolution's output, padded as the data gradient's input
        float[] dz = Workspace.floats(Slot.STAGED_GRADIENT, b.stagedSize());
        int at = b.interior();
        if (t.pool) {
            b.clearBorder(dz, 2 * ph, 2 * pw, kernels);
            kernels.maxPool2x2Backward(t.dy, dyb, ph * pw, t.winners, winB, cout, ph, pw, dz, at, b.inStride, b.inPlane,
                    biasSums);
        } else {
            b.clearBorder(dz, outH, outW, kernels);
            kernels.activationGradient(t.dy, dyb, t.y, yb, cout, outH, outW, t.relu, dz, at, b.inStride, b.inPlane,
                    biasSums);
        }
        if (dw != null && winogradWeightGradient != null) {
            winogradWeightGradient.weightGradientImage(t.x, t.xOffset + n * shape.inputSize(), dz, at, b.inStride,
                    b.inPlane, accumulate, Workspace.floats(Slot.WEIGHT_SUMS, sumsSize()));
        } else if (dw != null && gemm != null) {
            float[] xp = stagedInput(t.x, t.xOffset + n * shape.inputSize());
            gemmWeightGradient(xp, dz, at, accumulate);
        } else if (dw != null) {
            float[] xp = stagedInput(t.x, t.xOffset + n * shape.inputSize());
            float[] sums = Workspace.floats(Slot.WEIGHT_SUMS, sumsSize());
            int rows = Math.max(1, WEIGHT_GRADIENT_STRIP_FLOATS / (DirectLayout.OC_BLOCK * forward.outWp));
            for (int oy = 0; oy < forward.computedRows; oy += rows) {
                int r = Math.min(rows, forward.computedRows - oy);
                weightGradientStrip(xp, dz, at + oy * b.inStride, b.inPlane, oy, r, sums, !accumulate && oy == 0);
            }
        }
        if (t.dx != null && winogradDataGradient != null) {
            winogradDataGradient.dataGradientImage(t.prepared, dz, at, b.inStride, b.inPlane, t.dx,
                    t.dxOffset + n * shape.inputSize());
        } else if (t.dx != null && phases != null) {
            phaseDataGradient(dz, t.prepared, t.dx, t.dxOffset + n * shape.inputSize());
        } else if (t.dx != null) {
            int dxb = t.dxOffset + n * shape.inputSize();
            int inW = w.inWidth(), inH = w.inHeight(), inSize = w.inSize();
            if (b.flat) {
                float[] strip = Workspace.floats(Slot.STRIP, (long) cin * b.outWp);
                kernels.directConvolve(b, dz, t.prepared, 0, null, 0, false, 0, 1, strip, 0, b.outWp, b.outWp);
                copyRows(strip, b.outWp, b.rowStride, cin, inH, inW, t.dx, dxb, inSize);
            } else if (b.outWp == inW) {
                kernels.directConvolve(b, dz, t.prepared, 0, null, 0, false, 0, inH, t.dx, dxb, inW, inSize);
            } else {
                int stripRows = Math.max(1, STRIP_FLOATS / (cin * b.outWp)), plane = stripRows * b.outWp;
                float[] strip = Workspace.floats(Slot.STRIP, (long) cin * plane);
                for (int iy = 0; iy < inH; iy += stripRows) {
                    int rows = Math.min(stripRows, inH - iy);
                    kernels.directConvolve(b, dz, t.prepared, 0, null, 0, false, iy, rows, strip, 0, b.outWp, plane);
                    copyRows(strip, plane, b.outWp, cin, rows, inW, t.dx, dxb + iy * inW, inSize);
                }
            }
        }
    }

    /**
     * {@link #backwardImage} for a pooled layer with the direct weight gradient and no data
     * gradient (a first layer): the pooled gradient is unpooled one strip of output rows at a time
     * into a buffer that holds one strip, and the strip's weight gradient taken while it is in
     * cache. Unpooled whole, ChestXRayNet's conv1 wrote 2 MB per image (8 channels of 256 x 256)
     * that the weight gradient then read back from memory. Each strip's rows are summed as one
     * span ({@link #flatWidth}), so the weight sums' order is not the staged path's; the
     * bias sums add a strip at a time.
     */
    private void pooledWeightGradientInStrips(ConvTensors t, int yb, float[] xp, int dyb, int winB,
                                              boolean accumulate, double[] biasSums) {
        DirectLayout b = back;
        int ph = shape.pooledHeight(), pw = shape.pooledWidth(), cout = shape.outChannels();
        int rows = Math.max(2, POOLED_STRIP_FLOATS / (cout * forward.outWp) & ~1);
        // A strip's rows from the buffer's first, and a row more of zeros that the flat weight
        // gradient's last vector may read into: the borders are cleared once and never written.
        int plane = (rows + 1) * b.inStride, at = b.padLeft;
        float[] dz = Workspace.floats(Slot.STAGED_GRADIENT, (long) cout * plane + DirectLayout.SLACK);
        java.util.Arrays.fill(dz, 0, cout * plane + DirectLayout.SLACK, 0f);
        float[] sums = Workspace.floats(Slot.WEIGHT_SUMS, sumsSize());
        for (int oy = 0; oy < forward.computedRows; oy += rows) {
            int r = Math.min(rows, forward.computedRows - oy), pooled = Math.max(0, Math.min(r, 2 * ph - oy) / 2);
            if (pooled > 0) {
                int p0 = oy / 2 * pw;
                kernels.maxPool2x2Backward(t.dy, dyb + p0, ph * pw, t.winners, winB + p0, cout, pooled, pw, dz, at,
                        b.inStride, plane, biasSums);
            }
            for (int ch = 0; ch < cout && 2 * pooled < r; ch++) { // rows the pooling dropped (an odd height)
                for (int j = 2 * pooled; j < r; j++) {
                    java.util.Arrays.fill(dz, ch * plane + at + j * b.inStride, ch * plane + at + j * b.inStride + 2 * pw,
                            0f);
                }
            }
            // under the strip: its right border, then the next row's first vector, zeros
            int width = flatWidth(r, b.inStride - b.padLeft - forward.outWp + kernels.directLanes());
            if (width > 0) {
                // the lanes past a short last strip read zeros, not an earlier strip's gradient
                for (int ch = 0; ch < cout && r < rows; ch++) {
                    int under = ch * plane + r * b.inStride;
                    java.util.Arrays.fill(dz, under, under + kernels.directLanes(), 0f);
                }
                kernels.directWeightGradient(forward, xp, dz, at, b.inStride, plane, oy, 1, width, sums,
                        !accumulate && oy == 0);
            } else {
                weightGradientStrip(xp, dz, at, plane, oy, r, sums, !accumulate && oy == 0);
            }
        }
    }

    /**
     * The per-lane weight sums of output rows {@code [oy, oy + rows)}, their staged gradient from
     * {@code dz[at]} (planes {@code dzPlane} apart): the rows taken as one where {@link #flatWidth}
     * allows. {@code fresh}: the group's first image's first strip starts the sums.
     */
    private void weightGradientStrip(float[] xp, float[] dz, int at, int dzPlane, int oy, int rows, float[] sums,
                                     boolean fresh) {
        DirectLayout b = back;
        boolean nextRowInPlane = oy + rows < forward.computedRows || b.inRows > b.padTop + forward.computedRows;
        // past the last row: its right border and the next row's left border, in the plane
        int width = flatWidth(rows, nextRowInPlane ? b.inStride - forward.outWp : -1);
        if (width > 0) {
            kernels.directWeightGradient(forward, xp, dz, at, b.inStride, dzPlane, oy, 1, width, sums, fresh);
        } else {
            kernels.directWeightGradient(forward, xp, dz, at, b.inStride, dzPlane, oy, rows, forward.outWp, sums, fresh);
        }
    }

    /**
     * {@link #backwardImage} where Winograd computes both gradients, or the one asked for (or
     * neither: a call for the bias sums alone, on any layer, comes here too): they
     * read the gradient at the output with any row and plane strides, so it is not padded. Without
     * a ReLU to apply they read {@code dy} itself (a copy of it took 7% of a 32 -> 32 backward on
     * 16x16), the bias sums taken from it as {@code activationGradient} takes them.
     */
    private void winogradBackwardImage(ConvTensors t, int n, int yb, int dyb, float[] dw, boolean accumulate,
                                       double[] biasSums) {
        Window2d w = shape.window();
        int outH = w.outHeight(), outW = w.outWidth(), cout = shape.outChannels();
        float[] dz = t.dy;
        int at = dyb;
        if (t.relu) {
            dz = Workspace.floats(Slot.STAGED_GRADIENT, back.stagedSize());
            at = 0;
            kernels.activationGradient(t.dy, dyb, t.y, yb, cout, outH, outW, true, dz, 0, outW, outH * outW, biasSums);
        } else if (biasSums != null) {
            kernels.channelSums(t.dy, dyb, outW, outH * outW, cout, outH, outW, biasSums);
        }
        if (dw != null) {
            winogradWeightGradient.weightGradientImage(t.x, t.xOffset + n * shape.inputSize(), dz, at, outW,
                    outH * outW, accumulate, Workspace.floats(Slot.WEIGHT_SUMS, sumsSize()));
        }
        if (t.dx != null) {
            winogradDataGradient.dataGradientImage(t.prepared, dz, at, outW, outH * outW, t.dx,
                    t.dxOffset + n * shape.inputSize());
        }
    }

    /**
     * The strided data gradient: each phase's convolution of the staged {@code dz}, its outputs
     * written {@code s} rows and columns apart into {@code dx}; the phases cover every input cell once.
     */
    private void phaseDataGradient(float[] dz, float[] wp, float[] dx, int dxb) {
        Window2d w = shape.window();
        int s = forward.stride, cin = shape.inChannels(), inW = w.inWidth(), inSize = w.inSize();
        if (s == 2) {
            phaseDataGradient2(dz, wp, dx, dxb);
            return;
        }
        for (int p = 0; p < phases.length; p++) {
            DirectLayout g = phases[p];
            int plane = g.computedRows * g.outWp;
            float[] out = Workspace.floats(Slot.STRIP, (long) cin * plane);
            kernels.directConvolve(g, dz, wp, phaseWeightsAt[p], null, 0, false, 0, g.computedRows, out, 0, g.rowStride,
                    plane);
            // phase row r0 + j is input row s * (r0 + j) + py - padTop: the first is the phase's first in the image
            int iy = firstCell(p / s, forward.padTop, s), ix = firstCell(p % s, forward.padLeft, s);
            scatterRows(out, plane, g.rowStride, cin, g.outH, g.outW, s, dx, dxb + iy * inW + ix, inW, inSize);
        }
    }

    /**
     * {@link #phaseDataGradient} at stride 2: a row of phases at a time, its two phases
     * ({@code (py, 0)}, {@code (py, 1)}) interleaved into every other row of {@code dx} in one pass.
     */
    private void phaseDataGradient2(float[] dz, float[] wp, float[] dx, int dxb) {
        Window2d w = shape.window();
        int cin = shape.inChannels(), inW = w.inWidth(), inSize = w.inSize();
        int even = Math.floorMod(forward.padLeft, 2); // the phase whose first column is input column 0
        for (int py = 0; py < 2; py++) {
            DirectLayout a = phases[2 * py + even], b = phases[2 * py + 1 - even];
            int aPlane = a.computedRows * a.outWp, bPlane = b.computedRows * b.outWp;
            float[] aOut = Workspace.floats(Slot.STRIP, (long) cin * aPlane);
            float[] bOut = Workspace.floats(Slot.SECOND_STRIP, (long) cin * bPlane);
            kernels.directConvolve(a, dz, wp, phaseWeightsAt[2 * py + even], null, 0, false, 0, a.computedRows, aOut, 0,
                    a.rowStride, aPlane);
            kernels.directConvolve(b, dz, wp, phaseWeightsAt[2 * py + 1 - even], null, 0, false, 0, b.computedRows, bOut, 0,
                    b.rowStride, bPlane);
            int iy = firstCell(py, forward.padTop, 2);
            kernels.interleaveRows(aOut, aPlane, a.rowStride, bOut, bPlane, b.rowStride, cin, a.outH, a.outW, b.outW, dx,
                    dxb + iy * inW, 2 * inW, inSize);
        }
    }

    /**
     * {@code rows} rows of {@code width} floats per channel, from rows {@code stride} apart in
     * planes of {@code plane}, to every {@code s}-th row and column of {@code to} (rows of
     * {@code toWidth}, planes of {@code toPlane}) from {@code toAt}.
     */
    private static void scatterRows(float[] from, int plane, int stride, int channels, int rows, int width, int s,
                                    float[] to, int toAt, int toWidth, int toPlane) {
        for (int ch = 0; ch < channels; ch++) {
            for (int r = 0; r < rows; r++) {
                int f = ch * plane + r * stride, o = toAt + ch * toPlane + r * s * toWidth;
                for (int c = 0; c < width; c++) {
                    to[o + c * s] = from[f + c];
                }
            }
        }
    }

    /** The first input row (or column) of phase {@code p}: the least {@code i >= 0} with {@code i + pad = p (mod s)}. */
    private static int firstCell(int p, int pad, int s) {
        return Math.floorMod(p - pad, s);
    }

    /**
     * The width of {@code rows} rows of the staged gradient taken as one, or 0 where that is not
     * safe. Safe when the input and the staged gradient share a stride, and the lanes past the
     * last row's end (the rows' span rounded up to whole vectors) fall on the {@code zerosPast}
     * zeros of the staged gradient that follow it. A loop per row is short where a row is one or
     * two vectors wide; per row, ChestXRayNet's conv1 (16 vectors a row) spent 38% of the
     * kernel's time outside its inner loop, its 20 sums stored and reloaded at every row's end.
     */
    private int flatWidth(int rows, int zerosPast) {
        int stride = back.inStride;
        if (rows < 2 || stride != forward.inStride || forward.flat) {
            return 0;
        }
        int span = (rows - 1) * stride + forward.outWp, width = DirectLayout.roundUp(span, kernels.directLanes());
        return width - span <= zerosPast ? width : 0;
    }

    /** The lanes of each weight's partial sums, added in lane order (SGEMM: the transposed gradient, transposed back). */
    @Override
    public void endWeightGradient(float[] dw, int dwAt) {
        float[] sums = Workspace.floats(Slot.WEIGHT_SUMS, sumsSize());
        if (winogradWeightGradient != null) {
            winogradWeightGradient.endWeightGradient(sums, dw, dwAt);
            return;
        }
        if (gemm != null) {
            shape.weightsFromTransposed(sums, dw, dwAt);
            return;
        }
        shape.weightsFromLanes(sums, kernels.directLanes(), dw, dwAt);
    }
}
