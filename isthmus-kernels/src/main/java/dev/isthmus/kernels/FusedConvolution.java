package dev.isthmus.kernels;

import dev.isthmus.kernels.conv.ConvTensors;
import java.util.Objects;

/**
 * A convolution with its bias, an optional ReLU and an optional 2x2 max-pooling (stride 2, no
 * padding, as PyTorch's {@code MaxPool2d(2)}) computed in one pass: {@code y = pool(relu(conv(x, w)
 * + bias))}. The convolution's output is never stored whole: the direct path pools a few rows at
 * a time while they are in cache, so of ChestXRayNet's 8 x 256 x 256 first feature map only the
 * pooled quarter and one byte per window (its winner) reach memory.
 *
 * <p>Semantics are those of the layers in sequence: ReLU is {@code max(v, 0)} (NaN stays NaN),
 * a pooling window's maximum is {@code Math.max} of its four cells (NaN wins), and its gradient
 * goes to the first cell, in row-major order, equal to that maximum; odd last rows and columns
 * are dropped, as PyTorch floors. The backward pass needs the winners with pooling, the forward
 * output {@code y} (the ReLU's mask) without, never the pre-activation: after a ReLU, a window
 * whose maximum is not positive passes no gradient, and its winner's code says so.
 *
 * <p>Threads, determinism and concurrency are as {@link Convolution}'s.
 */
public final class FusedConvolution {

    private final Convolution conv;
    private final boolean relu;
    private final boolean pool;
    /** The input's dense layout, and the one {@link #infer} reads as it lies ({@link #stagedInput}). */
    private final MapLayout denseInput, stagedInput;

    /**
     * @throws IllegalArgumentException if pooling is asked of an output smaller than 2x2
     */
    public FusedConvolution(Convolution conv, boolean relu, boolean maxPool2x2) {
        this.conv = Objects.requireNonNull(conv, "conv");
        this.relu = relu;
        this.pool = maxPool2x2;
        Window2d w = conv.window();
        if (maxPool2x2 && (w.outHeight() < 2 || w.outWidth() < 2)) {
            throw new IllegalArgumentException("2x2 max-pooling needs a convolution output of at least 2x2, got "
                    + w.outHeight() + "x" + w.outWidth());
        }
        this.denseInput = MapLayout.dense(conv.inChannels(), w.inHeight(), w.inWidth());
        MapLayout staged = conv.stagedInput(relu, maxPool2x2);
        this.stagedInput = staged != null ? staged : denseInput;
    }

    public Convolution conv() {
        return conv;
    }

    public boolean relu() {
        return relu;
    }

    public boolean pools() {
        return pool;
    }

    /** Output height: the convolution's, halved (rounded down) when pooling. */
    public int outHeight() {
        return pool ? conv.pooledHeight() : conv.window().outHeight();
    }

    public int outWidth() {
        return pool ? conv.pooledWidth() : conv.window().outWidth();
    }

    /** Floats per output image. */
    public int outputSize() {
        return conv.outChannels() * outHeight() * outWidth();
    }

    /** Bytes of pooling winners per image (one per output value); 0 without pooling. */
    public int winnersSize() {
        return pool ? outputSize() : 0;
    }

    /**
     * {@code y = pool(relu(conv(x, w) + bias))} for {@code batch} images.
     *
     * @param bias    {@code Cout} values, or null for none
     * @param winners where the pooling's winners go ({@link #winnersSize()} per image), for the
     *                backward pass; null when no backward pass follows (inference)
     */
    public void forward(int batch, float[] x, int xOffset, float[] w, int wOffset, float[] bias, int biasOffset,
                        float[] y, int yOffset, byte[] winners, int winnersOffset) {
        forward(batch, x, xOffset, w, wOffset, null, bias, biasOffset, y, yOffset, winners, winnersOffset);
    }

