package dev.isthmus.spark;

import dev.isthmus.nn.Model;
import dev.isthmus.nn.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

/**
 * Applies an Isthmus model file to a DataFrame, as a Spark ML {@link Transformer}: adds the
 * model's outputs ({@code probability}, {@code array<float>}), the class ({@code prediction}) and
 * what went wrong with a row ({@code error}). Each output is the float {@code model.predict} gives
 * on one machine for the same input, bit for bit.
 *
 * <p>Input: a column of image files' bytes (Spark's {@code binaryFile} source, {@code content};
 * decoded as {@code Images.preprocess} decodes a file, for a model whose input is
 * {@code (1, side, side)}) or of float arrays of the model's input size. Rows keep their order and
 * are predicted in batches of {@link #batchSize}. Each executor reads the model once (it is
 * broadcast, and parsed once per JVM), and runs as many of the library's threads per task as
 * Spark gives a task ({@code spark.task.cpus}).
 *
 * <p>A bad row (an image that does not decode, an array of the wrong size, a null) gets null
 * outputs and a message in {@code error} naming it by its {@code path} column, or, with
 * {@code onError = "fail"}, fails the job with that message. No row is dropped.
 *
 * <pre>{@code
 * Dataset<Row> images = spark.read().format("binaryFile").load("xrays/*.png");
 * Dataset<Row> scored = new ModelTransformer().setModelPath("best-model.safetensors").transform(images);
 * }</pre>
 */
public final class ModelTransformer extends Transformer {

    private static final long serialVersionUID = 1L;

    private final String uid;

    private final Param<String> modelPath;
    private final Param<String> inputCol;
    private final Param<String> pathCol;
    private final Param<String> probabilityCol;
    private final Param<String> predictionCol;
    private final Param<String> errorCol;
    private final Param<String> onError;
    private final IntParam batchSize;
    private final DoubleParam threshold;

    public ModelTransformer() {
        this(Identifiable$.MODULE$.randomUID("isthmus"));
    }

    public ModelTransformer(String uid) {
        this.uid = uid;
        modelPath = new Param<>(this, "modelPath", "the Isthmus model file (safetensors)");
        inputCol = new Param<>(this, "inputCol", "image bytes (binaryFile's content) or array<float> of the model's input size");
        pathCol = new Param<>(this, "pathCol", "the column that names a row in error messages");
        probabilityCol = new Param<>(this, "probabilityCol", "the model's outputs, array<float>");
        predictionCol = new Param<>(this, "predictionCol", "the class: argmax, or output >= threshold for one output");
        errorCol = new Param<>(this, "errorCol", "why a row has no prediction, or null");
        onError = new Param<>(this, "onError", "keep: null outputs and an error message; fail: fail the job",
                ParamValidators.inArray(new String[] {"keep", "fail"}));
        batchSize = new IntParam(this, "batchSize", "rows per call to the model", ParamValidators.gtEq(1));
        threshold = new DoubleParam(this, "threshold", "class 1 from this output on, for a model with one output");
        setDefault(inputCol, "content");
        setDefault(pathCol, "path");
        setDefault(probabilityCol, "probability");
        setDefault(predictionCol, "prediction");
        setDefault(errorCol, "error");
        setDefault(onError, "keep");
        setDefault(batchSize, 64);
        setDefault(threshold, 0.5);
    }

    @Override
    public String uid() {
        return uid;
    }

    /** The model file: a local path or any URI Hadoop reads ({@code hdfs://}, {@code s3a://}); read on the driver. */
    public Param<String> modelPath() {
        return modelPath;
    }

    /** The input column: image bytes or {@code array<float>} ({@code content}, binaryFile's). */
    public Param<String> inputCol() {
        return inputCol;
    }

    /** The column that names a row in errors ({@code path}, binaryFile's); rows are numbered when it is missing. */
    public Param<String> pathCol() {
        return pathCol;
    }

    /** The model's outputs, {@code array<float>} ({@code probability}). */
    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    /** The class: the largest output, or for one output whether it reaches {@link #threshold} ({@code prediction}). */
    public Param<String> predictionCol() {
        return predictionCol;
    }

    /** Why a row has no outputs, or null ({@code error}). */
    public Param<String> errorCol() {
        return errorCol;
    }

    /** {@code "keep"} (null outputs and an error message, the default) or {@code "fail"} (fail the job naming the row). */
    public Param<String> onError() {
        return onError;
    }

