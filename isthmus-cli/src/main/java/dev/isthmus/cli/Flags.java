package dev.isthmus.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks of flag values before a command does any work, failing with the flag's name and value
 * as the user typed them ({@code --batch-size must be at least 1, got 0}), not a Java name.
 */
final class Flags {

    private final CommandLine line;

    Flags(CommandSpec spec) {
        this.line = spec.commandLine();
    }

    ParameterException error(String message) {
        return new ParameterException(line, message);
    }

    void atLeast(String flag, long value, long min) {
        if (value < min) {
            throw error(flag + " must be at least " + min + ", got " + value);
        }
    }

    void between(String flag, long value, long min, long max) {
        if (value < min || value > max) {
            throw error(String.format(Locale.ROOT, "%s must be from %,d to %,d, got %,d", flag, min, max, value));
        }
    }

    /** {@code min <= value < max} (or {@code <= max} when {@code maxIncluded}). */
    void range(String flag, double value, double min, double max, boolean maxIncluded) {
        if (!(value >= min && (maxIncluded ? value <= max : value < max))) {
            throw error(String.format(Locale.ROOT, "%s must be from %s to %s (%s), got %s", flag, plain(min), plain(max),
                    maxIncluded ? "inclusive" : "exclusive", plain(value)));
        }
    }

    void positive(String flag, double value) {
        if (!(value > 0 && Double.isFinite(value))) {
            throw error(flag + " must be a positive number, got " + plain(value));
        }
    }

    void notBlank(String flag, String value) {
        if (value == null || value.isBlank()) {
            throw error(flag + " must not be empty");
        }
    }

    /** An existing regular file (a model, an image). */
    void file(String flag, Path value) {
        if (Files.isDirectory(value)) {
            throw error(flag + " " + value + " is a directory, not a file");
        }
        if (!Files.isRegularFile(value)) {
            throw error(flag + " " + value + ": no such file");
        }
    }

    /** An existing folder. */
    void folder(String flag, Path value) {
        if (!Files.exists(value)) {
            throw error(flag + " " + value + ": no such folder");
        }
        if (!Files.isDirectory(value)) {
            throw error(flag + " " + value + " is a file, not a folder");
        }
    }

    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
