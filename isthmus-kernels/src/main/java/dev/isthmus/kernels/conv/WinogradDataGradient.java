package dev.isthmus.kernels.conv;

/**
 * A Winograd forward pass that can also run as another convolution's data gradient: the
 * gradient at that convolution's output convolved "same" again with each kernel transposed and
 * flipped, a pass of the transposed shape ({@link WinogradConvolution#transposed}). A
 * {@link DirectConvolution} at stride 1 holds one where {@link ConvAlgorithms#winogradDataGradient}
 * chooses it: {@link WinogradConvolution} (F(2x2, 3x3) or F(4x2, 3x3)) or
 * {@link Winograd4x4Convolution} (F(4x4, 3x3)).
 */
sealed interface WinogradDataGradient extends ConvAlgorithm permits WinogradConvolution, Winograd4x4Convolution {

    /** Floats of the transformed weights {@link #prepareDataGradient} writes. */
    default int preparedDataGradientSize() {
        return preparedForwardSize();
    }

    /**
     * The transformed weights from those of the convolution this pass differentiates,
     * {@code w[input channel][output channel][3][3]} in this pass's terms (its input channels
     * are that one's outputs), each kernel taken transposed and flipped, into {@code u}.
     */
    void prepareDataGradient(float[] w, int wOffset, float[] u);

    /**
     * One image's data gradient: {@code dx} at {@code dxAt} (planes as the image's) from the
     * gradient at the differentiated convolution's output, {@code dz} at {@code dzAt} with rows
     * {@code dzRow} and planes {@code dzPlane} apart, and the weights {@link #prepareDataGradient}
     * transformed.
     */
    void dataGradientImage(float[] u, float[] dz, int dzAt, int dzRow, int dzPlane, float[] dx, int dxAt);
}
