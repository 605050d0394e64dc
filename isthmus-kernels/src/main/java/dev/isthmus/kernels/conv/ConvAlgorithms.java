package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.gemm.GemmSupport;

/**
 * Chooses a convolution's algorithm from its shape alone, once, in one place (PyTorch's
 * {@code select_conv_backend} plays this part there). The rules, in order:
 * <ol>
 *   <li>Depthwise (one channel a group, in and out) at stride 1 or 2, undilated, each padding
 *       narrower than the kernel: at 16 lanes {@link LaneDepthwiseConvolution}, else
 *       {@link DepthwiseConvolution} ({@link #depthwiseLanes}).
 *   <li>Other grouped channels: {@link GroupedConvolution}, each group by the
 *       rules below that keep no state across images (pointwise, else im2col).
 *   <li>A 1x1 kernel at stride 1 without padding: {@link PointwiseConvolution}, one SGEMM on the
 *       image as it lies.
 *   <li>A 1x1 kernel at stride 2 without padding and few input channels:
 *       {@link StridedPointwiseConvolution}, register tiles over the sampled positions staged
 *       flat ({@link #stridedPointwise}); its gradients from im2col where its weight sums would
 *       not stay in L1 ({@link #stridedPointwiseGradients}).
 *   <li>Stride and dilation 1, padding no wider than the kernel, and an output wide enough for
 *       the kernels' column block (or a "same" map that can be laid flat, see
 *       {@link DirectLayout#forward}): {@link DirectConvolution}.
 *   <li>A stride above 1, the same on both axes, with a kernel wider than it and an output that
 *       suits the column block ({@link DirectLayout#strided}): {@link DirectConvolution} on the
 *       image's phases, the gradients too where {@link #phaseGradients} says so and each phase's
 *       reads stay in their rows ({@link DirectLayout#phaseGradients}); else
 *       {@link Im2colConvolution} for the gradients ({@link ForwardAndGradients}).
 *   <li>Anything else: {@link Im2colConvolution}.
 * </ol>
 * Then, for a wide 3x3 "same" convolution at stride 1 on AVX2 or AVX-512 ({@link #winograd}), the
 * forward pass goes to {@link Winograd4x4Convolution} where the map suits it
 * ({@link #winogradSquare}), else to {@link WinogradConvolution} (tiles of 4 rows where the
 * height allows, {@link #winogradTileRows}), and the gradients stay with the algorithm above;
 * a direct convolution takes its data gradient by Winograd too where the transposed shape
 * qualifies ({@link #winogradDataGradient}), and its weight gradient where the shape does
 * ({@link #winogradWeightGradient}; on F(4x4, 3x3)'s tiles where {@link #winogradSquareWeightGradient}).
 * The choice depends on the shape and on the vector width (through the column block), never on
 * the thread count, so results are bitwise identical for any number of threads.
 */
public final class ConvAlgorithms {

    private ConvAlgorithms() {}

    /** Benchmark hook: {@code -Disthmus.conv.stridedDirect=false} keeps strided convolutions on im2col. */
    static final String STRIDED_DIRECT_PROPERTY = "isthmus.conv.stridedDirect";

    /** Test and benchmark hook: {@code -Disthmus.conv.phaseGradients=true|false} forces {@link #phaseGradients}. */
    static final String PHASE_GRADIENTS_PROPERTY = "isthmus.conv.phaseGradients";

    /** Test and benchmark hook: {@code -Disthmus.conv.gemmWeightGradient=true|false} forces the choice below. */
    static final String GEMM_WEIGHT_GRADIENT_PROPERTY = "isthmus.conv.gemmWeightGradient";