    /** Rows per call to the model (64). */
    public IntParam batchSize() {
        return batchSize;
    }

    /** For a model with one output: the class is 1 from this output on (0.5; 0 for logits). */
    public DoubleParam threshold() {
        return threshold;
    }

    public ModelTransformer setModelPath(String path) {
        set(modelPath, path);
        return this;
    }

    public ModelTransformer setInputCol(String column) {
        set(inputCol, column);
        return this;
    }

    public ModelTransformer setPathCol(String column) {
        set(pathCol, column);
        return this;
    }

    public ModelTransformer setOnError(String mode) {
        set(onError, mode);
        return this;
    }

    public ModelTransformer setBatchSize(int rows) {
        set(batchSize, rows);
        return this;
    }

    public ModelTransformer setThreshold(double value) {
        set(threshold, value);
        return this;
    }

    public ModelTransformer setProbabilityCol(String column) {
        set(probabilityCol, column);
        return this;
    }

    public ModelTransformer setPredictionCol(String column) {
        set(predictionCol, column);
        return this;
    }

    public ModelTransformer setErrorCol(String column) {
        set(errorCol, column);
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String input = getOrDefault(inputCol);
        StructField field = Arrays.stream(schema.fields()).filter(f -> f.name().equals(input)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no input column '" + input + "'; the columns are "
                        + Arrays.toString(schema.fieldNames()) + " (set inputCol)"));
        DataType t = field.dataType();
        if (!(t instanceof BinaryType) && !(t instanceof ArrayType a && a.elementType() instanceof NumericType)) {
            throw new IllegalArgumentException("input column '" + input + "' is " + t.simpleString()
                    + "; it must be binary (image files' bytes) or array<float>");
        }
        StructType out = schema;
        for (String column : List.of(getOrDefault(probabilityCol), getOrDefault(predictionCol), getOrDefault(errorCol))) {
            if (Arrays.asList(schema.fieldNames()).contains(column)) {
                throw new IllegalArgumentException("output column '" + column + "' already exists");
            }
        }
        out = out.add(getOrDefault(probabilityCol), DataTypes.createArrayType(DataTypes.FloatType, false), true);
        out = out.add(getOrDefault(predictionCol), DataTypes.IntegerType, true);
        return out.add(getOrDefault(errorCol), DataTypes.StringType, true);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        if (!isSet(modelPath)) {
            throw new IllegalArgumentException("set modelPath: the Isthmus model file to apply");
        }
        SparkSession spark = dataset.sparkSession();
        byte[] file = read(spark, getOrDefault(modelPath));
        String key = ExecutorModels.key(file);
        Model model = ExecutorModels.parse(file); // for its input shape; the executors keep their own
        boolean images = dataset.schema().apply(getOrDefault(inputCol)).dataType() instanceof BinaryType;
        Shape shape = model.inputShape();
        if (images && (shape.rank() != 3 || shape.channels() != 1 || shape.height() != shape.width())) {
            throw new IllegalArgumentException("input column '" + getOrDefault(inputCol) + "' holds images, which are"
                    + " decoded grey and square; this model's input is " + shape);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> broadcast = jsc.broadcast(file);
        LongAccumulator loads = spark.sparkContext().longAccumulator("isthmus model loads");
        List<String> columns = Arrays.asList(dataset.schema().fieldNames());
        PredictPartition predict = new PredictPartition(key, broadcast, loads, columns.indexOf(getOrDefault(inputCol)),
                columns.indexOf(getOrDefault(pathCol)), images, getOrDefault(onError).equals("fail"),
                (Integer) getOrDefault(batchSize), (Double) getOrDefault(threshold));
        lastLoads = loads;
        return dataset.toDF().mapPartitions(predict, Encoders.row(out));
    }

    private transient LongAccumulator lastLoads;

    /**
     * How many times executors parsed the model for the last {@link #transform} (once per
     * executor JVM that ran a task), counted once its result has been computed.
     */
    public long modelLoads() {
        return lastLoads == null ? 0 : lastLoads.value();
    }

    private static byte[] read(SparkSession spark, String path) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        try (FileSystem fs = FileSystem.newInstance(p.toUri(), spark.sparkContext().hadoopConfiguration());
             InputStream in = fs.open(p)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model file " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ModelTransformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
