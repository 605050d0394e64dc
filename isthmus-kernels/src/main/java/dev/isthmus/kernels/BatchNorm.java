package dev.isthmus.kernels;

import dev.isthmus.kernels.elementwise.ElementwiseSupport;
import dev.isthmus.kernels.runtime.Workspace;

/**
 * Per-channel batch normalisation of NCHW data ({@code batch x channels x plane}, plane =
 * H * W; plane = 1 for the 1-d case), as PyTorch's {@code BatchNorm2d} / {@code BatchNorm1d}:
 * {@code y = gamma * (x - mean) * invStd + beta} with {@code invStd = 1 / sqrt(var + eps)}.
 * Training uses the batch's mean and biased variance and updates the running statistics with the
 * unbiased variance; evaluation uses the running statistics.
 *
 * <p>In steps, so that a batch cut into slices can run them on its own threads with one wait
 * between: each slice gathers its {@linkplain #statistics statistics} (vectorised sums, in float
 * within a chunk of a plane and in double beyond), one thread {@linkplain #finishStatistics
 * finishes} them, merging the slices' in slice order, and each slice {@linkplain #normalize
 * normalises} its own samples; the backward pass goes the same way. Results depend on how the
 * batch is cut, never on the threads. The whole-batch methods ({@link #forwardTraining},
 * {@link #backward}) are the steps with the batch as one slice.
 */
public final class BatchNorm {

    /**
     * Floats of a plane summed in float before the sum goes to double (here, and in
     * {@link GlobalAveragePooling}'s plane sums: a scalar sum in double took 1.7% of resnet's inference).
     */
    static final int CHUNK = 2048;

    private BatchNorm() {}

