package dev.isthmus.spark;

import java.io.Serializable;

/**
 * What a worker reports of an epoch: the outputs and targets of its samples (by place in the
 * epoch, for the driver's metrics), where it stopped, and its timings.
 *
 * @param stoppedAt     the batch whose loss was not finite (no update made), or -1
 * @param stepNanos     wall time of its steps, the exchange included
 * @param exchangeNanos wall time in the gradient exchange
 */
record EpochResult(int worker, int[] positions, float[] outputs, float[] targets, int stoppedAt, int steps,
                   long stepNanos, long exchangeNanos, long sentBytes, long receivedBytes) implements Serializable {}