    /**
     * Whether a direct convolution takes its weight gradient as one SGEMM per image rather than
     * the per-lane kernel: on maps laid flat or in paired rows (16x16 and below on AVX-512, where the per-lane
     * kernel's short rows keep sending its accumulators to memory; and widths just under a
     * multiple of the block, 28 or 56: 32 -> 32 on 28x28 went from 15.3 ms backward in rows with
     * per-lane sums to 7.9 laid flat with SGEMM), for 64 input channels or
     * more on maps up to 32 wide, and for 64 output channels or more (C two micro-panels wide or
     * more) with a patch of at least 144 (16 channels of 3x3) on any map. Forced by
     * {@value #GEMM_WEIGHT_GRADIENT_PROPERTY}. The measurements behind the rule are in
     * benchmarks/README.md (convolution algorithms).
     */
    static boolean gemmWeightGradient(ConvShape shape, DirectLayout forward) {
        String forced = System.getProperty(GEMM_WEIGHT_GRADIENT_PROPERTY);
        if (forced != null) {
            return Boolean.parseBoolean(forced);
        }
        return forward.flat || forward.paired || shape.inChannels() >= 64 && shape.window().outWidth() <= 32
                || shape.outChannels() >= 64 && shape.patch() >= 144;
    }

    /**
     * Whether a strided direct convolution takes its gradients on the image's phases rather than
     * from im2col: for 4 to 63 input channels. Phases won with 8, 16 and 32 (stride 2, 10-35%
     * faster, both gradients); im2col's two large SGEMMs won at 64 -> 128 on 56x56 (7%), and with
     * 3 input channels (a 7x7 stem) the phases' data gradient fills too little of a block of
     * channels. Forced by {@value #PHASE_GRADIENTS_PROPERTY}; the measurements are in benchmarks/README.md.
     */
    static boolean phaseGradients(ConvShape shape) {
        String forced = System.getProperty(PHASE_GRADIENTS_PROPERTY);
        if (forced != null) {
            return Boolean.parseBoolean(forced);
        }
        return shape.inChannels() >= 4 && shape.inChannels() < 64;
    }

    /** Test and benchmark hook: {@code -Disthmus.conv.winograd=true|false} forces {@link #winograd}. */
    static final String WINOGRAD_PROPERTY = "isthmus.conv.winograd";

    /**
     * Whether a 3x3 "same" convolution at stride 1 runs forward by Winograd's F(2x2, 3x3)
     * ({@link WinogradConvolution}), its gradients by the rules below: on AVX2 or AVX-512, for 16 input
     * and 16 output channels or more, on a map at least two vectors wide (32 at 16 lanes: a vector
     * of tiles per row), or one vector wide with 32 input channels or more. Its multiplications run near the FMA peak and it
     * does 2.25x fewer; what it loses is in its transforms, which scale with the channels and run
     * a vector of tiles at a time. Measured (benchmarks/README.md, "Winograd's F(2x2, 3x3)"): batch
     * 32, one thread, against the direct kernel, 64 -> 128 on 16x16 1.36-1.45x, 32 -> 32 on 64x64
     * 1.23-1.29x, 64 -> 64 and 32 -> 64 on 32x32 faster too; 32 -> 32 on 16x16 0.80-0.87x and
     * 16 -> 16 on 32x32 0.87-0.90x then (Zen 5), so not those until Winograd's staging, weight
     * transform and bands were mended (3473e33, da9e9ba, 6a24c9a): on a Zen 4, pinned, 32 -> 32
     * on 16x16 forward 1.45-1.47 -> 1.20-1.25 ms, 16 -> 16 on 32x32 1.50-1.52 -> 1.28-1.29, and
     * ResNet's training step 36.9-37.2 -> 34.8-35.9 ms, its inference 9.94-10.23 -> 9.12-9.48
     * (not measured on a Zen 5 since). On AVX2 (8 lanes; F(4x2, 3x3) and F(2x2, 3x3), F(4x4, 3x3)
     * needs 16) too since 2026-12-06: measured on an Intel Xeon under {@code -XX:UseAVX=2} (batch 32,
     * one thread, three alternated rounds, two JVMs a side), the forward alone by Winograd
     * {@code infer vgg 32 1} x0.495 / x0.517 and {@code infer resnet 32 1} x0.710 / x0.841 of the direct
     * kernel's, with the gradients too {@code train vgg 32 1} x0.567 / x0.635 (the control x0.912);
     * narrower vectors (128 bits) stay on the direct kernel, not measured. Checked on a Zen 3, AVX2
     * alone (benchmarks/README.md, "The Zen 3 again"): the forward off, {@code infer resnet 32 1}
     * x1.22 and {@code infer vgg 32 1} x2.0 slower; the gradients off, the training steps x1.33-1.50.
     * Forced by {@value #WINOGRAD_PROPERTY}.
     */
    static boolean winograd(ConvShape shape, ConvSupport kernels) {
        Boolean forced = forcedWinograd(shape, kernels, WINOGRAD_PROPERTY);
        return forced != null ? forced : wideForWinograd(shape, kernels);
    }

