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

    /** What one execution keeps: the batch's statistics, the slices' partial sums, and the maps derived from them. */
    private static final class State {
        final float[] mean, meanLow, invStd, scale, a, b, c;
        /** With a ReLU fused ({@link #withRelu}): the gradient at the batch norm's output, ReLU's mask applied. */
        final float[] dz;
        final double[][] stats = new double[Execution.MAX_SLICES][], gradientSums = new double[Execution.MAX_SLICES][];
        /** Values per channel in the last training batch. */
        long count;

        State(int channels, float[] dz) {
            this.dz = dz;
            mean = new float[channels];
            meanLow = new float[channels];
            invStd = new float[channels];
            scale = new float[channels];
            a = new float[channels];
            b = new float[channels];
            c = new float[channels];
            for (int s = 0; s < Execution.MAX_SLICES; s++) {
                stats[s] = new double[3 * channels];
                gradientSums[s] = new double[2 * channels];
            }
        }
    }

    @Override
    protected Object newState(int maxBatch) {
        return new State(channels, null);
    }

    /** In training a batch-wide reduction (below); in evaluation a per-channel affine map of each sample. */
    @Override
    protected boolean worksPerSample(boolean training) {
        return true;
    }

    /** Evaluation's scale, once per pass. */
    @Override
    protected void beforePass(Object state, boolean training) {
        if (!training) {
            BatchNorm.evaluationScale(channels, gamma.value(), runningVar.value(), eps, ((State) state).scale);
        }
    }

    /** The whole batch at once (an execution that runs layer by layer), or evaluation: see {@link Steps}. */
    @Override
    protected void forward(LayerCall s) {
        steps.forward(s);
    }

    @Override
    protected void backward(LayerCall s) {
        steps.backward(s);
    }

    private int at(LayerCall s) {
        return s.first() * channels * plane;
    }

    @Override
    BatchReduction reduction() {
        return steps;
    }

    private final Steps steps = new Steps(false);

    /**
     * This layer and the ReLU {@link ActivationLayer} after it as one operation (a
     * {@link BatchNormReluFusion}): the ReLU runs on each plane as it is normalised, and its mask
     * on the way back; the same floats as the two layers.
     */
    Operation withRelu(ActivationLayer relu) {
        Steps fused = new Steps(true);
        return new Operation() {
            @Override
            public String name() {
                return BatchNormalization.this.name() + "+" + relu.name();
            }

            @Override
            public String type() {
                return BatchNormalization.this.type() + "+ReLU";
            }

            @Override
            public Object newState(int maxBatch) {
                return new State(channels, new float[Math.multiplyExact(maxBatch, channels * plane)]);
            }

            @Override
            public boolean worksPerSample(boolean training) {
                return true;
            }

            @Override
            public void beforePass(Object state, boolean training) {
                BatchNormalization.this.beforePass(state, training);
            }

            @Override
            public BatchReduction reduction() {
                return fused;
            }

            @Override
            public void forward(LayerCall s) {
                fused.forward(s);
            }

            @Override
            public void backward(LayerCall s) {
                fused.backward(s);
            }
        };
    }

    /**
     * Training in three steps around a wait, so the batch keeps its slices (see {@link BatchReduction});
     * with {@code relu}, a ReLU after the normalisation and its mask before the gradients.
     */
    private final class Steps implements BatchReduction {

        private final boolean relu;

        Steps(boolean relu) {
            this.relu = relu;
        }

        /** The gradient at the normalisation's output: the call's own, or with ReLU's mask applied into the state. */
        private float[] dz(LayerCall s) {
            return relu ? ((State) s.state()).dz : s.outputGrad();
        }

        /**
         * With a fused ReLU: {@code dz = y > 0 ? dy : 0} for the call's samples (before any step reads
         * dz); evaluation's backward. Training's takes the mask from the input
         * ({@link BatchNorm#reluGradientStatistics}) and leaves the output unread.
         */
        private void mask(LayerCall s) {
            if (relu) {
                Activation.RELU.backward(s.output(), s.outputGrad(), ((State) s.state()).dz, at(s),
                        s.batch() * channels * plane, 1);
            }
        }

        /** The whole batch at once (an execution that runs layer by layer): the three steps on one slice. */
        void forward(LayerCall s) {
            if (!s.training()) {
                State st = s.state();
                BatchNorm.normalize(s.input(), at(s), s.batch(), channels, plane, runningMean.value(), null, st.scale,
                        beta.value(), relu, s.output(), at(s));
                return;
            }
            forwardPartial(s, 0);
            forwardFinish(s.state(), 1);
            forwardApply(s);
        }

        void backward(LayerCall s) {
            if (!s.training()) {
                mask(s);
                evaluationBackward(s, dz(s)); // saliency maps back-propagate through a trained model
                return;
            }
            backwardPartial(s, 0);
            backwardFinish(s.state(), 1, new LayerCall[] {s});
            backwardApply(s);
        }

        @Override
        public void forwardPartial(LayerCall s, int slice) {
            double[] stats = ((State) s.state()).stats[slice];
            java.util.Arrays.fill(stats, 0);
            BatchNorm.statistics(s.input(), at(s), s.batch(), channels, plane, stats);
        }

        @Override
        public void forwardFinish(Object state, int slices) {
            State st = (State) state;
            st.count = 0;
            for (int k = 0; k < slices; k++) {
                st.count += (long) st.stats[k][0];
            }
            BatchNorm.finishStatistics(st.stats, slices, channels, gamma.value(), beta.value(), runningMean.value(),
                    runningVar.value(), momentum, eps, st.mean, st.meanLow, st.invStd, st.scale);
            batchesTracked.value()[0]++;
        }

        @Override
        public void forwardApply(LayerCall s) {
            State st = s.state();
            BatchNorm.normalize(s.input(), at(s), s.batch(), channels, plane, st.mean, st.meanLow, st.scale,
                    beta.value(), relu, s.output(), at(s));
        }

        @Override
        public void backwardPartial(LayerCall s, int slice) {
            State st = s.state();
            double[] sums = st.gradientSums[slice];
            java.util.Arrays.fill(sums, 0);
            if (relu) { // ReLU's mask from the input, as the forward computed it: the output is not read again
                BatchNorm.reluGradientStatistics(s.input(), s.outputGrad(), at(s), s.batch(), channels, plane, st.mean,
                        st.meanLow, st.scale, beta.value(), st.dz, sums);
            } else {
                BatchNorm.gradientStatistics(s.input(), dz(s), at(s), s.batch(), channels, plane, st.mean, sums);
            }
        }

        @Override
        public void backwardFinish(Object state, int slices, LayerCall[] calls) {
            State st = (State) state;
            float[] dgamma = calls[0].grad(gamma), dbeta = calls[0].grad(beta);
            BatchNorm.finishGradients(st.gradientSums, slices, st.count, channels, gamma.value(), st.mean, st.invStd, dgamma,
                    dbeta, st.a, st.b, st.c);
            for (int k = 1; k < slices; k++) {
                java.util.Arrays.fill(calls[k].grad(gamma), 0f);
                java.util.Arrays.fill(calls[k].grad(beta), 0f);
            }
        }

        @Override
        public void backwardApply(LayerCall s) {
            if (s.inputGrad() != null) {
                State st = s.state();
                BatchNorm.inputGradient(s.input(), dz(s), at(s), s.batch(), channels, plane, st.a, st.b, st.c,
                        s.inputGrad());
            }
        }
    }

    /** In evaluation the layer is affine per channel: dx = dy * gamma / sqrt(running_var + eps). */
    private void evaluationBackward(LayerCall s, float[] dy) {
        float[] x = s.input(), dx = s.inputGrad();
        float[] dgamma = s.grad(gamma), dbeta = s.grad(beta);
        int first = at(s);
        for (int c = 0; c < channels; c++) {
            float invStd = (float) (1 / Math.sqrt(runningVar.value()[c] + eps));
            float scale = gamma.value()[c] * invStd, mean = runningMean.value()[c];
            double dg = 0, db = 0;
            for (int n = 0; n < s.batch(); n++) {
                int o = first + (n * channels + c) * plane;
                for (int i = o; i < o + plane; i++) {
                    db += dy[i];
                    dg += dy[i] * (x[i] - mean) * invStd;
                    if (dx != null) {
                        dx[i] = dy[i] * scale;
                    }
                }
            }
            dgamma[c] = (float) dg;
            dbeta[c] = (float) db;
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
