package dev.isthmus.spark;

import dev.isthmus.kernels.Padding;
import dev.isthmus.nn.Activation;
import dev.isthmus.nn.Conv2D;
import dev.isthmus.nn.Dense;
import dev.isthmus.nn.Dropout;
import dev.isthmus.nn.GlobalAveragePooling2D;
import dev.isthmus.nn.MaxPool2D;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Parameter;
import dev.isthmus.nn.Sequential;
import dev.isthmus.nn.Shape;
import dev.isthmus.train.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** A small learnable task (a bright square in the left or right half) and a small CNN with dropout. */
final class TestData {

    static final Shape SHAPE = Shape.of(1, 12, 12);

    private TestData() {}

    static Dataset squares(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[count * SHAPE.size()], y = new float[count];
        for (int i = 0; i < count; i++) {
            int label = r.nextInt(2);
            int col = label == 1 ? r.nextInt(0, 4) : r.nextInt(6, 10), row = r.nextInt(0, 10);
            for (int p = 0; p < SHAPE.size(); p++) {
                x[i * SHAPE.size() + p] = (float) (r.nextGaussian() * 0.3);
            }
            for (int dy = 0; dy < 3; dy++) {
                for (int dx = 0; dx < 3; dx++) {
                    x[i * SHAPE.size() + (row + dy) * 12 + col + dx] += 2f;
                }
            }
            y[i] = label;
        }
        return Dataset.of(x, y, SHAPE);
    }

    static Model smallCnn(long seed) {
        return new Sequential(1, 12, 12)
                .add(new Conv2D(4, 3).padding(Padding.SAME).activation(Activation.RELU))
                .add(new MaxPool2D())
                .add(new Conv2D(6, 3).padding(Padding.SAME).activation(Activation.RELU))
                .add(new GlobalAveragePooling2D())
                .add(new Dense(8).activation(Activation.RELU))
                .add(new Dropout(0.25f))
                .add(new Dense(1).activation(Activation.SIGMOID))
                .build()
                .initialize(seed);
    }

    static final StructType SCHEMA = new StructType()
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("label", DataTypes.FloatType, false);

    /** The samples as rows of {@code features: array<float>, label: float}, in order, in 3 partitions. */
    static org.apache.spark.sql.Dataset<Row> frame(SparkSession spark, Dataset data) {
        List<Row> rows = new ArrayList<>();
        int size = data.sampleShape().size();
        for (int i = 0; i < data.count(); i++) {
            Float[] x = new Float[size];
            for (int k = 0; k < size; k++) {
                x[k] = data.x()[i * size + k];
            }
            rows.add(RowFactory.create(x, data.y()[i]));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return spark.createDataFrame(jsc.parallelize(rows, 3), SCHEMA);
    }

    static List<float[]> weights(Model model) {
        List<float[]> w = new ArrayList<>();
        for (Parameter p : model.parameters().values()) {
            w.add(p.value().clone());
        }
        return w;
    }
}