    /** Test and benchmark hook: {@code -Disthmus.conv.winogradDataGradient=true|false} forces {@link #winogradDataGradient}. */
    static final String WINOGRAD_DATA_GRADIENT_PROPERTY = "isthmus.conv.winogradDataGradient";

    /**
     * Whether a direct convolution at stride 1 takes its data gradient by Winograd
     * ({@link WinogradConvolution#dataGradient}): where {@link #winograd} would choose Winograd
     * for the transposed shape (the data gradient is the gradient at the output convolved "same"
     * with the kernels transposed and flipped). Measured (batch 32, one thread, data and weight
     * gradients, three alternated rounds): 64 -> 64 on 32x32 28.4-29.0 -> 25.1-26.9 ms, 64 -> 128
     * on 16x16 17.0-17.9 -> 15.6-16.0 (one outlier); 32 -> 32 on 64x64 and 32 -> 64 on 32x32 were
     * inside the noise then, and after Winograd's staging and shuffles (65ca9a4) 29.9-30.6 ->
     * 27.8-28.3 and 14.8-15.0 -> 13.4-13.7, so those too. Forced by
     * {@value #WINOGRAD_DATA_GRADIENT_PROPERTY}.
     */
    static boolean winogradDataGradient(ConvShape shape, ConvSupport kernels) {
        ConvShape dataGradient = WinogradConvolution.transposed(shape);
        Boolean forced = forcedWinograd(dataGradient, kernels, WINOGRAD_DATA_GRADIENT_PROPERTY);
        return forced != null ? forced : wideForWinograd(dataGradient, kernels);
    }

    /** Test and benchmark hook: {@code -Disthmus.conv.winogradWeightGradient=true|false} forces {@link #winogradWeightGradient}. */
    static final String WINOGRAD_WEIGHT_GRADIENT_PROPERTY = "isthmus.conv.winogradWeightGradient";

    /**
     * Whether a direct convolution at stride 1 takes its weight gradient by Winograd
     * ({@link WinogradConvolution#weightGradient}, F(4x2, 3x3) where {@link #winogradTileRows}
     * says 4): where the shape suits it (input channels in eights, output channels in whole
     * vectors) and {@link #winograd} would choose Winograd's
     * forward by its measured rule ({@link #wideForWinograd}: AVX2 or AVX-512, 16 channels or more each way,
     * a map wide enough; the property that forces the forward leaves this alone). It does 2.25x fewer
     * multiplications; measured no faster than SGEMM's and the per-lane kernel's while its planes
     * sat at multiples of 4 KiB, its gradient tiles were transposed element by element and C2
     * compiled its output-gradient transform without a profile (boxed vectors). Since those
     * (pinned, batch 32, one thread, data and weight gradients, Zen 4, two alternated rounds):
     * 32 -> 32 on 64x64 42.8-43.9 -> 37.8-40.0 ms, 32 -> 64 on 32x32 21.7-22.4 -> 18.3-19.1,
     * 64 -> 64 on 32x32 39.5-45.2 -> 30.7-31.8, 64 -> 128 on 16x16 21.0-21.3 -> 17.4-17.9,
     * 64 -> 64 on 56x56 117.8-119.0 -> 93.0-95.8, 128 -> 128 on 28x28 115.5-116.3 -> 88.5-90.6;
     * 32 -> 32 on 16x16 even alone (3.39-3.48 -> 3.36-3.43), with Winograd's data gradient too
     * 3.41-3.45 -> 3.05-3.17; 16 -> 32 on 32x32 (none of the benchmark networks' layers) 6.96-7.62 ->
     * 6.42-6.93. F(4x2, 3x3)'s, against F(2x2, 3x3)'s (jars alternated, two rounds, data and
     * weight gradients): 64 -> 64 on 32x32 27.5-28.7 -> 25.2-27.2 ms, 64 -> 128 on 16x16
     * 15.5-15.9 -> 14.5-15.0, pooled 32 -> 32 on 64x64 33.5-35.2 -> 31.2-31.9, 32 -> 32 on 16x16
     * a tie (2.56-2.70 both); 16 output channels (one vector), against the direct kernel's,
     * 16 -> 16 on 32x32 3.18-3.52 -> 3.00-3.37 (three rounds). Forced either way by
     * {@value #WINOGRAD_WEIGHT_GRADIENT_PROPERTY}.
     */
    static boolean winogradWeightGradient(ConvShape shape, ConvSupport kernels) {
        if (!WinogradConvolution.suitsWeightGradient(shape, kernels)) {
            return false;
        }
        Boolean forced = forcedWinograd(shape, kernels, WINOGRAD_WEIGHT_GRADIENT_PROPERTY);
        return forced != null ? forced : wideForWinograd(shape, kernels);
    }