    /**
     * As {@link #forward(int, float[], int, float[], int, float[], int, float[], int, byte[], int)},
     * the weights laid out already ({@link Convolution#newPreparedWeights}).
     *
     * @throws IllegalArgumentException if {@code w} belongs to another convolution, or an array is too short
     * @throws IllegalStateException    if {@code w} was never updated
     */
    public void forward(int batch, float[] x, int xOffset, PreparedWeights w, float[] bias, int biasOffset,
                        float[] y, int yOffset, byte[] winners, int winnersOffset) {
        forward(batch, x, xOffset, Objects.requireNonNull(w, "w").weights(conv, false), 0, w.forward(), bias,
                biasOffset, y, yOffset, winners, winnersOffset);
    }

    private void forward(int batch, float[] x, int xOffset, float[] w, int wOffset, float[] laidOut, float[] bias,
                         int biasOffset, float[] y, int yOffset, byte[] winners, int winnersOffset) {
        conv.checkForward(batch, x, xOffset, w, wOffset, bias, biasOffset);
        Checks.span("y", y, yOffset, batch, outputSize(), "batch * outputSize()");
        if (pool && winners != null) {
            Checks.span("winners", winners, winnersOffset, batch, winnersSize(), "batch * winnersSize()");
        }
        conv.forward(batch, ConvTensors.local().forward(x, xOffset, w, wOffset, bias, biasOffset, relu, pool, y, yOffset,
                pool ? winners : null, winnersOffset).prepared(laidOut));
    }

    /**
     * The padded layout in which {@link #infer} reads its input as it lies: the direct
     * algorithm's staging of an image (zero borders, rows padded for its tiles) where this pass
     * pools in its register tiles; elsewhere the dense layout. A pass before this one that
     * {@linkplain #writes writes} its output there saves the copy of every image into it.
     */
    public MapLayout stagedInput() {
        return stagedInput;
    }

    /**
     * Whether {@link #infer} writes its output in {@code layout}: a dense one of the output's
     * dimensions always; a padded one of them where this pass pools in its register tiles.
     */
    public boolean writes(MapLayout layout) {
        return layout.holds(conv.outChannels(), outHeight(), outWidth()) && conv.writesLayout(layout, relu, pool);
    }

    /**
     * {@code y = pool(relu(conv(x, w) + bias))} for {@code batch} images without winners (no
     * backward pass follows), {@code x} read in {@code xLayout} and {@code y} written in
     * {@code yLayout}: each output image whole, its zeros too. The floats are those of
     * {@link #forward} in the dense layouts.
     *
     * @param xLayout the input's dense layout or {@link #stagedInput()}, whose zeros {@code x} holds
     * @param yLayout a layout this pass {@linkplain #writes writes}
     * @throws IllegalArgumentException if a layout is not one of those, {@code w} belongs to
     *                                  another convolution, or an array is too short
     * @throws IllegalStateException    if {@code w} was never updated
     */
    public void infer(int batch, float[] x, int xOffset, MapLayout xLayout, PreparedWeights w, float[] bias,
                      int biasOffset, float[] y, int yOffset, MapLayout yLayout) {
        Objects.requireNonNull(xLayout, "xLayout");
        Objects.requireNonNull(yLayout, "yLayout");
        if (!xLayout.equals(denseInput) && !xLayout.equals(stagedInput)) {
            throw new IllegalArgumentException("xLayout must be the input's dense layout " + denseInput
                    + " or stagedInput() " + stagedInput + ", got " + xLayout);
        }
        if (!writes(yLayout)) {
            throw new IllegalArgumentException("yLayout must hold " + conv.outChannels() + " x " + outHeight() + " x "
                    + outWidth() + " maps, dense" + (conv.writesLayout(yLayout, relu, pool) ? "" : " (" + this
                    + " writes no padded layout)") + ", got " + yLayout);
        }
        float[] raw = Objects.requireNonNull(w, "w").weights(conv, false), laidOut = w.forward();
        Checks.positive("batch", batch);
        Checks.span("x", x, xOffset, batch, xLayout.imageSize(), "batch * xLayout.imageSize()");
        if (bias != null) {
            Checks.span("bias", bias, biasOffset, conv.outChannels(), "Cout");
        }
        Checks.span("y", y, yOffset, batch, yLayout.imageSize(), "batch * yLayout.imageSize()");
        conv.forward(batch, ConvTensors.local().forward(x, xOffset, raw, 0, bias, biasOffset, relu, pool, y, yOffset,
                null, 0).prepared(laidOut).layouts(xLayout, yLayout));
    }

