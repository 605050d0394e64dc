package dev.isthmus.spark;

import dev.isthmus.data.Images;
import dev.isthmus.kernels.Parallel;
import dev.isthmus.nn.Model;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;

/**
 * One partition of {@link ModelTransformer#transform}: rows read a batch at a time, inputs decoded
 * on the library's threads, one {@code model.predict} per batch, rows given back in order with
 * their outputs (or an error) appended.
 */
final class PredictPartition implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    private final String key;
    private final Broadcast<byte[]> modelFile;
    private final LongAccumulator loads;
    private final int input, path;
    private final boolean images, fail;
    private final int batchSize;
    private final double threshold;

    PredictPartition(String key, Broadcast<byte[]> modelFile, LongAccumulator loads, int input, int path, boolean images,
                     boolean fail, int batchSize, double threshold) {
        this.key = key;
        this.modelFile = modelFile;
        this.loads = loads;
        this.input = input;
        this.path = path;
        this.images = images;
        this.fail = fail;
        this.batchSize = batchSize;
        this.threshold = threshold;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        TaskContext context = TaskContext.get();
        if (context != null) {
            TaskThreads.use(context.cpus());
        }
        Model model = ExecutorModels.get(key, modelFile::value, () -> loads.add(1));
        int partition = context == null ? 0 : context.partitionId();
        return new Iterator<>() {
            private final List<Row> batch = new ArrayList<>(batchSize);
            private final float[] x = new float[batchSize * model.inputShape().size()];
            private final String[] errors = new String[batchSize];
            private final List<Row> ready = new ArrayList<>(batchSize);
            private int next;
            private long seen;

            @Override
            public boolean hasNext() {
                if (next < ready.size()) {
                    return true;
                }
                ready.clear();
                next = 0;
                batch.clear();
                while (batch.size() < batchSize && rows.hasNext()) {
                    batch.add(rows.next());
                }
                if (batch.isEmpty()) {
                    return false;
                }
                predict(model, partition);
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.get(next++);
            }

            private void predict(Model model, int partition) {
                int size = model.inputShape().size(), outs = model.outputShape().size(), n = batch.size();
                int[] slot = new int[n];
                long first = seen;
                Parallel.forEach(n, i -> {
                    Row row = batch.get(i);
                    String name = path >= 0 && !row.isNullAt(path) ? String.valueOf(row.get(path))
                            : "row " + (first + i) + " of partition " + partition;
                    errors[i] = decode(row, name, model, x, i * size, size);
                });
                int good = 0;
                for (int i = 0; i < n; i++) { // the good rows' inputs, packed in order
                    if (errors[i] == null) {
                        if (good != i) {
                            System.arraycopy(x, i * size, x, good * size, size);
                        }
                        slot[i] = good++;
                    } else if (fail) {
                        throw new IllegalArgumentException(errors[i]);
                    }
                }
                float[] out = good == 0 ? new float[0] : model.predict(x, good);
                for (int i = 0; i < n; i++) {
                    Row row = batch.get(i);
                    Object[] values = new Object[row.length() + 3];
                    for (int c = 0; c < row.length(); c++) {
                        values[c] = row.get(c);
                    }
                    if (errors[i] == null) {
                        float[] p = new float[outs];
                        System.arraycopy(out, slot[i] * outs, p, 0, outs);
                        values[row.length()] = p;
                        values[row.length() + 1] = predictedClass(p);
                    } else {
                        values[row.length() + 2] = errors[i];
                    }
                    ready.add(RowFactory.create(values));
                }
                seen += n;
            }
        };
    }

    /** Decodes the row's input into {@code x} at {@code at}; returns why it cannot (naming the row), or null. */
    private String decode(Row row, String name, Model model, float[] x, int at, int size) {
        if (row.isNullAt(input)) {
            return name + ": the input is null";
        }
        if (images) {
            try {
                float[] image = Images.preprocess((byte[]) row.get(input), name, model.inputShape().height());
                System.arraycopy(image, 0, x, at, size);
                return null;
            } catch (IOException | RuntimeException e) {
                return e.getMessage() != null && e.getMessage().startsWith(name) ? e.getMessage() : name + ": " + e;
            }
        }
        float[] values;
        try {
            values = TrainingRows.floats(row, input, "input", 0);
        } catch (IllegalArgumentException e) {
            return name + ": the input has a null value";
        }
        if (values.length != size) {
            return name + ": the input holds " + values.length + " values, the model's input " + model.inputShape()
                    + " takes " + size;
        }
        System.arraycopy(values, 0, x, at, size);
        return null;
    }

    private Integer predictedClass(float[] p) {
        if (p.length == 1) {
            return p[0] >= threshold ? 1 : 0;
        }
        int best = 0;
        for (int k = 1; k < p.length; k++) {
            if (p[k] > p[best]) {
                best = k;
            }
        }
        return best;
    }
}
