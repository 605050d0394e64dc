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
 * The forward pass of a 3x3 "same" convolution at stride 1 by Winograd's F(4x4, 3x3): Lavin and
 * Gray's F(4, 3) down the columns and across the rows, each 4x4 block of outputs ("tile") from its
 * 6x6 input patch, 36 products for 16 outputs (2.25 an output, against F(4x2, 3x3)'s 3 and
 * F(2x2, 3x3)'s 4). The products are {@link WinogradConvolution}'s: 36 matrix products
 * {@code M_e = U_e V_e} in its register tile, over bands of tiles with the tiles in the lanes.
 *
 * <p>What differs is the staging. Each input channel is staged as four arrays, one per column
 * of a tile, each in four row phases: the image's column {@code 4 tx + b} in padded row
 * {@code p = 4 ty + j} lies at {@code [b][p % 4][p / 4 tilesX + tx]}, {@code b} 0 to 3. So the
 * tiles of a whole band, tile row after tile row, are consecutive in every array, and a vector of
 * tiles is one load whatever the map's width (a 16-wide map has 4 tiles a row); a patch's columns
 * 1 to 4 are the tile's own, and its columns 0 and 5 are its neighbours' 3 and 0, the same arrays
 * one lane along (zeros at the padding, by the load's mask). The output transform puts each
 * vector of tiles back in place by runs of four tiles (pooled, of eight), split where they cross
 * a tile row.
 *
 * <p>It needs 16 lanes (AVX-512) and heights and widths in multiples of 4; the transforms add up
 * to 36 inputs (and 9 weights) before they multiply, so it rounds a little further from the
 * direct kernel than F(4x2, 3x3) does. Every image is computed alone in a fixed order: results do
 * not depend on the thread count. A {@link DirectConvolution} may run its data gradient as a pass
 * of this class on the transposed shape ({@link #dataGradient}), the kernels transposed and flipped.
 */
final class Winograd4x4Convolution implements WinogradDataGradient, WinogradWeightGradient {

    private static final VectorSpecies<Float> S = Vectors.FLOATS;
    private static final VectorSpecies<Byte> B = Vectors.BYTES;
    private static final int L = S.length();
    private static final VectorSpecies<Integer> INTS = Vectors.INTS;
    /** Products per tile: the planes of {@code U}, {@code V} and {@code M}. */
    private static final int PRODUCTS = 36;
    /**
     * Tiles a band aims at, as F(4x2, 3x3)'s: four vectors, two of the products' register tiles
     * (measured against 32 and 128: VGG's inference 2-4% faster than with 32, level with 128).
     */
    private static final int BAND_TILES = 64;

    private static final VectorShuffle<Float> UNZIP_EVEN = WinogradConvolution.UNZIP_EVEN;
    private static final VectorShuffle<Float> UNZIP_ODD = WinogradConvolution.UNZIP_ODD;
    private static final VectorShuffle<Float> ZIP_LOW = WinogradConvolution.ZIP_LOW;
    private static final VectorShuffle<Float> ZIP_HIGH = WinogradConvolution.ZIP_HIGH;
    private static final int[] PAIR_INDICES = WinogradConvolution.PAIR_INDICES;

    private final ConvShape shape;
    private final int cin, cout, height, width;
    /** Tiles across and down. */
    private final int tilesX, tilesY;
    /**
     * Floats of one row phase of a staged column array (a band's tile rows, one more, and a
     * vector's slack), a column array, a channel's band.
     */
    private final int phasePlane, columnPlane, stagedPlane;
    /**
     * Per tile column {@code tx}: the lanes of a vector of tiles from {@code tx} on whose tile has a
     * left neighbour (its patch's column 0 is that one's column 3), and a right one (column 5).
     */
    private final long[] hasLeft, hasRight;
    /** Tile rows per band, and the band's tiles rounded up to a whole vector. */
    private final int bandRows, blockTiles;
    /** Floats from one {@code e} to the next in {@code V}, {@code M} and {@code U}: a plane and a cache line (as Winograd's). */
    private final int inputPlane, productPlane, weightPlane;

    /**
     * Whether this weight gradient keeps the tiles in the lanes ({@link WinogradConvolution#accumulateLanes}),
     * as F(4x2, 3x3)'s may ({@link WinogradConvolution#suitsLaneSums}): output channels not in
     * pairs of vectors (ResNet's 16 -> 16).
     */
    private final boolean laneSums;

    Winograd4x4Convolution(ConvShape shape) {
        this(shape, false);
    }

    private Winograd4x4Convolution(ConvShape shape, boolean laneSums) {
        if (!suits(shape)) {
            throw new IllegalArgumentException("Winograd F(4x4, 3x3) needs 16 lanes and a 3x3 kernel at stride 1 with "
                    + "one pixel of padding on every side, an output whose height and width are multiples of 4 and "
                    + "whole tiles of " + WinogradConvolution.ROWS + " output channels: got " + shape + ", " + L
                    + " lanes");
        }
        if (laneSums && !WinogradConvolution.suitsLaneSums(shape, 4)) {
            throw new IllegalArgumentException("a weight gradient with the tiles in the lanes needs output channels not "
                    + "in pairs of vectors and channels in fours: got " + shape);
        }
        this.laneSums = laneSums;
        this.shape = shape;
        Window2d w = shape.window();
        cin = shape.inChannels();
        cout = shape.outChannels();
        height = w.outHeight();
        width = w.outWidth();
        tilesX = width / 4;
        tilesY = height / 4;
        bandRows = WinogradConvolution.bandRows(tilesX, tilesY, BAND_TILES);
        blockTiles = WinogradConvolution.roundUp(bandRows * tilesX, L);
        phasePlane = (bandRows + 1) * tilesX + L;
        columnPlane = 4 * phasePlane;
        stagedPlane = 4 * columnPlane;
        hasLeft = new long[tilesX];
        hasRight = new long[tilesX];
        for (int first = 0; first < tilesX; first++) {
            for (int lane = 0, tx = first; lane < L; lane++, tx = tx + 1 == tilesX ? 0 : tx + 1) {
                hasLeft[first] |= tx == 0 ? 0 : 1L << lane;
                hasRight[first] |= tx == tilesX - 1 ? 0 : 1L << lane;
            }
        }
        inputPlane = cin * blockTiles + 16;
        productPlane = cout * blockTiles + 16;
        weightPlane = cout * cin + 16;
    }

    /**
     * The data gradient of {@code shape} (which {@link #suits} with its channel counts swapped) as
     * an F(4x4, 3x3) pass of the transposed shape, as {@link WinogradConvolution#dataGradient}'s.
     */
    static Winograd4x4Convolution dataGradient(ConvShape shape) {
        return new Winograd4x4Convolution(WinogradConvolution.transposed(shape));
    }

    /**
     * {@code shape}'s weight gradient by F(4x4, 3x3) ({@link #suitsWeightGradient}), as
     * {@link WinogradConvolution#weightGradient}'s by F(4x2, 3x3) with 36 products for 16 outputs
     * (2.25 an output, against 3): by bands, each band's input through the forward's staging and
     * transform ({@link #stageBand}, {@link #transformInput}), each output channel's gradient
     * staged the same way ({@link #stageGradient}) and taken back through the output transform
     * ({@link #transformGradient}), {@code dM} transposed and summed into {@code dU^T} in the
     * forward's register tile ({@link WinogradConvolution#accumulate}); {@code dg = G^T dU G} once
     * a group ({@link #endWeightGradient}); or, with {@code laneSums}, the tiles kept in the lanes
     * of {@code V} and {@code dM} ({@link WinogradConvolution#accumulateLanes}).
     */
    static Winograd4x4Convolution weightGradient(ConvShape shape, boolean laneSums) {
        if (!suitsWeightGradient(shape)) {
            throw new IllegalArgumentException("Winograd F(4x4, 3x3)'s weight gradient needs its forward's shape, input "
                    + "channels in tiles of " + WinogradConvolution.ROWS + " and output channels in whole vectors of "
                    + L + ": got " + shape + ", " + L + " lanes");
        }
        return new Winograd4x4Convolution(shape, laneSums);
    }

    /** Whether {@link #weightGradient} computes {@code shape}'s weight gradient: as {@link #suits}, channels in whole register tiles. */
    static boolean suitsWeightGradient(ConvShape shape) {
        return suits(shape) && shape.inChannels() % WinogradConvolution.ROWS == 0 && shape.outChannels() % L == 0;
    }

    /** Whether this algorithm computes {@code shape}'s forward pass on this machine's vectors. */
    static boolean suits(ConvShape shape) {
        return L == 16 && B != null && WinogradConvolution.suits(shape) && shape.window().outHeight() % 4 == 0
                && shape.window().outWidth() % 4 == 0;
    }

    /**
     * Whether {@code shape} suits this algorithm's layouts: a width in whole vectors (its rows
     * staged a row phase at a time, {@link #stagePhase}, and placed in whole runs of tiles; on
     * 56-wide maps, 14 tiles a row, the masked staging and the runs split across tile rows made it
     * slower than F(4x2, 3x3)) and two vectors of tiles or more an image, the products' register
     * tile (a 16x16 map has one vector, and its products run a vector at a time).
     */
    static boolean runsWhole(ConvShape shape) {
        Window2d w = shape.window();
        return w.outWidth() % L == 0 && w.outHeight() / 4 * (w.outWidth() / 4) >= 2 * L;
    }

    @Override
    public String name() {
        return "winograd F(4x4, 3x3)";
    }

    @Override
    public ConvShape shape() {
        return shape;
    }

    /** {@code U_e = G g G^T} for every channel pair, laid out {@code [e][output channel / 8][input channel][8]}. */
    @Override
    public int preparedForwardSize() {
        return PRODUCTS * weightPlane;
    }

    /**
     * {@code U_e = G g G^T} with F(4, 3)'s {@code G} both ways: down each column of the taps, then
     * along each of the six rows that gives, in place, in vectors of channel pairs along {@code U}'s planes.
     */
    @Override
    public void prepareForward(float[] w, int wOffset, float[] u) {
        transformWeights(w, wOffset, false, u);
    }

    @Override
    public void prepareDataGradient(float[] w, int wOffset, float[] u) {
        transformWeights(w, wOffset, true, u);
    }

    /** {@link #prepareForward}, or with {@code g} read from {@code w[ic][oc]} rotated half a turn (a data gradient's). */
    private void transformWeights(float[] w, int wOffset, boolean transposedFlipped, float[] u) {
        int pairs = cout * cin;
        float[] taps = WinogradConvolution.gatherTaps(w, wOffset, transposedFlipped, cin, cout, weightPlane);
        for (int i = 0; i < pairs; i += L) {
            for (int kx = 0; kx < 3; kx++) { // G g down column kx, into U's planes (a, kx) until the next loop
                transformWeights(taps, kx * weightPlane + i, 3 * weightPlane, u, kx * weightPlane + i, 6 * weightPlane, i,
                        pairs);
            }
            for (int a = 0; a < 6; a++) { // (G g) G^T along row a: its three planes read before its six are written
                int row = 6 * a * weightPlane + i;
                transformWeights(u, row, weightPlane, u, row, weightPlane, i, pairs);
            }
        }
    }

    /**
     * F(4, 3)'s {@code G g} of the three vectors {@code step} apart from {@code from[at]}:
     * {@code g0 / 4}, {@code -(g0 + g1 + g2) / 6}, {@code -(g0 - g1 + g2) / 6},
     * {@code g0 / 24 + g1 / 12 + g2 / 6}, {@code g0 / 24 - g1 / 12 + g2 / 6}, {@code g2}, into
     * {@code to[out]} and every {@code outStep} after; all three read before any is written.
     */
    private static void transformWeights(float[] from, int at, int step, float[] to, int out, int outStep, int i,
                                         int pairs) {
        VectorMask<Float> in = S.indexInRange(i, pairs); // lanes i and on of pairs; a mask passed in would be boxed
        FloatVector g0 = FloatVector.fromArray(S, from, at, in);
        FloatVector g1 = FloatVector.fromArray(S, from, at + step, in);
        FloatVector g2 = FloatVector.fromArray(S, from, at + 2 * step, in);
        FloatVector even = g0.add(g2), sixth = FloatVector.broadcast(S, -1f / 6);
        // g0 / 24 + g2 / 6 = (g0 / 2 + 2 g2) / 12
        FloatVector outer = g0.mul(0.5f).add(g2.mul(2f)).mul(1f / 12), inner = g1.mul(1f / 12);
        g0.mul(0.25f).intoArray(to, out, in);
        even.add(g1).mul(sixth).intoArray(to, out + outStep, in);
        even.sub(g1).mul(sixth).intoArray(to, out + 2 * outStep, in);
        outer.add(inner).intoArray(to, out + 3 * outStep, in);
        outer.sub(inner).intoArray(to, out + 4 * outStep, in);
        g2.intoArray(to, out + 5 * outStep, in);
    }

    /**
     * Image {@code n}, its epilogue inside the output transform: a tile is four 2x2 pooling
     * windows (tiles and windows both start at even rows and columns), so a pooled map is never
     * written whole.
     */
    @Override
    public void forwardImage(ConvTensors t, int n) {
        int wb = t.winners == null ? 0 : t.winnersOffset + n * shape.pooledSize();
        convolve(t.prepared, t.x, t.xOffset + n * shape.inputSize(), width, height * width, t.y,
                t.yOffset + n * shape.outputSize(t.pool), t.bias, t.biasOffset, t.relu, t.pool, t.winners, wb);
    }

    @Override
    public void dataGradientImage(float[] u, float[] dz, int dzAt, int dzRow, int dzPlane, float[] dx, int dxAt) {
        convolve(u, dz, dzAt, dzRow, dzPlane, dx, dxAt, null, 0, false, false, null, 0);
    }

    @Override
    public int transformedWeightsSize() {
        return PRODUCTS * weightPlane;
    }

    @Override
    public String weightGradientName() {
        return "Winograd F(4x4, 3x3) weight gradient" + (laneSums ? " (tiles in lanes)" : "");
    }

    /**
     * One image's {@code dU_e^T} ({@code [e][ic][oc]}, planes {@link #weightPlane} apart) added
     * to the group's {@code sums}, or written there unless {@code accumulate} (see
     * {@link #weightGradient}).
     */
    @Override
    public void weightGradientImage(float[] x, int xb, float[] dz, int dzAt, int dzRow, int dzPlane, boolean accumulate,
                                    float[] sums) {
        float[] xs = Workspace.floats(Slot.WINOGRAD_STAGED, stagedPlane);
        float[] ds = Workspace.floats(Slot.WINOGRAD_STAGED_GRADIENT, stagedPlane);
        float[] v = Workspace.floats(Slot.WINOGRAD_INPUT, (long) PRODUCTS * inputPlane);
        float[] dm = Workspace.floats(Slot.WINOGRAD_GRADIENT, (long) PRODUCTS * productPlane);
        float[] dmt = laneSums ? null : Workspace.floats(Slot.WINOGRAD_PRODUCTS, (long) PRODUCTS * productPlane);
        if (!accumulate) {
            Arrays.fill(sums, 0, transformedWeightsSize(), 0f);
        }
        for (int ty0 = 0; ty0 < tilesY; ty0 += bandRows) {
            int rows = Math.min(tilesY, ty0 + bandRows) - ty0, tiles = rows * tilesX;
            for (int c = 0; c < cin; c++) { // each channel staged just before its transform reads it, as the forward's
                stageBand(x, xb + c * height * width, width, ty0, rows, xs);
                transformInput(xs, c, tiles, v);
            }
            for (int oc = 0; oc < cout; oc++) {
                stageGradient(dz, dzAt + oc * dzPlane, dzRow, ty0, rows, ds);
                transformGradient(ds, oc, tiles, dm);
            }
            if (laneSums) {
                int padded = WinogradConvolution.roundUp(tiles, L);
                // the lanes past the band's tiles hold stale values in both: zeros, so they add nothing
                clearPastTiles(v, cin, inputPlane, tiles, padded);
                clearPastTiles(dm, cout, productPlane, tiles, padded);
                for (int e = 0; e < PRODUCTS; e++) {
                    WinogradConvolution.accumulateLanes(cin, cout, blockTiles, v, e * inputPlane, dm, e * productPlane,
                            padded, sums, e * weightPlane);
                }
                continue;
            }
            WinogradConvolution.transposeGradientBlocks(PRODUCTS, productPlane, cout, blockTiles, dm, tiles, dmt);
            for (int e = 0; e < PRODUCTS; e++) {
                WinogradConvolution.accumulate(cin, cout, blockTiles, v, e * inputPlane, dmt, e * productPlane, tiles,
                        sums, e * weightPlane);
            }
        }
    }

    /** Zeros in columns {@code tiles} to {@code padded} of each of {@code channels} rows of every plane ({@code plane} apart). */
    private void clearPastTiles(float[] a, int channels, int plane, int tiles, int padded) {
        for (int e = 0; padded > tiles && e < PRODUCTS; e++) {
            for (int c = 0; c < channels; c++) {
                int at = e * plane + c * blockTiles;
                Arrays.fill(a, at + tiles, at + padded, 0f);
            }
        }
    }

    /**
     * Tile rows {@code ty0} to {@code ty0 + rows} of one channel of the gradient at the output
     * (rows {@code dzRow} apart from {@code dz[dzAt]}) into column arrays from {@code ds[0]}, as
     * {@link #stageBand} stages the image but unpadded: row {@code 4 ty + i}, column
     * {@code 4 tx + j} at {@code [j][i][(ty - ty0) tilesX + tx]}.
     */
    private void stageGradient(float[] dz, int dzAt, int dzRow, int ty0, int rows, float[] ds) {
        for (int i = 0; i < 4; i++) {
            int first = dzAt + (4 * ty0 + i) * dzRow, to = i * phasePlane;
            if (width % L == 0) {
                stagePhase(dz, first, dzRow, ds, to, rows * tilesX);
            } else {
                for (int tr = 0; tr < rows; tr++) {
                    stageRow(dz, first + 4 * tr * dzRow, ds, to + tr * tilesX);
                }
            }
        }
    }

    /**
     * {@code dM = A dY A^T} of channel {@code oc}'s band of {@code tiles} tiles staged in
     * {@code ds} ({@link #stageGradient}): the band's tile {@code k} at column {@code k} of row
     * {@code oc} of {@code dM_e}, {@code e = 6 row + column}, rows {@link #blockTiles} and planes
     * {@link #productPlane} apart. F(4, 3)'s {@code A} takes four values {@code d0..d3} to
     * {@code d0}, {@code (d0 + d2) + (d1 + d3)}, {@code (d0 + d2) - (d1 + d3)},
     * {@code (d0 + 4 d2) + 2 (d1 + 4 d3)}, {@code (d0 + 4 d2) - 2 (d1 + 4 d3)}, {@code d3}: across
     * each tile row for a pair of columns of {@code dM} a call ({@code transformGradientEnds},
     * {@code Sums}, {@code Differences}; straight-line, as the input transform's, so that no vector
     * crosses a call), then down them. Only signs and powers of two multiply,
     * so an infinite gradient gives what the sums give. Whole vectors: columns past the band's
     * tiles hold what the arrays hold there, stale, and are never read ({@link WinogradConvolution#accumulate}
     * sums the first {@code tiles}).
     */
    private void transformGradient(float[] ds, int oc, int tiles, float[] dm) {
        for (int k = 0; k < tiles; k += L) {
            int to = oc * blockTiles + k;
            transformGradientEnds(ds, k, dm, to);
            transformGradientSums(ds, k, dm, to);
            transformGradientDifferences(ds, k, dm, to);
        }
    }

    /** Columns 0 and 5 of {@link #transformGradient}'s {@code dM}: each tile row's {@code d0} and {@code d3}, then down. */
    private void transformGradientEnds(float[] ds, int at, float[] dm, int to) {
        FloatVector four = FloatVector.broadcast(S, 4f), two = FloatVector.broadcast(S, 2f);
        FloatVector minusTwo = FloatVector.broadcast(S, -2f);
        int c = columnPlane, p = phasePlane, e = productPlane;
        FloatVector a0 = FloatVector.fromArray(S, ds, at), a1 = FloatVector.fromArray(S, ds, at + p);
        FloatVector a2 = FloatVector.fromArray(S, ds, at + 2 * p), a3 = FloatVector.fromArray(S, ds, at + 3 * p);
        FloatVector b0 = FloatVector.fromArray(S, ds, at + 3 * c), b1 = FloatVector.fromArray(S, ds, at + 3 * c + p);
        FloatVector b2 = FloatVector.fromArray(S, ds, at + 3 * c + 2 * p);
        FloatVector b3 = FloatVector.fromArray(S, ds, at + 3 * c + 3 * p);
        FloatVector aEven = a0.add(a2), aOdd = a1.add(a3), aNear = a2.fma(four, a0), aFar = a3.fma(four, a1);
        a0.intoArray(dm, to);
        aEven.add(aOdd).intoArray(dm, to + 6 * e);
        aEven.sub(aOdd).intoArray(dm, to + 12 * e);
        aFar.fma(two, aNear).intoArray(dm, to + 18 * e);
        aFar.fma(minusTwo, aNear).intoArray(dm, to + 24 * e);
        a3.intoArray(dm, to + 30 * e);
        FloatVector bEven = b0.add(b2), bOdd = b1.add(b3), bNear = b2.fma(four, b0), bFar = b3.fma(four, b1);
        b0.intoArray(dm, to + 5 * e);
        bEven.add(bOdd).intoArray(dm, to + 11 * e);
        bEven.sub(bOdd).intoArray(dm, to + 17 * e);
        bFar.fma(two, bNear).intoArray(dm, to + 23 * e);
        bFar.fma(minusTwo, bNear).intoArray(dm, to + 29 * e);
        b3.intoArray(dm, to + 35 * e);
    }

    /** Columns 1 and 2 of {@link #transformGradient}'s {@code dM}: {@code (d0 + d2) + (d1 + d3)} and {@code (d0 + d2) - (d1 + d3)} across, then down. */
    private void transformGradientSums(float[] ds, int at, float[] dm, int to) {
        FloatVector four = FloatVector.broadcast(S, 4f), two = FloatVector.broadcast(S, 2f);
        FloatVector minusTwo = FloatVector.broadcast(S, -2f);
        int c = columnPlane, p = phasePlane, e = productPlane;
        FloatVector even0 = FloatVector.fromArray(S, ds, at).add(FloatVector.fromArray(S, ds, at + 2 * c));
        FloatVector odd0 = FloatVector.fromArray(S, ds, at + c).add(FloatVector.fromArray(S, ds, at + 3 * c));
        FloatVector even1 = FloatVector.fromArray(S, ds, at + p).add(FloatVector.fromArray(S, ds, at + p + 2 * c));
        FloatVector odd1 = FloatVector.fromArray(S, ds, at + p + c).add(FloatVector.fromArray(S, ds, at + p + 3 * c));
        FloatVector even2 = FloatVector.fromArray(S, ds, at + 2 * p).add(FloatVector.fromArray(S, ds, at + 2 * p + 2 * c));
        FloatVector odd2 = FloatVector.fromArray(S, ds, at + 2 * p + c).add(FloatVector.fromArray(S, ds, at + 2 * p + 3 * c));
        FloatVector even3 = FloatVector.fromArray(S, ds, at + 3 * p).add(FloatVector.fromArray(S, ds, at + 3 * p + 2 * c));
        FloatVector odd3 = FloatVector.fromArray(S, ds, at + 3 * p + c).add(FloatVector.fromArray(S, ds, at + 3 * p + 3 * c));
        FloatVector a0 = even0.add(odd0), a1 = even1.add(odd1), a2 = even2.add(odd2), a3 = even3.add(odd3);
        FloatVector b0 = even0.sub(odd0), b1 = even1.sub(odd1), b2 = even2.sub(odd2), b3 = even3.sub(odd3);
        FloatVector aEven = a0.add(a2), aOdd = a1.add(a3), aNear = a2.fma(four, a0), aFar = a3.fma(four, a1);
        a0.intoArray(dm, to + e);
        aEven.add(aOdd).intoArray(dm, to + 7 * e);
        aEven.sub(aOdd).intoArray(dm, to + 13 * e);
        aFar.fma(two, aNear).intoArray(dm, to + 19 * e);
        aFar.fma(minusTwo, aNear).intoArray(dm, to + 25 * e);
        a3.intoArray(dm, to + 31 * e);
        FloatVector bEven = b0.add(b2), bOdd = b1.add(b3), bNear = b2.fma(four, b0), bFar = b3.fma(four, b1);
        b0.intoArray(dm, to + 2 * e);
        bEven.add(bOdd).intoArray(dm, to + 8 * e);
        bEven.sub(bOdd).intoArray(dm, to + 14 * e);
        bFar.fma(two, bNear).intoArray(dm, to + 20 * e);
        bFar.fma(minusTwo, bNear).intoArray(dm, to + 26 * e);
        b3.intoArray(dm, to + 32 * e);
    }

    /** Columns 3 and 4 of {@link #transformGradient}'s {@code dM}: {@code (d0 + 4 d2) + 2 (d1 + 4 d3)} and {@code (d0 + 4 d2) - 2 (d1 + 4 d3)} across, then down. */
    private void transformGradientDifferences(float[] ds, int at, float[] dm, int to) {
        FloatVector four = FloatVector.broadcast(S, 4f), two = FloatVector.broadcast(S, 2f);
        FloatVector minusTwo = FloatVector.broadcast(S, -2f);
        int c = columnPlane, p = phasePlane, e = productPlane;
        FloatVector near0 = FloatVector.fromArray(S, ds, at + 2 * c).fma(four, FloatVector.fromArray(S, ds, at));
        FloatVector far0 = FloatVector.fromArray(S, ds, at + 3 * c).fma(four, FloatVector.fromArray(S, ds, at + c));
        FloatVector near1 = FloatVector.fromArray(S, ds, at + p + 2 * c).fma(four, FloatVector.fromArray(S, ds, at + p));
        FloatVector far1 = FloatVector.fromArray(S, ds, at + p + 3 * c).fma(four, FloatVector.fromArray(S, ds, at + p + c));
        FloatVector near2 = FloatVector.fromArray(S, ds, at + 2 * p + 2 * c).fma(four, FloatVector.fromArray(S, ds, at + 2 * p));
        FloatVector far2 = FloatVector.fromArray(S, ds, at + 2 * p + 3 * c).fma(four, FloatVector.fromArray(S, ds, at + 2 * p + c));
        FloatVector near3 = FloatVector.fromArray(S, ds, at + 3 * p + 2 * c).fma(four, FloatVector.fromArray(S, ds, at + 3 * p));
        FloatVector far3 = FloatVector.fromArray(S, ds, at + 3 * p + 3 * c).fma(four, FloatVector.fromArray(S, ds, at + 3 * p + c));
        FloatVector a0 = far0.fma(two, near0), a1 = far1.fma(two, near1), a2 = far2.fma(two, near2);
        FloatVector a3 = far3.fma(two, near3);
        FloatVector b0 = far0.fma(minusTwo, near0), b1 = far1.fma(minusTwo, near1), b2 = far2.fma(minusTwo, near2);
        FloatVector b3 = far3.fma(minusTwo, near3);
        FloatVector aEven = a0.add(a2), aOdd = a1.add(a3), aNear = a2.fma(four, a0), aFar = a3.fma(four, a1);
        a0.intoArray(dm, to + 3 * e);
        aEven.add(aOdd).intoArray(dm, to + 9 * e);
        aEven.sub(aOdd).intoArray(dm, to + 15 * e);
        aFar.fma(two, aNear).intoArray(dm, to + 21 * e);
        aFar.fma(minusTwo, aNear).intoArray(dm, to + 27 * e);
        a3.intoArray(dm, to + 33 * e);
        FloatVector bEven = b0.add(b2), bOdd = b1.add(b3), bNear = b2.fma(four, b0), bFar = b3.fma(four, b1);
        b0.intoArray(dm, to + 4 * e);
        bEven.add(bOdd).intoArray(dm, to + 10 * e);
        bEven.sub(bOdd).intoArray(dm, to + 16 * e);
        bFar.fma(two, bNear).intoArray(dm, to + 22 * e);
        bFar.fma(minusTwo, bNear).intoArray(dm, to + 28 * e);
        b3.intoArray(dm, to + 34 * e);
    }

    /**
     * The group's {@code dg = G^T dU G} for every channel pair, into {@code dw} at {@code dwAt}
     * ({@code [oc][ic][3][3]}): F(4, 3)'s {@code G^T} down each of {@code dU}'s six columns,
     * then across each of the three rows that gives ({@link WinogradConvolution#tallGradientTaps}), in vectors
     * of channel pairs (the sums' planes, {@code dU^T}: {@link WinogradConvolution#sumsPair}), into nine
     * planes of taps, then into place.
     */
    @Override
    public void endWeightGradient(float[] sums, float[] dw, int dwAt) {
        int pairs = cout * cin, plane = weightPlane;
        // 18 planes of G^T dU (row r, column b at 6 r + b), then the 9 planes of taps
        float[] planes = Workspace.floats(Slot.WINOGRAD_TAPS, 27L * plane);
        int taps = 18 * plane;
        for (int i = 0; i < pairs; i += L) {
            for (int b = 0; b < 6; b++) {
                WinogradConvolution.tallGradientTaps(sums, b * plane + i, 6 * plane, planes, b * plane + i, 6 * plane, i,
                        pairs);
            }
            for (int r = 0; r < 3; r++) {
                WinogradConvolution.tallGradientTaps(planes, 6 * r * plane + i, plane, planes, taps + 3 * r * plane + i,
                        plane, i, pairs);
            }
        }
        WinogradConvolution.placeTaps(planes, taps, plane, cin, cout, laneSums, dw, dwAt);
    }

    /**
     * One image from {@code x[xb]} (rows {@code xRow} and planes {@code xPlane} apart) into
     * {@code y[yb]} with the epilogue, by bands of tiles: staged, transformed, multiplied,
     * transformed back.
     */
    private void convolve(float[] u, float[] x, int xb, int xRow, int xPlane, float[] y, int yb, float[] biases,
                          int biasOffset, boolean relu, boolean pool, byte[] winners, int wb) {
        float[] xs = Workspace.floats(Slot.WINOGRAD_STAGED, stagedPlane);
        float[] v = Workspace.floats(Slot.WINOGRAD_INPUT, (long) PRODUCTS * inputPlane);
        // past the products, 16 vectors of scratch: a vector of tiles' outputs between the
        // output transform and placing them
        int scratch = PRODUCTS * productPlane;
        float[] m = Workspace.floats(Slot.WINOGRAD_PRODUCTS, scratch + 16L * L);
        for (int ty0 = 0; ty0 < tilesY; ty0 += bandRows) {
            int rows = Math.min(tilesY, ty0 + bandRows) - ty0, first = ty0 * tilesX, tiles = rows * tilesX;
            for (int c = 0; c < cin; c++) { // each channel's band staged just before its transform reads it, in L1
                stageBand(x, xb + c * xPlane, xRow, ty0, rows, xs);
                transformInput(xs, c, tiles, v);
            }
            for (int e = 0; e < PRODUCTS; e++) {
                WinogradConvolution.multiply(cin, cout, blockTiles, u, e * weightPlane, v, e * inputPlane, m,
                        e * productPlane, WinogradConvolution.roundUp(tiles, L));
            }
            transformOutput(m, scratch, first, tiles, y, yb, biases, biasOffset, relu, pool, winners, wb);
        }
    }

    /**
     * One channel's tile rows {@code ty0} to {@code ty0 + rows} (the band's, and row phases 0
     * and 1 of the next one: its last patches' rows 4 and 5) into their column arrays from
     * {@code xs[0]} (see the class comment): padded row {@code p} holds, for each tile {@code tx},
     * the image's columns {@code 4 tx .. 4 tx + 3}, which are the padded columns 1 to 4 of the
     * tile's patch; its columns 0 and 5 are the neighbours' 3 and 0 ({@link #transformInputLeft}).
     * Padded rows 0 and {@code height + 1} to {@code height + 3} are zeros; the slack past the
     * rows is never placed (its lanes are tiles past the band's). The image's rows lie
     * {@code xRow} apart from {@code x[xb]}.
     */
    private void stageBand(float[] x, int xb, int xRow, int ty0, int rows, float[] xs) {
        for (int ph = 0; ph < 4; ph++) {
            // tile row tr holds padded row 4 tr + ph, image row 4 tr + ph - 1, in the image from lo
            // to hi; the next band's first row only in phases 0 and 1
            int end = ph < 2 ? ty0 + rows + 1 : ty0 + rows;
            int lo = ph == 0 ? Math.max(ty0, 1) : ty0, hi = Math.min(end, ph == 0 ? tilesY + 1 : tilesY);
            int to = ph * phasePlane + (lo - ty0) * tilesX;
            for (int b = 0; b < 4 && (lo > ty0 || hi < end); b++) { // the padding, at the image's top and bottom
                int at = b * columnPlane + ph * phasePlane;
                Arrays.fill(xs, at, at + (lo - ty0) * tilesX, 0f);
                Arrays.fill(xs, at + (hi - ty0) * tilesX, at + (end - ty0) * tilesX, 0f);
            }
            if (width % L == 0) {
                stagePhase(x, xb + (4 * lo + ph - 1) * xRow, xRow, xs, to, (hi - lo) * tilesX);
            } else {
                for (int tr = lo; tr < hi; tr++) {
                    stageRow(x, xb + (4 * tr + ph - 1) * xRow, xs, to + (tr - lo) * tilesX);
                }
            }
        }
    }

    /**
     * The image rows of one row phase from {@code x[row]} (one a tile row, four image rows apart)
     * for {@code tiles} tiles into the column arrays from offset {@code to}, for a width in whole
     * vectors: the phase's rows taken end to end, so that four vectors are 16 tiles whatever the
     * width (a 16-wide map's are four rows), split as {@link #stageRow} splits one row.
     */
    private void stagePhase(float[] x, int row, int xRow, float[] xs, int to, int tiles) {
        // in int lanes, as selectFrom permutes them: a reinterpret per load and per store, not three
        // per permute (with three, C2 stopped inlining stagePhase's last one: NodeCountInliningCutoff)
        IntVector unzipEven = IntVector.fromArray(INTS, PAIR_INDICES, 0);
        IntVector unzipOdd = IntVector.fromArray(INTS, PAIR_INDICES, L);
        int c0 = to, c1 = c0 + columnPlane, c2 = c1 + columnPlane, c3 = c2 + columnPlane;
        int column = 0; // the vector the next load reads, along x[row]
        int i = 0;
        // whole runs first, unmasked: five masks built a run took ResNet's training step 5-12%
        // longer on a Zen 5 (benchmarks/README.md, "Maps written padded")
        for (; i + L <= tiles; i += L) {
            IntVector v0 = FloatVector.fromArray(S, x, row + column).reinterpretAsInts();
            if ((column += L) == width) {
                column = 0;
                row += 4 * xRow;
            }
            IntVector v1 = FloatVector.fromArray(S, x, row + column).reinterpretAsInts();
            if ((column += L) == width) {
                column = 0;
                row += 4 * xRow;
            }
            IntVector v2 = FloatVector.fromArray(S, x, row + column).reinterpretAsInts();
            if ((column += L) == width) {
                column = 0;
                row += 4 * xRow;
            }
            IntVector v3 = FloatVector.fromArray(S, x, row + column).reinterpretAsInts();
            if ((column += L) == width) {
                column = 0;
                row += 4 * xRow;
            }
            IntVector e01 = unzipEven.selectFrom(v0, v1), o01 = unzipOdd.selectFrom(v0, v1);
            IntVector e23 = unzipEven.selectFrom(v2, v3), o23 = unzipOdd.selectFrom(v2, v3);
            unzipEven.selectFrom(e01, e23).reinterpretAsFloats().intoArray(xs, c0 + i);
            unzipEven.selectFrom(o01, o23).reinterpretAsFloats().intoArray(xs, c1 + i);
            unzipOdd.selectFrom(e01, e23).reinterpretAsFloats().intoArray(xs, c2 + i);
            unzipOdd.selectFrom(o01, o23).reinterpretAsFloats().intoArray(xs, c3 + i);
        }
        for (; i < tiles; i += L) {
            // masked: the last run is short (a 16-wide map's rows are 4 tiles), and the reads
            // past it (lanes off) may lie past the image
            int left = 4 * (tiles - i);
            IntVector v0 = FloatVector.fromArray(S, x, row + column, S.indexInRange(0, left)).reinterpretAsInts();
            if ((column += L) == width) {
                column = 0;
                row += 4 * xRow;
            }
            IntVector v1 = FloatVector.fromArray(S, x, row + column, S.indexInRange(L, left)).reinterpretAsInts();
            if ((column += L) == width) {
                column = 0;
                row += 4 * xRow;
            }
            IntVector v2 = FloatVector.fromArray(S, x, row + column, S.indexInRange(2 * L, left)).reinterpretAsInts();
            if ((column += L) == width) {
                column = 0;
                row += 4 * xRow;
            }
            IntVector v3 = FloatVector.fromArray(S, x, row + column, S.indexInRange(3 * L, left)).reinterpretAsInts();
            if ((column += L) == width) {
                column = 0;
                row += 4 * xRow;
            }
            IntVector e01 = unzipEven.selectFrom(v0, v1), o01 = unzipOdd.selectFrom(v0, v1);
            IntVector e23 = unzipEven.selectFrom(v2, v3), o23 = unzipOdd.selectFrom(v2, v3);
            VectorMask<Float> in = S.indexInRange(i, tiles);
            unzipEven.selectFrom(e01, e23).reinterpretAsFloats().intoArray(xs, c0 + i, in);
            unzipEven.selectFrom(o01, o23).reinterpretAsFloats().intoArray(xs, c1 + i, in);
            unzipOdd.selectFrom(e01, e23).reinterpretAsFloats().intoArray(xs, c2 + i, in);
            unzipOdd.selectFrom(o01, o23).reinterpretAsFloats().intoArray(xs, c3 + i, in);
        }
    }

    /**
     * One image row into the column arrays from offset {@code to} (each
     * {@link #columnPlane} after the last): four vectors of the row (16 tiles) split by two rounds
     * of two-vector permutes into its columns {@code 4i}, {@code 4i + 1}, {@code 4i + 2},
     * {@code 4i + 3}; a last run shorter than a vector masked.
     */
    private void stageRow(float[] x, int at, float[] xs, int to) {
        // in int lanes, as selectFrom permutes them: a reinterpret per load and per store, not three
        // per permute (with three, C2 stopped inlining stagePhase's last one: NodeCountInliningCutoff)
        IntVector unzipEven = IntVector.fromArray(INTS, PAIR_INDICES, 0);
        IntVector unzipOdd = IntVector.fromArray(INTS, PAIR_INDICES, L);
        int c0 = to, c1 = c0 + columnPlane, c2 = c1 + columnPlane, c3 = c2 + columnPlane;
        for (int i = 0; i < tilesX; i += L) {
            // masked: the width is not in whole vectors, and the last run may be short
            int left = width - 4 * i, from = at + 4 * i;
            IntVector v0 = FloatVector.fromArray(S, x, from, S.indexInRange(0, left)).reinterpretAsInts();
            IntVector v1 = FloatVector.fromArray(S, x, from + L, S.indexInRange(L, left)).reinterpretAsInts();
            IntVector v2 = FloatVector.fromArray(S, x, from + 2 * L, S.indexInRange(2 * L, left)).reinterpretAsInts();
            IntVector v3 = FloatVector.fromArray(S, x, from + 3 * L, S.indexInRange(3 * L, left)).reinterpretAsInts();
            IntVector e01 = unzipEven.selectFrom(v0, v1), o01 = unzipOdd.selectFrom(v0, v1);
            IntVector e23 = unzipEven.selectFrom(v2, v3), o23 = unzipOdd.selectFrom(v2, v3);
            VectorMask<Float> in = S.indexInRange(i, tilesX);
            unzipEven.selectFrom(e01, e23).reinterpretAsFloats().intoArray(xs, c0 + i, in);
            unzipEven.selectFrom(o01, o23).reinterpretAsFloats().intoArray(xs, c1 + i, in);
            unzipOdd.selectFrom(e01, e23).reinterpretAsFloats().intoArray(xs, c2 + i, in);
            unzipOdd.selectFrom(o01, o23).reinterpretAsFloats().intoArray(xs, c3 + i, in);
        }
    }

    /**
     * {@code V_e} of channel {@code ic} for the band's {@code tiles} tiles staged in {@code xs}
     * ({@link #stageBand}): {@code B^T d B} of each tile's 6x6 patch, the band's tile {@code k}
     * at column {@code k} of row {@code ic} of {@code V_e}, {@code e = 6 row + column}, rows
     * {@link #blockTiles} and planes {@link #inputPlane} apart. Whole vectors: the columns past
     * the band's tiles hold what the arrays hold there, computed and never placed.
     */
    private void transformInput(float[] xs, int ic, int tiles, float[] v) {
        for (int k = 0, tx = 0; k < tiles; k += L, tx = (tx + L) % tilesX) {
            int to = ic * blockTiles + k; // the masks as bits: a mask passed to a call is boxed
            transformInputLeft(xs, k, hasLeft[tx], v, to);
            transformInputRight(xs, k, hasRight[tx], v, to);
            transformInputSums(xs, k, v, to);
            transformInputDifferences(xs, k, v, to);
        }
    }

    /**
     * Column 0 of {@code B^T d B} for a vector of patches from {@code xs[at]} (column 0 of a patch
     * its left neighbour's column 3, in the lanes whose bits {@code left} set; else the padding),
     * into {@code v[to]}, plane {@code 6 a + b}. The input transform goes a column or two of
     * {@code B^T d B} a call ({@code transformInputLeft}, {@code Sums}, {@code Differences},
     * {@code Right}): {@code B^T} across each patch row for those columns (six or twelve
     * vectors, in registers), then down them. {@code B^T}'s rows: {@code 4 d0 - 5 d2 + d4},
     * {@code (d3 + d4) - 4 (d1 + d2)}, {@code (d4 - d3) + 4 (d1 - d2)},
     * {@code (d4 - d2) + 2 (d3 - d1)}, {@code (d4 - d2) - 2 (d3 - d1)}, {@code 4 d1 - 5 d3 + d5}.
     * Straight-line, no helper that passes a vector (a vector that crosses a call C2 does not
     * inline is boxed). As first written, all 36 columns went through L1 scratch, every vector
     * stored twice: 16% of a 32 -> 32 forward on 64x64, now 13% (pinned, batch 32: 12.9-14.4 ->
     * 12.2-13.5 ms). Columns 0 and 5 in one method were too large for C1's profiling tier ("out
     * of virtual registers"), which left them running the Vector API's Java fallbacks, 3 to 5 times slower.
     */
    private void transformInputLeft(float[] xs, int at, long left, float[] v, int to) {
        VectorMask<Float> hasLeft = VectorMask.fromLong(S, left);
        FloatVector four = FloatVector.broadcast(S, 4f), minusFour = FloatVector.broadcast(S, -4f);
        FloatVector minusFive = FloatVector.broadcast(S, -5f);
        int c = columnPlane, e = inputPlane, p = phasePlane;
        int r0 = at, r1 = at + p, r2 = at + 2 * p, r3 = at + 3 * p, r4 = at + tilesX, r5 = r1 + tilesX; // the patch's rows
        FloatVector a0 = FloatVector.fromArray(S, xs, r0 + 3 * c - 1, hasLeft).fma(four,
                FloatVector.fromArray(S, xs, r0 + c).fma(minusFive, FloatVector.fromArray(S, xs, r0 + 3 * c)));
        FloatVector a1 = FloatVector.fromArray(S, xs, r1 + 3 * c - 1, hasLeft).fma(four,
                FloatVector.fromArray(S, xs, r1 + c).fma(minusFive, FloatVector.fromArray(S, xs, r1 + 3 * c)));
        FloatVector a2 = FloatVector.fromArray(S, xs, r2 + 3 * c - 1, hasLeft).fma(four,
                FloatVector.fromArray(S, xs, r2 + c).fma(minusFive, FloatVector.fromArray(S, xs, r2 + 3 * c)));
        FloatVector a3 = FloatVector.fromArray(S, xs, r3 + 3 * c - 1, hasLeft).fma(four,
                FloatVector.fromArray(S, xs, r3 + c).fma(minusFive, FloatVector.fromArray(S, xs, r3 + 3 * c)));
        FloatVector a4 = FloatVector.fromArray(S, xs, r4 + 3 * c - 1, hasLeft).fma(four,
                FloatVector.fromArray(S, xs, r4 + c).fma(minusFive, FloatVector.fromArray(S, xs, r4 + 3 * c)));
        FloatVector a5 = FloatVector.fromArray(S, xs, r5 + 3 * c - 1, hasLeft).fma(four,
                FloatVector.fromArray(S, xs, r5 + c).fma(minusFive, FloatVector.fromArray(S, xs, r5 + 3 * c)));
        a0.fma(four, a2.fma(minusFive, a4)).intoArray(v, to);
        a1.add(a2).fma(minusFour, a3.add(a4)).intoArray(v, to + 6 * e);
        a1.sub(a2).fma(four, a4.sub(a3)).intoArray(v, to + 12 * e);
        FloatVector aTwice = a3.sub(a1).mul(2f), aOuter = a4.sub(a2);
        aOuter.add(aTwice).intoArray(v, to + 18 * e);
        aOuter.sub(aTwice).intoArray(v, to + 24 * e);
        a1.fma(four, a3.fma(minusFive, a5)).intoArray(v, to + 30 * e);
    }

    /** {@link #transformInputLeft} for column 5: {@code 4 d1 - 5 d3 + d5} across, {@code d5} the right neighbour's column 0. */
    private void transformInputRight(float[] xs, int at, long right, float[] v, int to) {
        VectorMask<Float> hasRight = VectorMask.fromLong(S, right);
        FloatVector four = FloatVector.broadcast(S, 4f), minusFour = FloatVector.broadcast(S, -4f);
        FloatVector minusFive = FloatVector.broadcast(S, -5f);
        int c = columnPlane, e = inputPlane, p = phasePlane;
        int r0 = at, r1 = at + p, r2 = at + 2 * p, r3 = at + 3 * p, r4 = at + tilesX, r5 = r1 + tilesX; // the patch's rows
        FloatVector a0 = FloatVector.fromArray(S, xs, r0).fma(four,
                FloatVector.fromArray(S, xs, r0 + 2 * c).fma(minusFive, FloatVector.fromArray(S, xs, r0 + 1, hasRight)));
        FloatVector a1 = FloatVector.fromArray(S, xs, r1).fma(four,
                FloatVector.fromArray(S, xs, r1 + 2 * c).fma(minusFive, FloatVector.fromArray(S, xs, r1 + 1, hasRight)));
        FloatVector a2 = FloatVector.fromArray(S, xs, r2).fma(four,
                FloatVector.fromArray(S, xs, r2 + 2 * c).fma(minusFive, FloatVector.fromArray(S, xs, r2 + 1, hasRight)));
        FloatVector a3 = FloatVector.fromArray(S, xs, r3).fma(four,
                FloatVector.fromArray(S, xs, r3 + 2 * c).fma(minusFive, FloatVector.fromArray(S, xs, r3 + 1, hasRight)));
        FloatVector a4 = FloatVector.fromArray(S, xs, r4).fma(four,
                FloatVector.fromArray(S, xs, r4 + 2 * c).fma(minusFive, FloatVector.fromArray(S, xs, r4 + 1, hasRight)));
        FloatVector a5 = FloatVector.fromArray(S, xs, r5).fma(four,
                FloatVector.fromArray(S, xs, r5 + 2 * c).fma(minusFive, FloatVector.fromArray(S, xs, r5 + 1, hasRight)));
        a0.fma(four, a2.fma(minusFive, a4)).intoArray(v, to + 5 * e);
        a1.add(a2).fma(minusFour, a3.add(a4)).intoArray(v, to + 11 * e);
        a1.sub(a2).fma(four, a4.sub(a3)).intoArray(v, to + 17 * e);
        FloatVector aTwice = a3.sub(a1).mul(2f), aOuter = a4.sub(a2);
        aOuter.add(aTwice).intoArray(v, to + 23 * e);
        aOuter.sub(aTwice).intoArray(v, to + 29 * e);
        a1.fma(four, a3.fma(minusFive, a5)).intoArray(v, to + 35 * e);
    }

    /** {@link #transformInputLeft} for columns 1 and 2: {@code (d3 + d4) - 4 (d1 + d2)}, {@code (d4 - d3) + 4 (d1 - d2)}. */
    private void transformInputSums(float[] xs, int at, float[] v, int to) {
        FloatVector four = FloatVector.broadcast(S, 4f), minusFour = FloatVector.broadcast(S, -4f);
        FloatVector minusFive = FloatVector.broadcast(S, -5f);
        int c = columnPlane, e = inputPlane, p = phasePlane;
        int r0 = at, r1 = at + p, r2 = at + 2 * p, r3 = at + 3 * p, r4 = at + tilesX, r5 = r1 + tilesX; // the patch's rows
        FloatVector d10 = FloatVector.fromArray(S, xs, r0), d20 = FloatVector.fromArray(S, xs, r0 + c);
        FloatVector d30 = FloatVector.fromArray(S, xs, r0 + 2 * c), d40 = FloatVector.fromArray(S, xs, r0 + 3 * c);
        FloatVector a0 = d10.add(d20).fma(minusFour, d30.add(d40)), b0 = d10.sub(d20).fma(four, d40.sub(d30));
        FloatVector d11 = FloatVector.fromArray(S, xs, r1), d21 = FloatVector.fromArray(S, xs, r1 + c);
        FloatVector d31 = FloatVector.fromArray(S, xs, r1 + 2 * c), d41 = FloatVector.fromArray(S, xs, r1 + 3 * c);
        FloatVector a1 = d11.add(d21).fma(minusFour, d31.add(d41)), b1 = d11.sub(d21).fma(four, d41.sub(d31));
        FloatVector d12 = FloatVector.fromArray(S, xs, r2), d22 = FloatVector.fromArray(S, xs, r2 + c);
        FloatVector d32 = FloatVector.fromArray(S, xs, r2 + 2 * c), d42 = FloatVector.fromArray(S, xs, r2 + 3 * c);
        FloatVector a2 = d12.add(d22).fma(minusFour, d32.add(d42)), b2 = d12.sub(d22).fma(four, d42.sub(d32));
        FloatVector d13 = FloatVector.fromArray(S, xs, r3), d23 = FloatVector.fromArray(S, xs, r3 + c);
        FloatVector d33 = FloatVector.fromArray(S, xs, r3 + 2 * c), d43 = FloatVector.fromArray(S, xs, r3 + 3 * c);
        FloatVector a3 = d13.add(d23).fma(minusFour, d33.add(d43)), b3 = d13.sub(d23).fma(four, d43.sub(d33));
        FloatVector d14 = FloatVector.fromArray(S, xs, r4), d24 = FloatVector.fromArray(S, xs, r4 + c);
        FloatVector d34 = FloatVector.fromArray(S, xs, r4 + 2 * c), d44 = FloatVector.fromArray(S, xs, r4 + 3 * c);
        FloatVector a4 = d14.add(d24).fma(minusFour, d34.add(d44)), b4 = d14.sub(d24).fma(four, d44.sub(d34));
        FloatVector d15 = FloatVector.fromArray(S, xs, r5), d25 = FloatVector.fromArray(S, xs, r5 + c);
        FloatVector d35 = FloatVector.fromArray(S, xs, r5 + 2 * c), d45 = FloatVector.fromArray(S, xs, r5 + 3 * c);
        FloatVector a5 = d15.add(d25).fma(minusFour, d35.add(d45)), b5 = d15.sub(d25).fma(four, d45.sub(d35));
        a0.fma(four, a2.fma(minusFive, a4)).intoArray(v, to + e);
        a1.add(a2).fma(minusFour, a3.add(a4)).intoArray(v, to + 7 * e);
        a1.sub(a2).fma(four, a4.sub(a3)).intoArray(v, to + 13 * e);
        FloatVector aTwice = a3.sub(a1).mul(2f), aOuter = a4.sub(a2);
        aOuter.add(aTwice).intoArray(v, to + 19 * e);
        aOuter.sub(aTwice).intoArray(v, to + 25 * e);
        a1.fma(four, a3.fma(minusFive, a5)).intoArray(v, to + 31 * e);
        b0.fma(four, b2.fma(minusFive, b4)).intoArray(v, to + 2 * e);
        b1.add(b2).fma(minusFour, b3.add(b4)).intoArray(v, to + 8 * e);
        b1.sub(b2).fma(four, b4.sub(b3)).intoArray(v, to + 14 * e);
        FloatVector bTwice = b3.sub(b1).mul(2f), bOuter = b4.sub(b2);
        bOuter.add(bTwice).intoArray(v, to + 20 * e);
        bOuter.sub(bTwice).intoArray(v, to + 26 * e);
        b1.fma(four, b3.fma(minusFive, b5)).intoArray(v, to + 32 * e);
    }

    /** {@link #transformInputLeft} for columns 3 and 4: {@code (d4 - d2) + 2 (d3 - d1)}, {@code (d4 - d2) - 2 (d3 - d1)}. */
    private void transformInputDifferences(float[] xs, int at, float[] v, int to) {
        FloatVector four = FloatVector.broadcast(S, 4f), minusFour = FloatVector.broadcast(S, -4f);
        FloatVector minusFive = FloatVector.broadcast(S, -5f);
        int c = columnPlane, e = inputPlane, p = phasePlane;
        int r0 = at, r1 = at + p, r2 = at + 2 * p, r3 = at + 3 * p, r4 = at + tilesX, r5 = r1 + tilesX; // the patch's rows
        FloatVector twice0 = FloatVector.fromArray(S, xs, r0 + 2 * c).sub(FloatVector.fromArray(S, xs, r0)).mul(2f);
        FloatVector outer0 = FloatVector.fromArray(S, xs, r0 + 3 * c).sub(FloatVector.fromArray(S, xs, r0 + c));
        FloatVector a0 = outer0.add(twice0), b0 = outer0.sub(twice0);
        FloatVector twice1 = FloatVector.fromArray(S, xs, r1 + 2 * c).sub(FloatVector.fromArray(S, xs, r1)).mul(2f);
        FloatVector outer1 = FloatVector.fromArray(S, xs, r1 + 3 * c).sub(FloatVector.fromArray(S, xs, r1 + c));
        FloatVector a1 = outer1.add(twice1), b1 = outer1.sub(twice1);
        FloatVector twice2 = FloatVector.fromArray(S, xs, r2 + 2 * c).sub(FloatVector.fromArray(S, xs, r2)).mul(2f);
        FloatVector outer2 = FloatVector.fromArray(S, xs, r2 + 3 * c).sub(FloatVector.fromArray(S, xs, r2 + c));
        FloatVector a2 = outer2.add(twice2), b2 = outer2.sub(twice2);
        FloatVector twice3 = FloatVector.fromArray(S, xs, r3 + 2 * c).sub(FloatVector.fromArray(S, xs, r3)).mul(2f);
        FloatVector outer3 = FloatVector.fromArray(S, xs, r3 + 3 * c).sub(FloatVector.fromArray(S, xs, r3 + c));
        FloatVector a3 = outer3.add(twice3), b3 = outer3.sub(twice3);
        FloatVector twice4 = FloatVector.fromArray(S, xs, r4 + 2 * c).sub(FloatVector.fromArray(S, xs, r4)).mul(2f);
        FloatVector outer4 = FloatVector.fromArray(S, xs, r4 + 3 * c).sub(FloatVector.fromArray(S, xs, r4 + c));
        FloatVector a4 = outer4.add(twice4), b4 = outer4.sub(twice4);
        FloatVector twice5 = FloatVector.fromArray(S, xs, r5 + 2 * c).sub(FloatVector.fromArray(S, xs, r5)).mul(2f);
        FloatVector outer5 = FloatVector.fromArray(S, xs, r5 + 3 * c).sub(FloatVector.fromArray(S, xs, r5 + c));
        FloatVector a5 = outer5.add(twice5), b5 = outer5.sub(twice5);
        a0.fma(four, a2.fma(minusFive, a4)).intoArray(v, to + 3 * e);
        a1.add(a2).fma(minusFour, a3.add(a4)).intoArray(v, to + 9 * e);
        a1.sub(a2).fma(four, a4.sub(a3)).intoArray(v, to + 15 * e);
        FloatVector aTwice = a3.sub(a1).mul(2f), aOuter = a4.sub(a2);
        aOuter.add(aTwice).intoArray(v, to + 21 * e);
        aOuter.sub(aTwice).intoArray(v, to + 27 * e);
        a1.fma(four, a3.fma(minusFive, a5)).intoArray(v, to + 33 * e);
        b0.fma(four, b2.fma(minusFive, b4)).intoArray(v, to + 4 * e);
        b1.add(b2).fma(minusFour, b3.add(b4)).intoArray(v, to + 10 * e);
        b1.sub(b2).fma(four, b4.sub(b3)).intoArray(v, to + 16 * e);
        FloatVector bTwice = b3.sub(b1).mul(2f), bOuter = b4.sub(b2);
        bOuter.add(bTwice).intoArray(v, to + 22 * e);
        bOuter.sub(bTwice).intoArray(v, to + 28 * e);
        b1.fma(four, b3.fma(minusFive, b5)).intoArray(v, to + 34 * e);
    }

    /**
     * The band's tiles of every output channel: {@code A^T M A}, then bias and ReLU (as
     * {@link ConvSupport#biasActivation}), into {@code m[scratch]} a vector of tiles at a time;
     * then placed ({@link #place}), or each 2x2 window's maximum and winner ({@link #pool}).
     */
    private void transformOutput(float[] m, int scratch, int first, int tiles, float[] y, int yb, float[] biases,
                                 int biasOffset, boolean relu, boolean pool, byte[] winners, int wb) {
        int outPlane = pool ? height * width / 4 : height * width;
        int per = pool ? 2 : 4, group = L / per, rowStride = pool ? width : 4 * width; // a tile row's floats out
        for (int k = 0; k < tiles; k += L) {
            // where each run of tiles a vector of outputs holds starts, or -1 where it is not
            // whole and within a tile row (stored by pieces, storeSplit)
            int count = Math.min(L, tiles - k), g0 = start(first + k, count, group, per, rowStride);
            int g1 = start(first + k + group, count - group, group, per, rowStride);
            int g2 = pool ? 0 : start(first + k + 2 * group, count - 2 * group, group, per, rowStride);
            int g3 = pool ? 0 : start(first + k + 3 * group, count - 3 * group, group, per, rowStride);
            for (int oc = 0; oc < cout; oc++) {
                float bias = biases == null ? 0f : biases[biasOffset + oc];
                transformOutputLeft(m, oc * blockTiles + k, bias, relu, scratch);
                transformOutputRight(m, oc * blockTiles + k, bias, relu, scratch);
                if (pool) {
                    pool(m, scratch, relu, first + k, count, y, yb + oc * outPlane, g0, g1, winners,
                            winners == null ? 0 : wb + oc * outPlane);
                } else {
                    place(m, scratch, first + k, count, y, yb + oc * outPlane, g0, g1, g2, g3);
                }
            }
        }
    }

    /**
     * Where in an output plane the run of {@code group} tiles from {@code tile} starts ({@code per}
     * floats a tile across, tile rows {@code rowStride} apart), or -1 where fewer than
     * {@code group} are wanted or they cross a tile row.
     */
    private int start(int tile, int count, int group, int per, int rowStride) {
        int tx = tile % tilesX;
        return count >= group && tx + group <= tilesX ? tile / tilesX * rowStride + tx * per : -1;
    }

    /**
     * Output columns 0 and 1 of a vector of tiles from {@code M[at]}: F(4, 3)'s {@code A^T} across
     * each of the six rows of {@code M} ({@code m0 + (m1 + m2) + (m3 + m4)} and
     * {@code (m1 - m2) + 2 (m3 - m4)}), then down each column (the same four rows of {@code A^T}:
     * {@code t0 + (t1 + t2) + (t3 + t4)}, {@code (t1 - t2) + 2 (t3 - t4)},
     * {@code (t1 + t2) + 4 (t3 + t4)}, {@code (t1 - t2) + 8 (t3 - t4) + t5}), plus the bias, then
     * ReLU; row {@code i}, column {@code j} into {@code m[scratch + (4 i + j) L]}. Straight-line,
     * in registers: a helper that passes vectors is not reliably inlined, and a vector that
     * crosses a call is boxed.
     */
    private void transformOutputLeft(float[] m, int at, float biasValue, boolean relu, int scratch) {
        int e = productPlane, row = 6 * e;
        FloatVector two = FloatVector.broadcast(S, 2f), four = FloatVector.broadcast(S, 4f);
        FloatVector eight = FloatVector.broadcast(S, 8f), bias = FloatVector.broadcast(S, biasValue);
        int r = at;
        FloatVector m1 = FloatVector.fromArray(S, m, r + e), m2 = FloatVector.fromArray(S, m, r + 2 * e);
        FloatVector m3 = FloatVector.fromArray(S, m, r + 3 * e), m4 = FloatVector.fromArray(S, m, r + 4 * e);
        FloatVector a0 = FloatVector.fromArray(S, m, r).add(m1.add(m2)).add(m3.add(m4)), b0 = m3.sub(m4).fma(two, m1.sub(m2));
        r += row;
        m1 = FloatVector.fromArray(S, m, r + e);
        m2 = FloatVector.fromArray(S, m, r + 2 * e);
        m3 = FloatVector.fromArray(S, m, r + 3 * e);
        m4 = FloatVector.fromArray(S, m, r + 4 * e);
        FloatVector a1 = FloatVector.fromArray(S, m, r).add(m1.add(m2)).add(m3.add(m4)), b1 = m3.sub(m4).fma(two, m1.sub(m2));
        r += row;
        m1 = FloatVector.fromArray(S, m, r + e);
        m2 = FloatVector.fromArray(S, m, r + 2 * e);
        m3 = FloatVector.fromArray(S, m, r + 3 * e);
        m4 = FloatVector.fromArray(S, m, r + 4 * e);
        FloatVector a2 = FloatVector.fromArray(S, m, r).add(m1.add(m2)).add(m3.add(m4)), b2 = m3.sub(m4).fma(two, m1.sub(m2));
        r += row;
        m1 = FloatVector.fromArray(S, m, r + e);
        m2 = FloatVector.fromArray(S, m, r + 2 * e);
        m3 = FloatVector.fromArray(S, m, r + 3 * e);
        m4 = FloatVector.fromArray(S, m, r + 4 * e);
        FloatVector a3 = FloatVector.fromArray(S, m, r).add(m1.add(m2)).add(m3.add(m4)), b3 = m3.sub(m4).fma(two, m1.sub(m2));
        r += row;
        m1 = FloatVector.fromArray(S, m, r + e);
        m2 = FloatVector.fromArray(S, m, r + 2 * e);
        m3 = FloatVector.fromArray(S, m, r + 3 * e);
        m4 = FloatVector.fromArray(S, m, r + 4 * e);
        FloatVector a4 = FloatVector.fromArray(S, m, r).add(m1.add(m2)).add(m3.add(m4)), b4 = m3.sub(m4).fma(two, m1.sub(m2));
        r += row;
        m1 = FloatVector.fromArray(S, m, r + e);
        m2 = FloatVector.fromArray(S, m, r + 2 * e);
        m3 = FloatVector.fromArray(S, m, r + 3 * e);
        m4 = FloatVector.fromArray(S, m, r + 4 * e);
        FloatVector a5 = FloatVector.fromArray(S, m, r).add(m1.add(m2)).add(m3.add(m4)), b5 = m3.sub(m4).fma(two, m1.sub(m2));
        FloatVector sum = a1.add(a2), difference = a1.sub(a2), sum34 = a3.add(a4), difference34 = a3.sub(a4);
        FloatVector y00 = a0.add(sum).add(sum34).add(bias), y10 = difference34.fma(two, difference).add(bias);
        FloatVector y20 = sum34.fma(four, sum).add(bias), y30 = difference34.fma(eight, difference).add(a5).add(bias);
        sum = b1.add(b2);
        difference = b1.sub(b2);
        sum34 = b3.add(b4);
        difference34 = b3.sub(b4);
        FloatVector y01 = b0.add(sum).add(sum34).add(bias), y11 = difference34.fma(two, difference).add(bias);
        FloatVector y21 = sum34.fma(four, sum).add(bias), y31 = difference34.fma(eight, difference).add(b5).add(bias);
        if (relu) { // Math.max(v, 0f), as WinogradConvolution's
            FloatVector zero = FloatVector.zero(S);
            y00 = y00.blend(zero, y00.compare(VectorOperators.LE, zero));
            y10 = y10.blend(zero, y10.compare(VectorOperators.LE, zero));
            y20 = y20.blend(zero, y20.compare(VectorOperators.LE, zero));
            y30 = y30.blend(zero, y30.compare(VectorOperators.LE, zero));
            y01 = y01.blend(zero, y01.compare(VectorOperators.LE, zero));
            y11 = y11.blend(zero, y11.compare(VectorOperators.LE, zero));
            y21 = y21.blend(zero, y21.compare(VectorOperators.LE, zero));
            y31 = y31.blend(zero, y31.compare(VectorOperators.LE, zero));
        }
        y00.intoArray(m, scratch);
        y01.intoArray(m, scratch + L);
        y10.intoArray(m, scratch + 4 * L);
        y11.intoArray(m, scratch + 5 * L);
        y20.intoArray(m, scratch + 8 * L);
        y21.intoArray(m, scratch + 9 * L);
        y30.intoArray(m, scratch + 12 * L);
        y31.intoArray(m, scratch + 13 * L);
    }

    /**
     * {@link #transformOutputLeft} for output columns 2 and 3: across each row of {@code M},
     * {@code (m1 + m2) + 4 (m3 + m4)} and {@code (m1 - m2) + 8 (m3 - m4) + m5}.
     */
    private void transformOutputRight(float[] m, int at, float biasValue, boolean relu, int scratch) {
        int e = productPlane, row = 6 * e;
        FloatVector two = FloatVector.broadcast(S, 2f), four = FloatVector.broadcast(S, 4f);
        FloatVector eight = FloatVector.broadcast(S, 8f), bias = FloatVector.broadcast(S, biasValue);
        int r = at;
        FloatVector m1 = FloatVector.fromArray(S, m, r + e), m2 = FloatVector.fromArray(S, m, r + 2 * e);
        FloatVector m3 = FloatVector.fromArray(S, m, r + 3 * e), m4 = FloatVector.fromArray(S, m, r + 4 * e);
        FloatVector a0 = m3.add(m4).fma(four, m1.add(m2));
        FloatVector b0 = m3.sub(m4).fma(eight, m1.sub(m2)).add(FloatVector.fromArray(S, m, r + 5 * e));
        r += row;
        m1 = FloatVector.fromArray(S, m, r + e);
        m2 = FloatVector.fromArray(S, m, r + 2 * e);
        m3 = FloatVector.fromArray(S, m, r + 3 * e);
        m4 = FloatVector.fromArray(S, m, r + 4 * e);
        FloatVector a1 = m3.add(m4).fma(four, m1.add(m2));
        FloatVector b1 = m3.sub(m4).fma(eight, m1.sub(m2)).add(FloatVector.fromArray(S, m, r + 5 * e));
        r += row;
        m1 = FloatVector.fromArray(S, m, r + e);
        m2 = FloatVector.fromArray(S, m, r + 2 * e);
        m3 = FloatVector.fromArray(S, m, r + 3 * e);
        m4 = FloatVector.fromArray(S, m, r + 4 * e);
        FloatVector a2 = m3.add(m4).fma(four, m1.add(m2));
        FloatVector b2 = m3.sub(m4).fma(eight, m1.sub(m2)).add(FloatVector.fromArray(S, m, r + 5 * e));
        r += row;
        m1 = FloatVector.fromArray(S, m, r + e);
        m2 = FloatVector.fromArray(S, m, r + 2 * e);
        m3 = FloatVector.fromArray(S, m, r + 3 * e);
        m4 = FloatVector.fromArray(S, m, r + 4 * e);
        FloatVector a3 = m3.add(m4).fma(four, m1.add(m2));
        FloatVector b3 = m3.sub(m4).fma(eight, m1.sub(m2)).add(FloatVector.fromArray(S, m, r + 5 * e));
        r += row;
        m1 = FloatVector.fromArray(S, m, r + e);
        m2 = FloatVector.fromArray(S, m, r + 2 * e);
        m3 = FloatVector.fromArray(S, m, r + 3 * e);
        m4 = FloatVector.fromArray(S, m, r + 4 * e);
        FloatVector a4 = m3.add(m4).fma(four, m1.add(m2));
        FloatVector b4 = m3.sub(m4).fma(eight, m1.sub(m2)).add(FloatVector.fromArray(S, m, r + 5 * e));
        r += row;
        m1 = FloatVector.fromArray(S, m, r + e);
        m2 = FloatVector.fromArray(S, m, r + 2 * e);
        m3 = FloatVector.fromArray(S, m, r + 3 * e);
        m4 = FloatVector.fromArray(S, m, r + 4 * e);
        FloatVector a5 = m3.add(m4).fma(four, m1.add(m2));
        FloatVector b5 = m3.sub(m4).fma(eight, m1.sub(m2)).add(FloatVector.fromArray(S, m, r + 5 * e));
        FloatVector sum = a1.add(a2), difference = a1.sub(a2), sum34 = a3.add(a4), difference34 = a3.sub(a4);
        FloatVector y02 = a0.add(sum).add(sum34).add(bias), y12 = difference34.fma(two, difference).add(bias);
        FloatVector y22 = sum34.fma(four, sum).add(bias), y32 = difference34.fma(eight, difference).add(a5).add(bias);
        sum = b1.add(b2);
        difference = b1.sub(b2);
        sum34 = b3.add(b4);
        difference34 = b3.sub(b4);
        FloatVector y03 = b0.add(sum).add(sum34).add(bias), y13 = difference34.fma(two, difference).add(bias);
        FloatVector y23 = sum34.fma(four, sum).add(bias), y33 = difference34.fma(eight, difference).add(b5).add(bias);
        if (relu) {
            FloatVector zero = FloatVector.zero(S);
            y02 = y02.blend(zero, y02.compare(VectorOperators.LE, zero));
            y12 = y12.blend(zero, y12.compare(VectorOperators.LE, zero));
            y22 = y22.blend(zero, y22.compare(VectorOperators.LE, zero));
            y32 = y32.blend(zero, y32.compare(VectorOperators.LE, zero));
            y03 = y03.blend(zero, y03.compare(VectorOperators.LE, zero));
            y13 = y13.blend(zero, y13.compare(VectorOperators.LE, zero));
            y23 = y23.blend(zero, y23.compare(VectorOperators.LE, zero));
            y33 = y33.blend(zero, y33.compare(VectorOperators.LE, zero));
        }
        y02.intoArray(m, scratch + 2 * L);
        y03.intoArray(m, scratch + 3 * L);
        y12.intoArray(m, scratch + 6 * L);
        y13.intoArray(m, scratch + 7 * L);
        y22.intoArray(m, scratch + 10 * L);
        y23.intoArray(m, scratch + 11 * L);
        y32.intoArray(m, scratch + 14 * L);
        y33.intoArray(m, scratch + 15 * L);
    }

    /**
     * The {@code count} tiles from tile {@code tile} at {@code m[scratch]} into the output plane
     * at {@code y[to]}: each row's four columns zipped by two rounds of permutes, so that a vector
     * holds four tiles' rows side by side, stored at {@code g0..g3} ({@link #start}) or by pieces.
     */
    private void place(float[] m, int scratch, int tile, int count, float[] y, int to, int g0, int g1, int g2, int g3) {
        IntVector zipLow = Vectors.pairIndices(PAIR_INDICES, 2), zipHigh = Vectors.pairIndices(PAIR_INDICES, 3);
        int q = L / 4, stride = 4 * width;
        for (int i = 0; i < 4; i++) {
            int at = scratch + 4 * i * L, row = to + i * width;
            FloatVector c0 = FloatVector.fromArray(S, m, at), c1 = FloatVector.fromArray(S, m, at + L);
            FloatVector c2 = FloatVector.fromArray(S, m, at + 2 * L), c3 = FloatVector.fromArray(S, m, at + 3 * L);
            // columns 0 and 2, 1 and 3 side by side, then those pairs: lanes 4s..4s + 3 are tile s's row
            FloatVector lowEven = Vectors.pair(zipLow, ZIP_LOW, c0, c2), highEven = Vectors.pair(zipHigh, ZIP_HIGH, c0, c2);
            FloatVector lowOdd = Vectors.pair(zipLow, ZIP_LOW, c1, c3), highOdd = Vectors.pair(zipHigh, ZIP_HIGH, c1, c3);
            FloatVector r0 = Vectors.pair(zipLow, ZIP_LOW, lowEven, lowOdd), r1 = Vectors.pair(zipHigh, ZIP_HIGH, lowEven, lowOdd);
            FloatVector r2 = Vectors.pair(zipLow, ZIP_LOW, highEven, highOdd), r3 = Vectors.pair(zipHigh, ZIP_HIGH, highEven, highOdd);
            if ((g0 | g1 | g2 | g3) >= 0) {
                r0.intoArray(y, row + g0);
                r1.intoArray(y, row + g1);
                r2.intoArray(y, row + g2);
                r3.intoArray(y, row + g3);
            } else {
                storeSplit(r0, tile, count, 4, y, row, stride);
                storeSplit(r1, tile + q, count - q, 4, y, row, stride);
                storeSplit(r2, tile + 2 * q, count - 2 * q, 4, y, row, stride);
                storeSplit(r3, tile + 3 * q, count - 3 * q, 4, y, row, stride);
            }
        }
    }

    /**
     * A vector holding {@code L / per} consecutive tiles from {@code tile}, {@code per} floats each,
     * the first {@code count} of them wanted, into rows {@code rowStride} apart a tile row from
     * {@code y[to]}: one masked store a run of tiles within a tile row.
     */
    private void storeSplit(FloatVector vector, int tile, int count, int per, float[] y, int to, int rowStride) {
        count = Math.min(count, L / per);
        for (int done = 0; done < count; ) {
            int t = tile + done, tx = t % tilesX, run = Math.min(count - done, tilesX - tx);
            vector.intoArray(y, to + t / tilesX * rowStride + tx * per - done * per, S.indexInRange(-done * per, run * per));
            done += run;
        }
    }

    /** {@link #storeSplit} for bytes: the winners' codes of {@link #pool}. */
    private void storeSplit(ByteVector vector, int tile, int count, int per, byte[] y, int to, int rowStride) {
        count = Math.min(count, L / per);
        for (int done = 0; done < count; ) {
            int t = tile + done, tx = t % tilesX, run = Math.min(count - done, tilesX - tx);
            vector.intoArray(y, to + t / tilesX * rowStride + tx * per - done * per, B.indexInRange(-done * per, run * per));
            done += run;
        }
    }

    /**
     * The tiles at {@code m[scratch]} pooled: each tile's four 2x2 windows, their maxima and
     * winners' codes as {@link WinogradConvolution}'s, the two windows of each pooled row zipped
     * side by side, into the pooled plane at {@code y[to]} (and {@code winners[wto]}), at
     * {@code g0} and {@code g1} ({@link #start}) or by pieces.
     */
    private void pool(float[] m, int scratch, boolean relu, int tile, int count, float[] y, int to, int g0, int g1,
                      byte[] winners, int wto) {
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        FloatVector two = FloatVector.broadcast(S, 2f), three = FloatVector.broadcast(S, 3f);
        int pooledWidth = width / 2, half = L / 2;
        boolean whole = (g0 | g1) >= 0;
        for (int h = 0; h < 2; h++) {
            int at = scratch + 8 * h * L; // rows 2h and 2h + 1
            FloatVector a00 = FloatVector.fromArray(S, m, at), a01 = FloatVector.fromArray(S, m, at + L);
            FloatVector a10 = FloatVector.fromArray(S, m, at + 4 * L), a11 = FloatVector.fromArray(S, m, at + 5 * L);
            FloatVector b00 = FloatVector.fromArray(S, m, at + 2 * L), b01 = FloatVector.fromArray(S, m, at + 3 * L);
            FloatVector b10 = FloatVector.fromArray(S, m, at + 6 * L), b11 = FloatVector.fromArray(S, m, at + 7 * L);
            // rectified cells by their bits as unsigned integers (as PanamaConv.maxPool2x2)
            FloatVector left = !relu ? a00.max(a01).max(a10.max(a11))
                    : a00.reinterpretAsInts().lanewise(VectorOperators.UMAX, a01.reinterpretAsInts())
                            .lanewise(VectorOperators.UMAX, a10.reinterpretAsInts()
                                    .lanewise(VectorOperators.UMAX, a11.reinterpretAsInts()))
                            .reinterpretAsFloats();
            FloatVector right = !relu ? b00.max(b01).max(b10.max(b11))
                    : b00.reinterpretAsInts().lanewise(VectorOperators.UMAX, b01.reinterpretAsInts())
                            .lanewise(VectorOperators.UMAX, b10.reinterpretAsInts()
                                    .lanewise(VectorOperators.UMAX, b11.reinterpretAsInts()))
                            .reinterpretAsFloats();
            int row = to + h * pooledWidth;
            FloatVector low = left.rearrange(ZIP_LOW, right), high = left.rearrange(ZIP_HIGH, right);
            if (whole) {
                low.intoArray(y, row + g0);
                high.intoArray(y, row + g1);
            } else {
                storeSplit(low, tile, count, 2, y, row, width);
                storeSplit(high, tile + half, count - half, 2, y, row, width);
            }
            if (winners == null) {
                continue;
            }
            FloatVector leftCode = three.blend(two, a10.eq(left)).blend(one, a01.eq(left)).blend(zero, a00.eq(left));
            FloatVector rightCode = three.blend(two, b10.eq(right)).blend(one, b01.eq(right)).blend(zero, b00.eq(right));
            if (relu) { // ConvSupport.DEAD_WINDOW where the maximum is not positive
                FloatVector dead = FloatVector.broadcast(S, ConvSupport.DEAD_WINDOW);
                leftCode = dead.blend(leftCode, left.compare(VectorOperators.GT, zero));
                rightCode = dead.blend(rightCode, right.compare(VectorOperators.GT, zero));
            }
            ByteVector lowCodes = (ByteVector) leftCode.rearrange(ZIP_LOW, rightCode).convertShape(VectorOperators.F2B, B, 0);
            ByteVector highCodes = (ByteVector) leftCode.rearrange(ZIP_HIGH, rightCode).convertShape(VectorOperators.F2B, B, 0);
            int wrow = wto + h * pooledWidth;
            if (whole) {
                lowCodes.intoArray(winners, wrow + g0);
                highCodes.intoArray(winners, wrow + g1);
            } else {
                storeSplit(lowCodes, tile, count, 2, winners, wrow, width);
                storeSplit(highCodes, tile + half, count - half, 2, winners, wrow, width);
            }
        }
    }

    @Override
    public void backwardImage(ConvTensors t, int n, float[] dw, int dwAt, boolean accumulate, double[] biasSums) {
        throw new UnsupportedOperationException("Winograd computes the forward pass only: pair it with a backward");
    }
}
