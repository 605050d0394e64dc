package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.data.SyntheticChestXrays;
import dev.isthmus.io.ModelFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Killing a training run (SIGKILL, no shutdown hooks) leaves the best model so far whole and
 * loadable: checkpoints go to a temporary file and are renamed into place.
 */
class InterruptedTrainingTest {

    @Test
    void aKilledRunLeavesALoadableBestModel(@TempDir Path dir) throws Exception {
        Path images = dir.resolve("xrays");
        SyntheticChestXrays.generate(images, 12, 3);
        Path run = dir.resolve("run");
        Path best = run.resolve("best-model.safetensors");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), IsthmusCli.class.getName(),
                "train", "--data", images.toString(), "--image-size", "64", "--epochs", "200", "--batch-size", "4",
                "--output", run.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(best) && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(20);
            }
            assertTrue(Files.exists(best), "no checkpoint within 60 s: " + Files.readString(dir.resolve("log.txt")));
            Thread.sleep(300); // let it train on, and maybe start another checkpoint write
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(!p.isAlive());
        ModelFiles.load(best); // whole and loadable
        try (var files = Files.list(run)) {
            for (Path f : files.toList()) {
                assertTrue(!f.getFileName().toString().endsWith(".safetensors") || f.equals(best)
                        || f.getFileName().toString().startsWith("."), "unexpected file " + f);
            }
        }
    }
}
