package dev.isthmus.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.split;

import dev.isthmus.data.ImageFolder;
import dev.isthmus.data.Images;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Image files as training rows, decoded on the executors as {@link ImageFolder} decodes them on
 * one machine (grey, area-resized, standardised per image).
 */
public final class ImageRows {

    private ImageRows() {}

    /**
     * The lesson's folder layout, {@code dir/<class>/*.png|jpg|jpeg}, read with Spark's
     * {@code binaryFile} source, as {@code (path, label, features)} rows in {@link ImageFolder}'s
     * order (class folders by name, then files by name) and with its labels (binary with
     * {@code options.positiveClass()}, else the class's index): training on them gives
     * {@code Trainer.fit}'s weights on {@code ImageFolder.load(dir, options)}. Spark skips names
     * starting with {@code _} as well as hidden ones.
     *
     * @throws IllegalArgumentException naming the folder if the classes do not fit the options
     */
    public static Dataset<Row> imageFolder(SparkSession spark, String dir, ImageFolder.Options options) {
        Objects.requireNonNull(options, "options");
        Dataset<Row> files = spark.read().format("binaryFile").load(dir + "/*/*")
                .withColumn("class", element_at(split(col("path"), "/"), -2))
                .withColumn("file", element_at(split(col("path"), "/"), -1))
                .filter(lower(col("file")).rlike("^[^.].*\\.(png|jpg|jpeg)$").and(col("class").startsWith(".").unary_$bang()));
        List<String> classes = files.select("class").distinct().sort("class").as(Encoders.STRING()).collectAsList();
        List<String> byLabel = labels(dir, classes, options.positiveClass());
        Column label = functions.lit(null).cast(DataTypes.FloatType);
        for (int i = byLabel.size() - 1; i >= 0; i--) {
            label = functions.when(col("class").equalTo(byLabel.get(i)), (float) i).otherwise(label);
        }
        Dataset<Row> sorted = files.withColumn("label", label).sort("class", "file").select("path", "label", "content");
        return decode(sorted, "content", "path", options.side()).select("path", "label", "features");
    }

    private static List<String> labels(String dir, List<String> classes, String positive) {
        if (classes.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no images in class folders (expected " + dir
                    + "/<class>/*.png|jpg|jpeg)");
        }
        if (positive == null) {
            return classes;
        }
        if (!classes.contains(positive)) {
            throw new IllegalArgumentException(dir + ": positive class folder '" + positive + "' not found; class folders"
                    + " with images are " + classes);
        }
        if (classes.size() != 2) {
            throw new IllegalArgumentException(dir + ": binary labels need exactly 2 class folders, found "
                    + classes.size() + ": " + classes);
        }
        return List.of(classes.get(0).equals(positive) ? classes.get(1) : classes.get(0), positive);
    }

    /**
     * Adds a {@code features} column ({@code array<float>}, {@code side * side} values) decoded
     * from the image bytes in {@code content}. An image that does not decode fails the job, named
     * by its {@code path}.
     */
    public static Dataset<Row> decode(Dataset<Row> rows, String content, String path, int side) {
        StructType schema = rows.schema().add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        int contentIndex = rows.schema().fieldIndex(content), pathIndex = rows.schema().fieldIndex(path);
        return rows.mapPartitions((MapPartitionsFunction<Row, Row>) it -> decoded(it, contentIndex, pathIndex, side),
                Encoders.row(schema));
    }

    private static Iterator<Row> decoded(Iterator<Row> rows, int content, int path, int side) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Row next() {
                Row row = rows.next();
                String name = String.valueOf(row.get(path));
                if (row.isNullAt(content)) {
                    throw new IllegalArgumentException(name + ": no image bytes");
                }
                float[] x;
                try {
                    x = Images.preprocess((byte[]) row.get(content), name, side);
                } catch (IOException e) {
                    throw new UncheckedIOException(e.getMessage(), e);
                }
                List<Object> values = new ArrayList<>(row.length() + 1);
                for (int c = 0; c < row.length(); c++) {
                    values.add(row.get(c));
                }
                values.add(x);
                return RowFactory.create(values.toArray());
            }
        };
    }
}