    /** Test and benchmark hook: {@code -Disthmus.conv.winogradLaneSums=true|false} forces {@link #winogradLaneSums}. */
    static final String WINOGRAD_LANE_SUMS_PROPERTY = "isthmus.conv.winogradLaneSums";

    /**
     * Whether a Winograd weight gradient (F(4x2, 3x3)'s or F(4x4, 3x3)'s) keeps the tiles in the lanes
     * ({@link WinogradConvolution#suitsLaneSums}): wherever it can, ResNet's 16 -> 16. Measured
     * (benchmarks/README.md, "The weight gradient's tiles in the lanes"; pinned, batch 32, one
     * thread, alternated rounds): {@code conv backward 32 16 32 16 3 1 1 1} 2.81-3.15 -> 2.40-2.48
     * ms, {@code train resnet 32 1} 31.5-35.0 -> 30.1-33.0. At 8 lanes, where an image has a whole
     * band of tiles ({@link WinogradConvolution#LANE_BAND_TILES}, a 32x32 map's 128): the lanes'
     * totals are added once a band, and on a 16x16 map's 32 tiles that cost more than the
     * transpose it saves. Measured on the Zen 3 (AVX2; pinned, batch 32, one thread, against the
     * transposed products, two JVMs a side; benchmarks/README.md): {@code conv backward} 16 -> 16
     * on 32x32 x0.84 / x0.77 of the time, 32 -> 32 on 64x64 about x0.9, 32 -> 64 and 64 -> 64 on
     * 32x32 level, 32 -> 32 on 16x16 x1.16 slower. Forced by {@value #WINOGRAD_LANE_SUMS_PROPERTY}.
     */
    static boolean winogradLaneSums(ConvShape shape, int tileRows) {
        if (!WinogradConvolution.suitsLaneSums(shape, tileRows)) {
            return false;
        }
        String forced = System.getProperty(WINOGRAD_LANE_SUMS_PROPERTY);
        return forced != null ? Boolean.parseBoolean(forced) : WinogradConvolution.laneSumsPay(shape, tileRows);
    }

    /** Test and benchmark hook: {@code -Disthmus.conv.winogradTall=true|false} forces {@link #winogradTileRows}'s choice. */
    static final String WINOGRAD_TALL_PROPERTY = "isthmus.conv.winogradTall";

