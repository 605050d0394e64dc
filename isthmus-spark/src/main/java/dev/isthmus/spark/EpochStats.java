package dev.isthmus.spark;

/**
 * How an epoch of {@link SparkTrainer#fit} went on the cluster: its barrier stage's wall time
 * (moving the samples to their workers included), and the slowest worker's time in its steps and
 * in the gradient exchange.
 *
 * @param steps          optimizer steps taken
 * @param stageNanos     the epoch's Spark job, from submission to the last result
 * @param stepNanos      the slowest worker's time in its steps (exchange included)
 * @param exchangeNanos  the slowest worker's time in the exchange
 * @param bytesPerWorker the most bytes one worker sent over the epoch
 */
public record EpochStats(int epoch, int workers, int samples, int steps, long stageNanos, long stepNanos,
                         long exchangeNanos, long bytesPerWorker) {

    /** Training images per second over the steps alone (no data movement, no validation). */
    public double stepImagesPerSecond() {
        return samples / (stepNanos / 1e9);
    }

    /** The mean exchange time per step, in milliseconds. */
    public double exchangeMillisPerStep() {
        return steps == 0 ? 0 : exchangeNanos / 1e6 / steps;
    }

    /** The mean step time, exchange included, in milliseconds. */
    public double stepMillis() {
        return steps == 0 ? 0 : stepNanos / 1e6 / steps;
    }
}
