package dev.isthmus.kernels;

/**
 * Batch normalisation per channel over NCHW data laid out {@code batch x channels x plane}
 * ({@code plane = H * W}; 1 for feature vectors), as PyTorch's {@code BatchNorm2d} and
 * {@code BatchNorm1d}. Statistics accumulate in double; single-threaded (the layer is cheap next
 * to the convolutions around it).
 */
public final class BatchNorm {

    private BatchNorm() {}

    /**
     * Training mode: normalises with the batch mean and biased variance, saves the mean and
     * {@code 1 / sqrt(var + eps)} for the backward pass, and updates the running statistics as
     * PyTorch does: {@code running = (1 - momentum) * running + momentum * stat}, with the
     * unbiased variance for {@code runningVar}.
     *
     * @throws IllegalArgumentException if {@code batch * plane == 1} (no variance to estimate),
     *                                  {@code eps < 0}, {@code momentum} outside [0, 1], or an
     *                                  array is too short
     */
    public static void forwardTraining(float[] x, int xOffset, int batch, int channels, int plane,
                                       float[] gamma, float[] beta, float[] runningMean, float[] runningVar,
                                       float momentum, float eps, float[] y, int yOffset,
                                       float[] savedMean, float[] savedInvStd) {
        check(x, xOffset, batch, channels, plane, gamma, beta, eps, y, yOffset);
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
        }
        long count = (long) batch * plane;
        if (count < 2) {
            throw new IllegalArgumentException("batch norm in training needs more than one value per channel, got batch "
                    + batch + " x plane " + plane);
        }
        for (String name : new String[] {"runningMean", "runningVar", "savedMean", "savedInvStd"}) {
            float[] a = switch (name) {
                case "runningMean" -> runningMean;
                case "runningVar" -> runningVar;
                case "savedMean" -> savedMean;
                default -> savedInvStd;
            };
            Checks.span(name, a, 0, channels, "channels");
        }
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int n = 0; n < batch; n++) {
                int at = xOffset + (n * channels + c) * plane;
                for (int i = at; i < at + plane; i++) {
                    sum += x[i];
                }
            }
            double mean = sum / count;
            double squares = 0;
            for (int n = 0; n < batch; n++) {
                int at = xOffset + (n * channels + c) * plane;
                for (int i = at; i < at + plane; i++) {
                    double d = x[i] - mean;
                    squares += d * d;
                }
            }
            double var = squares / count;
            double invStd = 1 / Math.sqrt(var + eps);
            savedMean[c] = (float) mean;
            savedInvStd[c] = (float) invStd;
            runningMean[c] = (float) ((1 - momentum) * runningMean[c] + momentum * mean);
            runningVar[c] = (float) ((1 - momentum) * runningVar[c] + momentum * squares / (count - 1));
            normalise(x, xOffset, batch, channels, plane, c, (float) mean, (float) invStd, gamma[c], beta[c], y, yOffset);
        }
    }

    /** Evaluation mode: normalises with the running statistics. */
    public static void forwardEvaluation(float[] x, int xOffset, int batch, int channels, int plane,
                                         float[] gamma, float[] beta, float[] runningMean, float[] runningVar,
                                         float eps, float[] y, int yOffset) {
        check(x, xOffset, batch, channels, plane, gamma, beta, eps, y, yOffset);
        Checks.span("runningMean", runningMean, 0, channels, "channels");
        Checks.span("runningVar", runningVar, 0, channels, "channels");
        for (int c = 0; c < channels; c++) {
            float invStd = (float) (1 / Math.sqrt(runningVar[c] + (double) eps));
            normalise(x, xOffset, batch, channels, plane, c, runningMean[c], invStd, gamma[c], beta[c], y, yOffset);
        }
    }

    private static void normalise(float[] x, int xOffset, int batch, int channels, int plane, int c,
                                  float mean, float invStd, float g, float b, float[] y, int yOffset) {
        float scale = g * invStd;
        for (int n = 0; n < batch; n++) {
            int in = xOffset + (n * channels + c) * plane, out = yOffset + (n * channels + c) * plane;
            for (int i = 0; i < plane; i++) {
                y[out + i] = (x[in + i] - mean) * scale + b;
            }
        }
    }

    /**
     * Training-mode backward from the saved batch statistics:
     * {@code dx = gamma * invStd / N * (N dy - sum(dy) - xhat * sum(dy * xhat))},
     * {@code dgamma = sum(dy * xhat)}, {@code dbeta = sum(dy)}; all overwritten. {@code dx} may be
     * null when no input gradient is needed.
     */
    public static void backward(float[] x, float[] dy, int batch, int channels, int plane, float[] gamma,
                                float[] savedMean, float[] savedInvStd, float[] dx, float[] dgamma, float[] dbeta) {
        long count = (long) batch * plane;
        Checks.span("x", x, 0, count * channels, "batch * channels * plane");
        Checks.span("dy", dy, 0, count * channels, "batch * channels * plane");
        if (dx != null) {
            Checks.span("dx", dx, 0, count * channels, "batch * channels * plane");
        }
        Checks.span("dgamma", dgamma, 0, channels, "channels");
        Checks.span("dbeta", dbeta, 0, channels, "channels");
        for (int c = 0; c < channels; c++) {
            double mean = savedMean[c], invStd = savedInvStd[c];
            double sumDy = 0, sumDyXhat = 0;
            for (int n = 0; n < batch; n++) {
                int at = (n * channels + c) * plane;
                for (int i = at; i < at + plane; i++) {
                    sumDy += dy[i];
                    sumDyXhat += dy[i] * (x[i] - mean) * invStd;
                }
            }
            dgamma[c] = (float) sumDyXhat;
            dbeta[c] = (float) sumDy;
            if (dx == null) {
                continue;
            }
            double k = gamma[c] * invStd / count;
            for (int n = 0; n < batch; n++) {
                int at = (n * channels + c) * plane;
                for (int i = at; i < at + plane; i++) {
                    double xhat = (x[i] - mean) * invStd;
                    dx[i] = (float) (k * (count * dy[i] - sumDy - xhat * sumDyXhat));
                }
            }
        }
    }

    private static void check(float[] x, int xOffset, int batch, int channels, int plane, float[] gamma, float[] beta,
                              float eps, float[] y, int yOffset) {
        Checks.positive("batch", batch);
        Checks.positive("channels", channels);
        Checks.positive("plane", plane);
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("eps must be >= 0, got " + eps);
        }
        long n = (long) batch * channels * plane;
        Checks.span("x", x, xOffset, n, "batch * channels * plane");
        Checks.span("y", y, yOffset, n, "batch * channels * plane");
        Checks.span("gamma", gamma, 0, channels, "channels");
        Checks.span("beta", beta, 0, channels, "channels");
    }
}
