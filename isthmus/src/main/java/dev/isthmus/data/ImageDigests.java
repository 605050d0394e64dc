package dev.isthmus.data;

import dev.isthmus.kernels.Parallel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * What a set of image files holds, by content: each file's SHA-256, and a fingerprint of the whole
 * set. Two folders with the same fingerprint hold the same files under the same relative paths
 * (so the same classes, the same sample order, and the same split for a seed), wherever they lie;
 * one changed, added, removed or renamed image changes it. The per-file digests let a model file
 * remember which images it was trained on, so a "test" on any of them can be caught.
 *
 * <p>Files are hashed on the library's threads, each into its own slot.
 */
public final class ImageDigests {

    private static final int BUFFER = 1 << 16;

    private final List<String> relativePaths;
    private final byte[][] sha256;

    private ImageDigests(List<String> relativePaths, byte[][] sha256) {
        this.relativePaths = relativePaths;
        this.sha256 = sha256;
    }

    /**
     * Hashes {@code files}, which lie under {@code root} (their paths relative to it enter the
     * fingerprint, with {@code /} as separator on every platform).
     *
     * @throws IOException              naming the file that cannot be read
     * @throws IllegalArgumentException if a file is not under {@code root}
     */
    public static ImageDigests of(Path root, List<Path> files) throws IOException {
        Objects.requireNonNull(root, "root");
        Path base = root.toAbsolutePath().normalize();
        List<String> relative = new ArrayList<>(files.size());
        for (Path f : files) {
            Path abs = f.toAbsolutePath().normalize();
            if (!abs.startsWith(base)) {
                throw new IllegalArgumentException(f + " is not under " + root);
            }
            relative.add(base.relativize(abs).toString().replace(f.getFileSystem().getSeparator(), "/"));
        }
        byte[][] digests = new byte[files.size()][];
        try {
            Parallel.forEach(files.size(), i -> {
                try {
                    digests[i] = sha256(files.get(i));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new ImageDigests(List.copyOf(relative), digests);
    }

    public int count() {
        return sha256.length;
    }

    /** The first 8 bytes of file {@code i}'s SHA-256: enough to tell images apart, small to store. */
    public long shortDigest(int i) {
        return ByteBuffer.wrap(sha256[i]).getLong();
    }

    /** The short digests of the files at {@code indices}. */
    public long[] shortDigests(int[] indices) {
        long[] out = new long[indices.length];
        for (int k = 0; k < indices.length; k++) {
            out[k] = shortDigest(indices[k]);
        }
        return out;
    }

    /**
     * {@code sha256:<hex>} over the files sorted by relative path, each contributing its path, a
     * NUL, its own SHA-256 in hex and a newline.
     */
    public String fingerprint() {
        Integer[] order = new Integer[relativePaths.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparing(relativePaths::get));
        MessageDigest all = newSha256();
        HexFormat hex = HexFormat.of();
        for (int i : order) {
            all.update((relativePaths.get(i) + "\0" + hex.formatHex(sha256[i]) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return "sha256:" + hex.formatHex(all.digest());
    }

    private static byte[] sha256(Path file) throws IOException {
        MessageDigest digest = newSha256();
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new IOException(file + ": cannot read it to compute its digest: " + e.getMessage(), e);
        }
        return digest.digest();
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
