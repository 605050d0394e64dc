package dev.isthmus.kernels;

/**
 * Per-channel batch normalisation of NCHW data ({@code batch x channels x plane}, plane =
 * H * W; plane = 1 for the 1-d case), as PyTorch's {@code BatchNorm2d} / {@code BatchNorm1d}:
 * {@code y = gamma * (x - mean) * invStd + beta} with {@code invStd = 1 / sqrt(var + eps)}.
 * Training uses the batch's mean and biased variance and updates the running statistics with the
 * unbiased variance; evaluation uses the running statistics. Sums run in double.
 *
 * <p>Single-threaded: one pass per channel over {@code batch * plane} values, memory-bound and
 * small next to the convolutions around it.
 */
public final class BatchNorm {

    private BatchNorm() {}

    /**
     * Normalises with the batch statistics, then sets {@code running = (1 - momentum) * running
     * + momentum * stat} (the unbiased variance for {@code runningVar}), and saves the batch mean
     * and {@code invStd} per channel for {@link #backward}.
     *
     * @throws IllegalArgumentException if {@code batch * plane} is 1 (no variance to estimate, as
     *                                  PyTorch), {@code eps < 0}, {@code momentum} outside [0, 1],
     *                                  or an array is too short
     */
    public static void forwardTraining(float[] x, int xOffset, int batch, int channels, int plane,
                                       float[] gamma, float[] beta, float[] runningMean, float[] runningVar,
                                       float momentum, float eps, float[] y, int yOffset,
                                       float[] savedMean, float[] savedInvStd) {
        long count = checkShape(x, xOffset, batch, channels, plane, gamma, beta, runningMean, runningVar, eps, y, yOffset);
        if (!(momentum >= 0f && momentum <= 1f)) {
            throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
        }
        if (count == 1) {
            throw new IllegalArgumentException("batch normalisation in training needs more than one value per channel,"
                    + " got batch = " + batch + ", plane = " + plane);
        }
        Checks.span("savedMean", savedMean, 0, channels, "channels");
        Checks.span("savedInvStd", savedInvStd, 0, channels, "channels");
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int b = 0; b < batch; b++) {
                int at = xOffset + (b * channels + c) * plane;
                for (int i = 0; i < plane; i++) {
                    sum += x[at + i];
                }
            }
            double mean = sum / count;
            double squares = 0;
            for (int b = 0; b < batch; b++) {
                int at = xOffset + (b * channels + c) * plane;
                for (int i = 0; i < plane; i++) {
                    double d = x[at + i] - mean;
                    squares += d * d;
                }
            }
            double variance = squares / count;
            double invStd = 1 / Math.sqrt(variance + eps);
            normalise(x, xOffset, batch, channels, plane, c, mean, invStd, gamma[c], beta[c], y, yOffset);
            savedMean[c] = (float) mean;
            savedInvStd[c] = (float) invStd;
            runningMean[c] = (float) ((1 - momentum) * runningMean[c] + momentum * mean);
            runningVar[c] = (float) ((1 - momentum) * runningVar[c] + momentum * squares / (count - 1));
        }
    }

    /** Normalises with the running statistics; nothing is updated. */
    public static void forwardEvaluation(float[] x, int xOffset, int batch, int channels, int plane,
                                         float[] gamma, float[] beta, float[] runningMean, float[] runningVar,
                                         float eps, float[] y, int yOffset) {
        checkShape(x, xOffset, batch, channels, plane, gamma, beta, runningMean, runningVar, eps, y, yOffset);
        for (int c = 0; c < channels; c++) {
            double invStd = 1 / Math.sqrt((double) runningVar[c] + eps);
            normalise(x, xOffset, batch, channels, plane, c, runningMean[c], invStd, gamma[c], beta[c], y, yOffset);
        }
    }

    /**
     * Backward of {@link #forwardTraining} (arrays from index 0): with {@code N = batch * plane}
     * and {@code xhat = (x - mean) * invStd}, writes
     * {@code dx = gamma * invStd / N * (N dy - sum(dy) - xhat * sum(dy * xhat))},
     * {@code dgamma = sum(dy * xhat)} and {@code dbeta = sum(dy)} (overwritten, not accumulated).
     */
    public static void backward(float[] x, float[] dy, int batch, int channels, int plane, float[] gamma,
                                float[] savedMean, float[] savedInvStd, float[] dx, float[] dgamma, float[] dbeta) {
        Checks.positive("batch", batch);
        Checks.positive("channels", channels);
        Checks.positive("plane", plane);
        long n = (long) batch * channels * plane;
        Checks.span("x", x, 0, n, "batch * channels * plane");
        Checks.span("dy", dy, 0, n, "batch * channels * plane");
        Checks.span("dx", dx, 0, n, "batch * channels * plane");
        for (var p : new Object[][] {{"gamma", gamma}, {"savedMean", savedMean}, {"savedInvStd", savedInvStd},
                {"dgamma", dgamma}, {"dbeta", dbeta}}) {
            Checks.span((String) p[0], (float[]) p[1], 0, channels, "channels");
        }
        long count = (long) batch * plane;
        for (int c = 0; c < channels; c++) {
            double mean = savedMean[c], invStd = savedInvStd[c];
            double sumDy = 0, sumDyXhat = 0;
            for (int b = 0; b < batch; b++) {
                int at = (b * channels + c) * plane;
                for (int i = 0; i < plane; i++) {
                    double g = dy[at + i];
                    sumDy += g;
                    sumDyXhat += g * (x[at + i] - mean) * invStd;
                }
            }
            double k = gamma[c] * invStd / count;
            for (int b = 0; b < batch; b++) {
                int at = (b * channels + c) * plane;
                for (int i = 0; i < plane; i++) {
                    double xhat = (x[at + i] - mean) * invStd;
                    dx[at + i] = (float) (k * (count * (double) dy[at + i] - sumDy - xhat * sumDyXhat));
                }
            }
            dgamma[c] = (float) sumDyXhat;
            dbeta[c] = (float) sumDy;
        }
    }

    private static void normalise(float[] x, int xOffset, int batch, int channels, int plane, int c, double mean,
                                  double invStd, float gamma, float beta, float[] y, int yOffset) {
        double scale = gamma * invStd;
        for (int b = 0; b < batch; b++) {
            int in = xOffset + (b * channels + c) * plane, out = yOffset + (b * channels + c) * plane;
            for (int i = 0; i < plane; i++) {
                y[out + i] = (float) ((x[in + i] - mean) * scale + beta);
            }
        }
    }

    private static long checkShape(float[] x, int xOffset, int batch, int channels, int plane, float[] gamma,
                                   float[] beta, float[] runningMean, float[] runningVar, float eps,
                                   float[] y, int yOffset) {
        Checks.positive("batch", batch);
        Checks.positive("channels", channels);
        Checks.positive("plane", plane);
        if (!(eps >= 0f)) {
            throw new IllegalArgumentException("eps must be >= 0, got " + eps);
        }
        long n = (long) batch * channels * plane;
        Checks.span("x", x, xOffset, n, "batch * channels * plane");
        Checks.span("y", y, yOffset, n, "batch * channels * plane");
        Checks.span("gamma", gamma, 0, channels, "channels");
        Checks.span("beta", beta, 0, channels, "channels");
        Checks.span("runningMean", runningMean, 0, channels, "channels");
        Checks.span("runningVar", runningVar, 0, channels, "channels");
        return (long) batch * plane;
    }
}
