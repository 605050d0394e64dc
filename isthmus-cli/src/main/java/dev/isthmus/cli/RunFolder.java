package dev.isthmus.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The output folder of a run: made, and proven writable, before any training starts. */
final class RunFolder {

    private RunFolder() {}

    static void prepare(Path run) throws IOException {
        try {
            Files.createDirectories(run);
            Path probe = Files.createTempFile(run, ".write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new IOException("cannot write to the output folder " + run.toAbsolutePath() + ": " + e, e);
        }
    }
}