    /**
     * Output rows per Winograd tile for {@code shape}'s forward pass, data gradient (the data
     * gradient's shape is the transposed one) or weight gradient: 4, F(4x2, 3x3), wherever the height is a multiple
     * of 4, else 2. Its 24 products for 8 outputs (F(2x2, 3x3): 16 for 4) won on every shape
     * measured (Zen 4, pinned, batch 32, one thread, two alternated rounds; benchmarks/README.md,
     * "Winograd F(4x2, 3x3)"): forward 16 -> 16 on 32x32 1.22-1.39 -> 1.15-1.22 ms, 32 -> 32 on
     * 16x16 1.07-1.11 -> 1.02-1.03, 64 -> 64 on 32x32 13.0-13.2 -> 11.0-11.1, 64 -> 128 on 16x16
     * 6.20-6.53 -> 5.30-5.46 (its input transform then a column a call; two now, 16 -> 16
     * 1.16-1.28 -> 1.12-1.18), 64 -> 64 on 56x56 41.0-43.2 -> 34.5-35.1; the data and weight
     * gradients of 16 -> 16 3.53-3.80 -> 3.29-3.59, 32 -> 32 2.77-2.87 -> 2.62-2.70, 64 -> 64
     * 30.2-30.6 -> 27.5-27.9; pooled 32 -> 32 on 64x64 15.4-15.9 -> 13.3-13.7. Forced by
     * {@value #WINOGRAD_TALL_PROPERTY}.
     */
    static int winogradTileRows(ConvShape shape) {
        if (!WinogradConvolution.suitsTall(shape)) {
            return 2;
        }
        return Boolean.parseBoolean(System.getProperty(WINOGRAD_TALL_PROPERTY, "true")) ? 4 : 2;
    }

    /**
     * False where Winograd cannot run {@code shape} (its kernels are vector code); else what
     * {@code property} forces, or null when it is not set.
     */
    private static Boolean forcedWinograd(ConvShape shape, ConvSupport kernels, String property) {
        if (kernels.vectorBitSize() == 0 || !WinogradConvolution.suits(shape)) {
            return false;
        }
        String forced = System.getProperty(property);
        return forced == null ? null : Boolean.parseBoolean(forced);
    }

    /** The measured rule (see {@link #winograd}): AVX2 or AVX-512, 16+ channels each way, a map wide enough for its vectors of tiles. */
    private static boolean wideForWinograd(ConvShape shape, ConvSupport kernels) {
        int lanes = kernels.vectorBitSize() / Float.SIZE, cin = shape.inChannels(), width = shape.window().outWidth();
        return kernels.vectorBitSize() >= 256 && cin >= 16 && shape.outChannels() >= 16
                && (width >= 2 * lanes || cin >= 32 && width >= lanes);
    }

    public static ConvAlgorithm select(ConvShape shape, GemmSupport gemm, ConvSupport kernels) {
        ConvAlgorithm chosen = selectWithoutWinograd(shape, gemm, kernels);
        if (!winograd(shape, kernels)) {
            return chosen;
        }
        ConvAlgorithm forward = winogradSquare(shape) ? new Winograd4x4Convolution(shape)
                : new WinogradConvolution(shape, kernels, winogradTileRows(shape));
        return new ForwardAndGradients(forward, chosen);
    }

    /** Test and benchmark hook: {@code -Disthmus.conv.winogradSquare=true|false} forces {@link #winogradSquare}. */
    static final String WINOGRAD_SQUARE_PROPERTY = "isthmus.conv.winogradSquare";

    /**
     * Whether a Winograd forward pass runs F(4x4, 3x3) ({@link Winograd4x4Convolution}, 36
     * products for 16 outputs) rather than F(4x2, 3x3) (24 for 8): at 16 lanes, heights in fours,
     * widths in whole vectors and two vectors of tiles an image or more
     * ({@link Winograd4x4Convolution#runsWhole}). Its products cost a quarter less, its transforms
     * about as much an output as F(4x2, 3x3)'s. Measured (Zen 4, pinned, batch 32, one thread,
     * alternated rounds, ms; benchmarks/README.md, "Winograd F(4x4, 3x3)"): VGG's inference
     * 39.0-41.0 -> 36.3-38.7 (four rounds); on 56x56, 64 -> 64 went 33.4-33.6 -> 37.1-37.7, so not
     * there; on 16x16, alone, 32 -> 32 went 0.93-0.94 -> 0.82-0.83, but VGG's inference with its
     * 16x16 layer on F(4x4, 3x3) too was 37.7-40.3 and ResNet's no faster, so not there either.
     * Forced by {@value #WINOGRAD_SQUARE_PROPERTY}.
     */
    static boolean winogradSquare(ConvShape shape) {
        if (!Winograd4x4Convolution.suits(shape)) {
            return false;
        }
        String forced = System.getProperty(WINOGRAD_SQUARE_PROPERTY);
        return forced != null ? Boolean.parseBoolean(forced) : Winograd4x4Convolution.runsWhole(shape);
    }

