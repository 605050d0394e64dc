package dev.isthmus.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes files all-or-nothing, so a crash or an exception during a save never leaves a truncated
 * model where a good one was.
 *
 * <p>The content goes to a temporary file {@code .<name>.tmp-<pid>-<random>} in the target's
 * directory (the same file system, so the final rename cannot turn into a copy), is forced to
 * disk, and is then moved over the target atomically. Readers see either the old file or the new
 * one. If the file system cannot move atomically the move still replaces the target, without that
 * promise. On any failure the temporary file is deleted and the target is left as it was. Only a
 * killed process leaves its temporary behind; the process id in the name lets
 * {@link #removeStaleTemporaries} tell such leftovers from writes still under way.
 *
 * <p>A failure of the file system itself (a full disk, a directory where the file should be)
 * is reported with the target's path, which the operating system's message lacks; what the
 * writer itself throws passes through unchanged.
 */
public final class AtomicFiles {

    private static final int MAX_NAME_ATTEMPTS = 16;
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.tmp-(\\d+)-[0-9a-f]{16}");

    private AtomicFiles() {}

    /**
     * Writes {@code target} with whatever {@code writer} writes to the stream it is given. The
     * stream is buffered; the writer need not flush or close it (closing it only flushes).
     *
     * @throws IOException from the writer, or from the file system naming {@code target}; the
     *                     target is then unchanged
     */
    public static void write(Path target, IOConsumer<? super OutputStream> writer) throws IOException {
        Objects.requireNonNull(writer, "writer");
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (Files.isDirectory(absolute)) {
            throw new IOException("cannot write " + absolute + ": it is a directory");
        }
        Path temp = null;
        try {
            temp = createTemp(absolute);
            try (FileChannel channel = open(absolute, temp)) {
                OutputStream file = new NamingStream(absolute, Channels.newOutputStream(channel));
                OutputStream out = new BufferedOutputStream(file, 1 << 16);
                writer.accept(new FilterOutputStream(out) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush(); // the channel must stay open for force()
                    }
                });
                out.flush();
                try {
                    channel.force(true);
                } catch (IOException e) {
                    throw failure(absolute, e);
                }
            }
            move(temp, absolute);
            temp = null;
            syncDirectory(dir);
        } catch (Throwable e) {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException deleteFailure) {
                    e.addSuppressed(deleteFailure);
                }
            }
            throw e;
        }
    }

    /** Writes {@code bytes} to {@code target} as {@link #write(Path, IOConsumer)} does. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /**
     * Deletes the temporaries that killed writers left in {@code dir}: files named as this class
     * names them whose process is no longer running. Temporaries of live processes, this one
     * included, are left alone, so a write under way elsewhere is never broken. A missing
     * {@code dir} holds nothing to delete.
     *
     * @return the files deleted
     * @throws IOException if {@code dir} cannot be listed or a stale file cannot be deleted
     */
    public static List<Path> removeStaleTemporaries(Path dir) throws IOException {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, ".*.tmp-*")) {
            for (Path p : entries) {
                Matcher m = TEMPORARY.matcher(p.getFileName().toString());
                if (m.matches() && !running(m.group(1)) && Files.isRegularFile(p)) {
                    try {
                        Files.delete(p);
                        removed.add(p);
                    } catch (NoSuchFileException raced) {
                        // another process cleaned it first
                    }
                }
            }
        }
        return removed;
    }

    private static boolean running(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return true; // not a process id we wrote: leave the file
        }
    }

    /**
     * Creates an empty {@code .<name>.tmp-<pid>-<random>} beside {@code target}. Unlike
     * {@link Files#createTempFile} it gets the umask's permissions, which the target then keeps.
     */
    private static Path createTemp(Path target) throws IOException {
        String prefix = "." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-";
        for (int attempt = 1; ; attempt++) {
            String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
            try {
                return Files.createFile(target.resolveSibling(prefix + suffix));
            } catch (FileAlreadyExistsException e) {
                if (attempt == MAX_NAME_ATTEMPTS) {
                    throw e;
                }
            } catch (IOException e) {
                throw failure(target, e);
            }
        }
    }

    private static FileChannel open(Path target, Path temp) throws IOException {
        try {
            return FileChannel.open(temp, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw failure(target, e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw failure(to, e);
        }
    }

    /** The file system's failure, told about the target ("cannot write x: No space left on device"). */
    private static IOException failure(Path target, IOException e) {
        String reason = e instanceof FileSystemException fs ? (fs.getReason() != null ? fs.getReason()
                : e.getClass().getSimpleName()) : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return new IOException("cannot write " + target + ": " + reason, e);
    }

    /**
     * Forces the directory entry of the rename to disk where the platform allows it (Linux does;
     * Windows cannot open a directory as a channel). Best effort: the file itself is already safe.
     */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Not supported here; the rename is still atomic, only its durability is the OS's.
        }
    }

    /** The channel's stream, its failures reported with the target's path. */
    private static final class NamingStream extends FilterOutputStream {

        private final Path target;

        NamingStream(Path target, OutputStream out) {
            super(out);
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw failure(target, e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw failure(target, e);
            }
        }
    }
}
