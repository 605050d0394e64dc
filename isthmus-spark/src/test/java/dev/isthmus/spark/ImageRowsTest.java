package dev.isthmus.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isthmus.data.ImageFolder;
import dev.isthmus.data.LabeledImageSet;
import dev.isthmus.nn.Shape;
import dev.isthmus.train.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** An image folder read by Spark gives ImageFolder's samples, labels and order. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ImageRowsTest {

    @TempDir
    Path dir;

    @Test
    void anImageFolderGivesImageFoldersSamplesInItsOrder() throws IOException {
        ModelTransformerTest.images(dir.resolve("normal"), 7, 1);
        ModelTransformerTest.images(dir.resolve("effusion"), 5, 2);
        Files.writeString(dir.resolve("normal/notes.txt"), "not an image");
        ImageFolder.Options options = ImageFolder.Options.defaults().withSide(12);
        LabeledImageSet want = ImageFolder.load(dir, options);
        org.apache.spark.sql.Dataset<Row> rows = ImageRows.imageFolder(LocalSpark.get(), dir.toString(), options);
        Dataset got = TrainingRows.collect(rows, "features", "label", Shape.of(1, 12, 12), 1);
        assertEquals(12, got.count());
        assertArrayEquals(want.dataset().y(), got.y());
        assertArrayEquals(want.dataset().x(), got.x());
        assertEquals(want.paths().stream().map(p -> p.getFileName().toString()).toList(),
                rows.select("path").as(org.apache.spark.sql.Encoders.STRING()).collectAsList().stream()
                        .map(p -> p.substring(p.lastIndexOf('/') + 1)).toList());

        assertEquals(dir + ": positive class folder 'pneumonia' not found; class folders with images are [effusion,"
                + " normal]", assertThrows(IllegalArgumentException.class, () -> ImageRows.imageFolder(LocalSpark.get(),
                dir.toString(), options.withPositiveClass("pneumonia"))).getMessage());
    }
}