    /**
     * {@code y = relu(conv(x, w) + bias + r)}, the ReLU when this instance has one, for
     * {@code batch} images: a residual block's end in one pass. Each image's residual (an output's
     * size in {@code r}) is added right after its convolution, while the output is in cache, and
     * the sum rectified as the ReLU layer does ({@code v < 0 ? 0 : v}): the floats of a
     * convolution, an add and a ReLU in sequence. Forward only: the pass keeps no ReLU mask.
     *
     * @param r the residual, {@code batch * outputSize()} floats from {@code rOffset}; it may not
     *          overlap {@code y}'s span
     * @throws IllegalStateException    if this instance pools (the residual meets the convolution's own output)
     * @throws IllegalArgumentException if an array is too short, or {@code r} overlaps {@code y}
     */
    public void forwardResidual(int batch, float[] x, int xOffset, float[] w, int wOffset, float[] bias,
                                int biasOffset, float[] r, int rOffset, float[] y, int yOffset) {
        forwardResidual(batch, x, xOffset, w, wOffset, null, bias, biasOffset, r, rOffset, y, yOffset);
    }

    /**
     * As {@link #forwardResidual(int, float[], int, float[], int, float[], int, float[], int, float[], int)},
     * the weights laid out already ({@link Convolution#newPreparedWeights}).
     *
     * @throws IllegalArgumentException if {@code w} belongs to another convolution, an array is too
     *                                  short, or {@code r} overlaps {@code y}
     * @throws IllegalStateException    if this instance pools, or {@code w} was never updated
     */
    public void forwardResidual(int batch, float[] x, int xOffset, PreparedWeights w, float[] bias, int biasOffset,
                                float[] r, int rOffset, float[] y, int yOffset) {
        forwardResidual(batch, x, xOffset, Objects.requireNonNull(w, "w").weights(conv, false), 0, w.forward(), bias,
                biasOffset, r, rOffset, y, yOffset);
    }

    private void forwardResidual(int batch, float[] x, int xOffset, float[] w, int wOffset, float[] laidOut,
                                 float[] bias, int biasOffset, float[] r, int rOffset, float[] y, int yOffset) {
        if (pool) {
            throw new IllegalStateException("a residual is added to the convolution's own output: " + this
                    + " pools it");
        }
        conv.checkForward(batch, x, xOffset, w, wOffset, bias, biasOffset);
        Checks.span("r", r, rOffset, batch, outputSize(), "batch * outputSize()");
        Checks.span("y", y, yOffset, batch, outputSize(), "batch * outputSize()");
        long span = (long) batch * outputSize();
        if (r == y && rOffset < yOffset + span && yOffset < rOffset + span) {
            throw new IllegalArgumentException("r [" + rOffset + ", " + (rOffset + span) + ") overlaps y ["
                    + yOffset + ", " + (yOffset + span) + ") in the same array: the convolution writes y before r"
                    + " is added");
        }
        conv.forward(batch, ConvTensors.local().forward(x, xOffset, w, wOffset, bias, biasOffset, false, false, y,
                yOffset, null, 0).residual(r, rOffset, relu).prepared(laidOut));
    }

