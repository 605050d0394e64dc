package dev.isthmus.spark;

import dev.isthmus.nn.Shape;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import scala.collection.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Training rows as samples: an input column of {@code array<float>} (or {@code array<double>},
 * rounded to float) and a target column of a number or an array of numbers, row {@code i} being
 * sample {@code i} (the DataFrame's order, numbered with {@code zipWithIndex}).
 */
public final class TrainingRows {

    private TrainingRows() {}

    /**
     * @throws IllegalArgumentException naming a missing column or one of the wrong type; on the
     *                                  executors, naming the row whose input or target has the
     *                                  wrong size or is null
     */
    static JavaRDD<Sample> samples(Dataset<Row> rows, String features, String label, int inputSize, int targetSize) {
        checkColumn(rows, features, true);
        checkColumn(rows, label, false);
        return rows.select(features, label).toJavaRDD().zipWithIndex().map(t -> {
            long index = t._2();
            if (index > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("more than " + Integer.MAX_VALUE + " training rows");
            }
            float[] x = floats(t._1(), 0, features, index);
            float[] y = floats(t._1(), 1, label, index);
            if (x.length != inputSize) {
                throw new IllegalArgumentException("row " + index + ": column '" + features + "' holds " + x.length
                        + " values, the model's input takes " + inputSize);
            }
            if (y.length != targetSize) {
                throw new IllegalArgumentException("row " + index + ": column '" + label + "' holds " + y.length
                        + " values, the loss needs " + targetSize + " per sample");
            }
            return new Sample((int) index, x, y);
        });
    }

    /**
     * The rows as one machine's {@link dev.isthmus.train.Dataset}, collected to the driver in
     * order: for validation data, or to train the same rows with {@code Trainer.fit}.
     */
    public static dev.isthmus.train.Dataset collect(Dataset<Row> rows, String features, String label, Shape shape,
                                                    int targetSize) {
        List<Sample> all = samples(rows, features, label, shape.size(), targetSize).collect();
        float[] x = new float[all.size() * shape.size()], y = new float[all.size() * targetSize];
        for (Sample s : all) {
            System.arraycopy(s.x(), 0, x, s.index() * shape.size(), shape.size());
            System.arraycopy(s.y(), 0, y, s.index() * targetSize, targetSize);
        }
        return new dev.isthmus.train.Dataset(x, y, all.size(), shape, targetSize);
    }

    private static void checkColumn(Dataset<Row> rows, String column, boolean arrayOnly) {
        StructField field = Arrays.stream(rows.schema().fields()).filter(f -> f.name().equals(column)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no column '" + column + "'; the columns are "
                        + Arrays.toString(rows.columns())));
        DataType t = field.dataType();
        boolean numbers = t instanceof ArrayType a && a.elementType() instanceof NumericType;
        if (!numbers && (arrayOnly || !(t instanceof NumericType))) {
            throw new IllegalArgumentException("column '" + column + "' is " + t.simpleString() + "; it must be "
                    + (arrayOnly ? "array<float>" : "a number or array<float>"));
        }
    }

    /** Field {@code i} of {@code row} as floats: a number, or an array of numbers. */
    static float[] floats(Row row, int i, String column, long index) {
        if (row.isNullAt(i)) {
            throw new IllegalArgumentException("row " + index + ": column '" + column + "' is null");
        }
        Object v = row.get(i);
        if (v instanceof Number number) {
            return new float[] {number.floatValue()};
        }
        Object elements = v instanceof scala.collection.mutable.ArraySeq<?> seq ? seq.array() : null;
        if (elements instanceof float[] floats) {
            return floats.clone();
        }
        List<?> list = elements instanceof Object[] boxed ? Arrays.asList(boxed) // array<float> as a Row holds it
                : v instanceof Seq<?> seq ? CollectionConverters.asJava(seq) : row.getList(i);
        float[] out = new float[list.size()];
        for (int k = 0; k < out.length; k++) {
            Object e = list.get(k);
            if (!(e instanceof Number number)) {
                throw new IllegalArgumentException("row " + index + ": column '" + column + "' has a null at " + k);
            }
            out[k] = number.floatValue();
        }
        return out;
    }

    /** The Spark type of an input column. */
    static final DataType FLOATS = DataTypes.createArrayType(DataTypes.FloatType, false);
}