    /** Benchmark hook: {@code -Disthmus.conv.winogradSquareDataGradient=true|false} forces {@link #winogradSquareDataGradient}. */
    static final String WINOGRAD_SQUARE_DATA_GRADIENT_PROPERTY = "isthmus.conv.winogradSquareDataGradient";

    /**
     * Whether a Winograd data gradient runs F(4x4, 3x3) ({@link Winograd4x4Convolution#dataGradient}):
     * where {@link #winogradSquare} would choose it for the transposed shape's forward pass.
     * Measured against F(4x2, 3x3) (Zen 4, pinned, batch 32, one thread, three alternated rounds,
     * ms; benchmarks/README.md, "F(4x4, 3x3)'s data gradient"): 16 -> 16 on 32x32, data and
     * weight gradients, 2.28-2.34 -> 2.10-2.36; 64 -> 64 on 32x32 23.5-24.1 -> 23.0-23.6; 32 -> 32
     * on 64x64 level. On 16x16 maps 32 -> 32 went 2.36-2.43 -> 2.16-2.26 alone, but VGG's training
     * step with its 16x16 layer's data gradient on F(4x4, 3x3) too was 137.4-146.9 against
     * 132.8-142.2, so not there. Forced by {@value #WINOGRAD_SQUARE_DATA_GRADIENT_PROPERTY}, else by
     * {@value #WINOGRAD_SQUARE_PROPERTY} as {@link #winogradSquare} is.
     */
    static boolean winogradSquareDataGradient(ConvShape shape) {
        ConvShape transposed = WinogradConvolution.transposed(shape);
        if (!Winograd4x4Convolution.suits(transposed)) {
            return false;
        }
        String forced = System.getProperty(WINOGRAD_SQUARE_DATA_GRADIENT_PROPERTY);
        return forced != null ? Boolean.parseBoolean(forced) : winogradSquare(transposed);
    }

    /** Test and benchmark hook: {@code -Disthmus.conv.winogradSquareWeightGradient=true|false} forces {@link #winogradSquareWeightGradient}. */
    static final String WINOGRAD_SQUARE_WEIGHT_GRADIENT_PROPERTY = "isthmus.conv.winogradSquareWeightGradient";

    /**
     * Whether a Winograd weight gradient runs F(4x4, 3x3) ({@link Winograd4x4Convolution#weightGradient})
     * rather than F(4x2, 3x3): where its shape suits it ({@link Winograd4x4Convolution#suitsWeightGradient})
     * and {@link #winogradSquare} would choose F(4x4, 3x3) for the forward pass. Measured (Intel
     * Xeon, pinned, batch 32, one thread, data and weight gradients, F(4x2, 3x3) -> F(4x4, 3x3)
     * in one jar, two JVMs each, 5 alternated rounds; benchmarks/README.md): pooled 32 -> 32 on
     * 64x64 x0.904 / x0.877, 32 -> 64 on 32x32 x0.981 / x0.962, pooled 64 -> 64 on 32x32
     * x0.899 / x0.949, 16 -> 16 on 32x32 (against the tiles in the lanes) x0.904 / x0.903, with
     * the tiles in the lanes too ({@link #winogradLaneSums}) x0.939 / x0.974 of that; on
     * 16x16 maps, where the forward stays on F(4x2, 3x3), level (64 -> 128 x1.014 / x1.008,
     * 32 -> 32 x0.945 / x0.983), so not there. Forced by
     * {@value #WINOGRAD_SQUARE_WEIGHT_GRADIENT_PROPERTY}, else by {@value #WINOGRAD_SQUARE_PROPERTY}
     * as {@link #winogradSquare} is.
     */
    static boolean winogradSquareWeightGradient(ConvShape shape) {
        if (!Winograd4x4Convolution.suitsWeightGradient(shape)) {
            return false;
        }
        String forced = System.getProperty(WINOGRAD_SQUARE_WEIGHT_GRADIENT_PROPERTY);
        return forced != null ? Boolean.parseBoolean(forced) : winogradSquare(shape);
    }

