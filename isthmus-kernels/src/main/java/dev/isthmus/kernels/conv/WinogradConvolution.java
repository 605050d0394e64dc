package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.Window2d;
import dev.isthmus.kernels.runtime.Vectors;
import dev.isthmus.kernels.runtime.Workspace;
import dev.isthmus.kernels.runtime.Workspace.Slot;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The forward pass of a 3x3 convolution at stride 1 with "same" padding by Winograd's minimal
 * filtering, F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks",
 * 2015): each 2x2 block of outputs ("tile") is {@code A^T [(G g G^T) . (B^T d B)] A} for its 4x4
 * input patch {@code d}, so a channel pair costs 16 multiplications per tile instead of 36. Summed
 * over input channels, the 16 products become 16 independent matrix products
 * {@code M_e = U_e V_e} ({@code U_e}: {@code Cout x Cin} transformed weights, {@code V_e}:
 * {@code Cin x tiles} transformed input), which run here in an 8-by-2-vector register tile.
 * With {@code tileRows} 4 it is F(4x2, 3x3): Lavin and Gray's F(4, 3) down the columns and
 * F(2, 3) across, a tile 4 rows by 2 columns from a 6x4 patch, 24 products for 8 outputs (3 per
 * output, against F(2x2, 3x3)'s 4); the columns, and so the staging and the lanes, are as
 * F(2x2, 3x3)'s; a tile is two pooling windows, one above the other.
 *
 * <p>Layouts. The input is staged per channel with its even and odd padded columns apart
 * ({@code E[k] = padded[2k]}, {@code O[k] = padded[2k + 1]}), so that the four columns of a run
 * of tiles are four shifted contiguous loads. Tiles go in bands of whole tile rows, laid end to
 * end ({@code blockTiles}, rounded up to a vector); a band's transformed input, products and
 * output transform stay in L2. Lanes are tiles throughout; the output transform zips each tile
 * pair of columns back into place.
 *
 * <p>It rounds differently from the direct kernel (the transforms add inputs before they are
 * multiplied), within a few units in the last place of the largest term; every image is
 * computed alone in a fixed order, so results do not depend on the thread count. The gradients
 * come from another algorithm ({@link ForwardAndGradients}); a {@link DirectConvolution} may run
 * its data gradient as a Winograd pass of the transposed shape ({@link #dataGradient}), the same
 * code with the kernels transposed and flipped, and its weight gradient by Winograd too
 * ({@link #weightGradient}; {@link ConvAlgorithms#winogradWeightGradient} says where).
 */
final class WinogradConvolution implements WinogradDataGradient, WinogradWeightGradient {

    private static final VectorSpecies<Float> S = Vectors.FLOATS;
    private static final VectorSpecies<Byte> B = Vectors.BYTES;
    private static final int L = S.length();
    /** Output channels per register tile. */
    static final int ROWS = 8;
    /** Tiles per register tile: two vectors. */
    private static final int COLS = 2 * L;
    /** Tiles a band aims at: enough for the register tile's columns, few enough for L2. */
    private static final int BAND_TILES = 64;
    /** Input and output channels per register tile of {@link #accumulateLanes}: 4 by 4 accumulators. */
    private static final int LANE_BLOCK = 4;
    /** Output channels per block of {@link #accumulateLanes}: 4 at 16 lanes, 2 at 8; a block's totals fill a vector. */
    private static final int LANE_OC = L / LANE_BLOCK;
    /**
     * Tiles a band aims at in a weight gradient with the tiles in the lanes: each 4-by-4 block's
     * accumulators are added across their lanes once a band, so longer bands (a 32x32 image's 128
     * tiles in one) pay for that over more FMAs.
     */
    static final int LANE_BAND_TILES = 128;

    /**
     * {@link #transpose16}'s permutes, round by round (k = 8, 4, 2, 1; L = 16), as
     * {@link Vectors#selectIndices}, the low then the high permute of each round: of rows {@code i} and
     * {@code i + k}, the first keeps its lanes {@code j} with bit k clear and takes the second's
     * {@code j - k} into the others; the second takes the first's {@code j + k} into its lanes with
     * bit k clear and keeps the others.
     */
    private static final int[] SWAP_INDICES = L != 16 ? new int[0] : Vectors.selectIndices(swap(8, true),
            swap(8, false), swap(4, true), swap(4, false), swap(2, true), swap(2, false), swap(1, true), swap(1, false));
    private static final VectorSpecies<Integer> INTS = Vectors.INTS;

    /**
     * Lanes {@code 2i, 2i + 1}: lane {@code i} of the first vector, then of the second; then the
     * upper halves. Shared with {@link Winograd4x4Convolution}, as the unzips below.
     */
    static final VectorShuffle<Float> ZIP_LOW = zip(0), ZIP_HIGH = zip(L / 2);
    /** Lanes {@code 2i} and {@code 2i + 1} of a pair of vectors: a row's even and odd columns. */
    static final VectorShuffle<Float> UNZIP_EVEN = unzip(0), UNZIP_ODD = unzip(1);
    /** The unzips and zips above as {@code selectFrom}'s indices ({@link Vectors#pair}): even, odd, low, high. */
    static final int[] PAIR_INDICES = Vectors.selectIndices(UNZIP_EVEN, UNZIP_ODD, ZIP_LOW, ZIP_HIGH);

    private final ConvShape shape;
    private final ConvSupport kernels;
    private final int cin, cout, height, width;
    /**
     * Output rows per tile: 2, F(2x2, 3x3); or 4, F(4x2, 3x3) (Lavin and Gray's F(4, 3) down the
     * columns, F(2, 3) across the rows), 24 products for 8 outputs instead of 16 for 4.
     */
    private final int tileRows;
    /** Products per tile, {@code 4 * (tileRows + 2)}: the planes of {@code U}, {@code V} and {@code M}. */
    private final int products;
    /** Tiles across and down. */
    private final int tilesX, tilesY;
    /** Floats per half of a staged row (even columns, then odd), a staged row, a staged channel. */
    private final int half, stagedRow, stagedRows;
    /** Tile rows per band, and the band's tiles rounded up to a whole vector. */
    private final int bandRows, blockTiles;
    /**
     * Floats from one {@code e} to the next in the transformed input and the products: a plane and
     * a cache line, so that the 16 (or 24) planes a tile's transform touches do not share L1 sets (whole
     * planes are multiples of 4 KiB for the usual channel counts; 16 such streams made the
     * transforms a third of the time).
     */
    private final int inputPlane, productPlane;
    /** Floats from one {@code U_e} to the next: the channel pairs and a cache line, for the same reason. */
    private final int weightPlane;
    /** Offsets of a vector's worth of output channels down a column of {@code dM_e}: {@code i * blockTiles}. */
    private final int[] gradientColumn;
    /**
     * Whether this weight gradient keeps the tiles in the lanes ({@link #accumulateLanes}): at 16
     * lanes, F(4x2, 3x3)'s, output channels not in pairs of vectors (where the transposed
     * products' register tile has a broadcast per FMA) and channels in fours (ResNet's 16 -> 16).
     */
    private final boolean laneSums;

    WinogradConvolution(ConvShape shape, ConvSupport kernels) {
        this(shape, kernels, 2);
    }

    /** With {@code tileRows} output rows per tile: 2, F(2x2, 3x3), or 4, F(4x2, 3x3) ({@link #suitsTall}). */
    WinogradConvolution(ConvShape shape, ConvSupport kernels, int tileRows) {
        this(shape, kernels, tileRows, false);
    }

    /** With {@code laneSums}, a weight gradient with the tiles in the lanes ({@link #suitsLaneSums}). */
    private WinogradConvolution(ConvShape shape, ConvSupport kernels, int tileRows, boolean laneSums) {
        if (!suits(shape)) {
            throw new IllegalArgumentException("Winograd F(2x2, 3x3) needs a 3x3 kernel at stride 1 with one pixel of "
                    + "padding on every side, an even output and whole tiles of " + ROWS + " output channels: got "
                    + shape);
        }
        if (tileRows != 2 && (tileRows != 4 || !suitsTall(shape))) {
            throw new IllegalArgumentException("Winograd's tiles are 2 or 4 rows, 4 only where the output's height is "
                    + "a multiple of 4: got " + tileRows + " rows for " + shape);
        }
        this.tileRows = tileRows;
        products = 4 * (tileRows + 2);
        this.shape = shape;
        this.kernels = kernels;
        Window2d w = shape.window();
        cin = shape.inChannels();
        cout = shape.outChannels();
        height = w.outHeight();
        width = w.outWidth();
        tilesX = width / 2;
        tilesY = height / tileRows;
        // the input transform's vectors of tiles from E[0] and E[1] reach E[roundUp(tilesX, L)], so a
        // half is that and one more (a vector's slack past E[tilesX] made a staged image twice its
        // size: 574 KB of L2 for 64 channels of 32x32)
        half = roundUp(tilesX, L) + 1;
        stagedRow = 2 * half;
        bandRows = bandRows(tilesX, tilesY, laneSums ? LANE_BAND_TILES : BAND_TILES);
        stagedRows = tileRows * bandRows + 2;
        if (laneSums && !suitsLaneSums(shape, tileRows)) {
            throw new IllegalArgumentException("a weight gradient with the tiles in the lanes needs 16 or 8 lanes, tiles of"
                    + " 4 rows and channels in fours (output channels in twos at 8 lanes; at 16, not in pairs of vectors):"
                    + " got " + shape + ", " + tileRows + " rows a tile, " + L + " lanes");
        }
        this.laneSums = laneSums;
        blockTiles = roundUp(bandRows * tilesX, L);
        inputPlane = cin * blockTiles + 16;
        productPlane = cout * blockTiles + 16;
        weightPlane = cout * cin + 16;
        gradientColumn = new int[L];
        for (int i = 0; i < L; i++) {
            gradientColumn[i] = i * blockTiles;
        }
    }

    /**
     * {@code shape}'s weight gradient by Winograd ({@link #suitsWeightGradient}): {@code dU_e}, the
     * sum over tiles of {@code dM_e V_e^T}, where {@code dM = A dY A^T} is each 2x2 (or 4x2) tile of the
     * gradient at the output taken back through the output transform and {@code V} the forward's
     * transformed input; then {@code dg = G^T dU G} once per gradient group
     * ({@link #endWeightGradient(float[], float[], int)}). By bands, as the forward pass: {@code dM}
     * is stored transposed (tiles by output channels), so the products run in the forward's
     * register tile, 8 input channels by two vectors of output channels (or one, {@link #accumulateVector}),
     * summed over the band's tiles; or, where {@link #laneSums}, the tiles stay in the lanes
     * ({@link #accumulateLanes}, bands of {@value #LANE_BAND_TILES} tiles). With {@code tileRows} 4, F(4x2, 3x3)'s transforms and 24
     * products ({@link #stageGradient}, {@link #transformGradientTall}, {@link #tallGradientTaps}).
     */
    static WinogradConvolution weightGradient(ConvShape shape, ConvSupport kernels, int tileRows, boolean laneSums) {
        if (!suitsWeightGradient(shape, kernels)) {
            throw new IllegalArgumentException("Winograd's weight gradient needs Winograd's shape, input channels in "
                    + "tiles of " + ROWS + " and output channels in whole vectors of " + L + ": got " + shape);
        }
        return new WinogradConvolution(shape, kernels, tileRows, laneSums);
    }

    /**
     * Whether {@link #weightGradient} can keep the tiles in the lanes: F(4x2, 3x3)'s tiles and
     * input channels in fours; at 16 lanes ({@link #accumulateLanes}) output channels in fours
     * and not in pairs of vectors, at 8 ({@link #accumulateLanes8}) in twos.
     */
    static boolean suitsLaneSums(ConvShape shape, int tileRows) {
        int cin = shape.inChannels(), cout = shape.outChannels();
        if (L == 8) { // whatever the output channels: at 8 lanes the transposed products need a transpose too
            return tileRows == 4 && cin % LANE_BLOCK == 0 && cout % LANE_OC == 0;
        }
        return L == 16 && tileRows == 4 && cout % COLS != 0 && cin % LANE_BLOCK == 0 && cout % LANE_BLOCK == 0;
    }

    /**
     * Whether the tiles in the lanes pay where they suit ({@link ConvAlgorithms#winogradLaneSums}):
     * at 16 lanes always; at 8, where an image has a band of {@link #LANE_BAND_TILES} tiles.
     */
    static boolean laneSumsPay(ConvShape shape, int tileRows) {
        Window2d w = shape.window();
        return L != 8 || (long) w.outHeight() / tileRows * ((w.outWidth() + 1) / 2) >= LANE_BAND_TILES;
    }

    /**
     * Whether {@link #weightGradient} takes {@code shape}: input channels in eights, output
     * channels in whole vectors (in pairs of vectors, {@link #accumulate}'s register tile; else
     * {@link #accumulateVector}'s).
     */
    static boolean suitsWeightGradient(ConvShape shape, ConvSupport kernels) {
        return suits(shape) && kernels.vectorBitSize() == S.vectorBitSize() && shape.inChannels() % ROWS == 0
                && shape.outChannels() % L == 0;
    }

    /** Whether F(4x2, 3x3) computes {@code shape}'s forward pass: as {@link #suits}, 4 rows to a tile. */
    static boolean suitsTall(ConvShape shape) {
        return suits(shape) && shape.window().outHeight() % 4 == 0;
    }

    /** Whether this algorithm computes {@code shape}'s forward pass. */
    static boolean suits(ConvShape shape) {
        Window2d w = shape.window();
        return shape.groups() == 1 && w.kernelHeight() == 3 && w.kernelWidth() == 3 && w.strideY() == 1
                && w.strideX() == 1 && w.dilationY() == 1 && w.dilationX() == 1 && w.padTop() == 1 && w.padLeft() == 1
                && w.padBottom() == 1 && w.padRight() == 1 && w.outHeight() % 2 == 0 && w.outWidth() % 2 == 0
                && shape.outChannels() % ROWS == 0;
    }

    /**
     * The data gradient of {@code shape} (which {@link #suits} with its channel counts swapped) as
     * a Winograd pass of its own: {@code dx} is the gradient at the output convolved, "same" again,
     * with each kernel transposed and flipped ({@link #prepareDataGradient}, {@link #dataGradientImage}).
     */
    static WinogradConvolution dataGradient(ConvShape shape, ConvSupport kernels, int tileRows) {
        return new WinogradConvolution(transposed(shape), kernels, tileRows);
    }

    /** The convolution from {@code shape}'s output channels to its input channels on the same window. */
    static ConvShape transposed(ConvShape shape) {
        return new ConvShape(shape.outChannels(), shape.inChannels(), shape.window());
    }

    @Override
    public String name() {
        return tileRows == 2 ? "winograd" : "winograd F(4x2, 3x3)";
    }

    @Override
    public ConvShape shape() {
        return shape;
    }

    /** {@code U_e = G g G^T} for every channel pair, laid out {@code [e][output channel / 8][input channel][8]}. */
    @Override
    public int preparedForwardSize() {
        return transformedWeightsSize();
    }

    @Override
    public void prepareForward(float[] w, int wOffset, float[] into) {
        transformWeights(w, wOffset, false, into);
    }

    /** {@code U_e} for this data gradient ({@link #dataGradient}): {@link #products} times the weights. */
    @Override
    public void prepareDataGradient(float[] w, int wOffset, float[] u) {
        transformWeights(w, wOffset, true, u);
    }

    /**
     * {@code U_e = G g G^T}, {@code g} read as it lies ({@code w[oc][ic]}) or, for a data
     * gradient, from {@code w[ic][oc]} rotated half a turn. The taps are first laid out as nine
     * planes in {@code U}'s own order ({@code [oc / 8][ic][8]}), so the transform runs along whole
     * planes in vectors; a pass transforms its weights once per call (a network's slice), which
     * as a scalar loop per channel pair took a tenth of a training step.
     */
    private void transformWeights(float[] w, int wOffset, boolean transposedFlipped, float[] u) {
        int pairs = cout * cin;
        // tap planes weightPlane apart, as U's (a cache line off 4 KiB multiples), so the gather's
        // nine streams of stores do not share L1 sets
        int tapPlane = weightPlane;
        float[] taps = gatherTaps(w, wOffset, transposedFlipped, cin, cout, tapPlane);
        FloatVector half = FloatVector.broadcast(S, 0.5f);
        for (int i = 0; i < pairs; i += L) {
            VectorMask<Float> in = S.indexInRange(i, pairs);
            if (tileRows == 4) {
                transformWeightsTall(taps, tapPlane, i, pairs, u);
            } else {
                for (int kx = 0; kx < 3; kx++) { // G g, column kx: g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2
                    FloatVector g0 = FloatVector.fromArray(S, taps, kx * tapPlane + i, in);
                    FloatVector g1 = FloatVector.fromArray(S, taps, (3 + kx) * tapPlane + i, in);
                    FloatVector g2 = FloatVector.fromArray(S, taps, (6 + kx) * tapPlane + i, in);
                    // G g held in U's planes (a, kx) until the next loop
                    g0.intoArray(u, kx * weightPlane + i, in);
                    half.mul(g0.add(g1).add(g2)).intoArray(u, (4 + kx) * weightPlane + i, in);
                    half.mul(g0.sub(g1).add(g2)).intoArray(u, (8 + kx) * weightPlane + i, in);
                    g2.intoArray(u, (12 + kx) * weightPlane + i, in);
                }
            }
            for (int a = 0; a < tileRows + 2; a++) { // (G g) G^T, F(2, 3)'s along each row, in place (read before written)
                int row = 4 * a * weightPlane + i;
                FloatVector g0 = FloatVector.fromArray(S, u, row, in);
                FloatVector g1 = FloatVector.fromArray(S, u, row + weightPlane, in);
                FloatVector g2 = FloatVector.fromArray(S, u, row + 2 * weightPlane, in);
                half.mul(g0.add(g1).add(g2)).intoArray(u, row + weightPlane, in);
                half.mul(g0.sub(g1).add(g2)).intoArray(u, row + 2 * weightPlane, in);
                g2.intoArray(u, row + 3 * weightPlane, in);
            }
        }
    }

    /**
     * The nine taps of every channel pair as nine planes {@code tapPlane} apart, each in {@code U}'s
     * order ({@code [oc / 8][ic][8]}), into this thread's {@link Slot#WINOGRAD_TAPS}: {@code g} read
     * as it lies ({@code w[oc][ic]}) or, for a data gradient, from {@code w[ic][oc]} rotated half a turn.
     */
    static float[] gatherTaps(float[] w, int wOffset, boolean transposedFlipped, int cin, int cout, int tapPlane) {
        float[] taps = Workspace.floats(Slot.WINOGRAD_TAPS, 9L * tapPlane);
        for (int p = 0, to = 0; p < cout / ROWS; p++) {
            for (int ic = 0; ic < cin; ic++) {
                for (int r = 0; r < ROWS; r++, to++) {
                    int oc = p * ROWS + r;
                    if (transposedFlipped) {
                        int g = wOffset + (ic * cout + oc) * 9 + 8;
                        for (int k = 0; k < 9; k++) {
                            taps[k * tapPlane + to] = w[g - k];
                        }
                    } else {
                        int g = wOffset + (oc * cin + ic) * 9;
                        for (int k = 0; k < 9; k++) {
                            taps[k * tapPlane + to] = w[g + k];
                        }
                    }
                }
            }
        }
        return taps;
    }

    /**
     * {@link #transformWeights}' first half for F(4x2, 3x3): down each column {@code kx} of the
     * pairs from {@code i}, F(4, 3)'s {@code G g}: {@code g0 / 4}, {@code -(g0 + g1 + g2) / 6},
     * {@code -(g0 - g1 + g2) / 6}, {@code g0 / 24 + g1 / 12 + g2 / 6}, {@code g0 / 24 - g1 / 12 + g2 / 6},
     * {@code g2}, into {@code U}'s planes {@code (a, kx)}.
     */
    private void transformWeightsTall(float[] taps, int tapPlane, int i, int pairs, float[] u) {
        VectorMask<Float> in = S.indexInRange(i, pairs); // made here: a mask passed in would be boxed
        FloatVector quarter = FloatVector.broadcast(S, 0.25f), sixth = FloatVector.broadcast(S, -1f / 6);
        FloatVector twelfth = FloatVector.broadcast(S, 1f / 12);
        for (int kx = 0; kx < 3; kx++) {
            FloatVector g0 = FloatVector.fromArray(S, taps, kx * tapPlane + i, in);
            FloatVector g1 = FloatVector.fromArray(S, taps, (3 + kx) * tapPlane + i, in);
            FloatVector g2 = FloatVector.fromArray(S, taps, (6 + kx) * tapPlane + i, in);
            FloatVector even = g0.add(g2);
            // g0 / 24 + g2 / 6 = (g0 / 4 + g2) / 6 = (g0 / 2 + 2 g2) / 12
            FloatVector outer = g0.mul(0.5f).add(g2.mul(2f)).mul(twelfth), inner = g1.mul(twelfth);
            g0.mul(quarter).intoArray(u, kx * weightPlane + i, in);
            even.add(g1).mul(sixth).intoArray(u, (4 + kx) * weightPlane + i, in);
            even.sub(g1).mul(sixth).intoArray(u, (8 + kx) * weightPlane + i, in);
            outer.add(inner).intoArray(u, (12 + kx) * weightPlane + i, in);
            outer.sub(inner).intoArray(u, (16 + kx) * weightPlane + i, in);
            g2.intoArray(u, (20 + kx) * weightPlane + i, in);
        }
    }

    /**
     * Image {@code n}, its epilogue inside the output transform: each tile is one 2x2 pooling
     * window, or a tile of 4 rows two (tiles and windows both start at even rows and columns), so
     * a pooled output is the maximum of a window's four values and a map that is pooled is never
     * written whole.
     */
    @Override
    public void forwardImage(ConvTensors t, int n) {
        int wb = t.winners == null ? 0 : t.winnersOffset + n * shape.pooledSize();
        convolve(t.prepared, t.x, t.xOffset + n * shape.inputSize(), width, height * width, t.y,
                t.yOffset + n * shape.outputSize(t.pool), t.bias, t.biasOffset, t.relu, t.pool, t.winners, wb);
    }

    /** One image's data gradient ({@link #dataGradient}). */
    @Override
    public void dataGradientImage(float[] u, float[] dz, int dzAt, int dzRow, int dzPlane, float[] dx, int dxAt) {
        convolve(u, dz, dzAt, dzRow, dzPlane, dx, dxAt, null, 0, false, false, null, 0);
    }

    @Override
    public String weightGradientName() {
        return (tileRows == 4 ? "Winograd F(4x2, 3x3) weight gradient" : "Winograd weight gradient")
                + (laneSums ? " (tiles in lanes)" : "");
    }

    /**
     * {@link #accumulateLanes}' blends and permutes for adding 16 vectors' lanes, round by round
     * (half-blocks of {@code k} = 8, 4, 2, 1 lanes; L = 16): in each block of {@code 2k} lanes, a
     * blend keeps the first vector's first half and the second vector's second half, a permute
     * brings the two other halves across, and their sum adds each half of both vectors' blocks.
     * Two vectors become one, so 16 become 8, 4, 2, then one vector of their 16 totals, the same
     * tree every time. (Two permutes a pair, as first written: the tiles-in-lanes weight gradient
     * of 16 -> 16 on 32x32 about 5% slower, benchmarks/README.md.)
     */
    private static final VectorShuffle<Float> SUM_CROSS_8 = laneCross(8), SUM_CROSS_4 = laneCross(4);
    private static final VectorShuffle<Float> SUM_CROSS_2 = laneCross(2), SUM_CROSS_1 = laneCross(1);
    private static final VectorMask<Float> SUM_KEEP_8 = laneKeep(8), SUM_KEEP_4 = laneKeep(4);
    private static final VectorMask<Float> SUM_KEEP_2 = laneKeep(2), SUM_KEEP_1 = laneKeep(1);
    /** The four {@code SUM_CROSS} permutes as {@link Vectors#selectIndices}, 8 to 1. */
    private static final int[] SUM_CROSS_INDICES = L != 16 ? new int[0]
            : Vectors.selectIndices(SUM_CROSS_8, SUM_CROSS_4, SUM_CROSS_2, SUM_CROSS_1);

    /** Lanes {@code o >= k} of each block of {@code 2k}: the second vector's, where a blend keeps them. */
    private static VectorMask<Float> laneKeep(int k) {
        if (L != 16) {
            return null;
        }
        boolean[] bits = new boolean[L];
        for (int i = 0; i < L; i++) {
            bits[i] = i % (2 * k) >= k;
        }
        return VectorMask.fromArray(S, bits, 0);
    }

    /** The other half of each block: lane {@code o < k} takes the first vector's {@code o + k}, the rest the second's {@code o - k}. */
    private static VectorShuffle<Float> laneCross(int k) {
        if (L != 16) {
            return null;
        }
        return VectorShuffle.fromOp(S, i -> {
            int block = i / (2 * k) * 2 * k, o = i % (2 * k);
            return o < k ? block + o + k : L + block + o - k;
        });
    }

    /**
     * {@code dU_e} of a band added into the group's sums (at {@code sums[cb]}; {@code V_e} at
     * {@code v[vb]}, {@code dM_e} at {@code dm[mb]}, rows {@code blockTiles} apart; {@code tiles}
     * a whole number of vectors), the tiles staying in the lanes of both
     * {@code V_e} and {@code dM_e} as the transforms leave them: each of a 4-by-4 block's
     * accumulators adds one input channel's tiles times one output channel's, lane by lane, over
     * the band; then the 16 accumulators' lanes are added in registers (a tree of blends, permutes and adds, {@link #SUM_CROSS_8} on)
     * and the block's 16 totals added into its vector of the sums, laid out
     * {@code [e][ic / 4][oc / 4][4 ic][4 oc]} (the group's end transforms planes element by element,
     * and reads the pairs in that order, {@link #endWeightGradient}). Where the output
     * channels are one vector, the transposed products' register tile had one broadcast per FMA
     * after a 16x16 transpose per vector of tiles (16 -> 16 on 32x32 at about half the FMA
     * peak); here 8 loads feed 16 FMAs. Sums kept per lane across the group instead cost more at
     * the group's end (reading them all back) than the products saved. Columns past the band's
     * tiles are zero in both ({@link #clearPastTiles}), so they add nothing.
     */
    static void accumulateLanes(int cin, int cout, int blockTiles, float[] v, int vb, float[] dm, int mb, int tiles,
                                float[] sums, int cb) {
        int r = blockTiles;
        for (int ic0 = 0; ic0 < cin; ic0 += LANE_BLOCK) {
            for (int oc0 = 0; oc0 < cout; oc0 += LANE_BLOCK) {
                FloatVector zero = FloatVector.zero(S);
                FloatVector a00 = zero;
                FloatVector a01 = zero;
                FloatVector a02 = zero;
                FloatVector a03 = zero;
                FloatVector a10 = zero;
                FloatVector a11 = zero;
                FloatVector a12 = zero;
                FloatVector a13 = zero;
                FloatVector a20 = zero;
                FloatVector a21 = zero;
                FloatVector a22 = zero;
                FloatVector a23 = zero;
                FloatVector a30 = zero;
                FloatVector a31 = zero;
                FloatVector a32 = zero;
                FloatVector a33 = zero;
                for (int t = 0; t < tiles; t += L) {
                    int xi = vb + ic0 * r + t, gi = mb + oc0 * r + t;
                    FloatVector x0 = FloatVector.fromArray(S, v, xi), x1 = FloatVector.fromArray(S, v, xi + r);
                    FloatVector x2 = FloatVector.fromArray(S, v, xi + 2 * r), x3 = FloatVector.fromArray(S, v, xi + 3 * r);
                    FloatVector g0 = FloatVector.fromArray(S, dm, gi), g1 = FloatVector.fromArray(S, dm, gi + r);
                    FloatVector g2 = FloatVector.fromArray(S, dm, gi + 2 * r), g3 = FloatVector.fromArray(S, dm, gi + 3 * r);
                    a00 = x0.fma(g0, a00);
                    a01 = x0.fma(g1, a01);
                    a02 = x0.fma(g2, a02);
                    a03 = x0.fma(g3, a03);
                    a10 = x1.fma(g0, a10);
                    a11 = x1.fma(g1, a11);
                    a12 = x1.fma(g2, a12);
                    a13 = x1.fma(g3, a13);
                    a20 = x2.fma(g0, a20);
                    a21 = x2.fma(g1, a21);
                    a22 = x2.fma(g2, a22);
                    a23 = x2.fma(g3, a23);
                    a30 = x3.fma(g0, a30);
                    a31 = x3.fma(g1, a31);
                    a32 = x3.fma(g2, a32);
                    a33 = x3.fma(g3, a33);
                }
                // the 16 accumulators' lanes added in registers: lane 4i + j of the last is a_ij's
                // total, added into the block's 16 sums; one two-source permute a step
                // (Vectors.selectIndices; on an Intel Xeon this method's share of ResNet's 16 -> 16
                // backward went 22.5% -> 20.4% under perf), its indices loaded once a block
                IntVector cross8 = IntVector.fromArray(INTS, SUM_CROSS_INDICES, 0);
                IntVector cross4 = IntVector.fromArray(INTS, SUM_CROSS_INDICES, L);
                IntVector cross2 = IntVector.fromArray(INTS, SUM_CROSS_INDICES, 2 * L);
                IntVector cross1 = IntVector.fromArray(INTS, SUM_CROSS_INDICES, 3 * L);
                FloatVector r0 = a00.blend(a20, SUM_KEEP_8)
                        .add(cross8.selectFrom(a00.reinterpretAsInts(), a20.reinterpretAsInts()).reinterpretAsFloats());
                FloatVector r1 = a01.blend(a21, SUM_KEEP_8)
                        .add(cross8.selectFrom(a01.reinterpretAsInts(), a21.reinterpretAsInts()).reinterpretAsFloats());
                FloatVector r2 = a02.blend(a22, SUM_KEEP_8)
                        .add(cross8.selectFrom(a02.reinterpretAsInts(), a22.reinterpretAsInts()).reinterpretAsFloats());
                FloatVector r3 = a03.blend(a23, SUM_KEEP_8)
                        .add(cross8.selectFrom(a03.reinterpretAsInts(), a23.reinterpretAsInts()).reinterpretAsFloats());
                FloatVector r4 = a10.blend(a30, SUM_KEEP_8)
                        .add(cross8.selectFrom(a10.reinterpretAsInts(), a30.reinterpretAsInts()).reinterpretAsFloats());
                FloatVector r5 = a11.blend(a31, SUM_KEEP_8)
                        .add(cross8.selectFrom(a11.reinterpretAsInts(), a31.reinterpretAsInts()).reinterpretAsFloats());
                FloatVector r6 = a12.blend(a32, SUM_KEEP_8)
                        .add(cross8.selectFrom(a12.reinterpretAsInts(), a32.reinterpretAsInts()).reinterpretAsFloats());
                FloatVector r7 = a13.blend(a33, SUM_KEEP_8)
                        .add(cross8.selectFrom(a13.reinterpretAsInts(), a33.reinterpretAsInts()).reinterpretAsFloats());
                r0 = r0.blend(r4, SUM_KEEP_4)
                        .add(cross4.selectFrom(r0.reinterpretAsInts(), r4.reinterpretAsInts()).reinterpretAsFloats());
                r1 = r1.blend(r5, SUM_KEEP_4)
                        .add(cross4.selectFrom(r1.reinterpretAsInts(), r5.reinterpretAsInts()).reinterpretAsFloats());
                r2 = r2.blend(r6, SUM_KEEP_4)
                        .add(cross4.selectFrom(r2.reinterpretAsInts(), r6.reinterpretAsInts()).reinterpretAsFloats());
                r3 = r3.blend(r7, SUM_KEEP_4)
                        .add(cross4.selectFrom(r3.reinterpretAsInts(), r7.reinterpretAsInts()).reinterpretAsFloats());
                r0 = r0.blend(r2, SUM_KEEP_2)
                        .add(cross2.selectFrom(r0.reinterpretAsInts(), r2.reinterpretAsInts()).reinterpretAsFloats());
                r1 = r1.blend(r3, SUM_KEEP_2)
                        .add(cross2.selectFrom(r1.reinterpretAsInts(), r3.reinterpretAsInts()).reinterpretAsFloats());
                int c = cb + (ic0 / LANE_BLOCK * (cout / LANE_BLOCK) + oc0 / LANE_BLOCK) * L;
                r0.blend(r1, SUM_KEEP_1)
                        .add(cross1.selectFrom(r0.reinterpretAsInts(), r1.reinterpretAsInts()).reinterpretAsFloats())
                        .add(FloatVector.fromArray(S, sums, c)).intoArray(sums, c);
            }
        }
    }

    /**
     * Floats of the transformed weights {@code U_e}, and of a weight-gradient group's sums
     * {@code dU_e} (transposed there: {@code [e][ic][oc]}, or in 4x4 blocks where {@link #laneSums}): {@link #products}
     * planes of {@link #weightPlane}.
     */
    @Override
    public int transformedWeightsSize() {
        return products * weightPlane;
    }

    @Override
    public void weightGradientImage(float[] x, int xb, float[] dz, int dzAt, int dzRow, int dzPlane, boolean accumulate,
                             float[] sums) {
        float[] xs = Workspace.floats(Slot.WINOGRAD_STAGED, (long) stagedRows * stagedRow);
        float[] v = Workspace.floats(Slot.WINOGRAD_INPUT, (long) products * inputPlane);
        float[] dm = Workspace.floats(Slot.WINOGRAD_GRADIENT, (long) products * productPlane);
        float[] dmt = laneSums ? null : Workspace.floats(Slot.WINOGRAD_PRODUCTS, (long) products * productPlane);
        if (!accumulate) {
            Arrays.fill(sums, 0, transformedWeightsSize(), 0f);
        }
        float[] ds = null;
        if (tileRows == 4) {
            ds = Workspace.floats(Slot.WINOGRAD_STAGED_GRADIENT, gradientPlane());
        }
        for (int ty0 = 0; ty0 < tilesY; ty0 += bandRows) {
            int ty1 = Math.min(tilesY, ty0 + bandRows), tiles = (ty1 - ty0) * tilesX;
            transformInput(x, xb, width, height * width, ty0, ty1, xs, v);
            if (tileRows == 4) {
                for (int oc = 0; oc < cout; oc++) { // each channel's band staged just before its transform reads it
                    stageGradient(dz, dzAt + oc * dzPlane, dzRow, ty0, ty1 - ty0, ds);
                    transformGradientTall(ds, oc, tiles, dm);
                }
            } else {
                transformGradient(dz, dzAt, dzRow, dzPlane, ty0, ty1, dm);
            }
            if (laneSums) {
                // dM's columns past the band's tiles were computed from rows past it or the
                // staging's slack: zeros there, so that no stale infinity meets V's zeros
                for (int oc = 0; oc < cout; oc++) {
                    clearPastTiles(dm, oc * blockTiles, productPlane, tiles, roundUp(tiles, L));
                }
                for (int e = 0; e < products; e++) {
                    if (L == 8) {
                        accumulateLanes8(cin, cout, blockTiles, v, e * inputPlane, dm, e * productPlane,
                                roundUp(tiles, L), sums, e * weightPlane);
                    } else {
                        accumulateLanes(cin, cout, blockTiles, v, e * inputPlane, dm, e * productPlane,
                                roundUp(tiles, L), sums, e * weightPlane);
                    }
                }
                continue;
            }
            transposeGradient(dm, tiles, dmt);
            for (int e = 0; e < products; e++) {
                accumulate(cin, cout, blockTiles, v, e * inputPlane, dmt, e * productPlane, tiles, sums,
                        e * weightPlane);
            }
        }
    }

    /**
     * {@code dM_e = (A dY A^T)_e} for tile rows {@code [ty0, ty1)} of every output channel,
     * tile {@code (ty, tx)} at column {@code (ty - ty0) * tilesX + tx} of row {@code oc} (in the
     * forward's band layout of products): across each tile row {@code p, q} becomes
     * {@code p, p + q, p - q, -q}, then the same down the columns. A run of tiles is two vectors
     * of a gradient row, its even and odd columns taken apart.
     */
    private void transformGradient(float[] dz, int dzAt, int dzRow, int dzPlane, int ty0, int ty1, float[] dm) {
        boolean rowPairs = 2 * tilesX == L; // as transformOutput: two tile rows a vector, 16 wide
        for (int oc = 0; oc < cout; oc++) {
            for (int ty = ty0, rows = 1; ty < ty1; ty += rows) {
                rows = rowPairs && ty + 1 < ty1 ? 2 : 1;
                int row = dzAt + oc * dzPlane + 2 * ty * dzRow, to = oc * blockTiles + (ty - ty0) * tilesX;
                for (int tx = 0; tx < tilesX; tx += L) {
                    transformGradientRun(dz, row + 2 * tx, dzRow, tx, rows == 2, dm, to + tx);
                }
            }
        }
    }

    /**
     * {@link #transformGradient} for the vector of tiles from {@code tx} of a tile row (or with
     * {@code pair}, a tile row 16 wide and the next), its gradient rows at {@code dz[at]}, into
     * {@code dm[to]}. Stored whole: lanes past the row's tiles hold the transform of the masked
     * loads' zeros, and land on the next tile row's first columns or the next channel's (written
     * after) or past the band's tiles (never read, the plane's last row into its slack of 16).
     * Masked stores and the loop around them were too
     * large for C1's profiling tier ("out of virtual registers"), and C2, compiling without a
     * type profile, left the vector operations as calls on boxed vectors (a weight gradient of
     * 32 -> 32 on 16x16 took twice the time).
     */
    private void transformGradientRun(float[] dz, int at, int dzRow, int tx, boolean pair, float[] dm, int to) {
        IntVector unzipEven = Vectors.pairIndices(PAIR_INDICES, 0), unzipOdd = Vectors.pairIndices(PAIR_INDICES, 1);
        int e = productPlane;
        FloatVector a, b, c, d; // rows 2ty and 2ty + 1: each a vector, and the next (pair: rows 2ty + 2, 2ty + 3)
        if (pair) {
            a = FloatVector.fromArray(S, dz, at);
            b = FloatVector.fromArray(S, dz, at + 2 * dzRow);
            c = FloatVector.fromArray(S, dz, at + dzRow);
            d = FloatVector.fromArray(S, dz, at + 3 * dzRow);
        } else {
            VectorMask<Float> first = S.indexInRange(2 * tx, width), second = S.indexInRange(2 * tx + L, width);
            a = FloatVector.fromArray(S, dz, at, first);
            b = FloatVector.fromArray(S, dz, at + L, second);
            c = FloatVector.fromArray(S, dz, at + dzRow, first);
            d = FloatVector.fromArray(S, dz, at + dzRow + L, second);
        }
        FloatVector y00 = Vectors.pair(unzipEven, UNZIP_EVEN, a, b), y01 = Vectors.pair(unzipOdd, UNZIP_ODD, a, b);
        FloatVector y10 = Vectors.pair(unzipEven, UNZIP_EVEN, c, d), y11 = Vectors.pair(unzipOdd, UNZIP_ODD, c, d);
        // across: p, p + q, p - q, -q for each of the two rows
        FloatVector c00 = y00, c01 = y00.add(y01), c02 = y00.sub(y01), c03 = y01.neg();
        FloatVector c10 = y10, c11 = y10.add(y11), c12 = y10.sub(y11), c13 = y11.neg();
        // down: rows 0, 0 + 1, 0 - 1, -1; dM_e with e = 4 * (row) + (column)
        c00.intoArray(dm, to);
        c01.intoArray(dm, to + e);
        c02.intoArray(dm, to + 2 * e);
        c03.intoArray(dm, to + 3 * e);
        c00.add(c10).intoArray(dm, to + 4 * e);
        c01.add(c11).intoArray(dm, to + 5 * e);
        c02.add(c12).intoArray(dm, to + 6 * e);
        c03.add(c13).intoArray(dm, to + 7 * e);
        c00.sub(c10).intoArray(dm, to + 8 * e);
        c01.sub(c11).intoArray(dm, to + 9 * e);
        c02.sub(c12).intoArray(dm, to + 10 * e);
        c03.sub(c13).intoArray(dm, to + 11 * e);
        c10.neg().intoArray(dm, to + 12 * e);
        c11.neg().intoArray(dm, to + 13 * e);
        c12.neg().intoArray(dm, to + 14 * e);
        c13.neg().intoArray(dm, to + 15 * e);
    }

    /** Floats of a channel's band in {@link #stageGradient}'s phases: 8 planes of {@link #gradientPhase}. */
    private int gradientPlane() {
        return 8 * gradientPhase();
    }

    /** Floats from one of {@link #stageGradient}'s phases to the next: a band's tiles and a vector's slack for whole stores. */
    private int gradientPhase() {
        return bandRows * tilesX + L;
    }

    /**
     * Tile rows {@code ty0} to {@code ty0 + rows} of one channel of the gradient at the output
     * (its rows {@code dzRow} apart from {@code dz[dzAt]}) split for F(4x2, 3x3)'s tiles into
     * {@code ds[0]}: row {@code i} of every tile ({@code 0..3}) and its column {@code j}
     * ({@code 0, 1}) in a plane of its own, the band's tiles in order, plane {@code 2 i + j},
     * each {@link #gradientPhase} after the last. So a band's vector of tiles is one unmasked
     * load a row and column, whatever the width: loading and taking apart rows in the transform
     * (masked loads, two-vector permutes) was too large for C1's profiling tier ("out of virtual
     * registers": boxed vectors, a 16 -> 16 backward 2.6 times slower).
     */
    private void stageGradient(float[] dz, int dzAt, int dzRow, int ty0, int rows, float[] ds) {
        int first = dzAt + 4 * ty0 * dzRow;
        if (tilesX % L == 0) {
            stageGradientWholeRows(dz, first, dzRow, rows, ds);
            return;
        }
        int phase = gradientPhase();
        for (int i = 0; i < 4; i++) {
            int from = first + i * dzRow, to = 2 * i * phase;
            if (2 * tilesX == L) {
                stageGradientRowPairs(dz, from, dzRow, rows, ds, to, to + phase);
            } else {
                kernels.splitPaddedRows(dz, from, 4 * dzRow, rows, width, 0, ds, to, to + phase, tilesX, tilesX);
            }
        }
    }

    /**
     * {@link #stageGradient} for rows a whole number of vector pairs wide: the band's rows in
     * order, each split by two permutes a pair of vectors into the planes of its row in the tile.
     * (By {@link ConvSupport#splitPaddedRows}, four calls a channel of a row every 4, a 32-wide
     * map's staging was 6-7% of a ResNet training step.)
     */
    private void stageGradientWholeRows(float[] dz, int first, int dzRow, int rows, float[] ds) {
        IntVector unzipEven = IntVector.fromArray(INTS, PAIR_INDICES, 0);
        IntVector unzipOdd = IntVector.fromArray(INTS, PAIR_INDICES, L);
        int phase = gradientPhase();
        for (int r = 0; r < 4 * rows; r++) {
            int from = first + r * dzRow, to = 2 * (r & 3) * phase + (r >> 2) * tilesX;
            for (int k = 0; k < tilesX; k += L) {
                IntVector lo = FloatVector.fromArray(S, dz, from + 2 * k).reinterpretAsInts();
                IntVector hi = FloatVector.fromArray(S, dz, from + 2 * k + L).reinterpretAsInts();
                unzipEven.selectFrom(lo, hi).reinterpretAsFloats().intoArray(ds, to + k);
                unzipOdd.selectFrom(lo, hi).reinterpretAsFloats().intoArray(ds, to + phase + k);
            }
        }
    }

    /**
     * {@link #stageGradient} for rows one vector wide: row {@code i} of tile rows {@code ty} and
     * {@code ty + 1} (gradient rows 4 apart) split in one pair of permutes into a whole vector of
     * each phase, from {@code dz[from]} into {@code ds[even]} and {@code ds[odd]} (as
     * {@link ConvSupport#splitPaddedRows}, a row at a time, it was masked loads and stores, and a
     * sixth of a 32 -> 32 backward on 16x16).
     */
    private void stageGradientRowPairs(float[] dz, int from, int dzRow, int rows, float[] ds, int even, int odd) {
        IntVector unzipEven = Vectors.pairIndices(PAIR_INDICES, 0), unzipOdd = Vectors.pairIndices(PAIR_INDICES, 1);
        for (int ty = 0; ty < rows; ty += 2) {
            FloatVector a = FloatVector.fromArray(S, dz, from + 4 * ty * dzRow);
            FloatVector b = ty + 1 < rows ? FloatVector.fromArray(S, dz, from + 4 * (ty + 1) * dzRow) : a;
            Vectors.pair(unzipEven, UNZIP_EVEN, a, b).intoArray(ds, even + ty * tilesX);
            Vectors.pair(unzipOdd, UNZIP_ODD, a, b).intoArray(ds, odd + ty * tilesX);
        }
    }

    /**
     * {@link #transformGradient} for F(4x2, 3x3), from {@link #stageGradient}'s phases of channel
     * {@code oc}: the band's {@code tiles} tiles, {@code dM = A dY A^T} of each tile's 4x2
     * block, across each row as F(2x2, 3x3)'s ({@code p, p + q, p - q, -q}), then down each
     * column F(4, 3)'s {@code A}: {@code d0}, {@code (d0 + d2) + (d1 + d3)},
     * {@code (d0 + d2) - (d1 + d3)}, {@code (d0 + 4 d2) + 2 (d1 + 4 d3)},
     * {@code (d0 + 4 d2) - 2 (d1 + 4 d3)}, {@code d3}. One column of {@code dM} a call.
     * Stored whole: lanes past the band's tiles land in {@code dM}'s columns up to the vector,
     * which the transposed products never read ({@link #accumulateLanes}' caller zeroes them).
     */
    private void transformGradientTall(float[] ds, int oc, int tiles, float[] dm) {
        int e = productPlane, phase = gradientPhase(), to = oc * blockTiles;
        for (int t = 0; t < tiles; t += L) {
            transformGradientTallColumn(ds, t, phase, false, 1f, dm, to + t); // p
            transformGradientTallColumn(ds, t, phase, true, 1f, dm, to + t + e); // p + q
            transformGradientTallColumn(ds, t, phase, true, -1f, dm, to + t + 2 * e); // p - q
            transformGradientTallColumn(ds, t + phase, phase, false, -1f, dm, to + t + 3 * e); // -q
        }
    }

    /**
     * A column of {@link #transformGradientTall}'s {@code dM} for the vector of tiles at
     * {@code ds[at]}: {@code sign x}, or with {@code pair} {@code x + sign y}, where {@code x} is
     * a tile row's column at {@code at} and {@code y} the next column ({@code phase} after; the
     * rows {@code 2 phase} apart); into {@code dm[to]} and every fourth plane after. Only signs
     * multiply, so an infinite gradient gives what the sums give (a zero coefficient would make NaN).
     */
    private void transformGradientTallColumn(float[] ds, int at, int phase, boolean pair, float sign, float[] dm,
                                             int to) {
        int e = productPlane;
        FloatVector d0 = FloatVector.fromArray(S, ds, at), d1 = FloatVector.fromArray(S, ds, at + 2 * phase);
        FloatVector d2 = FloatVector.fromArray(S, ds, at + 4 * phase), d3 = FloatVector.fromArray(S, ds, at + 6 * phase);
        if (pair) {
            d0 = d0.add(FloatVector.fromArray(S, ds, at + phase).mul(sign));
            d1 = d1.add(FloatVector.fromArray(S, ds, at + 3 * phase).mul(sign));
            d2 = d2.add(FloatVector.fromArray(S, ds, at + 5 * phase).mul(sign));
            d3 = d3.add(FloatVector.fromArray(S, ds, at + 7 * phase).mul(sign));
        } else {
            d0 = d0.mul(sign);
            d1 = d1.mul(sign);
            d2 = d2.mul(sign);
            d3 = d3.mul(sign);
        }
        // down: dM_e with e = 4 * (row) + (column)
        FloatVector even = d0.add(d2), odd = d1.add(d3), near = d2.mul(4f).add(d0), far = d3.mul(4f).add(d1);
        d0.intoArray(dm, to);
        even.add(odd).intoArray(dm, to + 4 * e);
        even.sub(odd).intoArray(dm, to + 8 * e);
        near.add(far.mul(2f)).intoArray(dm, to + 12 * e);
        near.sub(far.mul(2f)).intoArray(dm, to + 16 * e);
        d3.intoArray(dm, to + 20 * e);
    }

    /**
     * {@code dM_e^T} from {@code dM_e} for a band's first {@code tiles} tiles: rows of {@code cout},
     * planes as {@code dM_e}'s. With 16 lanes, blocks of 16 by 16 transposed in registers
     * ({@link #transpose16}), with 8 blocks of 8 by 8 ({@link #transpose8}); else each row a
     * vector of output channels gathered down a column of {@code dM_e}. Element by element it took 15% of a 64 -> 128 weight gradient on 16x16
     * (gathered, 11%); a masked scatter from the transform cost as much, shuffles through a block
     * in memory twice as much.
     */
    private void transposeGradient(float[] dm, int tiles, float[] dmt) {
        if (L == 16 || L == 8 && TRANSPOSE8) {
            transposeGradientBlocks(products, productPlane, cout, blockTiles, dm, tiles, dmt);
            return;
        }
        for (int e = 0; e < products; e++) {
            int plane = e * productPlane;
            for (int t = 0; t < tiles; t++) {
                for (int oc = 0; oc < cout; oc += L) {
                    FloatVector.fromArray(S, dm, plane + oc * blockTiles + t, gradientColumn, 0)
                            .intoArray(dmt, plane + t * cout + oc);
                }
            }
        }
    }

    /**
     * {@link #transposeGradient} at 16 or 8 lanes for {@code products} planes {@code productPlane}
     * apart, rows of {@code blockTiles} for each of {@code cout} output channels: blocks of 16 by
     * 16 ({@link #transpose16}) or 8 by 8 ({@link #transpose8}). Columns past the tiles up to the
     * vector are stale, their rows of {@code dmt} unread.
     */
    static void transposeGradientBlocks(int products, int productPlane, int cout, int blockTiles, float[] dm, int tiles,
                                        float[] dmt) {
        for (int e = 0; e < products; e++) {
            int plane = e * productPlane;
            for (int t0 = 0; t0 < tiles; t0 += L) {
                for (int oc = 0; oc < cout; oc += L) {
                    int from = plane + oc * blockTiles + t0, to = plane + t0 * cout + oc;
                    if (L == 16) {
                        transpose16(dm, from, blockTiles, dmt, to, cout);
                    } else {
                        transpose8(dm, from, blockTiles, dmt, to, cout);
                    }
                }
            }
        }
    }

    /**
     * {@code to[toAt + c * toStride + r] = from[at + r * fromStride + c]} for a 16 by 16 block: four
     * rounds of two-vector permutes, each swapping the off-diagonal quarters of blocks of 2k rows
     * ({@link #SWAP_INDICES}). Each permute is {@code selectFrom(v1, v2)} on int lanes, which C2
     * compiles to one two-source {@code vpermi2d}; a {@code VectorShuffle}'s two-vector
     * {@code rearrange} was two one-source {@code vpermps} and a blend, and on CPUs with one
     * shuffle port (Intel's) the shuffles bound this transpose: on an Intel Xeon its share of VGG's
     * 32 -> 32 backward went 10.0% -> 7.3% under perf, and a depthwise forward that transposes
     * (32 channels on 56x56) ran x0.84 the time. The indices are loaded once a call, so nothing
     * converts or checks them inside it. Written out: a helper taking vectors might not
     * be inlined, and would box them.
     */
    static void transpose16(float[] from, int at, int fromStride, float[] to, int toAt, int toStride) {
        IntVector low8 = IntVector.fromArray(INTS, SWAP_INDICES, 0), high8 = IntVector.fromArray(INTS, SWAP_INDICES, L);
        IntVector low4 = IntVector.fromArray(INTS, SWAP_INDICES, 2 * L), high4 = IntVector.fromArray(INTS, SWAP_INDICES, 3 * L);
        IntVector low2 = IntVector.fromArray(INTS, SWAP_INDICES, 4 * L), high2 = IntVector.fromArray(INTS, SWAP_INDICES, 5 * L);
        IntVector low1 = IntVector.fromArray(INTS, SWAP_INDICES, 6 * L), high1 = IntVector.fromArray(INTS, SWAP_INDICES, 7 * L);
        IntVector r0 = FloatVector.fromArray(S, from, at).reinterpretAsInts();
        IntVector r1 = FloatVector.fromArray(S, from, at + 1 * fromStride).reinterpretAsInts();
        IntVector r2 = FloatVector.fromArray(S, from, at + 2 * fromStride).reinterpretAsInts();
        IntVector r3 = FloatVector.fromArray(S, from, at + 3 * fromStride).reinterpretAsInts();
        IntVector r4 = FloatVector.fromArray(S, from, at + 4 * fromStride).reinterpretAsInts();
        IntVector r5 = FloatVector.fromArray(S, from, at + 5 * fromStride).reinterpretAsInts();
        IntVector r6 = FloatVector.fromArray(S, from, at + 6 * fromStride).reinterpretAsInts();
        IntVector r7 = FloatVector.fromArray(S, from, at + 7 * fromStride).reinterpretAsInts();
        IntVector r8 = FloatVector.fromArray(S, from, at + 8 * fromStride).reinterpretAsInts();
        IntVector r9 = FloatVector.fromArray(S, from, at + 9 * fromStride).reinterpretAsInts();
        IntVector r10 = FloatVector.fromArray(S, from, at + 10 * fromStride).reinterpretAsInts();
        IntVector r11 = FloatVector.fromArray(S, from, at + 11 * fromStride).reinterpretAsInts();
        IntVector r12 = FloatVector.fromArray(S, from, at + 12 * fromStride).reinterpretAsInts();
        IntVector r13 = FloatVector.fromArray(S, from, at + 13 * fromStride).reinterpretAsInts();
        IntVector r14 = FloatVector.fromArray(S, from, at + 14 * fromStride).reinterpretAsInts();
        IntVector r15 = FloatVector.fromArray(S, from, at + 15 * fromStride).reinterpretAsInts();
        IntVector a0 = low8.selectFrom(r0, r8);
        IntVector a8 = high8.selectFrom(r0, r8);
        IntVector a1 = low8.selectFrom(r1, r9);
        IntVector a9 = high8.selectFrom(r1, r9);
        IntVector a2 = low8.selectFrom(r2, r10);
        IntVector a10 = high8.selectFrom(r2, r10);
        IntVector a3 = low8.selectFrom(r3, r11);
        IntVector a11 = high8.selectFrom(r3, r11);
        IntVector a4 = low8.selectFrom(r4, r12);
        IntVector a12 = high8.selectFrom(r4, r12);
        IntVector a5 = low8.selectFrom(r5, r13);
        IntVector a13 = high8.selectFrom(r5, r13);
        IntVector a6 = low8.selectFrom(r6, r14);
        IntVector a14 = high8.selectFrom(r6, r14);
        IntVector a7 = low8.selectFrom(r7, r15);
        IntVector a15 = high8.selectFrom(r7, r15);
        IntVector b0 = low4.selectFrom(a0, a4);
        IntVector b4 = high4.selectFrom(a0, a4);
        IntVector b1 = low4.selectFrom(a1, a5);
        IntVector b5 = high4.selectFrom(a1, a5);
        IntVector b2 = low4.selectFrom(a2, a6);
        IntVector b6 = high4.selectFrom(a2, a6);
        IntVector b3 = low4.selectFrom(a3, a7);
        IntVector b7 = high4.selectFrom(a3, a7);
        IntVector b8 = low4.selectFrom(a8, a12);
        IntVector b12 = high4.selectFrom(a8, a12);
        IntVector b9 = low4.selectFrom(a9, a13);
        IntVector b13 = high4.selectFrom(a9, a13);
        IntVector b10 = low4.selectFrom(a10, a14);
        IntVector b14 = high4.selectFrom(a10, a14);
        IntVector b11 = low4.selectFrom(a11, a15);
        IntVector b15 = high4.selectFrom(a11, a15);
        IntVector c0 = low2.selectFrom(b0, b2);
        IntVector c2 = high2.selectFrom(b0, b2);
        IntVector c1 = low2.selectFrom(b1, b3);
        IntVector c3 = high2.selectFrom(b1, b3);
        IntVector c4 = low2.selectFrom(b4, b6);
        IntVector c6 = high2.selectFrom(b4, b6);
        IntVector c5 = low2.selectFrom(b5, b7);
        IntVector c7 = high2.selectFrom(b5, b7);
        IntVector c8 = low2.selectFrom(b8, b10);
        IntVector c10 = high2.selectFrom(b8, b10);
        IntVector c9 = low2.selectFrom(b9, b11);
        IntVector c11 = high2.selectFrom(b9, b11);
        IntVector c12 = low2.selectFrom(b12, b14);
        IntVector c14 = high2.selectFrom(b12, b14);
        IntVector c13 = low2.selectFrom(b13, b15);
        IntVector c15 = high2.selectFrom(b13, b15);
        IntVector d0 = low1.selectFrom(c0, c1);
        IntVector d1 = high1.selectFrom(c0, c1);
        IntVector d2 = low1.selectFrom(c2, c3);
        IntVector d3 = high1.selectFrom(c2, c3);
        IntVector d4 = low1.selectFrom(c4, c5);
        IntVector d5 = high1.selectFrom(c4, c5);
        IntVector d6 = low1.selectFrom(c6, c7);
        IntVector d7 = high1.selectFrom(c6, c7);
        IntVector d8 = low1.selectFrom(c8, c9);
        IntVector d9 = high1.selectFrom(c8, c9);
        IntVector d10 = low1.selectFrom(c10, c11);
        IntVector d11 = high1.selectFrom(c10, c11);
        IntVector d12 = low1.selectFrom(c12, c13);
        IntVector d13 = high1.selectFrom(c12, c13);
        IntVector d14 = low1.selectFrom(c14, c15);
        IntVector d15 = high1.selectFrom(c14, c15);
        d0.reinterpretAsFloats().intoArray(to, toAt);
        d1.reinterpretAsFloats().intoArray(to, toAt + 1 * toStride);
        d2.reinterpretAsFloats().intoArray(to, toAt + 2 * toStride);
        d3.reinterpretAsFloats().intoArray(to, toAt + 3 * toStride);
        d4.reinterpretAsFloats().intoArray(to, toAt + 4 * toStride);
        d5.reinterpretAsFloats().intoArray(to, toAt + 5 * toStride);
        d6.reinterpretAsFloats().intoArray(to, toAt + 6 * toStride);
        d7.reinterpretAsFloats().intoArray(to, toAt + 7 * toStride);
        d8.reinterpretAsFloats().intoArray(to, toAt + 8 * toStride);
        d9.reinterpretAsFloats().intoArray(to, toAt + 9 * toStride);
        d10.reinterpretAsFloats().intoArray(to, toAt + 10 * toStride);
        d11.reinterpretAsFloats().intoArray(to, toAt + 11 * toStride);
        d12.reinterpretAsFloats().intoArray(to, toAt + 12 * toStride);
        d13.reinterpretAsFloats().intoArray(to, toAt + 13 * toStride);
        d14.reinterpretAsFloats().intoArray(to, toAt + 14 * toStride);
        d15.reinterpretAsFloats().intoArray(to, toAt + 15 * toStride);
    }

    /**
     * Benchmark hook: {@code -Disthmus.conv.transpose8=false} keeps 8 lanes on the gathers
     * {@link #transposeGradient} used before {@link #transpose8}.
     */
    private static final boolean TRANSPOSE8 = Boolean.parseBoolean(System.getProperty("isthmus.conv.transpose8", "true"));
    /** {@link #transpose8}'s rounds (k = 4, 2, 1): lane {@code j} takes lane {@code j ^ k}. */
    private static final VectorShuffle<Float> SWAP4 = L == 8 ? VectorShuffle.fromOp(S, j -> j ^ 4) : null;
    private static final VectorShuffle<Float> SWAP2 = L == 8 ? VectorShuffle.fromOp(S, j -> j ^ 2) : null;
    private static final VectorShuffle<Float> SWAP1 = L == 8 ? VectorShuffle.fromOp(S, j -> j ^ 1) : null;
    /** The lanes with bit k set, which each round takes from the other row. */
    private static final VectorMask<Float> BIT4 = L == 8 ? VectorMask.fromLong(S, 0xF0) : null;
    private static final VectorMask<Float> BIT2 = L == 8 ? VectorMask.fromLong(S, 0xCC) : null;
    private static final VectorMask<Float> BIT1 = L == 8 ? VectorMask.fromLong(S, 0xAA) : null;

    /**
     * {@link #transpose16} under 8 lanes: {@code to[toAt + c * toStride + r] = from[at + r *
     * fromStride + c]} for an 8 by 8 block, in three rounds; of rows {@code i} and {@code i + k}
     * ({@code i}'s bit k clear), the first keeps its lanes with bit k clear and takes the
     * second's {@code j - k} into the others, the second takes the first's {@code j + k} into
     * its lanes with bit k clear: one lane swap and one blend a row. AVX2 has no two-source
     * permute, so the swap is one-source and the blend picks. Gathering each row down a
     * column, as before, left a 16 -> 16 weight gradient on 32x32 waiting on the gathers: a
     * quarter of its samples on the Zen 3. Written out, as {@code transpose16}.
     */
    static void transpose8(float[] from, int at, int fromStride, float[] to, int toAt, int toStride) {
        FloatVector r0 = FloatVector.fromArray(S, from, at);
        FloatVector r1 = FloatVector.fromArray(S, from, at + fromStride);
        FloatVector r2 = FloatVector.fromArray(S, from, at + 2 * fromStride);
        FloatVector r3 = FloatVector.fromArray(S, from, at + 3 * fromStride);
        FloatVector r4 = FloatVector.fromArray(S, from, at + 4 * fromStride);
        FloatVector r5 = FloatVector.fromArray(S, from, at + 5 * fromStride);
        FloatVector r6 = FloatVector.fromArray(S, from, at + 6 * fromStride);
        FloatVector r7 = FloatVector.fromArray(S, from, at + 7 * fromStride);
        FloatVector a0 = r0.blend(r4.rearrange(SWAP4), BIT4), a4 = r0.rearrange(SWAP4).blend(r4, BIT4);
        FloatVector a1 = r1.blend(r5.rearrange(SWAP4), BIT4), a5 = r1.rearrange(SWAP4).blend(r5, BIT4);
        FloatVector a2 = r2.blend(r6.rearrange(SWAP4), BIT4), a6 = r2.rearrange(SWAP4).blend(r6, BIT4);
        FloatVector a3 = r3.blend(r7.rearrange(SWAP4), BIT4), a7 = r3.rearrange(SWAP4).blend(r7, BIT4);
        FloatVector b0 = a0.blend(a2.rearrange(SWAP2), BIT2), b2 = a0.rearrange(SWAP2).blend(a2, BIT2);
        FloatVector b1 = a1.blend(a3.rearrange(SWAP2), BIT2), b3 = a1.rearrange(SWAP2).blend(a3, BIT2);
        FloatVector b4 = a4.blend(a6.rearrange(SWAP2), BIT2), b6 = a4.rearrange(SWAP2).blend(a6, BIT2);
        FloatVector b5 = a5.blend(a7.rearrange(SWAP2), BIT2), b7 = a5.rearrange(SWAP2).blend(a7, BIT2);
        b0.blend(b1.rearrange(SWAP1), BIT1).intoArray(to, toAt);
        b0.rearrange(SWAP1).blend(b1, BIT1).intoArray(to, toAt + toStride);
        b2.blend(b3.rearrange(SWAP1), BIT1).intoArray(to, toAt + 2 * toStride);
        b2.rearrange(SWAP1).blend(b3, BIT1).intoArray(to, toAt + 3 * toStride);
        b4.blend(b5.rearrange(SWAP1), BIT1).intoArray(to, toAt + 4 * toStride);
        b4.rearrange(SWAP1).blend(b5, BIT1).intoArray(to, toAt + 5 * toStride);
        b6.blend(b7.rearrange(SWAP1), BIT1).intoArray(to, toAt + 6 * toStride);
        b6.rearrange(SWAP1).blend(b7, BIT1).intoArray(to, toAt + 7 * toStride);
    }

    /**
     * {@code dU_e^T += V_e dM_e^T} over a band's first {@code tiles} tiles, {@code V_e} at
     * {@code v[vb]} (rows of {@code blockTiles} for each of {@code cin} input channels),
     * {@code dM_e^T} at {@code dmt[mb]} (rows of {@code cout}), {@code dU_e^T} at {@code sums[cb]}
     * (rows of {@code cout}): 8 input channels by two vectors of output channels in registers, as
     * {@link #multiply}; output channels in single vectors by {@link #accumulateVector}.
     */
    static void accumulate(int cin, int cout, int blockTiles, float[] v, int vb, float[] dmt, int mb, int tiles,
                           float[] sums, int cb) {
        if (cout % COLS != 0) {
            accumulateVector(cin, cout, blockTiles, v, vb, dmt, mb, tiles, sums, cb);
            return;
        }
        int r = blockTiles;
        for (int ic0 = 0; ic0 < cin; ic0 += ROWS) {
            for (int oc0 = 0; oc0 < cout; oc0 += COLS) {
                int c = cb + ic0 * cout + oc0;
                if (L < 16) { // as multiply's tile: 16 accumulators alone fill AVX2's registers
                    accumulateRows(cout, r, v, vb + ic0 * r, dmt, mb + oc0, tiles, sums, c);
                    accumulateRows(cout, r, v, vb + (ic0 + ROWS / 2) * r, dmt, mb + oc0, tiles, sums, c + ROWS / 2 * cout);
                    continue;
                }
                FloatVector c00 = FloatVector.fromArray(S, sums, c), c01 = FloatVector.fromArray(S, sums, c + L);
                FloatVector c10 = FloatVector.fromArray(S, sums, c + cout), c11 = FloatVector.fromArray(S, sums, c + cout + L);
                FloatVector c20 = FloatVector.fromArray(S, sums, c + 2 * cout), c21 = FloatVector.fromArray(S, sums, c + 2 * cout + L);
                FloatVector c30 = FloatVector.fromArray(S, sums, c + 3 * cout), c31 = FloatVector.fromArray(S, sums, c + 3 * cout + L);
                FloatVector c40 = FloatVector.fromArray(S, sums, c + 4 * cout), c41 = FloatVector.fromArray(S, sums, c + 4 * cout + L);
                FloatVector c50 = FloatVector.fromArray(S, sums, c + 5 * cout), c51 = FloatVector.fromArray(S, sums, c + 5 * cout + L);
                FloatVector c60 = FloatVector.fromArray(S, sums, c + 6 * cout), c61 = FloatVector.fromArray(S, sums, c + 6 * cout + L);
                FloatVector c70 = FloatVector.fromArray(S, sums, c + 7 * cout), c71 = FloatVector.fromArray(S, sums, c + 7 * cout + L);
                for (int t = 0; t < tiles; t++) {
                    int bi = mb + t * cout + oc0, ai = vb + ic0 * r + t;
                    FloatVector b0 = FloatVector.fromArray(S, dmt, bi);
                    FloatVector b1 = FloatVector.fromArray(S, dmt, bi + L);
                    FloatVector a = FloatVector.broadcast(S, v[ai]);
                    c00 = a.fma(b0, c00);
                    c01 = a.fma(b1, c01);
                    a = FloatVector.broadcast(S, v[ai + r]);
                    c10 = a.fma(b0, c10);
                    c11 = a.fma(b1, c11);
                    a = FloatVector.broadcast(S, v[ai + 2 * r]);
                    c20 = a.fma(b0, c20);
                    c21 = a.fma(b1, c21);
                    a = FloatVector.broadcast(S, v[ai + 3 * r]);
                    c30 = a.fma(b0, c30);
                    c31 = a.fma(b1, c31);
                    a = FloatVector.broadcast(S, v[ai + 4 * r]);
                    c40 = a.fma(b0, c40);
                    c41 = a.fma(b1, c41);
                    a = FloatVector.broadcast(S, v[ai + 5 * r]);
                    c50 = a.fma(b0, c50);
                    c51 = a.fma(b1, c51);
                    a = FloatVector.broadcast(S, v[ai + 6 * r]);
                    c60 = a.fma(b0, c60);
                    c61 = a.fma(b1, c61);
                    a = FloatVector.broadcast(S, v[ai + 7 * r]);
                    c70 = a.fma(b0, c70);
                    c71 = a.fma(b1, c71);
                }
                c00.intoArray(sums, c);
                c01.intoArray(sums, c + L);
                c10.intoArray(sums, c + cout);
                c11.intoArray(sums, c + cout + L);
                c20.intoArray(sums, c + 2 * cout);
                c21.intoArray(sums, c + 2 * cout + L);
                c30.intoArray(sums, c + 3 * cout);
                c31.intoArray(sums, c + 3 * cout + L);
                c40.intoArray(sums, c + 4 * cout);
                c41.intoArray(sums, c + 4 * cout + L);
                c50.intoArray(sums, c + 5 * cout);
                c51.intoArray(sums, c + 5 * cout + L);
                c60.intoArray(sums, c + 6 * cout);
                c61.intoArray(sums, c + 6 * cout + L);
                c70.intoArray(sums, c + 7 * cout);
                c71.intoArray(sums, c + 7 * cout + L);
            }
        }
    }

    /**
     * {@link #accumulate}'s register tile under 16 lanes: four input channels (rows of {@code V_e}
     * from {@code v[vi]}) by two vectors of output channels ({@code dM_e^T} from {@code dmt[mi]}),
     * added into {@code sums[c]}, each sum in the same order as the wide tile's (whose 16
     * accumulators alone fill AVX2's registers).
     */
    private static void accumulateRows(int cout, int blockTiles, float[] v, int vi, float[] dmt, int mi, int tiles,
                                       float[] sums, int c) {
        int r = blockTiles;
        FloatVector c00 = FloatVector.fromArray(S, sums, c), c01 = FloatVector.fromArray(S, sums, c + L);
        FloatVector c10 = FloatVector.fromArray(S, sums, c + cout), c11 = FloatVector.fromArray(S, sums, c + cout + L);
        FloatVector c20 = FloatVector.fromArray(S, sums, c + 2 * cout);
        FloatVector c21 = FloatVector.fromArray(S, sums, c + 2 * cout + L);
        FloatVector c30 = FloatVector.fromArray(S, sums, c + 3 * cout);
        FloatVector c31 = FloatVector.fromArray(S, sums, c + 3 * cout + L);
        for (int t = 0; t < tiles; t++) {
            int bi = mi + t * cout, ai = vi + t;
            FloatVector b0 = FloatVector.fromArray(S, dmt, bi), b1 = FloatVector.fromArray(S, dmt, bi + L);
            FloatVector a = FloatVector.broadcast(S, v[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, v[ai + r]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, v[ai + 2 * r]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, v[ai + 3 * r]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        c00.intoArray(sums, c);
        c01.intoArray(sums, c + L);
        c10.intoArray(sums, c + cout);
        c11.intoArray(sums, c + cout + L);
        c20.intoArray(sums, c + 2 * cout);
        c21.intoArray(sums, c + 2 * cout + L);
        c30.intoArray(sums, c + 3 * cout);
        c31.intoArray(sums, c + 3 * cout + L);
    }

    /**
     * {@link #accumulateLanes} under 8 lanes: blocks of 4 input by 2 output channels, 8
     * accumulators (AVX2's 16 registers), 6 loads a block's 8 FMAs, as the transposed products'
     * register tile ({@link #accumulateRows}), without the transpose before it
     * ({@link #transpose8}: on the Zen 3 it took as many samples as the products). Then the 8
     * accumulators' lanes are added in three rounds; in each, of {@code x} and {@code y}, the
     * lanes with bit k clear take {@code x}'s pairs and the others {@code y}'s: two blends, a
     * one-source permute ({@link #SWAP4}; AVX2 has no two-source one) and an add. Lane
     * {@code 2i + j} of the last is input channel {@code i}'s and output channel {@code j}'s
     * total, added into the block's vector of the sums ({@link #sumsPair}).
     */
    static void accumulateLanes8(int cin, int cout, int blockTiles, float[] v, int vb, float[] dm, int mb, int tiles,
                                 float[] sums, int cb) {
        int r = blockTiles;
        for (int ic0 = 0; ic0 < cin; ic0 += LANE_BLOCK) {
            for (int oc0 = 0; oc0 < cout; oc0 += LANE_OC) {
                FloatVector zero = FloatVector.zero(S);
                FloatVector a00 = zero;
                FloatVector a01 = zero;
                FloatVector a10 = zero;
                FloatVector a11 = zero;
                FloatVector a20 = zero;
                FloatVector a21 = zero;
                FloatVector a30 = zero;
                FloatVector a31 = zero;
                for (int t = 0; t < tiles; t += L) {
                    int xi = vb + ic0 * r + t, gi = mb + oc0 * r + t;
                    FloatVector g0 = FloatVector.fromArray(S, dm, gi), g1 = FloatVector.fromArray(S, dm, gi + r);
                    FloatVector x = FloatVector.fromArray(S, v, xi);
                    a00 = x.fma(g0, a00);
                    a01 = x.fma(g1, a01);
                    x = FloatVector.fromArray(S, v, xi + r);
                    a10 = x.fma(g0, a10);
                    a11 = x.fma(g1, a11);
                    x = FloatVector.fromArray(S, v, xi + 2 * r);
                    a20 = x.fma(g0, a20);
                    a21 = x.fma(g1, a21);
                    x = FloatVector.fromArray(S, v, xi + 3 * r);
                    a30 = x.fma(g0, a30);
                    a31 = x.fma(g1, a31);
                }
                // k = 4: channels i and i + 2; k = 2: i and i + 1; k = 1: the two output channels
                FloatVector r0 = a00.blend(a20, BIT4).add(a20.blend(a00, BIT4).rearrange(SWAP4));
                FloatVector r1 = a01.blend(a21, BIT4).add(a21.blend(a01, BIT4).rearrange(SWAP4));
                FloatVector r2 = a10.blend(a30, BIT4).add(a30.blend(a10, BIT4).rearrange(SWAP4));
                FloatVector r3 = a11.blend(a31, BIT4).add(a31.blend(a11, BIT4).rearrange(SWAP4));
                r0 = r0.blend(r2, BIT2).add(r2.blend(r0, BIT2).rearrange(SWAP2));
                r1 = r1.blend(r3, BIT2).add(r3.blend(r1, BIT2).rearrange(SWAP2));
                int c = cb + (ic0 / LANE_BLOCK * (cout / LANE_OC) + oc0 / LANE_OC) * L;
                r0.blend(r1, BIT1).add(r1.blend(r0, BIT1).rearrange(SWAP1))
                        .add(FloatVector.fromArray(S, sums, c)).intoArray(sums, c);
            }
        }
    }

    /**
     * {@link #accumulate} for output channels in single vectors (16 of them with 16 lanes): 8
     * input channels by one vector of output channels in registers.
     */
    private static void accumulateVector(int cin, int cout, int blockTiles, float[] v, int vb, float[] dmt, int mb,
                                         int tiles, float[] sums, int cb) {
        int r = blockTiles;
        for (int ic0 = 0; ic0 < cin; ic0 += ROWS) {
            for (int oc0 = 0; oc0 < cout; oc0 += L) {
                int c = cb + ic0 * cout + oc0;
                FloatVector c0 = FloatVector.fromArray(S, sums, c);
                FloatVector c1 = FloatVector.fromArray(S, sums, c + cout);
                FloatVector c2 = FloatVector.fromArray(S, sums, c + 2 * cout);
                FloatVector c3 = FloatVector.fromArray(S, sums, c + 3 * cout);
                FloatVector c4 = FloatVector.fromArray(S, sums, c + 4 * cout);
                FloatVector c5 = FloatVector.fromArray(S, sums, c + 5 * cout);
                FloatVector c6 = FloatVector.fromArray(S, sums, c + 6 * cout);
                FloatVector c7 = FloatVector.fromArray(S, sums, c + 7 * cout);
                for (int t = 0; t < tiles; t++) {
                    int ai = vb + ic0 * r + t;
                    FloatVector b = FloatVector.fromArray(S, dmt, mb + t * cout + oc0);
                    c0 = FloatVector.broadcast(S, v[ai]).fma(b, c0);
                    c1 = FloatVector.broadcast(S, v[ai + r]).fma(b, c1);
                    c2 = FloatVector.broadcast(S, v[ai + 2 * r]).fma(b, c2);
                    c3 = FloatVector.broadcast(S, v[ai + 3 * r]).fma(b, c3);
                    c4 = FloatVector.broadcast(S, v[ai + 4 * r]).fma(b, c4);
                    c5 = FloatVector.broadcast(S, v[ai + 5 * r]).fma(b, c5);
                    c6 = FloatVector.broadcast(S, v[ai + 6 * r]).fma(b, c6);
                    c7 = FloatVector.broadcast(S, v[ai + 7 * r]).fma(b, c7);
                }
                c0.intoArray(sums, c);
                c1.intoArray(sums, c + cout);
                c2.intoArray(sums, c + 2 * cout);
                c3.intoArray(sums, c + 3 * cout);
                c4.intoArray(sums, c + 4 * cout);
                c5.intoArray(sums, c + 5 * cout);
                c6.intoArray(sums, c + 6 * cout);
                c7.intoArray(sums, c + 7 * cout);
            }
        }
    }

    /**
     * The group's {@code dg = G^T dU G} for every channel pair, into {@code dw} at {@code dwAt}
     * ({@code [oc][ic][3][3]}): down each column of {@code dU}, {@code u0 + (u1 + u2) / 2},
     * {@code (u1 - u2) / 2}, {@code (u1 + u2) / 2 + u3}; then across each row the same. In
     * vectors of channel pairs (the sums' planes), into nine planes of taps, then into place.
     */
    @Override
    public void endWeightGradient(float[] sums, float[] dw, int dwAt) {
        int pairs = cout * cin, plane = weightPlane; // planes a cache line off 4 KiB multiples, as U's
        // 12 planes of G^T dU (row a, column b at 4 a + b), then the 9 planes of taps
        float[] planes = Workspace.floats(Slot.WINOGRAD_TAPS, 21L * plane);
        int taps = 12 * plane;
        for (int i = 0; i < pairs; i += L) {
            for (int b = 0; b < 4; b++) { // down column b: rows a of dU (4 planes apart) into rows 0 to 2 of the 12 planes
                if (tileRows == 4) {
                    tallGradientTaps(sums, b * plane + i, 4 * plane, planes, b * plane + i, 4 * plane, i, pairs);
                } else {
                    gradientTaps(sums, b * plane + i, 4 * plane, planes, b * plane + i, 4 * plane, i, pairs);
                }
            }
            for (int a = 0; a < 3; a++) { // across row a: its four planes into three planes of taps
                gradientTaps(planes, 4 * a * plane + i, plane, planes, taps + 3 * a * plane + i, plane, i, pairs);
            }
        }
        placeTaps(planes, taps, plane, cin, cout, laneSums, dw, dwAt);
    }

    /**
     * Where the weight-gradient sums keep channel pair {@code (ic, oc)} within a plane: {@code dU^T}'s
     * {@code ic * cout + oc}, or with {@code laneSums} {@link #accumulateLanes}' 4x4 blocks.
     */
    static int sumsPair(int ic, int oc, int cout, boolean laneSums) {
        return laneSums ? ((ic / LANE_BLOCK) * (cout / LANE_OC) + oc / LANE_OC) * L
                + ic % LANE_BLOCK * LANE_OC + oc % LANE_OC : ic * cout + oc;
    }

    /**
     * F(2, 3)'s {@code G^T u} of the four vectors {@code step} apart from {@code from[at]}:
     * {@code u0 + (u1 + u2) / 2}, {@code (u1 - u2) / 2}, {@code (u1 + u2) / 2 + u3}, into three
     * vectors {@code outStep} apart from {@code to[out]}, lanes {@code i} to {@code pairs}. A
     * method of its own: written out twice in {@link #endWeightGradient}, it made that method too
     * large for C1 on AVX2 ({@code COMPILE SKIPPED: out of virtual registers}; KernelCompilationTest).
     */
    static void gradientTaps(float[] from, int at, int step, float[] to, int out, int outStep, int i, int pairs) {
        VectorMask<Float> in = S.indexInRange(i, pairs); // made here: a mask passed in would be boxed
        FloatVector u0 = FloatVector.fromArray(S, from, at, in);
        FloatVector u1 = FloatVector.fromArray(S, from, at + step, in);
        FloatVector u2 = FloatVector.fromArray(S, from, at + 2 * step, in);
        FloatVector u3 = FloatVector.fromArray(S, from, at + 3 * step, in);
        FloatVector h = u1.add(u2).mul(0.5f);
        u0.add(h).intoArray(to, out, in);
        u1.sub(u2).mul(0.5f).intoArray(to, out + outStep, in);
        h.add(u3).intoArray(to, out + 2 * outStep, in);
    }

    /**
     * F(4, 3)'s {@code G^T u} (its {@code G} as {@link #transformWeightsTall}'s) of the six vectors
     * {@code step} apart from {@code from[at]}: {@code u0 / 4 - (u1 + u2) / 6 + (u3 + u4) / 24},
     * {@code (u2 - u1) / 6 + (u3 - u4) / 12}, {@code (u3 + u4) / 6 - (u1 + u2) / 6 + u5}, into
     * {@code to[out]} and every {@code outStep} after; lanes {@code i} and on of {@code pairs}.
     * The weight gradient's end transform down F(4x2, 3x3)'s columns, and both ways for
     * F(4x4, 3x3)'s ({@link Winograd4x4Convolution#endWeightGradient}).
     */
    static void tallGradientTaps(float[] from, int at, int step, float[] to, int out, int outStep, int i, int pairs) {
        VectorMask<Float> in = S.indexInRange(i, pairs); // made here: a mask passed in would be boxed
        FloatVector u0 = FloatVector.fromArray(S, from, at, in);
        FloatVector u1 = FloatVector.fromArray(S, from, at + step, in);
        FloatVector u2 = FloatVector.fromArray(S, from, at + 2 * step, in);
        FloatVector u3 = FloatVector.fromArray(S, from, at + 3 * step, in);
        FloatVector u4 = FloatVector.fromArray(S, from, at + 4 * step, in);
        FloatVector u5 = FloatVector.fromArray(S, from, at + 5 * step, in);
        FloatVector inner = u1.add(u2).mul(1f / 6), outer = u3.add(u4);
        u0.mul(0.25f).sub(inner).add(outer.mul(1f / 24)).intoArray(to, out, in);
        u2.sub(u1).mul(1f / 6).add(u3.sub(u4).mul(1f / 12)).intoArray(to, out + outStep, in);
        outer.mul(1f / 6).sub(inner).add(u5).intoArray(to, out + 2 * outStep, in);
    }

    /**
     * The nine planes of taps from {@code planes[taps]} ({@code plane} apart, channel pairs laid
     * out as {@link #sumsPair} says) into {@code dw} at {@code dwAt}, {@code [oc][ic][3][3]}: the
     * last step of both schemes' end transforms.
     */
    static void placeTaps(float[] planes, int taps, int plane, int cin, int cout, boolean laneSums, float[] dw,
                          int dwAt) {
        for (int ic = 0; ic < cin; ic++) {
            for (int oc = 0; oc < cout; oc++) {
                int pair = sumsPair(ic, oc, cout, laneSums), to = dwAt + (oc * cin + ic) * 9;
                for (int k = 0; k < 9; k++) {
                    dw[to + k] = planes[taps + k * plane + pair];
                }
            }
        }
    }

    /** The image at {@code x[xb]} (rows {@code xRow}, planes {@code xPlane} apart) into {@code y[yb]}, by bands. */
    private void convolve(float[] u, float[] x, int xb, int xRow, int xPlane, float[] y, int yb, float[] bias,
                          int biasOffset, boolean relu, boolean pool, byte[] winners, int wb) {
        float[] xs = Workspace.floats(Slot.WINOGRAD_STAGED, (long) stagedRows * stagedRow);
        float[] v = Workspace.floats(Slot.WINOGRAD_INPUT, (long) products * inputPlane);
        // a vector's slack: the output transform's last run of tiles may read past the band's
        // and for F(4x2, 3x3), after that, a vector of tiles' outputs (transformOutputTall)
        int scratch = products * productPlane + L;
        float[] m = Workspace.floats(Slot.WINOGRAD_PRODUCTS, scratch + (tileRows == 4 ? 8L * L : 0));
        for (int ty0 = 0; ty0 < tilesY; ty0 += bandRows) {
            int ty1 = Math.min(tilesY, ty0 + bandRows);
            transformInput(x, xb, xRow, xPlane, ty0, ty1, xs, v);
            for (int e = 0; e < products; e++) {
                multiply(u, e, v, m, roundUp((ty1 - ty0) * tilesX, L));
            }
            if (tileRows == 4) {
                transformOutputTall(m, scratch, ty0, ty1, y, yb, bias, biasOffset, relu, pool, winners, wb);
            } else {
                transformOutput(m, ty0, ty1, y, yb, bias, biasOffset, relu, pool, winners, wb);
            }
        }
    }

    /**
     * Tile rows per band: enough for {@code bandTiles} tiles ({@value #BAND_TILES}, or
     * {@value #LANE_BAND_TILES} for a weight gradient with the tiles in the lanes), or, where that many rows leave
     * part of a vector of tiles to be computed and thrown away (56 wide: 28 tiles a row, two rows
     * 56 tiles, computed as 64), the fewest more rows that fill whole vectors, up to twice as many
     * tiles (four rows of 28, 112 tiles).
     */
    static int bandRows(int tilesX, int tilesY, int bandTiles) {
        int rows = Math.max(1, Math.min(tilesY, bandTiles / tilesX));
        for (int r = rows; r <= tilesY && r * tilesX <= 2 * bandTiles; r++) {
            if (r * tilesX % L == 0) {
                return r;
            }
        }
        return rows;
    }

    /**
     * {@code V_e} for tile rows {@code [ty0, ty1)} of the image at {@code x[xb]} (rows
     * {@code xRow}, planes {@code xPlane} apart), a channel at a time: its band staged in
     * {@code xs} ({@link #stageBand}), then transformed while the staged rows are in L1
     * ({@link #transformInputTall}, or F(2x2, 3x3)'s {@link #transformInputSquare}).
     */
    private void transformInput(float[] x, int xb, int xRow, int xPlane, int ty0, int ty1, float[] xs, float[] v) {
        for (int ic = 0; ic < cin; ic++) {
            stageBand(x, xb + ic * xPlane, xRow, ty0, ty1, xs);
            if (tileRows == 4) {
                transformInputTall(xs, ic, ty1 - ty0, v);
            } else {
                transformInputSquare(xs, ic, ty1 - ty0, v, blockTiles, inputPlane);
            }
        }
    }

    /**
     * The padded rows one channel's tile rows {@code [ty0, ty1)} read (theirs and the two below)
     * into {@code xs[0]}, each split into its padded even columns ({@code E[0]} is the left
     * padding) and odd columns ({@code O[tilesX]} the right), zeros after both: the padded rows'
     * two column phases, as a stride-2 convolution stages them ({@link ConvSupport#splitPaddedRows},
     * one pixel of padding; padded row {@code p} is the image's row {@code p - 1}, rows 0 and
     * {@code height + 1} zeros). Writes every float of those rows. (A strided copy a row and run
     * clearing per channel took 16% of a 64 -> 64 forward on 32x32; split by two-vector
     * permutes, 9%. The whole image staged before its bands, its channels left L1 before their
     * transforms read them.)
     */
    private void stageBand(float[] x, int xb, int xRow, int ty0, int ty1, float[] xs) {
        int p0 = tileRows * ty0, p1 = tileRows * ty1 + 2;
        int lo = Math.max(p0, 1), hi = Math.min(p1, height + 1), first = (lo - p0) * stagedRow;
        Arrays.fill(xs, 0, first, 0f);
        Arrays.fill(xs, (hi - p0) * stagedRow, (p1 - p0) * stagedRow, 0f);
        kernels.splitPaddedRows(x, xb + (lo - 1) * xRow, xRow, hi - lo, width, 1, xs, first, first + half, stagedRow,
                half);
    }

    /**
     * {@code V_e} of channel {@code ic} for a band of {@code rows} tile rows staged in {@code xs}:
     * {@code B^T d B} of each tile's 4x4 patch, the band's tile {@code (ty, tx)} at column
     * {@code ty * tilesX + tx} of row {@code ic} of {@code V_e} (rows {@code vRow} apart, each
     * {@code V_e} {@code vPlane} after the last). Columns past the band's tiles up to a whole
     * vector (within a row) are zeroed.
     */
    private void transformInputSquare(float[] xs, int ic, int rows, float[] v, int vRow, int vPlane) {
        int tiles = rows * tilesX, padded = Math.min(roundUp(tiles, L), vRow);
        for (int tx = 0; tx < tilesX; tx += L) {
            VectorMask<Float> keep = S.indexInRange(tx, tilesX);
            // Tile rows down the band: a patch's last two rows are the next patch's first two,
            // so each staged row is transformed across once (each row: d0 - d2, d1 + d2,
            // d2 - d1, d1 - d3, where d0..d3 = E[tx], O[tx], E[tx+1], O[tx+1]).
            int r = tx;
            FloatVector e0 = FloatVector.fromArray(S, xs, r), e1 = FloatVector.fromArray(S, xs, r + 1);
            FloatVector o0 = FloatVector.fromArray(S, xs, r + half), o1 = FloatVector.fromArray(S, xs, r + half + 1);
            FloatVector x00 = e0.sub(e1), x01 = o0.add(e1), x02 = e1.sub(o0), x03 = o0.sub(o1);
            r += stagedRow;
            e0 = FloatVector.fromArray(S, xs, r);
            e1 = FloatVector.fromArray(S, xs, r + 1);
            o0 = FloatVector.fromArray(S, xs, r + half);
            o1 = FloatVector.fromArray(S, xs, r + half + 1);
            FloatVector x10 = e0.sub(e1), x11 = o0.add(e1), x12 = e1.sub(o0), x13 = o0.sub(o1);
            for (int ty = 0; ty < rows; ty++) {
                r += stagedRow;
                e0 = FloatVector.fromArray(S, xs, r);
                e1 = FloatVector.fromArray(S, xs, r + 1);
                o0 = FloatVector.fromArray(S, xs, r + half);
                o1 = FloatVector.fromArray(S, xs, r + half + 1);
                FloatVector x20 = e0.sub(e1), x21 = o0.add(e1), x22 = e1.sub(o0), x23 = o0.sub(o1);
                r += stagedRow;
                e0 = FloatVector.fromArray(S, xs, r);
                e1 = FloatVector.fromArray(S, xs, r + 1);
                o0 = FloatVector.fromArray(S, xs, r + half);
                o1 = FloatVector.fromArray(S, xs, r + half + 1);
                FloatVector x30 = e0.sub(e1), x31 = o0.add(e1), x32 = e1.sub(o0), x33 = o0.sub(o1);
                // then down: rows 0 - 2, 1 + 2, 2 - 1, 1 - 3; V_e with e = 4 * (row) + (column)
                int to = ic * vRow + ty * tilesX + tx, e = vPlane;
                x00.sub(x20).intoArray(v, to, keep);
                x01.sub(x21).intoArray(v, to + e, keep);
                x02.sub(x22).intoArray(v, to + 2 * e, keep);
                x03.sub(x23).intoArray(v, to + 3 * e, keep);
                x10.add(x20).intoArray(v, to + 4 * e, keep);
                x11.add(x21).intoArray(v, to + 5 * e, keep);
                x12.add(x22).intoArray(v, to + 6 * e, keep);
                x13.add(x23).intoArray(v, to + 7 * e, keep);
                x20.sub(x10).intoArray(v, to + 8 * e, keep);
                x21.sub(x11).intoArray(v, to + 9 * e, keep);
                x22.sub(x12).intoArray(v, to + 10 * e, keep);
                x23.sub(x13).intoArray(v, to + 11 * e, keep);
                x10.sub(x30).intoArray(v, to + 12 * e, keep);
                x11.sub(x31).intoArray(v, to + 13 * e, keep);
                x12.sub(x32).intoArray(v, to + 14 * e, keep);
                x13.sub(x33).intoArray(v, to + 15 * e, keep);
                x00 = x20;
                x01 = x21;
                x02 = x22;
                x03 = x23;
                x10 = x30;
                x11 = x31;
                x12 = x32;
                x13 = x33;
            }
        }
        clearPastTiles(v, ic * vRow, vPlane, tiles, padded);
    }

    /**
     * Zeros, in each of the {@link #products} planes ({@code vPlane} apart) of {@code V}'s row at
     * {@code row}, the columns from {@code tiles} up to {@code padded}: the band's last vector of
     * tiles past its end, which the products read.
     */
    private void clearPastTiles(float[] v, int row, int vPlane, int tiles, int padded) {
        for (int p = 0; padded > tiles && p < products; p++) {
            int at = p * vPlane + row;
            Arrays.fill(v, at + tiles, at + padded, 0f);
        }
    }

    /**
     * {@link #transformInputSquare} for F(4x2, 3x3): each tile's 6x4 patch, across each row as there,
     * then down each column F(4, 3)'s {@code B^T} ({@link #transformInputColumns}); {@code V_e}
     * with {@code e = 4 * row + column}, rows {@link #blockTiles} and planes {@link #inputPlane} apart.
     */
    private void transformInputTall(float[] xs, int ic, int rows, float[] v) {
        int tiles = rows * tilesX, padded = Math.min(roundUp(tiles, L), blockTiles), e = inputPlane;
        // a map half a vector of tiles wide (16 columns on AVX-512): two tile rows a vector, as
        // transformOutput's row pairs, their patches' rows 4 staged rows apart
        boolean rowPairs = 2 * tilesX == L;
        for (int ty = 0, step; ty < rows; ty += step) {
            step = rowPairs && ty + 1 < rows ? 2 : 1;
            int next = step == 2 ? 4 * stagedRow - tilesX : 0;
            for (int tx = 0; tx < tilesX; tx += L) {
                int r = 4 * ty * stagedRow + tx, to = ic * blockTiles + ty * tilesX + tx;
                // across, with d0..d3 = E[tx], O[tx], E[tx+1], O[tx+1]: d0 - d2, d1 + d2 (from
                // E[tx], E[tx+1], O[tx]); d2 - d1, d1 - d3 (from E[tx+1], O[tx], O[tx+1])
                if (next != 0) {
                    transformInputColumnPairs(xs, r, next, 0, 1, half, 1f, v, to);
                    transformInputColumnPairs(xs, r, next, 1, half, half + 1, -1f, v, to + 2 * e);
                } else {
                    transformInputColumns(xs, r, 0, 1, half, 1f, tx, v, to);
                    transformInputColumns(xs, r, 1, half, half + 1, -1f, tx, v, to + 2 * e);
                }
            }
        }
        clearPastTiles(v, ic * blockTiles, e, tiles, padded);
    }

    /**
     * Two columns of {@link #transformInputTall}'s patches for the vector of tiles from {@code tx}:
     * down the six staged rows from {@code xs[r]}, with {@code p}, {@code q}, {@code t} a row's
     * vectors at offsets {@code a}, {@code b}, {@code c}, the columns {@code p - q} and
     * {@code q + sign * t} (the transform across); then down each column F(4, 3)'s {@code B^T}:
     * {@code 4 d0 - 5 d2 + d4}, {@code (d3 + d4) - 4 (d1 + d2)}, {@code (d4 - d3) + 4 (d1 - d2)},
     * {@code (d4 - d2) + 2 (d3 - d1)}, {@code (d4 - d2) - 2 (d3 - d1)}, {@code 4 d1 - 5 d3 + d5};
     * into {@code v[to]} and {@code v[to + inputPlane]}, and every fourth plane after each. Two
     * columns at a time: a whole patch's transform, as a loop, was too large for C1's profiling
     * tier ("out of virtual registers") and C2 never compiled it (a forward eight times slower).
     */
    private void transformInputColumns(float[] xs, int r, int a, int b, int c, float sign, int tx, float[] v, int to) {
        VectorMask<Float> keep = S.indexInRange(tx, tilesX);
        FloatVector s = FloatVector.broadcast(S, sign), four = FloatVector.broadcast(S, 4f);
        FloatVector minusFive = FloatVector.broadcast(S, -5f), minusFour = FloatVector.broadcast(S, -4f);
        int row = stagedRow, e = inputPlane;
        FloatVector q = FloatVector.fromArray(S, xs, r + b);
        FloatVector p0 = FloatVector.fromArray(S, xs, r + a).sub(q), q0 = FloatVector.fromArray(S, xs, r + c).fma(s, q);
        q = FloatVector.fromArray(S, xs, r + row + b);
        FloatVector p1 = FloatVector.fromArray(S, xs, r + row + a).sub(q), q1 = FloatVector.fromArray(S, xs, r + row + c).fma(s, q);
        q = FloatVector.fromArray(S, xs, r + 2 * row + b);
        FloatVector p2 = FloatVector.fromArray(S, xs, r + 2 * row + a).sub(q), q2 = FloatVector.fromArray(S, xs, r + 2 * row + c).fma(s, q);
        q = FloatVector.fromArray(S, xs, r + 3 * row + b);
        FloatVector p3 = FloatVector.fromArray(S, xs, r + 3 * row + a).sub(q), q3 = FloatVector.fromArray(S, xs, r + 3 * row + c).fma(s, q);
        q = FloatVector.fromArray(S, xs, r + 4 * row + b);
        FloatVector p4 = FloatVector.fromArray(S, xs, r + 4 * row + a).sub(q), q4 = FloatVector.fromArray(S, xs, r + 4 * row + c).fma(s, q);
        q = FloatVector.fromArray(S, xs, r + 5 * row + b);
        FloatVector p5 = FloatVector.fromArray(S, xs, r + 5 * row + a).sub(q), q5 = FloatVector.fromArray(S, xs, r + 5 * row + c).fma(s, q);
        p0.fma(four, p2.fma(minusFive, p4)).intoArray(v, to, keep);
        p1.add(p2).fma(minusFour, p3.add(p4)).intoArray(v, to + 4 * e, keep);
        p1.sub(p2).fma(four, p4.sub(p3)).intoArray(v, to + 8 * e, keep);
        FloatVector twice = p3.sub(p1).mul(2f), outer = p4.sub(p2);
        outer.add(twice).intoArray(v, to + 12 * e, keep);
        outer.sub(twice).intoArray(v, to + 16 * e, keep);
        p1.fma(four, p3.fma(minusFive, p5)).intoArray(v, to + 20 * e, keep);
        q0.fma(four, q2.fma(minusFive, q4)).intoArray(v, to + e, keep);
        q1.add(q2).fma(minusFour, q3.add(q4)).intoArray(v, to + 5 * e, keep);
        q1.sub(q2).fma(four, q4.sub(q3)).intoArray(v, to + 9 * e, keep);
        twice = q3.sub(q1).mul(2f);
        outer = q4.sub(q2);
        outer.add(twice).intoArray(v, to + 13 * e, keep);
        outer.sub(twice).intoArray(v, to + 17 * e, keep);
        q1.fma(four, q3.fma(minusFive, q5)).intoArray(v, to + 21 * e, keep);
    }

    /**
     * {@link #transformInputColumns} for a tile row half a vector wide and the next, in one
     * vector: each vector's upper half is the next tile row's, loaded {@code next} floats on (its
     * patches' rows, less the lanes before them) and blended in, and the two rows' tiles, end to
     * end in {@code V}, are stored whole. A method of its own: with both ways in one method, one
     * JVM of two ran a 32 -> 32 forward on 16x16 eleven times slower, as if left uncompiled (as
     * the whole patch's transform once was); the loads through a helper left it a call on boxed
     * vectors (x1.3 slower).
     */
    private void transformInputColumnPairs(float[] xs, int r, int next, int a, int b, int c, float sign, float[] v,
                                           int to) {
        VectorMask<Float> upper = S.indexInRange(0, tilesX).not();
        FloatVector s = FloatVector.broadcast(S, sign), four = FloatVector.broadcast(S, 4f);
        FloatVector minusFive = FloatVector.broadcast(S, -5f), minusFour = FloatVector.broadcast(S, -4f);
        int row = stagedRow, e = inputPlane, n = r + next;
        FloatVector q = FloatVector.fromArray(S, xs, r + b).blend(FloatVector.fromArray(S, xs, n + b), upper);
        FloatVector p0 = FloatVector.fromArray(S, xs, r + a).blend(FloatVector.fromArray(S, xs, n + a), upper).sub(q);
        FloatVector q0 = FloatVector.fromArray(S, xs, r + c).blend(FloatVector.fromArray(S, xs, n + c), upper).fma(s, q);
        r += row;
        n += row;
        q = FloatVector.fromArray(S, xs, r + b).blend(FloatVector.fromArray(S, xs, n + b), upper);
        FloatVector p1 = FloatVector.fromArray(S, xs, r + a).blend(FloatVector.fromArray(S, xs, n + a), upper).sub(q);
        FloatVector q1 = FloatVector.fromArray(S, xs, r + c).blend(FloatVector.fromArray(S, xs, n + c), upper).fma(s, q);
        r += row;
        n += row;
        q = FloatVector.fromArray(S, xs, r + b).blend(FloatVector.fromArray(S, xs, n + b), upper);
        FloatVector p2 = FloatVector.fromArray(S, xs, r + a).blend(FloatVector.fromArray(S, xs, n + a), upper).sub(q);
        FloatVector q2 = FloatVector.fromArray(S, xs, r + c).blend(FloatVector.fromArray(S, xs, n + c), upper).fma(s, q);
        r += row;
        n += row;
        q = FloatVector.fromArray(S, xs, r + b).blend(FloatVector.fromArray(S, xs, n + b), upper);
        FloatVector p3 = FloatVector.fromArray(S, xs, r + a).blend(FloatVector.fromArray(S, xs, n + a), upper).sub(q);
        FloatVector q3 = FloatVector.fromArray(S, xs, r + c).blend(FloatVector.fromArray(S, xs, n + c), upper).fma(s, q);
        r += row;
        n += row;
        q = FloatVector.fromArray(S, xs, r + b).blend(FloatVector.fromArray(S, xs, n + b), upper);
        FloatVector p4 = FloatVector.fromArray(S, xs, r + a).blend(FloatVector.fromArray(S, xs, n + a), upper).sub(q);
        FloatVector q4 = FloatVector.fromArray(S, xs, r + c).blend(FloatVector.fromArray(S, xs, n + c), upper).fma(s, q);
        r += row;
        n += row;
        q = FloatVector.fromArray(S, xs, r + b).blend(FloatVector.fromArray(S, xs, n + b), upper);
        FloatVector p5 = FloatVector.fromArray(S, xs, r + a).blend(FloatVector.fromArray(S, xs, n + a), upper).sub(q);
        FloatVector q5 = FloatVector.fromArray(S, xs, r + c).blend(FloatVector.fromArray(S, xs, n + c), upper).fma(s, q);
        // down each column, as transformInputColumns, every lane kept
        p0.fma(four, p2.fma(minusFive, p4)).intoArray(v, to);
        p1.add(p2).fma(minusFour, p3.add(p4)).intoArray(v, to + 4 * e);
        p1.sub(p2).fma(four, p4.sub(p3)).intoArray(v, to + 8 * e);
        FloatVector twice = p3.sub(p1).mul(2f), outer = p4.sub(p2);
        outer.add(twice).intoArray(v, to + 12 * e);
        outer.sub(twice).intoArray(v, to + 16 * e);
        p1.fma(four, p3.fma(minusFive, p5)).intoArray(v, to + 20 * e);
        q0.fma(four, q2.fma(minusFive, q4)).intoArray(v, to + e);
        q1.add(q2).fma(minusFour, q3.add(q4)).intoArray(v, to + 5 * e);
        q1.sub(q2).fma(four, q4.sub(q3)).intoArray(v, to + 9 * e);
        twice = q3.sub(q1).mul(2f);
        outer = q4.sub(q2);
        outer.add(twice).intoArray(v, to + 13 * e);
        outer.sub(twice).intoArray(v, to + 17 * e);
        q1.fma(four, q3.fma(minusFive, q5)).intoArray(v, to + 21 * e);
    }

    /**
     * {@code M_e = U_e V_e} over the first {@code tiles} columns (whole vectors): two vectors of
     * tiles at a time, and a last single vector by {@link #multiplyVector}.
     */
    private void multiply(float[] u, int e, float[] v, float[] m, int tiles) {
        multiply(cin, cout, blockTiles, u, e * weightPlane, v, e * inputPlane, m, e * productPlane, tiles);
    }

    /**
     * One product {@code M = U V} of {@code cout x cin} weights ({@code [cout / 8][cin][8]} from
     * {@code u[ub0]}) by {@code cin} rows of {@code blockTiles} tiles (from {@code v[vb]}) into
     * {@code cout} rows of as many (from {@code m[mb]}), over the first {@code tiles} columns
     * (whole vectors): {@link #ROWS} output channels by two vectors of tiles at a time, and a last
     * single vector by {@link #multiplyVector}. Shared by F(4x4, 3x3) ({@link Winograd4x4Convolution}).
     */
    static void multiply(int cin, int cout, int blockTiles, float[] u, int ub0, float[] v, int vb, float[] m, int mb,
                         int tiles) {
        int wide = tiles / COLS * COLS;
        for (int p = 0; p < cout / ROWS; p++) {
            int ub = ub0 + p * cin * ROWS;
            if (wide < tiles) {
                multiplyVector(cin, blockTiles, u, ub, v, vb + wide, m, mb + p * ROWS * blockTiles + wide);
            }
            if (L < 16) { // as multiplyVector: 16 accumulators alone fill AVX2's registers
                for (int t0 = 0; t0 < wide; t0 += COLS) {
                    multiplyRows(cin, blockTiles, u, ub, v, vb + t0, m, mb + p * ROWS * blockTiles + t0, 0);
                    multiplyRows(cin, blockTiles, u, ub, v, vb + t0, m, mb + p * ROWS * blockTiles + t0, ROWS / 2);
                }
                continue;
            }
            for (int t0 = 0; t0 < wide; t0 += COLS) {
                FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
                FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
                FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
                FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
                FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
                FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
                FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
                FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
                for (int ic = 0; ic < cin; ic++) {
                    int bi = vb + ic * blockTiles + t0, ai = ub + ic * ROWS;
                    FloatVector b0 = FloatVector.fromArray(S, v, bi);
                    FloatVector b1 = FloatVector.fromArray(S, v, bi + L);
                    FloatVector a = FloatVector.broadcast(S, u[ai]);
                    c00 = a.fma(b0, c00);
                    c01 = a.fma(b1, c01);
                    a = FloatVector.broadcast(S, u[ai + 1]);
                    c10 = a.fma(b0, c10);
                    c11 = a.fma(b1, c11);
                    a = FloatVector.broadcast(S, u[ai + 2]);
                    c20 = a.fma(b0, c20);
                    c21 = a.fma(b1, c21);
                    a = FloatVector.broadcast(S, u[ai + 3]);
                    c30 = a.fma(b0, c30);
                    c31 = a.fma(b1, c31);
                    a = FloatVector.broadcast(S, u[ai + 4]);
                    c40 = a.fma(b0, c40);
                    c41 = a.fma(b1, c41);
                    a = FloatVector.broadcast(S, u[ai + 5]);
                    c50 = a.fma(b0, c50);
                    c51 = a.fma(b1, c51);
                    a = FloatVector.broadcast(S, u[ai + 6]);
                    c60 = a.fma(b0, c60);
                    c61 = a.fma(b1, c61);
                    a = FloatVector.broadcast(S, u[ai + 7]);
                    c70 = a.fma(b0, c70);
                    c71 = a.fma(b1, c71);
                }
                int at = mb + p * ROWS * blockTiles + t0;
                c00.intoArray(m, at);
                c01.intoArray(m, at + L);
                c10.intoArray(m, at + blockTiles);
                c11.intoArray(m, at + blockTiles + L);
                c20.intoArray(m, at + 2 * blockTiles);
                c21.intoArray(m, at + 2 * blockTiles + L);
                c30.intoArray(m, at + 3 * blockTiles);
                c31.intoArray(m, at + 3 * blockTiles + L);
                c40.intoArray(m, at + 4 * blockTiles);
                c41.intoArray(m, at + 4 * blockTiles + L);
                c50.intoArray(m, at + 5 * blockTiles);
                c51.intoArray(m, at + 5 * blockTiles + L);
                c60.intoArray(m, at + 6 * blockTiles);
                c61.intoArray(m, at + 6 * blockTiles + L);
                c70.intoArray(m, at + 7 * blockTiles);
                c71.intoArray(m, at + 7 * blockTiles + L);
            }
        }
    }

    /**
     * {@link #multiply}'s register tile one vector wide: 8 output channels of the tiles at
     * {@code v[vi]} into {@code m[mi]}. Under 16 lanes, four channels at a time
     * ({@link #multiplyVectorRows}): C2 loads a step's eight broadcasts before its FMAs, and eight
     * accumulators, eight broadcasts and the tiles' vector are one more than AVX2's 16 registers.
     * Some JVMs then kept an accumulator on the stack, its FMAs waiting on a store and a reload:
     * one of six JVMs ran a 64 -> 64 backward on 8x8 x1.70 slower under {@code -XX:UseAVX=2}.
     */
    private static void multiplyVector(int cin, int blockTiles, float[] u, int ub, float[] v, int vi, float[] m, int mi) {
        if (L < 16) {
            multiplyVectorRows(cin, blockTiles, u, ub, v, vi, m, mi, 0);
            multiplyVectorRows(cin, blockTiles, u, ub, v, vi, m, mi, ROWS / 2);
            return;
        }
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        for (int ic = 0; ic < cin; ic++) {
            int ai = ub + ic * ROWS;
            FloatVector b = FloatVector.fromArray(S, v, vi + ic * blockTiles);
            c0 = FloatVector.broadcast(S, u[ai]).fma(b, c0);
            c1 = FloatVector.broadcast(S, u[ai + 1]).fma(b, c1);
            c2 = FloatVector.broadcast(S, u[ai + 2]).fma(b, c2);
            c3 = FloatVector.broadcast(S, u[ai + 3]).fma(b, c3);
            c4 = FloatVector.broadcast(S, u[ai + 4]).fma(b, c4);
            c5 = FloatVector.broadcast(S, u[ai + 5]).fma(b, c5);
            c6 = FloatVector.broadcast(S, u[ai + 6]).fma(b, c6);
            c7 = FloatVector.broadcast(S, u[ai + 7]).fma(b, c7);
        }
        c0.intoArray(m, mi);
        c1.intoArray(m, mi + blockTiles);
        c2.intoArray(m, mi + 2 * blockTiles);
        c3.intoArray(m, mi + 3 * blockTiles);
        c4.intoArray(m, mi + 4 * blockTiles);
        c5.intoArray(m, mi + 5 * blockTiles);
        c6.intoArray(m, mi + 6 * blockTiles);
        c7.intoArray(m, mi + 7 * blockTiles);
    }

    /**
     * {@link #multiply}'s register tile under 16 lanes: output channels {@code r0} to
     * {@code r0 + 3} of the two vectors of tiles at {@code v[vi]} into {@code m[mi]}, eight
     * accumulators, two vectors and four broadcasts in AVX2's 16 registers (eight channels kept
     * accumulators on the stack: 73% of a 32 -> 32 forward on 16x16 in {@code multiply}, its
     * hottest instructions the spills). Each sum in the same order as the wide tile's.
     */
    private static void multiplyRows(int cin, int blockTiles, float[] u, int ub, float[] v, int vi, float[] m, int mi,
                                     int r0) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int ic = 0; ic < cin; ic++) {
            int bi = vi + ic * blockTiles, ai = ub + ic * ROWS + r0;
            FloatVector b0 = FloatVector.fromArray(S, v, bi), b1 = FloatVector.fromArray(S, v, bi + L);
            FloatVector a = FloatVector.broadcast(S, u[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, u[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, u[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, u[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        int at = mi + r0 * blockTiles;
        c00.intoArray(m, at);
        c01.intoArray(m, at + L);
        c10.intoArray(m, at + blockTiles);
        c11.intoArray(m, at + blockTiles + L);
        c20.intoArray(m, at + 2 * blockTiles);
        c21.intoArray(m, at + 2 * blockTiles + L);
        c30.intoArray(m, at + 3 * blockTiles);
        c31.intoArray(m, at + 3 * blockTiles + L);
    }

    /** {@link #multiplyVector}'s output channels {@code r0} to {@code r0 + 3}: each sum in the same order. */
    private static void multiplyVectorRows(int cin, int blockTiles, float[] u, int ub, float[] v, int vi, float[] m, int mi,
                                           int r0) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        for (int ic = 0; ic < cin; ic++) {
            int ai = ub + ic * ROWS + r0;
            FloatVector b = FloatVector.fromArray(S, v, vi + ic * blockTiles);
            c0 = FloatVector.broadcast(S, u[ai]).fma(b, c0);
            c1 = FloatVector.broadcast(S, u[ai + 1]).fma(b, c1);
            c2 = FloatVector.broadcast(S, u[ai + 2]).fma(b, c2);
            c3 = FloatVector.broadcast(S, u[ai + 3]).fma(b, c3);
        }
        int at = mi + r0 * blockTiles;
        c0.intoArray(m, at);
        c1.intoArray(m, at + blockTiles);
        c2.intoArray(m, at + 2 * blockTiles);
        c3.intoArray(m, at + 3 * blockTiles);
    }

    /**
     * Tile rows {@code [ty0, ty1)} of every output channel: {@code A^T M A}, then bias and ReLU
     * (as {@link ConvSupport#biasActivation}), then either each tile's two columns zipped into
     * place or its maximum and winner (as {@link ConvSupport#maxPool2x2}).
     */
    private void transformOutput(float[] m, int ty0, int ty1, float[] y, int yb, float[] biases, int biasOffset,
                                 boolean relu, boolean pool, byte[] winners, int wb) {
        int e = productPlane;
        FloatVector one = FloatVector.broadcast(S, 1f), two = FloatVector.broadcast(S, 2f), three = FloatVector.broadcast(S, 3f);
        FloatVector zero = FloatVector.zero(S);
        // rows of half a vector of tiles (16 wide on AVX-512) two at a time: consecutive tile rows
        // lie end to end in M and in a pooled output, and their output rows are whole vectors
        boolean rowPairs = 2 * tilesX == L;
        for (int oc = 0; oc < cout; oc++) {
            FloatVector bias = FloatVector.broadcast(S, biases == null ? 0f : biases[biasOffset + oc]);
            for (int ty = ty0, rows = 1; ty < ty1; ty += rows) {
                rows = rowPairs && ty + 1 < ty1 ? 2 : 1;
                int from = oc * blockTiles + (ty - ty0) * tilesX;
                for (int tx = 0; tx < tilesX; tx += L) {
                    int at = from + tx;
                    // across each row i of M: m_i0 + m_i1 + m_i2, m_i1 - m_i2 - m_i3
                    FloatVector m1 = FloatVector.fromArray(S, m, at + e), m2 = FloatVector.fromArray(S, m, at + 2 * e);
                    FloatVector t00 = FloatVector.fromArray(S, m, at).add(m1).add(m2);
                    FloatVector t01 = m1.sub(m2).sub(FloatVector.fromArray(S, m, at + 3 * e));
                    m1 = FloatVector.fromArray(S, m, at + 5 * e);
                    m2 = FloatVector.fromArray(S, m, at + 6 * e);
                    FloatVector t10 = FloatVector.fromArray(S, m, at + 4 * e).add(m1).add(m2);
                    FloatVector t11 = m1.sub(m2).sub(FloatVector.fromArray(S, m, at + 7 * e));
                    m1 = FloatVector.fromArray(S, m, at + 9 * e);
                    m2 = FloatVector.fromArray(S, m, at + 10 * e);
                    FloatVector t20 = FloatVector.fromArray(S, m, at + 8 * e).add(m1).add(m2);
                    FloatVector t21 = m1.sub(m2).sub(FloatVector.fromArray(S, m, at + 11 * e));
                    m1 = FloatVector.fromArray(S, m, at + 13 * e);
                    m2 = FloatVector.fromArray(S, m, at + 14 * e);
                    FloatVector t30 = FloatVector.fromArray(S, m, at + 12 * e).add(m1).add(m2);
                    FloatVector t31 = m1.sub(m2).sub(FloatVector.fromArray(S, m, at + 15 * e));
                    // then down: rows 0 + 1 + 2 and 1 - 2 - 3; then the bias
                    FloatVector y00 = t00.add(t10).add(t20).add(bias), y01 = t01.add(t11).add(t21).add(bias);
                    FloatVector y10 = t10.sub(t20).sub(t30).add(bias), y11 = t11.sub(t21).sub(t31).add(bias);
                    if (relu) { // Math.max(v, 0f), as PanamaConv's tiles have it: a compare and a blend
                        y00 = y00.blend(zero, y00.compare(VectorOperators.LE, zero));
                        y01 = y01.blend(zero, y01.compare(VectorOperators.LE, zero));
                        y10 = y10.blend(zero, y10.compare(VectorOperators.LE, zero));
                        y11 = y11.blend(zero, y11.compare(VectorOperators.LE, zero));
                    }
                    // Stores written out here, no helper taking vectors: whether C2 inlines one
                    // depends on what it compiled first, and a call that is not inlined boxes its
                    // vectors (training steps 25% slower in some JVMs and not others).
                    int tiles = Math.min(L, rows * tilesX - tx);
                    if (pool) {
                        int to = (oc * tilesY + ty) * tilesX + tx;
                        // rectified cells by their bits as unsigned integers (PanamaConv.maxPool2x2)
                        FloatVector max = !relu ? y00.max(y01).max(y10.max(y11))
                                : y00.reinterpretAsInts().lanewise(VectorOperators.UMAX, y01.reinterpretAsInts())
                                        .lanewise(VectorOperators.UMAX, y10.reinterpretAsInts()
                                                .lanewise(VectorOperators.UMAX, y11.reinterpretAsInts()))
                                        .reinterpretAsFloats();
                        if (tiles == L) {
                            max.intoArray(y, yb + to);
                        } else {
                            max.intoArray(y, yb + to, S.indexInRange(0, tiles));
                        }
                        if (winners != null) { // codes as ConvSupport.maxPool2x2's: the first cell equal to the maximum
                            FloatVector code = three.blend(two, y10.eq(max)).blend(one, y01.eq(max)).blend(zero, y00.eq(max));
                            if (relu) { // built here: inference, which has no winners, keeps its registers
                                code = FloatVector.broadcast(S, ConvSupport.DEAD_WINDOW).blend(code,
                                        max.compare(VectorOperators.GT, zero));
                            }
                            if (B != null && L >= 16) { // AVX-512 has masked byte stores; below, lane by lane
                                ByteVector bytes = (ByteVector) code.convertShape(VectorOperators.F2B, B, 0);
                                if (tiles == L) {
                                    bytes.intoArray(winners, wb + to);
                                } else {
                                    bytes.intoArray(winners, wb + to, B.indexInRange(0, tiles));
                                }
                            } else {
                                for (int i = 0; i < tiles; i++) {
                                    winners[wb + to + i] = (byte) code.lane(i);
                                }
                            }
                        }
                    } else { // each row's two columns zipped: lanes 2i and 2i + 1 are tile i's
                        // the upper halves: the next tiles of the row, or with row pairs the next tile row's
                        int to = yb + (oc * height + 2 * ty) * width + 2 * tx, high = rows == 2 ? 2 * width : L;
                        FloatVector low0 = y00.rearrange(ZIP_LOW, y01), high0 = y00.rearrange(ZIP_HIGH, y01);
                        FloatVector low1 = y10.rearrange(ZIP_LOW, y11), high1 = y10.rearrange(ZIP_HIGH, y11);
                        if (tiles == L) {
                            low0.intoArray(y, to);
                            high0.intoArray(y, to + high);
                            low1.intoArray(y, to + width);
                            high1.intoArray(y, to + width + high);
                        } else {
                            VectorMask<Float> lowLanes = S.indexInRange(0, 2 * tiles), highLanes = S.indexInRange(L, 2 * tiles);
                            low0.intoArray(y, to, lowLanes);
                            high0.intoArray(y, to + L, highLanes);
                            low1.intoArray(y, to + width, lowLanes);
                            high1.intoArray(y, to + width + L, highLanes);
                        }
                    }
                }
            }
        }
    }

    /**
     * {@link #transformOutput} for F(4x2, 3x3), a vector of tiles at a time
     * ({@link #transformTallRun}): each row's two columns zipped into place (16-wide maps two tile
     * rows a vector), or the tiles' 4x2 outputs into {@code m[scratch]} and then each of the two
     * pooling windows' maximum and winner ({@link #poolTallRun}). The pooling in a method of its
     * own, meeting the transform in memory: written in, the loop was too large for C1's profiling
     * tier ("out of virtual registers") and ran boxed (85 ms for a 13 ms pooled forward). The zips
     * from registers, not through the scratch, took 16 -> 16 on 32x32 from 1.04-1.06 to
     * 0.95-1.07 ms (pinned, batch 32, one thread, three alternated rounds).
     */
    private void transformOutputTall(float[] m, int scratch, int ty0, int ty1, float[] y, int yb, float[] biases,
                                     int biasOffset, boolean relu, boolean pool, byte[] winners, int wb) {
        boolean rowPairs = 2 * tilesX == L && !pool; // a pooled tile row's two rows of windows lie apart
        for (int oc = 0; oc < cout; oc++) {
            float bias = biases == null ? 0f : biases[biasOffset + oc];
            for (int ty = ty0, rows = 1; ty < ty1; ty += rows) {
                rows = rowPairs && ty + 1 < ty1 ? 2 : 1;
                int from = oc * blockTiles + (ty - ty0) * tilesX;
                for (int tx = 0; tx < tilesX; tx += L) {
                    int tiles = Math.min(L, rows * tilesX - tx);
                    if (pool) { // pooled rows 2 ty and 2 ty + 1, tilesX wide
                        transformTallRun(m, from + tx, bias, relu, scratch, tiles, false, null, 0);
                        int to = (oc * 2 * tilesY + 2 * ty) * tilesX + tx;
                        poolTallRun(m, scratch, relu, tiles, y, yb + to, winners, wb + to);
                    } else {
                        transformTallRun(m, from + tx, bias, relu, scratch, tiles, rows == 2, y,
                                yb + (oc * height + 4 * ty) * width + 2 * tx);
                    }
                }
            }
        }
    }

    /**
     * A vector of F(4x2, 3x3) tiles from {@code M[at]}: across each of the six rows of {@code M}
     * as {@link #transformOutput}, then down each column F(4, 3)'s {@code A^T}:
     * {@code m0 + (m1 + m2) + (m3 + m4)}, {@code (m1 - m2) + 2 (m3 - m4)},
     * {@code (m1 + m2) + 4 (m3 + m4)}, {@code (m1 - m2) + 8 (m3 - m4) + m5}; then the bias and the
     * ReLU. Where {@code y} is null, output row {@code i}, column {@code j} into
     * {@code m[scratch + (2 i + j) L]}; else each row's two columns zipped (lanes {@code 2i} and
     * {@code 2i + 1} are tile {@code i}'s, the first {@code tiles} tiles) into the output rows from
     * {@code y[to]}, the upper halves the next tiles of the row or, with a {@code pair}, the next
     * tile row's. (Vectors are stored, never merged, across the branch: a merged vector is boxed.)
     */
    private void transformTallRun(float[] m, int at, float biasValue, boolean relu, int scratch, int tiles, boolean pair,
                                  float[] y, int to) {
        int e = productPlane;
        FloatVector m1 = FloatVector.fromArray(S, m, at + e), m2 = FloatVector.fromArray(S, m, at + 2 * e);
        FloatVector t00 = FloatVector.fromArray(S, m, at).add(m1).add(m2);
        FloatVector t01 = m1.sub(m2).sub(FloatVector.fromArray(S, m, at + 3 * e));
        m1 = FloatVector.fromArray(S, m, at + 5 * e);
        m2 = FloatVector.fromArray(S, m, at + 6 * e);
        FloatVector t10 = FloatVector.fromArray(S, m, at + 4 * e).add(m1).add(m2);
        FloatVector t11 = m1.sub(m2).sub(FloatVector.fromArray(S, m, at + 7 * e));
        m1 = FloatVector.fromArray(S, m, at + 9 * e);
        m2 = FloatVector.fromArray(S, m, at + 10 * e);
        FloatVector t20 = FloatVector.fromArray(S, m, at + 8 * e).add(m1).add(m2);
        FloatVector t21 = m1.sub(m2).sub(FloatVector.fromArray(S, m, at + 11 * e));
        m1 = FloatVector.fromArray(S, m, at + 13 * e);
        m2 = FloatVector.fromArray(S, m, at + 14 * e);
        FloatVector t30 = FloatVector.fromArray(S, m, at + 12 * e).add(m1).add(m2);
        FloatVector t31 = m1.sub(m2).sub(FloatVector.fromArray(S, m, at + 15 * e));
        m1 = FloatVector.fromArray(S, m, at + 17 * e);
        m2 = FloatVector.fromArray(S, m, at + 18 * e);
        FloatVector t40 = FloatVector.fromArray(S, m, at + 16 * e).add(m1).add(m2);
        FloatVector t41 = m1.sub(m2).sub(FloatVector.fromArray(S, m, at + 19 * e));
        m1 = FloatVector.fromArray(S, m, at + 21 * e);
        m2 = FloatVector.fromArray(S, m, at + 22 * e);
        FloatVector t50 = FloatVector.fromArray(S, m, at + 20 * e).add(m1).add(m2);
        FloatVector t51 = m1.sub(m2).sub(FloatVector.fromArray(S, m, at + 23 * e));
        FloatVector bias = FloatVector.broadcast(S, biasValue), zero = FloatVector.zero(S);
        FloatVector two = FloatVector.broadcast(S, 2f), four = FloatVector.broadcast(S, 4f), eight = FloatVector.broadcast(S, 8f);
        FloatVector a = t10.add(t20), b = t10.sub(t20), c = t30.add(t40), d = t30.sub(t40);
        FloatVector y00 = t00.add(a).add(c).add(bias), y10 = d.fma(two, b).add(bias);
        FloatVector y20 = c.fma(four, a).add(bias), y30 = d.fma(eight, b).add(t50).add(bias);
        a = t11.add(t21);
        b = t11.sub(t21);
        c = t31.add(t41);
        d = t31.sub(t41);
        FloatVector y01 = t01.add(a).add(c).add(bias), y11 = d.fma(two, b).add(bias);
        FloatVector y21 = c.fma(four, a).add(bias), y31 = d.fma(eight, b).add(t51).add(bias);
        if (relu) { // Math.max(v, 0f), as transformOutput's
            y00 = y00.blend(zero, y00.compare(VectorOperators.LE, zero));
            y01 = y01.blend(zero, y01.compare(VectorOperators.LE, zero));
            y10 = y10.blend(zero, y10.compare(VectorOperators.LE, zero));
            y11 = y11.blend(zero, y11.compare(VectorOperators.LE, zero));
            y20 = y20.blend(zero, y20.compare(VectorOperators.LE, zero));
            y21 = y21.blend(zero, y21.compare(VectorOperators.LE, zero));
            y30 = y30.blend(zero, y30.compare(VectorOperators.LE, zero));
            y31 = y31.blend(zero, y31.compare(VectorOperators.LE, zero));
        }
        if (y == null) {
            y00.intoArray(m, scratch);
            y01.intoArray(m, scratch + L);
            y10.intoArray(m, scratch + 2 * L);
            y11.intoArray(m, scratch + 3 * L);
            y20.intoArray(m, scratch + 4 * L);
            y21.intoArray(m, scratch + 5 * L);
            y30.intoArray(m, scratch + 6 * L);
            y31.intoArray(m, scratch + 7 * L);
            return;
        }
        // each row's two columns zipped (lanes 2i and 2i + 1 are tile i's) into the output rows from
        // y[to]; the upper halves are the next tiles of the row, or with a pair the next tile row's
        int high = pair ? 4 * width : L;
        if (tiles == L) {
            y00.rearrange(ZIP_LOW, y01).intoArray(y, to);
            y00.rearrange(ZIP_HIGH, y01).intoArray(y, to + high);
            y10.rearrange(ZIP_LOW, y11).intoArray(y, to + width);
            y10.rearrange(ZIP_HIGH, y11).intoArray(y, to + width + high);
            y20.rearrange(ZIP_LOW, y21).intoArray(y, to + 2 * width);
            y20.rearrange(ZIP_HIGH, y21).intoArray(y, to + 2 * width + high);
            y30.rearrange(ZIP_LOW, y31).intoArray(y, to + 3 * width);
            y30.rearrange(ZIP_HIGH, y31).intoArray(y, to + 3 * width + high);
        } else {
            VectorMask<Float> lowLanes = S.indexInRange(0, 2 * tiles), highLanes = S.indexInRange(L, 2 * tiles);
            y00.rearrange(ZIP_LOW, y01).intoArray(y, to, lowLanes);
            y00.rearrange(ZIP_HIGH, y01).intoArray(y, to + L, highLanes);
            y10.rearrange(ZIP_LOW, y11).intoArray(y, to + width, lowLanes);
            y10.rearrange(ZIP_HIGH, y11).intoArray(y, to + width + L, highLanes);
            y20.rearrange(ZIP_LOW, y21).intoArray(y, to + 2 * width, lowLanes);
            y20.rearrange(ZIP_HIGH, y21).intoArray(y, to + 2 * width + L, highLanes);
            y30.rearrange(ZIP_LOW, y31).intoArray(y, to + 3 * width, lowLanes);
            y30.rearrange(ZIP_HIGH, y31).intoArray(y, to + 3 * width + L, highLanes);
        }
    }

    /**
     * {@link #transformTallRun}'s rows at {@code m[scratch]} pooled: rows 0 and 1 into pooled row
     * {@code y[to]}, rows 2 and 3 into the next ({@link #tilesX} on), and their winners' codes
     * likewise; maxima and codes as {@link #transformOutput}'s.
     */
    private void poolTallRun(float[] m, int scratch, boolean relu, int tiles, float[] y, int to, byte[] winners, int wto) {
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        FloatVector two = FloatVector.broadcast(S, 2f), three = FloatVector.broadcast(S, 3f);
        for (int h = 0; h < 2; h++, to += tilesX, wto += tilesX) {
            int at = scratch + 4 * h * L;
            FloatVector y00 = FloatVector.fromArray(S, m, at), y01 = FloatVector.fromArray(S, m, at + L);
            FloatVector y10 = FloatVector.fromArray(S, m, at + 2 * L), y11 = FloatVector.fromArray(S, m, at + 3 * L);
            // rectified cells by their bits as unsigned integers (PanamaConv.maxPool2x2)
            FloatVector max = !relu ? y00.max(y01).max(y10.max(y11))
                    : y00.reinterpretAsInts().lanewise(VectorOperators.UMAX, y01.reinterpretAsInts())
                            .lanewise(VectorOperators.UMAX, y10.reinterpretAsInts()
                                    .lanewise(VectorOperators.UMAX, y11.reinterpretAsInts()))
                            .reinterpretAsFloats();
            if (tiles == L) {
                max.intoArray(y, to);
            } else {
                max.intoArray(y, to, S.indexInRange(0, tiles));
            }
            if (winners == null) {
                continue;
            }
            FloatVector code = three.blend(two, y10.eq(max)).blend(one, y01.eq(max)).blend(zero, y00.eq(max));
            if (relu) {
                code = FloatVector.broadcast(S, ConvSupport.DEAD_WINDOW).blend(code, max.compare(VectorOperators.GT, zero));
            }
            if (B != null && L >= 16) { // AVX-512 has masked byte stores; below, lane by lane
                ByteVector bytes = (ByteVector) code.convertShape(VectorOperators.F2B, B, 0);
                if (tiles == L) {
                    bytes.intoArray(winners, wto);
                } else {
                    bytes.intoArray(winners, wto, B.indexInRange(0, tiles));
                }
            } else {
                for (int i = 0; i < tiles; i++) {
                    winners[wto + i] = (byte) code.lane(i);
                }
            }
        }
    }

    @Override
    public void prepareBackward(ConvTensors t) {
        throw new UnsupportedOperationException("Winograd computes the forward pass only: pair it with a backward");
    }

    @Override
    public void backwardImage(ConvTensors t, int n, float[] dw, int dwAt, boolean accumulate, double[] biasSums) {
        throw new UnsupportedOperationException("Winograd computes the forward pass only: pair it with a backward");
    }

    static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    /** One of {@link #transpose16}'s permutes, at 16 lanes only (the caller checks). */
    private static VectorShuffle<Float> swap(int bit, boolean low) {
        return VectorShuffle.fromOp(S, j -> (j & bit) == 0 ? (low ? j : j + bit) : (low ? L + j - bit : L + j));
    }

    private static VectorShuffle<Float> unzip(int from) {
        return VectorShuffle.iota(S, from, 2, false);
    }

    private static VectorShuffle<Float> zip(int from) {
        // lanes 2i and 2i + 1: lane from + i of the first vector, then of the second (index L + from + i)
        return VectorShuffle.fromOp(S, i -> (i & 1) * L + from + i / 2);
    }
}
