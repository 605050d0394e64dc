package dev.isthmus.cli;

import dev.isthmus.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The folder of one training run, the user's and only theirs while the run lasts.
 *
 * <ul>
 *   <li>A default folder, {@code runs/<date-time>}, is created atomically; if another run took
 *       that name (two runs started in the same second) this one takes {@code -2}, {@code -3}, ...</li>
 *   <li>A folder given with {@code --output} that exists and holds anything is refused, unless
 *       {@code --overwrite}: then the files an earlier run wrote there are deleted first, so no
 *       figure of that run can end up beside this run's.</li>
 *   <li>A lock file, {@value #LOCK}, holds the owner's process id while the run lasts; a second
 *       run into the same folder is refused while that process lives, {@code --overwrite} or
 *       not. A lock whose process is gone (a killed run) is taken over.</li>
 *   <li>Temporaries that killed saves left are removed ({@link AtomicFiles#removeStaleTemporaries}).</li>
 *   <li>A run that fails before writing anything removes the folder it created.</li>
 * </ul>
 */
final class RunFolder implements AutoCloseable {

    static final String LOCK = ".lock";
    /** Everything a run writes; {@code --overwrite} deletes these, and only these. */
    static final List<String> RUN_FILES = List.of("best-model.safetensors", "history.csv", "history.json", "loss.png",
            "accuracy.png", "confusion-matrix.txt", "confusion-matrix.png", "report.md");
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Path path;
    private final boolean created;
    private boolean locked;

    private RunFolder(Path path, boolean created) {
        this.path = path;
        this.created = created;
    }

    Path path() {
        return path;
    }

    Path resolve(String file) {
        return path.resolve(file);
    }

    /** A new folder under {@code runs} named for the time now, made unique. */
    static RunFolder createDefault(Path runs, LocalDateTime now) throws IOException {
        String base = now.format(NAME);
        try {
            Files.createDirectories(runs);
        } catch (IOException e) {
            throw new IOException("cannot create the runs folder " + runs.toAbsolutePath() + ": " + e, e);
        }
        for (int n = 1; ; n++) {
            Path p = runs.resolve(n == 1 ? base : base + "-" + n);
            try {
                Files.createDirectory(p); // atomic: of two runs asking for the same name, one gets it
                RunFolder run = new RunFolder(p, true);
                run.lock();
                return run;
            } catch (FileAlreadyExistsException taken) {
                // another run's; try the next suffix
            } catch (IOException e) {
                throw new IOException("cannot create the run folder " + p.toAbsolutePath() + ": " + e, e);
            }
        }
    }

    /** The folder {@code --output} names: new, or empty, or (with {@code overwrite}) an earlier run's. */
    static RunFolder open(Path dir, boolean overwrite) throws IOException {
        boolean existed = Files.exists(dir);
        if (existed && !Files.isDirectory(dir)) {
            throw new IOException("--output " + dir + " is a file, not a folder");
        }
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new IOException("cannot write to the output folder " + dir.toAbsolutePath() + ": " + e, e);
        }
        RunFolder run = new RunFolder(dir, !existed);
        run.lock();
        try {
            AtomicFiles.removeStaleTemporaries(dir);
            List<String> contents = run.contents();
            if (!contents.isEmpty()) {
                if (!overwrite) {
                    throw new IOException("--output " + dir + " is not empty (" + describe(contents) + "); choose a new"
                            + " folder, or pass --overwrite to replace the run in it");
                }
                for (String f : RUN_FILES) {
                    Files.deleteIfExists(dir.resolve(f));
                }
            }
        } catch (IOException | RuntimeException e) {
            run.close();
            throw e;
        }
        return run;
    }

    private void lock() throws IOException {
        Path lock = path.resolve(LOCK);
        String me = ProcessHandle.current().pid() + " " + ProcessHandle.current().info().startInstant().map(Object::toString)
                .orElse("?") + "\n";
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Files.writeString(lock, me, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                locked = true;
                return;
            } catch (FileAlreadyExistsException held) {
                String owner = owner(lock);
                if (owner != null) {
                    throw new IOException(path + " is in use by another training run (process " + owner
                            + "); wait for it, or choose another --output");
                }
                Files.deleteIfExists(lock); // its process is gone: a killed run's lock
            }
        }
        throw new IOException(path + ": cannot take the lock file " + lock + " (another run keeps taking it)");
    }

    /** The live process holding {@code lock}, or null if it is gone. */
    private static String owner(Path lock) {
        try {
            String[] parts = Files.readString(lock, StandardCharsets.UTF_8).trim().split(" ");
            long pid = Long.parseLong(parts[0]);
            var process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
            if (process.isEmpty()) {
                return null;
            }
            String started = process.get().info().startInstant().map(Object::toString).orElse("?");
            // the same pid with another start time is another process that reused the number
            return parts.length < 2 || parts[1].equals("?") || started.equals("?") || parts[1].equals(started)
                    ? Long.toString(pid) : null;
        } catch (NoSuchFileException gone) {
            return null;
        } catch (IOException | RuntimeException unreadable) {
            return null; // half-written by a process killed while taking it
        }
    }

    /** Names in the folder, besides the lock. */
    private List<String> contents() throws IOException {
        try (Stream<Path> s = Files.list(path)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(LOCK)).sorted().toList();
        }
    }

    private static String describe(List<String> names) {
        List<String> shown = new ArrayList<>(names.subList(0, Math.min(4, names.size())));
        if (names.size() > shown.size()) {
            shown.add("and " + (names.size() - shown.size()) + " more");
        }
        return "it holds " + String.join(", ", shown);
    }

    /** Whether the run wrote nothing in the folder (besides the lock). */
    boolean isEmpty() throws IOException {
        return contents().isEmpty();
    }

    /**
     * After a failure: deletes the folder if this run created it and nothing was written into it,
     * so failed runs leave no empty folders behind. Returns whether it did.
     */
    boolean discardIfEmpty() {
        try {
            if (!created || !isEmpty()) {
                return false;
            }
            close();
            Files.delete(path);
            return true;
        } catch (DirectoryNotEmptyException raced) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Releases the lock. */
    @Override
    public void close() {
        if (locked) {
            try {
                Files.deleteIfExists(path.resolve(LOCK));
            } catch (IOException ignored) {
                // a lock left behind is taken over by the next run, its process being gone
            }
            locked = false;
        }
    }

    static Path defaultRuns() {
        return Path.of("runs");
    }
}
