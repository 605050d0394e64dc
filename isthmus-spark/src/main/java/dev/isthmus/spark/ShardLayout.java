package dev.isthmus.spark;

import dev.isthmus.nn.SliceTree;
import java.io.Serializable;

/**
 * Which worker computes which samples of an epoch: the single machine's slices, dealt out.
 *
 * <p>The epoch's places {@code [0, samples)} fall into batches of {@code batchSize} (the last
 * one shorter). A batch of {@code n} samples is cut into the slices one machine would cut it
 * into (slice {@code s} holds places {@code [n s / S, n (s + 1) / S)} of the batch), and worker
 * {@code w} of {@code K} takes slices {@code [S w / K, S (w + 1) / K)}: whole slices, contiguous,
 * so each worker sends one partial sum per {@linkplain SliceTree#blocks block} of its run.
 */
record ShardLayout(int samples, int batchSize, int workers, int fullSlices, int lastSlices) implements Serializable {

    ShardLayout {
        if (samples < 1 || batchSize < 1 || workers < 1 || fullSlices < 1 || lastSlices < 1) {
            throw new IllegalArgumentException("samples, batchSize, workers and slices must be >= 1, got " + samples + ", "
                    + batchSize + ", " + workers + ", " + fullSlices + ", " + lastSlices);
        }
    }

    int batches() {
        return (samples + batchSize - 1) / batchSize;
    }

    /** The number of samples in batch {@code b}. */
    int size(int b) {
        return Math.min(batchSize, samples - b * batchSize);
    }

    /** The slices of batch {@code b}. */
    int slices(int b) {
        return size(b) == batchSize ? fullSlices : lastSlices;
    }

    /** Worker {@code w}'s first slice of batch {@code b} ({@code w == workers}: the end). */
    int firstSlice(int b, int w) {
        return (int) ((long) slices(b) * w / workers);
    }

    /** The first place within batch {@code b} of slice {@code s}, as {@code Execution} cuts it. */
    int sliceStart(int b, int s) {
        return (int) ((long) size(b) * s / slices(b));
    }

    /** Worker {@code w}'s first place within batch {@code b}; its places end at {@code w + 1}'s. */
    int firstPlace(int b, int w) {
        return sliceStart(b, firstSlice(b, w));
    }

    /** The worker that computes the sample at place {@code position} of the epoch. */
    int worker(int position) {
        int b = position / batchSize, j = position % batchSize;
        int n = size(b), s = slices(b);
        int slice = (int) (((long) (j + 1) * s - 1) / n); // the last slice starting at or before j
        return (int) (((long) (slice + 1) * workers - 1) / s); // the last worker starting at or before it
    }

    /** The first slice of each of worker {@code w}'s blocks in batch {@code b}. */
    int[] blocks(int b, int w) {
        return SliceTree.blocks(slices(b), firstSlice(b, w), firstSlice(b, w + 1));
    }
}