    /**
     * Gradients from {@code dy = d(loss)/dy}: {@code dw}, {@code dbias} (summed over the batch)
     * and {@code dx}, each overwritten, each skipped when null.
     *
     * @param y       the forward output (the ReLU's mask); may be null without ReLU, or with pooling
     *                (the winners carry the mask)
     * @param winners the forward pass's winners; may be null without pooling
     * @throws IllegalArgumentException if an array is too short, or {@code y} or {@code winners}
     *                                  is missing where the ReLU or the pooling needs it
     */
    public void backward(int batch, float[] x, int xOffset, float[] w, int wOffset, float[] y, int yOffset,
                         float[] dy, int dyOffset, byte[] winners, int winnersOffset,
                         float[] dw, int dwOffset, float[] dbias, int dbiasOffset, float[] dx, int dxOffset) {
        backward(batch, x, xOffset, w, wOffset, null, y, yOffset, dy, dyOffset, winners, winnersOffset, dw, dwOffset,
                dbias, dbiasOffset, dx, dxOffset);
    }

    /**
     * As {@link #backward(int, float[], int, float[], int, float[], int, float[], int, byte[], int, float[], int,
     * float[], int, float[], int)}, the weights laid out already; for {@code dx}, by
     * {@link PreparedWeights#prepareDataGradient} too.
     *
     * @throws IllegalArgumentException if {@code w} belongs to another convolution, an array is too
     *                                  short, or {@code y} or {@code winners} is missing
     * @throws IllegalStateException    if {@code w} was never updated, or {@code dx} is wanted and
     *                                  it is not laid out for the data gradient
     */
    public void backward(int batch, float[] x, int xOffset, PreparedWeights w, float[] y, int yOffset,
                         float[] dy, int dyOffset, byte[] winners, int winnersOffset,
                         float[] dw, int dwOffset, float[] dbias, int dbiasOffset, float[] dx, int dxOffset) {
        backward(batch, x, xOffset, Objects.requireNonNull(w, "w").weights(conv, dx != null), 0,
                dx == null ? null : w.backward(), y, yOffset, dy, dyOffset, winners, winnersOffset, dw, dwOffset, dbias,
                dbiasOffset, dx, dxOffset);
    }

    private void backward(int batch, float[] x, int xOffset, float[] w, int wOffset, float[] laidOut, float[] y,
                          int yOffset, float[] dy, int dyOffset, byte[] winners, int winnersOffset,
                          float[] dw, int dwOffset, float[] dbias, int dbiasOffset, float[] dx, int dxOffset) {
        Checks.positive("batch", batch);
        Checks.span("dy", dy, dyOffset, batch, outputSize(), "batch * outputSize()");
        if (relu && !pool) { // with pooling, the winners carry the ReLU's mask
            if (y == null) {
                throw new IllegalArgumentException("y (the forward output) is needed for the ReLU's gradient, got null");
            }
            Checks.span("y", y, yOffset, batch, outputSize(), "batch * outputSize()");
        }
        if (pool) {
            if (winners == null) {
                throw new IllegalArgumentException("winners (from the forward pass) are needed for the pooling's gradient,"
                        + " got null");
            }
            Checks.span("winners", winners, winnersOffset, batch, winnersSize(), "batch * winnersSize()");
        }
        if (dw != null || dbias != null) {
            Checks.span("x", x, xOffset, batch, conv.inputSize(), "batch * Cin * H * W");
        }
        if (dw != null) {
            Checks.span("dw", dw, dwOffset, conv.weightSize(), "Cout * Cin * kh * kw");
        }
        if (dbias != null) {
            Checks.span("dbias", dbias, dbiasOffset, conv.outChannels(), "Cout");
        }
        if (dx != null) {
            Checks.span("w", w, wOffset, conv.weightSize(), "Cout * Cin * kh * kw");
            Checks.span("dx", dx, dxOffset, batch, conv.inputSize(), "batch * Cin * H * W");
        }
        if (dw == null && dbias == null && dx == null) {
            return;
        }
        conv.backward(batch, ConvTensors.local().backward(x, xOffset, w, wOffset, relu, pool, y, yOffset, winners,
                winnersOffset, dy, dyOffset, dw, dwOffset, dbias, dbiasOffset, dx, dxOffset).prepared(laidOut));
    }

    @Override
    public String toString() {
        return "FusedConvolution(" + conv + (relu ? ", relu" : "") + (pool ? ", max-pool 2x2" : "") + ")";
    }
}
