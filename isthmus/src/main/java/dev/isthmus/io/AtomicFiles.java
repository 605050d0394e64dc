package dev.isthmus.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files all-or-nothing, so a crash or an exception during a save never leaves a truncated
 * model where a good one was.
 *
 * <p>The content goes to a temporary file {@code .<name>.tmp-<random>} in the target's directory
 * (the same file system, so the final rename cannot turn into a copy), is forced to disk, and is
 * then moved over the target atomically. Readers see either the old file or the new one. If the
 * file system cannot move atomically the move still replaces the target, without that promise.
 * On any failure the temporary file is deleted and the target is left as it was.
 */
public final class AtomicFiles {

    private static final int MAX_NAME_ATTEMPTS = 16;

    private AtomicFiles() {}

    /**
     * Writes {@code target} with whatever {@code writer} writes to the stream it is given. The
     * stream is buffered; the writer need not flush or close it (closing it only flushes).
     *
     * @throws IOException from the writer or the file system; the target is then unchanged
     */
    public static void write(Path target, IOConsumer<? super OutputStream> writer) throws IOException {
        Objects.requireNonNull(writer, "writer");
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path temp = null;
        try {
            temp = createTemp(dir, absolute.getFileName().toString());
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
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
                channel.force(true);
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
     * Creates an empty {@code .<name>.tmp-<random>} in {@code dir}. Unlike
     * {@link Files#createTempFile} it gets the umask's permissions, which the target then keeps.
     */
    private static Path createTemp(Path dir, String name) throws IOException {
        for (int attempt = 1; ; attempt++) {
            String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
            try {
                return Files.createFile(dir.resolve("." + name + ".tmp-" + suffix));
            } catch (FileAlreadyExistsException e) {
                if (attempt == MAX_NAME_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
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
}
