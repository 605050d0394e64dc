package dev.isthmus.spark;

import org.apache.spark.Partitioner;

/** Sends the sample at each place of the epoch (the key) to the worker that computes it. */
final class WorkerPartitioner extends Partitioner {

    private static final long serialVersionUID = 1L;

    private final ShardLayout layout;

    WorkerPartitioner(ShardLayout layout) {
        this.layout = layout;
    }

    @Override
    public int numPartitions() {
        return layout.workers();
    }

    @Override
    public int getPartition(Object key) {
        return layout.worker((Integer) key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkerPartitioner other && other.layout.equals(layout);
    }

    @Override
    public int hashCode() {
        return layout.hashCode();
    }
}