    /** Benchmark hook: {@code -Disthmus.conv.depthwiseDirect=false} keeps depthwise convolutions on the grouped route. */
    static final String DEPTHWISE_DIRECT_PROPERTY = "isthmus.conv.depthwiseDirect";

    /** Test and benchmark hook: {@code -Disthmus.conv.depthwiseLanes=true|false} forces {@link #depthwiseLanes}. */
    static final String DEPTHWISE_LANES_PROPERTY = "isthmus.conv.depthwiseLanes";

    /**
     * Whether a depthwise convolution runs with its channels in the lanes
     * ({@link LaneDepthwiseConvolution}, 16 lanes only) rather than along its rows
     * ({@link DepthwiseConvolution}): wherever it can. Measured (pinned, batch 32, one thread, 3x3
     * unless said; rows -> lanes, ms): 576 channels on 7x7 backward 7.35 -> 3.48; 192 on 14x14
     * forward 2.14 -> 1.53, backward 4.59 -> 3.83; 5x5 240 on 14x14 backward 15.60 -> 9.57; 144 on
     * 28x28 forward a tie (3.80-4.04 against 3.90-4.18), backward 12.24 -> 10.48; 96 on 56x56 at
     * stride 2 forward 9.66 -> 5.81, backward 20.36 -> 14.58; 32 on 56x56 forward 4.52 -> 3.13,
     * backward 8.46-8.98 -> 7.79-7.80. Forced by {@value #DEPTHWISE_LANES_PROPERTY}.
     */
    static boolean depthwiseLanes(ConvShape shape, ConvSupport kernels) {
        if (!LaneDepthwiseConvolution.suits(shape, kernels)) {
            return false;
        }
        String forced = System.getProperty(DEPTHWISE_LANES_PROPERTY);
        return forced == null || Boolean.parseBoolean(forced);
    }

    /** Benchmark hook: {@code -Disthmus.conv.stridedPointwise=false} keeps 1x1 stride-2 convolutions on im2col. */
    static final String STRIDED_POINTWISE_PROPERTY = "isthmus.conv.stridedPointwise";

    /**
     * Whether a 1x1 convolution at stride 2 without padding runs forward as
     * {@link StridedPointwiseConvolution} rather than im2col and SGEMM: up to 32 input channels,
     * and up to 64 where the output has 64 positions or more, unless
     * {@value #STRIDED_POINTWISE_PROPERTY} says false. The tiles run as deep as the input channels
     * without blocking them, and a map smaller than a tile runs on masked tails alone. Measured
     * (Zen 5, batch 32, one thread, {@code ab.py}, tiles against im2col, the forward): 16 -> 32
     * on 14x14, 32x32 and 56x56 x0.80, x0.55-0.61 and x0.77; 32 -> 64 on 16x16, 32x32 and 56x56
     * x0.80, x0.68 and x0.84; 64 -> 128 on 16x16 and 56x56 x0.73 and x0.75, but on 14x14 (49
     * positions) x1.12; 128 -> 256 on 16x16 and 28x28 x0.86 and x0.93, on 14x14 x1.68, and
     * 256 -> 512 on 14x14 x2.27, so from 128 channels SGEMM keeps them.
     */
    static boolean stridedPointwise(ConvShape shape) {
        int cin = shape.inChannels();
        return StridedPointwiseConvolution.suits(shape) && (cin <= 32 || cin <= 64 && shape.window().outSize() >= 64)
                && Boolean.parseBoolean(System.getProperty(STRIDED_POINTWISE_PROPERTY, "true"));
    }

