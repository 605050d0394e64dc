package dev.isthmus.kernels.conv;

import dev.isthmus.kernels.MapLayout;

/**
 * One algorithm's forward pass with another's gradients, for a shape where the fastest forward
 * has no backward of its own: a strided convolution runs forward directly on the image's phases
 * ({@link DirectLayout#strided}) and takes its gradients from im2col. Both see the same shape
 * and the same {@link ConvTensors}; each pass's preparation belongs to the algorithm that runs it.
 */
final class ForwardAndGradients implements ConvAlgorithm {

    private final ConvAlgorithm forward, gradients;

    ForwardAndGradients(ConvAlgorithm forward, ConvAlgorithm gradients) {
        if (!forward.shape().equals(gradients.shape())) {
            throw new IllegalArgumentException("forward " + forward.shape() + " and gradients " + gradients.shape()
                    + " must be of one shape");
        }
        this.forward = forward;
        this.gradients = gradients;
    }

    @Override
    public String name() {
        return forward.name() + "; gradients: " + gradients.name();
    }

    @Override
    public ConvShape shape() {
        return forward.shape();
    }

    @Override
    public int preparedForwardSize() {
        return forward.preparedForwardSize();
    }

    @Override
    public void prepareForward(float[] w, int wOffset, float[] into) {
        forward.prepareForward(w, wOffset, into);
    }

    @Override
    public void forwardImage(ConvTensors t, int n) {
        forward.forwardImage(t, n);
    }

    @Override
    public void forwardOneImage(ConvTensors t) {
        forward.forwardOneImage(t);
    }

    @Override
    public MapLayout stagedInput(boolean relu, boolean pool) {
        return forward.stagedInput(relu, pool);
    }

    @Override
    public boolean writesLayout(MapLayout layout, boolean relu, boolean pool) {
        return forward.writesLayout(layout, relu, pool);
    }

    @Override
    public int preparedBackwardSize() {
        return gradients.preparedBackwardSize();
    }

    @Override
    public void prepareBackward(float[] w, int wOffset, float[] into) {
        gradients.prepareBackward(w, wOffset, into);
    }

    @Override
    public void beginWeightGradient() {
        gradients.beginWeightGradient();
    }

    @Override
    public void backwardImage(ConvTensors t, int n, float[] dw, int dwAt, boolean accumulate, double[] biasSums) {
        gradients.backwardImage(t, n, dw, dwAt, accumulate, biasSums);
    }

    @Override
    public void endWeightGradient(float[] dw, int dwAt) {
        gradients.endWeightGradient(dw, dwAt);
    }
}
