package dev.isthmus.nn;

import dev.isthmus.kernels.BatchNorm;
import java.util.List;

/**
 * Batch normalisation per channel (images: over N, H, W; vectors: over N per feature), as
 * PyTorch's {@code BatchNorm2d}/{@code BatchNorm1d}: training mode normalises with the batch's
 * statistics and updates the running ones ({@code momentum} 0.1, {@code eps} 1e-5 by default,
 * PyTorch's conventions); evaluation mode uses the running statistics. Parameters {@code weight}
 * (gamma) and {@code bias} (beta), buffers {@code running_mean}, {@code running_var} and
 * {@code num_batches_tracked} (the count of training batches, a scalar): PyTorch's state_dict names,
 * so a PyTorch {@code BatchNorm2d}'s state loads whole. The counter is kept, not used (PyTorch reads
 * it only when its momentum is None), and does not count as a parameter in summaries, as in Keras.
 */
public final class BatchNormalization extends Layer {

    private final float momentum;
    private final float eps;
    private int channels;
    private int plane;
    private Parameter gamma, beta, runningMean, runningVar, batchesTracked;

    public BatchNormalization() {
        this(0.1f, 1e-5f);
    }

    /**
     * @param momentum weight of the new batch statistic in the running average (PyTorch's sense)
     */
    public BatchNormalization(float momentum, float eps) {
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("BatchNormalization momentum must be in [0, 1], got " + momentum);
        }
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("BatchNormalization eps must be >= 0, got " + eps);
        }
        this.momentum = momentum;
        this.eps = eps;
    }

    @Override
    public java.util.Map<String, Object> config() {
        return Layers.map("momentum", (double) momentum, "epsilon", (double) eps);
    }

    @Override
    protected Shape build(List<Shape> inputs) {
        Shape in = single(this, inputs);
        if (in.rank() != 3 && in.rank() != 1) {
            throw shapeError("(channels, height, width) or (features)", in);
        }
        channels = in.dim(0);
        plane = in.size() / channels;
        gamma = addParameter("weight", channels);
        beta = addParameter("bias", channels);
        runningMean = addBuffer("running_mean", channels);
        runningVar = addBuffer("running_var", channels);
        batchesTracked = addBuffer("num_batches_tracked");
        return in;
    }

    /** PyTorch's: gamma 1, beta 0, running mean 0, running variance 1. */
    @Override
    protected void initialize(java.util.random.RandomGenerator rng, Initializer scheme) {
        Init.fill(gamma, 1f);
        Init.fill(beta, 0f);
        Init.fill(runningMean, 0f);
        Init.fill(runningVar, 1f);
        Init.fill(batchesTracked, 0f);
    }

    /** The running statistics; the batch counter is state, not a parameter. */
    @Override
    public long nonTrainableCount() {
        return runningMean == null ? 0 : runningMean.size() + runningVar.size();
    }

    /** The batch mean and inverse standard deviation of the last training forward pass. */
    @Override
    protected Object newState(int maxBatch) {
        return new float[2][channels];
    }

    @Override
    protected void forward(LayerCall s) {
        float[][] saved = s.state();
        if (s.training()) {
            BatchNorm.forwardTraining(s.input(), 0, s.batch(), channels, plane, gamma.value(), beta.value(),
                    runningMean.value(), runningVar.value(), momentum, eps, s.output(), 0, saved[0], saved[1]);
            batchesTracked.value()[0]++;
        } else {
            BatchNorm.forwardEvaluation(s.input(), 0, s.batch(), channels, plane, gamma.value(), beta.value(),
                    runningMean.value(), runningVar.value(), eps, s.output(), 0);
        }
    }

    @Override
    protected void backward(LayerCall s) {
        if (!s.training()) {
            evaluationBackward(s); // saliency maps back-propagate through a trained model
            return;
        }
        float[][] saved = s.state();
        BatchNorm.backward(s.input(), s.outputGrad(), s.batch(), channels, plane, gamma.value(), saved[0], saved[1],
                s.inputGrad(), gamma.grad(), beta.grad());
    }

    /** In evaluation the layer is affine per channel: dx = dy * gamma / sqrt(running_var + eps). */
    private void evaluationBackward(LayerCall s) {
        float[] dy = s.outputGrad(), x = s.input(), dx = s.inputGrad();
        java.util.Arrays.fill(gamma.grad(), 0f);
        java.util.Arrays.fill(beta.grad(), 0f);
        for (int c = 0; c < channels; c++) {
            float invStd = (float) (1 / Math.sqrt(runningVar.value()[c] + eps));
            float scale = gamma.value()[c] * invStd, mean = runningMean.value()[c];
            double dg = 0, db = 0;
            for (int n = 0; n < s.batch(); n++) {
                int at = (n * channels + c) * plane;
                for (int i = at; i < at + plane; i++) {
                    db += dy[i];
                    dg += dy[i] * (x[i] - mean) * invStd;
                    if (dx != null) {
                        dx[i] = dy[i] * scale;
                    }
                }
            }
            gamma.grad()[c] = (float) dg;
            beta.grad()[c] = (float) db;
        }
    }

    Parameter gamma() {
        return gamma;
    }

    Parameter beta() {
        return beta;
    }

    Parameter runningMean() {
        return runningMean;
    }

    Parameter runningVar() {
        return runningVar;
    }

    float eps() {
        return eps;
    }

    @Override
    protected String describe() {
        return "momentum=" + momentum + ", eps=" + eps;
    }
}
