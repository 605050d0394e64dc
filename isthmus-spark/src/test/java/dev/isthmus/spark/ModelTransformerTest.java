package dev.isthmus.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.data.Images;
import dev.isthmus.io.ModelFiles;
import dev.isthmus.kernels.Parallel;
import dev.isthmus.nn.Model;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Batch prediction over a DataFrame: model.predict's floats for every good row, an error for every bad one. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ModelTransformerTest {

    private static SparkSession spark;
    private static int threadsBefore;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        threadsBefore = Parallel.threads();
        spark = LocalSpark.get();
    }

    @AfterAll
    static void restoreThreads() {
        Parallel.setThreads(threadsBefore);
    }

    /** {@code count} grey PNGs of assorted sizes (decoded to 12x12 by area averaging). */
    static List<Path> images(Path folder, int count, long seed) throws IOException {
        Files.createDirectories(folder);
        SplittableRandom r = new SplittableRandom(seed);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int side = 12 + 6 * r.nextInt(3);
            BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    image.getRaster().setSample(x, y, 0, r.nextInt(256));
                }
            }
            Path file = folder.resolve(String.format("img-%03d.png", i));
            ImageIO.write(image, "png", file.toFile());
            files.add(file);
        }
        return files;
    }

    private Path modelFile(long seed) throws IOException {
        Path file = dir.resolve("model-" + seed + ".safetensors");
        ModelFiles.save(TestData.smallCnn(seed), file);
        return file;
    }

    @Test
    void imagesGetModelPredictsFloatsAndBadOnesAnError() throws IOException {
        List<Path> files = images(dir.resolve("images"), 23, 1);
        Path broken = dir.resolve("images/img-100.png");
        Files.write(broken, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        Path modelPath = modelFile(11);
        Model model = ModelFiles.load(modelPath);

        ModelTransformer transformer = new ModelTransformer().setModelPath(modelPath.toString()).setBatchSize(5);
        List<Row> rows = transformer.transform(spark.read().format("binaryFile").load(dir.resolve("images").toString())
                .repartition(4)).select("path", "probability", "prediction", "error").collectAsList();
        assertEquals(24, rows.size(), "no row is dropped");
        assertEquals(1, transformer.modelLoads(), "one JVM here (local mode): the model is parsed once for 4 partitions");

        float[] all = new float[files.size() * 144];
        for (int i = 0; i < files.size(); i++) {
            System.arraycopy(Images.preprocess(files.get(i), 12), 0, all, i * 144, 144);
        }
        float[] batch = model.predict(all, files.size());
        int good = 0;
        for (Row row : rows) {
            String path = row.getString(0);
            if (path.endsWith("img-100.png")) {
                assertNull(row.get(1));
                assertNull(row.get(2));
                assertTrue(row.getString(3).startsWith(path + ": "), row.getString(3));
                continue;
            }
            int i = Integer.parseInt(path.substring(path.length() - 7, path.length() - 4));
            float[] one = model.predict(Images.preprocess(files.get(i), 12), 1);
            float p = ((Number) row.getList(1).get(0)).floatValue();
            assertEquals(Float.floatToRawIntBits(one[0]), Float.floatToRawIntBits(p), path + " alone");
            assertEquals(Float.floatToRawIntBits(batch[i]), Float.floatToRawIntBits(p), path + " in one batch");
            assertEquals(p >= 0.5 ? 1 : 0, row.getInt(2));
            assertNull(row.get(3));
            good++;
        }
        assertEquals(23, good);
        assertEquals(1, Parallel.threads(), "a task runs as many threads as it has cores (spark.task.cpus = 1)");

        Exception fail = assertThrows(Exception.class, () -> transformer.copy(new org.apache.spark.ml.param.ParamMap())
                .setOnError("fail").transform(spark.read().format("binaryFile").load(dir.resolve("images").toString()))
                .collectAsList());
        assertTrue(fail.getMessage().contains(broken.getFileName() + ": "), fail.getMessage());
    }

    @Test
    void floatArraysToo() {
        org.apache.spark.sql.Dataset<Row> frame = TestData.frame(spark, TestData.squares(30, 3))
                .selectExpr("features", "label", "cast(monotonically_increasing_id() as string) as id");
        org.apache.spark.sql.Dataset<Row> bad = frame.limit(1).selectExpr("slice(features, 1, 10) as features", "label",
                "'short' as id");
        Path modelPath;
        try {
            modelPath = modelFile(12);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<Row> rows = new ModelTransformer().setModelPath(modelPath.toString()).setInputCol("features").setPathCol("id")
                .transform(frame.union(bad)).collectAsList();
        assertEquals(31, rows.size());
        Model model = TestData.smallCnn(12);
        dev.isthmus.train.Dataset data = TestData.squares(30, 3);
        float[] want = model.predict(data.x(), 30);
        for (int i = 0; i < 30; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(((Number) rows.get(i).getList(3).get(0))
                    .floatValue()), "row " + i);
        }
        assertEquals("short: the input holds 10 values, the model's input (1, 12, 12) takes 144", rows.get(30).getString(5));
    }

    @Test
    void badSettingsAreNamed() {
        org.apache.spark.sql.Dataset<Row> frame = TestData.frame(spark, TestData.squares(2, 3));
        assertEquals("no input column 'content'; the columns are [features, label] (set inputCol)",
                assertThrows(IllegalArgumentException.class, () -> new ModelTransformer().transformSchema(frame.schema()))
                        .getMessage());
        assertEquals("input column 'label' is float; it must be binary (image files' bytes) or array<float>",
                assertThrows(IllegalArgumentException.class,
                        () -> new ModelTransformer().setInputCol("label").transformSchema(frame.schema())).getMessage());
        assertEquals("set modelPath: the Isthmus model file to apply", assertThrows(IllegalArgumentException.class,
                () -> new ModelTransformer().setInputCol("features").transform(frame)).getMessage());
        assertTrue(assertThrows(RuntimeException.class, () -> new ModelTransformer().setOnError("skip")).getMessage()
                .contains("onError"));
    }
}
