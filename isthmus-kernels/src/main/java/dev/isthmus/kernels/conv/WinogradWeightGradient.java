package dev.isthmus.kernels.conv;

/**
 * A convolution's weight gradient by Winograd: per image, {@code dU_e}, the sum over tiles of
 * {@code V_e dM_e^T}, where {@code V} is the forward's transformed input and {@code dM = A dY A^T}
 * each tile of the gradient at the output taken back through the output transform; once per
 * gradient group, {@code dg = G^T dU G}. A {@link DirectConvolution} at stride 1 holds one where
 * {@link ConvAlgorithms#winogradWeightGradient} chooses it: {@link WinogradConvolution}
 * (F(2x2, 3x3) or F(4x2, 3x3)) or {@link Winograd4x4Convolution} (F(4x4, 3x3)).
 */
sealed interface WinogradWeightGradient permits WinogradConvolution, Winograd4x4Convolution {

    /** The convolution whose weight gradient this is. */
    ConvShape shape();

    /** Floats of a gradient group's sums {@code dU} (the size of the transformed weights). */
    int transformedWeightsSize();

    /**
     * One image's {@code dU_e} added to the group's {@code sums} (or written there, unless
     * {@code accumulate}): the image {@code x} at {@code xb} as it lies, the gradient at the
     * output {@code dz} at {@code dzAt} with rows {@code dzRow} and planes {@code dzPlane} apart.
     */
    void weightGradientImage(float[] x, int xb, float[] dz, int dzAt, int dzRow, int dzPlane, boolean accumulate,
                             float[] sums);

    /** The group's {@code dg = G^T dU G} from {@code sums} into {@code dw} at {@code dwAt} ({@code [oc][ic][3][3]}). */
    void endWeightGradient(float[] sums, float[] dw, int dwAt);

    /** What an algorithm's name says of this weight gradient, as "Winograd F(4x4, 3x3) weight gradient". */
    String weightGradientName();
}