    /**
     * Whether such a convolution takes its gradients in the tiles too, not from im2col: where its
     * per-lane weight sums ({@code Cin * Cout} weights by 16 lanes) fit in 32 KB, half of a core's
     * L1 here, since every image reads and writes them all, and its output has 64 to 256
     * positions. Measured as above, the backward: 16 -> 32 on 32x32 x0.75-0.87, 8 -> 16 on 14x14
     * x0.70 and 4 -> 8 on 18x18 x0.44; but 16 -> 32 on 14x14 (49 positions, the masked last vector
     * and the lanes' sums at each group's end weighing on a small map) x1.4-2.0, and on 56x56
     * (784 positions) x1.07-1.10 against a control at x0.95; 32 -> 64 level on 32x32 (x0.995),
     * slower on 16x16 and 56x56 (x1.05, x1.02-1.07); 64 -> 128 on 16x16 x1.06-1.23.
     */
    static boolean stridedPointwiseGradients(ConvShape shape) {
        int positions = shape.window().outSize();
        return shape.inChannels() * shape.outChannels() <= 512 && positions >= 64 && positions <= 256;
    }

    private static ConvAlgorithm selectWithoutWinograd(ConvShape shape, GemmSupport gemm, ConvSupport kernels) {
        if (DepthwiseConvolution.suits(shape, kernels)
                && Boolean.parseBoolean(System.getProperty(DEPTHWISE_DIRECT_PROPERTY, "true"))) {
            return depthwiseLanes(shape, kernels) ? new LaneDepthwiseConvolution(shape, kernels)
                    : new DepthwiseConvolution(shape, kernels);
        }
        if (shape.groups() > 1) {
            ConvShape group = shape.group();
            ConvAlgorithm inner = group.pointwise() ? new PointwiseConvolution(group, gemm, kernels)
                    : Im2colConvolution.withoutGroupEnds(group, gemm, kernels);
            return new GroupedConvolution(shape, inner);
        }
        if (shape.pointwise()) {
            return new PointwiseConvolution(shape, gemm, kernels);
        }
        if (stridedPointwise(shape)) {
            StridedPointwiseConvolution tiles = new StridedPointwiseConvolution(shape, kernels);
            return stridedPointwiseGradients(shape) ? tiles
                    : new ForwardAndGradients(tiles, new Im2colConvolution(shape, gemm, kernels));
        }
        DirectLayout forward = DirectLayout.forward(shape.inChannels(), shape.outChannels(), shape.window(),
                kernels.directBlock(), kernels.directWideChannels());
        DirectLayout back = forward == null ? null : DirectLayout.transposed(forward);
        if (back != null) {
            ConvShape transposed = WinogradConvolution.transposed(shape);
            WinogradDataGradient dataGradient = !winogradDataGradient(shape, kernels) ? null
                    : winogradSquareDataGradient(shape) ? Winograd4x4Convolution.dataGradient(shape)
                    : WinogradConvolution.dataGradient(shape, kernels, winogradTileRows(transposed));
            WinogradWeightGradient weightGradient = !winogradWeightGradient(shape, kernels) ? null
                    : winogradSquareWeightGradient(shape) ? Winograd4x4Convolution.weightGradient(shape,
                    winogradLaneSums(shape, 4))
                    : WinogradConvolution.weightGradient(shape, kernels, winogradTileRows(shape),
                    winogradLaneSums(shape, winogradTileRows(shape)));
            return new DirectConvolution(shape, forward, back, kernels, gemmWeightGradient(shape, forward) ? gemm : null,
                    dataGradient, weightGradient);
        }
        DirectLayout strided = DirectLayout.strided(shape.inChannels(), shape.outChannels(), shape.window(),
                kernels.directBlock(), kernels.directWideChannels());
        if (strided != null && Boolean.parseBoolean(System.getProperty(STRIDED_DIRECT_PROPERTY, "true"))) {
            DirectLayout[] phases = phaseGradients(shape) ? DirectLayout.phaseGradients(strided) : null;
            if (phases != null) {
                return DirectConvolution.strided(shape, strided, phases, kernels,
                        gemmWeightGradient(shape, strided) ? gemm : null);
            }
            return new ForwardAndGradients(DirectConvolution.forwardOnly(shape, strided, kernels),
                    new Im2colConvolution(shape, gemm, kernels));
        }
        return new Im2colConvolution(shape, gemm, kernels);
    }
}
