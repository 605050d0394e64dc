package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.gemm.GemmSupport;

/**
 * Chooses a convolution's algorithm from its shape alone, once, in one place (PyTorch's
 * {@code select_conv_backend} plays this part there). The rules, in order:
 * <ol>
 *   <li>Grouped channels (depthwise included): {@link GroupedConvolution}, each group by the
 *       rules below that keep no state across images (pointwise, else im2col).
 *   <li>A 1x1 kernel at stride 1 without padding: {@link PointwiseConvolution}, one SGEMM on the
 *       image as it lies.
 *   <li>Stride and dilation 1, padding no wider than the kernel, and an output wide enough for
 *       the kernels' column block (or a "same" map that can be laid flat, see
 *       {@link DirectLayout#forward}): {@link DirectConvolution}.
 *   <li>Anything else: {@link Im2colConvolution}.
 * </ol>
 * The choice depends on the shape and on the vector width (through the column block), never on
 * the thread count, so results are bitwise identical for any number of threads.
 */
public final class ConvAlgorithms {

    private ConvAlgorithms() {}

    public static ConvAlgorithm select(ConvShape shape, GemmSupport gemm, ConvSupport kernels) {
        if (shape.groups() > 1) {
            ConvShape group = shape.group();
            ConvAlgorithm inner = group.pointwise() ? new PointwiseConvolution(group, gemm, kernels)
                    : new Im2colConvolution(group, gemm, kernels);
            return new GroupedConvolution(shape, inner);
        }
        if (shape.pointwise()) {
            return new PointwiseConvolution(shape, gemm, kernels);
        }
        DirectLayout forward = DirectLayout.forward(shape.inChannels(), shape.outChannels(), shape.window(),
                kernels.directBlock(), kernels.directWideChannels());
        DirectLayout back = forward == null ? null : DirectLayout.transposed(forward);
        if (back != null) {
            return new DirectConvolution(shape, forward, back, kernels);
        }
        return new Im2colConvolution(shape, gemm, kernels);
    }
}
