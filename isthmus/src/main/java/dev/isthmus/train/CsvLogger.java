package dev.isthmus.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the history as CSV after every epoch ({@code epoch,loss,accuracy,...}), as Keras's
 * {@code CSVLogger}. Each write replaces the whole file through a temporary one, so the file is
 * always complete.
 */
public final class CsvLogger implements Callback {

    private final Path file;
    private final List<String> lines = new ArrayList<>();
    private List<String> columns;

    public CsvLogger(Path file) {
        this.file = file;
    }

    @Override
    public void onTrainBegin(FitContext context) {
        lines.clear();
        columns = null;
    }

    @Override
    public void onEpochEnd(FitContext context, int epoch, Map<String, Double> logs) {
        if (columns == null) {
            columns = List.copyOf(logs.keySet());
            lines.add("epoch," + String.join(",", columns));
        }
        StringBuilder b = new StringBuilder().append(epoch + 1);
        for (String c : columns) {
            Double v = logs.get(c);
            b.append(',').append(v == null ? "" : String.format(Locale.ROOT, "%.6f", v));
        }
        lines.add(b.toString());
        try {
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the training history to " + file, e);
        }
    }
}