    /**
     * Adds one slice's statistics to {@code stats}, three doubles per channel {@code c}: the count
     * of values at {@code 3c}, their mean at {@code 3c + 1} and the sum of squared deviations
     * from it at {@code 3c + 2} (zeros to start). Each chunk of a plane is summed twice while it
     * is in cache (its mean, then its deviations from it, in float) and merged in double by Chan's
     * pairwise rule, so the variance does not cancel however far the values sit from zero.
     */
    public static void statistics(float[] x, int xOffset, int batch, int channels, int plane, double[] stats) {
        checkPlanes("x", x, xOffset, batch, channels, plane);
        checkStats(stats, channels);
        ElementwiseSupport k = KernelProvider.elementwise();
        double[] sums = Workspace.doubles(Workspace.DoubleSlot.SCRATCH, 2);
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                int at = xOffset + (b * channels + c) * plane;
                for (int i = 0; i < plane; i += CHUNK) {
                    int n = Math.min(CHUNK, plane - i);
                    sums[0] = sums[1] = 0;
                    k.sum(x, at + i, n, sums, 0);
                    float mean = (float) (sums[0] / n);
                    sums[0] = sums[1] = 0;
                    k.shiftedSums(x, at + i, n, mean, sums, 0);
                    merge(stats, 3 * c, n, mean + sums[0] / n, Math.max(0, sums[1] - sums[0] * sums[0] / n));
                }
            }
        }
    }

    /** Chan et al.'s pairwise merge of (count, mean, squared deviations) at {@code at} with another part's. */
    private static void merge(double[] stats, int at, double count, double mean, double squares) {
        double n = stats[at], total = n + count, delta = mean - stats[at + 1];
        stats[at + 1] += delta * count / total;
        stats[at + 2] += squares + delta * delta * n * count / total;
        stats[at] = total;
    }

    /**
     * Finishes the statistics from the slices' {@link #statistics}, merged in slice order: saves
     * the mean (a float, and its rounding error as a second) and {@code invStd} for the backward
     * pass, sets {@code running = (1 - momentum) *
     * running + momentum * stat} (the unbiased variance for {@code runningVar}), and writes the
     * per-channel {@code scale = gamma * invStd} that {@link #normalize} applies.
     *
     * @throws IllegalArgumentException if a channel has one value (no variance to estimate, as
     *                                  PyTorch), {@code eps < 0} or {@code momentum} outside [0, 1]
     */
    public static void finishStatistics(double[][] stats, int slices, int channels, float[] gamma, float[] beta,
                                        float[] runningMean, float[] runningVar, float momentum, float eps,
                                        float[] savedMean, float[] savedMeanLow, float[] savedInvStd,
                                        float[] scale) {
        if (!(momentum >= 0f && momentum <= 1f)) {
            throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
        }
        checkEps(eps);
        double[] all = new double[3];
        for (int c = 0; c < channels; c++) {
            all[0] = all[1] = all[2] = 0;
            for (int k = 0; k < slices; k++) {
                if (stats[k][3 * c] > 0) {
                    merge(all, 0, stats[k][3 * c], stats[k][3 * c + 1], stats[k][3 * c + 2]);
                }
            }
            double count = all[0], mean = all[1], variance = all[2] / count;
            if (count <= 1) {
                throw new IllegalArgumentException("batch normalisation in training needs more than one value per"
                        + " channel, got " + (long) count);
            }
            double invStd = 1 / Math.sqrt(variance + eps);
            savedMean[c] = (float) mean;
            savedMeanLow[c] = (float) (mean - savedMean[c]);
            savedInvStd[c] = (float) invStd;
            scale[c] = (float) (gamma[c] * invStd);
            runningMean[c] = (float) ((1 - momentum) * runningMean[c] + momentum * mean);
            runningVar[c] = (float) ((1 - momentum) * runningVar[c] + momentum * all[2] / (count - 1));
        }
    }

    /** Evaluation's {@code scale = gamma / sqrt(runningVar + eps)}, to {@link #normalize} around the running mean. */
    public static void evaluationScale(int channels, float[] gamma, float[] runningVar, float eps, float[] scale) {
        checkEps(eps);
        for (int c = 0; c < channels; c++) {
            scale[c] = (float) (gamma[c] / Math.sqrt((double) runningVar[c] + eps));
        }
    }

    /**
     * {@code y = (x - mean[c]) * scale[c] + beta[c]} for {@code batch} samples, the mean as a
     * float and its rounding error ({@code meanLow}, null for none).
     */
    public static void normalize(float[] x, int xOffset, int batch, int channels, int plane, float[] mean,
                                 float[] meanLow, float[] scale, float[] beta, float[] y, int yOffset) {
        normalize(x, xOffset, batch, channels, plane, mean, meanLow, scale, beta, false, y, yOffset);
    }

    /**
     * {@link #normalize}, then, when {@code relu}, {@link Activations#relu} in the same pass (the
     * same floats as the two calls one after the other).
     */
    public static void normalize(float[] x, int xOffset, int batch, int channels, int plane, float[] mean,
                                 float[] meanLow, float[] scale, float[] beta, boolean relu, float[] y, int yOffset) {
        checkPlanes("x", x, xOffset, batch, channels, plane);
        checkPlanes("y", y, yOffset, batch, channels, plane);
        ElementwiseSupport k = KernelProvider.elementwise();
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                int p = (b * channels + c) * plane;
                float low = meanLow == null ? 0f : meanLow[c];
                if (relu) {
                    k.affineRelu(x, xOffset + p, plane, mean[c], low, scale[c], beta[c], y, yOffset + p);
                } else {
                    k.affine(x, xOffset + p, plane, mean[c], low, scale[c], beta[c], y, yOffset + p);
                }
            }
        }
    }

    /**
     * Adds one slice's gradient sums: {@code sums[2c] += sum(dy)} and
     * {@code sums[2c + 1] += sum(dy * (x - mean[c]))} over {@code batch} samples at {@code offset}
     * (of both {@code x} and {@code dy}).
     */
    public static void gradientStatistics(float[] x, float[] dy, int offset, int batch, int channels, int plane,
                                          float[] savedMean, double[] sums) {
        checkPlanes("x", x, offset, batch, channels, plane);
        checkPlanes("dy", dy, offset, batch, channels, plane);
        checkSums(sums, channels);
        ElementwiseSupport k = KernelProvider.elementwise();
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                int at = offset + (b * channels + c) * plane;
                for (int i = 0; i < plane; i += CHUNK) {
                    k.gradientSums(x, dy, at + i, Math.min(CHUNK, plane - i), savedMean[c], sums, 2 * c);
                }
            }
        }
    }

    /**
     * {@link #gradientStatistics} behind a ReLU ({@link #normalize} with {@code relu}), in one pass
     * that reads the input, not the output: {@code dz = y > 0 ? dy : 0}, with {@code y > 0} tested
     * on {@code (x - mean[c] - meanLow[c]) * scale[c] + beta[c]} as the forward computed it, written
     * to {@code dz} for {@link #inputGradient}; then the sums of {@link #gradientStatistics} over
     * {@code dz}, around {@code mean}. The same floats as ReLU's backward on the output followed by
     * {@link #gradientStatistics}.
     */
    public static void reluGradientStatistics(float[] x, float[] dy, int offset, int batch, int channels, int plane,
                                              float[] mean, float[] meanLow, float[] scale, float[] beta, float[] dz,
                                              double[] sums) {
        checkPlanes("x", x, offset, batch, channels, plane);
        checkPlanes("dy", dy, offset, batch, channels, plane);
        checkPlanes("dz", dz, offset, batch, channels, plane);
        checkChannels("mean", mean, channels);
        checkChannels("meanLow", meanLow, channels);
        checkChannels("scale", scale, channels);
        checkChannels("beta", beta, channels);
        checkSums(sums, channels);
        ElementwiseSupport k = KernelProvider.elementwise();
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                int at = offset + (b * channels + c) * plane;
                for (int i = 0; i < plane; i += CHUNK) {
                    k.reluGradientSums(x, dy, at + i, Math.min(CHUNK, plane - i), mean[c], meanLow[c], scale[c],
                            beta[c], dz, sums, 2 * c);
                }
            }
        }
    }

    /**
     * From the slices' gradient sums over {@code count} values per channel: {@code dbeta = sum(dy)},
     * {@code dgamma = sum(dy * xhat)} (overwritten), and the coefficients of
     * {@code dx = a * dy + b * x + c}, which is
     * {@code gamma * invStd / N * (N dy - sum(dy) - xhat * sum(dy * xhat))} with {@code N = count}.
     */
    public static void finishGradients(double[][] sums, int slices, long count, int channels, float[] gamma,
                                       float[] savedMean, float[] savedInvStd, float[] dgamma, float[] dbeta,
                                       float[] a, float[] b, float[] c) {
        for (int ch = 0; ch < channels; ch++) {
            double sumDy = 0, sumDyCentred = 0;
            for (int k = 0; k < slices; k++) {
                sumDy += sums[k][2 * ch];
                sumDyCentred += sums[k][2 * ch + 1];
            }
            double invStd = savedInvStd[ch], mean = savedMean[ch];
            double ka = gamma[ch] * invStd, kb = -ka * invStd * invStd * sumDyCentred / count;
            dgamma[ch] = (float) (sumDyCentred * invStd);
            dbeta[ch] = (float) sumDy;
            a[ch] = (float) ka;
            b[ch] = (float) kb;
            c[ch] = (float) (-ka * sumDy / count - kb * mean);
        }
    }

    /** {@code dx = a[c] * dy + b[c] * x + c[c]} for {@code batch} samples at {@code offset}. */
    public static void inputGradient(float[] x, float[] dy, int offset, int batch, int channels, int plane, float[] a,
                                     float[] b, float[] c, float[] dx) {
        checkPlanes("x", x, offset, batch, channels, plane);
        checkPlanes("dy", dy, offset, batch, channels, plane);
        checkPlanes("dx", dx, offset, batch, channels, plane);
        ElementwiseSupport k = KernelProvider.elementwise();
        for (int n = 0; n < batch; n++) {
            for (int ch = 0; ch < channels; ch++) {
                k.affineGradient(dy, x, offset + (n * channels + ch) * plane, plane, a[ch], b[ch], c[ch], dx);
            }
        }
    }

    // ---- the whole batch as one slice ----

    /**
     * Normalises with the batch statistics, updates the running statistics and saves the batch
     * mean and {@code invStd} per channel for {@link #backward}: the steps above on one slice.
     *
     * @throws IllegalArgumentException if {@code batch * plane} is 1 (no variance to estimate, as
     *                                  PyTorch), {@code eps < 0}, {@code momentum} outside [0, 1],
     *                                  or an array is too short
     */
    public static void forwardTraining(float[] x, int xOffset, int batch, int channels, int plane,
                                       float[] gamma, float[] beta, float[] runningMean, float[] runningVar,
                                       float momentum, float eps, float[] y, int yOffset,
                                       float[] savedMean, float[] savedInvStd) {
        checkParameters(channels, gamma, beta, runningMean, runningVar);
        if ((long) batch * plane == 1) {
            throw new IllegalArgumentException("batch normalisation in training needs more than one value per channel,"
                    + " got batch = " + batch + ", plane = " + plane);
        }
        Checks.span("savedMean", savedMean, 0, channels, "channels");
        Checks.span("savedInvStd", savedInvStd, 0, channels, "channels");
        checkPlanes("y", y, yOffset, batch, channels, plane);
        float[] scale = new float[channels], meanLow = new float[channels];
        double[][] stats = {new double[3 * channels]};
        statistics(x, xOffset, batch, channels, plane, stats[0]);
        finishStatistics(stats, 1, channels, gamma, beta, runningMean, runningVar, momentum, eps, savedMean, meanLow,
                savedInvStd, scale);
        normalize(x, xOffset, batch, channels, plane, savedMean, meanLow, scale, beta, y, yOffset);
    }

    /** Normalises with the running statistics; nothing is updated. */
    public static void forwardEvaluation(float[] x, int xOffset, int batch, int channels, int plane,
                                         float[] gamma, float[] beta, float[] runningMean, float[] runningVar,
                                         float eps, float[] y, int yOffset) {
        checkParameters(channels, gamma, beta, runningMean, runningVar);
        float[] scale = new float[channels];
        evaluationScale(channels, gamma, runningVar, eps, scale);
        normalize(x, xOffset, batch, channels, plane, runningMean, null, scale, beta, y, yOffset);
    }

    /**
     * Backward of {@link #forwardTraining} (arrays from index 0): with {@code N = batch * plane}
     * and {@code xhat = (x - mean) * invStd}, writes
     * {@code dx = gamma * invStd / N * (N dy - sum(dy) - xhat * sum(dy * xhat))},
     * {@code dgamma = sum(dy * xhat)} and {@code dbeta = sum(dy)} (overwritten, not accumulated).
     */
    public static void backward(float[] x, float[] dy, int batch, int channels, int plane, float[] gamma,
                                float[] savedMean, float[] savedInvStd, float[] dx, float[] dgamma, float[] dbeta) {
        for (var p : new Object[][] {{"gamma", gamma}, {"savedMean", savedMean}, {"savedInvStd", savedInvStd},
                {"dgamma", dgamma}, {"dbeta", dbeta}}) {
            Checks.span((String) p[0], (float[]) p[1], 0, channels, "channels");
        }
        double[][] sums = {new double[2 * channels]};
        float[] a = new float[channels], b = new float[channels], c = new float[channels];
        gradientStatistics(x, dy, 0, batch, channels, plane, savedMean, sums[0]);
        finishGradients(sums, 1, (long) batch * plane, channels, gamma, savedMean, savedInvStd, dgamma, dbeta, a, b, c);
        inputGradient(x, dy, 0, batch, channels, plane, a, b, c, dx);
    }

    private static void checkPlanes(String name, float[] a, int offset, int batch, int channels, int plane) {
        Checks.positive("batch", batch);
        Checks.positive("channels", channels);
        Checks.positive("plane", plane);
        Checks.span(name, a, offset, (long) batch * channels * plane, "batch * channels * plane");
    }

    private static void checkChannels(String name, float[] a, int channels) {
        Checks.span(name, a, 0, channels, "channels");
    }

    private static void checkStats(double[] stats, int channels) {
        java.util.Objects.requireNonNull(stats, "stats");
        if (stats.length < 3L * channels) {
            throw new IllegalArgumentException("stats needs 3 * channels = " + 3L * channels + " values, got "
                    + stats.length);
        }
    }

    private static void checkSums(double[] sums, int channels) {
        java.util.Objects.requireNonNull(sums, "sums");
        if (sums.length < 2L * channels) {
            throw new IllegalArgumentException("sums needs 2 * channels = " + 2L * channels + " values, got "
                    + sums.length);
        }
    }

    private static void checkEps(float eps) {
        if (!(eps >= 0f)) {
            throw new IllegalArgumentException("eps must be >= 0, got " + eps);
        }
    }

    private static void checkParameters(int channels, float[] gamma, float[] beta, float[] runningMean,
                                        float[] runningVar) {
        Checks.positive("channels", channels);
        Checks.span("gamma", gamma, 0, channels, "channels");
        Checks.span("beta", beta, 0, channels, "channels");
        Checks.span("runningMean", runningMean, 0, channels, "channels");
        Checks.span("runningVar", runningVar, 0, channels, "channels");
    }
}
