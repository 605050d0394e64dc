package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataOptionsTest {

    @TempDir
    Path dir;

    /** Killed generators left full-size hidden temporaries in the image cache for good. */
    @Test
    void generatingTheSyntheticSetFirstRemovesWhatKilledGeneratorsLeft() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path cache = Files.createDirectories(dir.resolve("cache/normal"));
        Path stale = Files.writeString(cache.resolve(".normal_000.png.tmp-" + gone.pid() + "-0123456789abcdef"), "x");
        Path staleTop = Files.writeString(dir.resolve("cache/.complete.tmp-" + gone.pid() + "-0123456789abcdef"), "x");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOptions.generate(dir.resolve("cache"), 2, 1, new Screen(new PrintStream(out, true, StandardCharsets.UTF_8), false));
        assertFalse(Files.exists(stale));
        assertFalse(Files.exists(staleTop));
        assertTrue(Files.exists(cache.resolve("normal_001.png")));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("generated 4 synthetic chest X-rays"));
    }
}
