package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.MapLayout;

/**
 * What one convolution pass reads and writes, by name: the image batch {@code x}, the weights
 * {@code w} and {@code bias}, the output {@code y} (pooled when the pass pools) with the pooling
 * winners, and in a backward pass the output gradient {@code dy} and the gradients {@code dw},
 * {@code dbias} and {@code dx} (each null when not wanted). Every array comes with the offset of
 * its first image; image {@code n} lies {@code n} image sizes further.
 *
 * <p>One instance per thread ({@link #local()}), bound at the start of each pass and cleared at
 * its end: a pass allocates nothing (an object per call would be a training step's largest
 * allocation), and the arrays a pass names are not kept reachable after it. While a pass runs on
 * several threads, the other threads only read the binding.
 */
public final class ConvTensors {

    private static final ThreadLocal<ConvTensors> LOCAL = ThreadLocal.withInitial(ConvTensors::new);

    float[] x, w, bias, y, dy, dw, dbias, dx;
    int xOffset, wOffset, biasOffset, yOffset, dyOffset, dwOffset, dbiasOffset, dxOffset;
    byte[] winners;
    int winnersOffset;
    /** ReLU after the bias; 2x2 max-pooling after that. */
    boolean relu, pool;
    /** Added to each image's output after the convolution (and its bias), or null; then ReLU when {@link #residualRelu}. */
    float[] residual;
    int residualOffset;
    boolean residualRelu;
    /**
     * The weights as the algorithm's pass reads them (packed, flipped), or null: set by its
     * {@code prepare} step, or by the binding ({@link #prepared(float[])}) when they come laid out.
     */
    float[] prepared;
    /**
     * Where a forward pass without winners reads {@code x} and writes {@code y} when not dense
     * ({@link #layouts}): the algorithm's staged input ({@link ConvAlgorithm#stagedInput}), an
     * output layout it {@linkplain ConvAlgorithm#writesLayout writes}; null for the dense one.
     */
    MapLayout inputLayout, outputLayout;

    private ConvTensors() {}

    /** A binding of one's own, for an algorithm that runs another on parts of a pass (a group). */
    static ConvTensors unbound() {
        return new ConvTensors();
    }

    /** This thread's instance. */
    public static ConvTensors local() {
        return LOCAL.get();
    }

    /** Binds a forward pass: {@code y = pool(relu(conv(x, w) + bias))}; {@code bias} and {@code winners} may be null. */
    public ConvTensors forward(float[] x, int xOffset, float[] w, int wOffset, float[] bias, int biasOffset,
                               boolean relu, boolean pool, float[] y, int yOffset, byte[] winners, int winnersOffset) {
        clear();
        this.x = x;
        this.xOffset = xOffset;
        this.w = w;
        this.wOffset = wOffset;
        this.bias = bias;
        this.biasOffset = biasOffset;
        this.relu = relu;
        this.pool = pool;
        this.y = y;
        this.yOffset = yOffset;
        this.winners = winners;
        this.winnersOffset = winnersOffset;
        return this;
    }

    /**
     * Adds a residual to the bound forward pass: {@code y = conv(x, w) + bias + r}, then ReLU
     * ({@code v < 0 ? 0 : v}, as the layer) when {@code relu}; the pass itself must not rectify
     * or pool. Image {@code n}'s residual lies {@code n} output sizes after {@code rOffset}.
     */
    public ConvTensors residual(float[] r, int rOffset, boolean relu) {
        if (this.relu || pool) {
            throw new IllegalStateException("a residual is added before the ReLU and pooling: bind the pass without them");
        }
        this.residual = r;
        this.residualOffset = rOffset;
        this.residualRelu = relu;
        return this;
    }

    /**
     * Binds a backward pass from {@code dy}: {@code y} is the forward output (the ReLU's mask where
     * nothing pools; pooled, the winners' codes carry it) and {@code winners} the pooling's;
     * {@code dw}, {@code dbias} and {@code dx} are each null when not wanted, and otherwise
     * overwritten.
     */
    public ConvTensors backward(float[] x, int xOffset, float[] w, int wOffset, boolean relu, boolean pool,
                                float[] y, int yOffset, byte[] winners, int winnersOffset, float[] dy, int dyOffset,
                                float[] dw, int dwOffset, float[] dbias, int dbiasOffset, float[] dx, int dxOffset) {
        forward(x, xOffset, w, wOffset, null, 0, relu, pool, y, yOffset, winners, winnersOffset);
        this.dy = dy;
        this.dyOffset = dyOffset;
        this.dw = dw;
        this.dwOffset = dwOffset;
        this.dbias = dbias;
        this.dbiasOffset = dbiasOffset;
        this.dx = dx;
        this.dxOffset = dxOffset;
        return this;
    }

    /**
     * The weights laid out already as the bound pass reads them ({@link ConvAlgorithm#prepareForward(float[], int, float[])}
     * or its backward twin), so that the pass lays out none; null changes nothing.
     */
    public ConvTensors prepared(float[] laidOut) {
        this.prepared = laidOut;
        return this;
    }

    /**
     * The bound forward pass reads {@code x} in {@code input} and writes {@code y} in {@code output}
     * (image {@code n} an image size of its layout on from the offset); null or dense changes
     * nothing. The algorithm must take them ({@link ConvAlgorithm#stagedInput},
     * {@link ConvAlgorithm#writesLayout}), and the pass may keep no winners.
     */
    public ConvTensors layouts(MapLayout input, MapLayout output) {
        this.inputLayout = input == null || input.isDense() ? null : input;
        this.outputLayout = output == null || output.isDense() ? null : output;
        return this;
    }

    /** Forgets every array, so none stays reachable from this thread after its pass. */
    public void clear() {
        inputLayout = outputLayout = null;
        x = w = bias = y = dy = dw = dbias = dx = prepared = residual = null;
        winners = null;
    }
}
