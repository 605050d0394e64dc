package dev.isthmus.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST: a big-endian magic number {@code 0x000008nn}
 * ({@code 08}: unsigned bytes, {@code nn}: the number of dimensions), the dimensions as
 * big-endian 32-bit sizes, then the bytes.
 *
 * <p>Files may be gzipped, as the data sets ship; that is detected from the gzip magic bytes, not
 * the file name. A file must hold exactly the bytes its header declares, so a truncated download
 * fails here, naming the file, rather than as odd accuracy later.
 */
public final class Idx {

    /** Unsigned-byte images, {@code [n, rows, cols]}. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Unsigned-byte labels, {@code [n]}. */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private Idx() {}

    /**
     * @throws IdxFormatException if {@code file} is not an unsigned-byte IDX file of rank 3, or is
     *                            truncated or too long
     */
    public static IdxImages readImages(Path file) throws IOException {
        Contents c = read(file, IMAGES_MAGIC);
        return new IdxImages(c.dims[0], c.dims[1], c.dims[2], c.data);
    }

    /**
     * @throws IdxFormatException if {@code file} is not an unsigned-byte IDX file of rank 1, or is
     *                            truncated or too long
     */
    public static IdxLabels readLabels(Path file) throws IOException {
        Contents c = read(file, LABELS_MAGIC);
        return new IdxLabels(c.dims[0], c.data);
    }

    private record Contents(int[] dims, byte[] data) {}

    private static Contents read(Path file, int magic) throws IOException {
        int rank = magic & 0xff;
        int headerBytes = 4 + 4 * rank;
        try (InputStream in = open(file)) {
            boolean gzipped = in instanceof GZIPInputStream;
            byte[] header = new byte[headerBytes];
            int got = readUpTo(in, header);
            if (got < 4) {
                throw truncated(file, gzipped, "the 4-byte magic number", 4, got);
            }
            int actualMagic = bigEndianInt(header, 0);
            if (actualMagic != magic) {
                throw new IdxFormatException(file + ": magic number " + hex(actualMagic) + " is not " + hex(magic)
                        + " (" + describe(magic) + ")" + (isIdx(actualMagic) ? "; the file holds " + describe(actualMagic) : ""));
            }
            if (got < headerBytes) {
                throw truncated(file, gzipped, "the header", headerBytes, got);
            }
            int[] dims = new int[rank];
            long size = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = bigEndianInt(header, 4 + 4 * i);
                if (dims[i] < 0) {
                    throw new IdxFormatException(file + ": dimension " + i + " is " + Integer.toUnsignedString(dims[i])
                            + ", over " + Integer.MAX_VALUE);
                }
                size *= dims[i]; // at most 3 factors below 2^31: no overflow
            }
            if (size > MAX_ARRAY) {
                throw new IdxFormatException(file + ": dimensions " + Arrays.toString(dims) + " hold " + size
                        + " bytes, more than a Java array can");
            }
            byte[] data = new byte[(int) size];
            got = readUpTo(in, data);
            if (got < data.length) {
                throw truncated(file, gzipped, "header and data for " + Arrays.toString(dims),
                        headerBytes + size, headerBytes + (long) got);
            }
            if (readEnds(in)) {
                return new Contents(dims, data);
            }
            throw new IdxFormatException(file + ": has bytes after the " + (headerBytes + size) + (gzipped ? " (gunzipped)" : "")
                    + " that its header declares for " + Arrays.toString(dims));
        } catch (ZipException e) {
            throw new IdxFormatException(file + ": corrupt gzip data: " + e.getMessage(), e);
        } catch (EOFException e) {
            // All data was read, so only the gzip trailer (checksum and length) is cut.
            throw new IdxFormatException(file + ": truncated: the gzip stream ends before its trailer", e);
        }
    }

    /** The file's bytes, gunzipped if they start with the gzip magic {@code 1f 8b}. */
    private static InputStream open(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            in.mark(2);
            int b0 = in.read(), b1 = in.read();
            in.reset();
            return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /**
     * Reads until {@code buffer} is full or the stream ends, and returns the bytes read. A gzip
     * stream cut short ends with an {@link EOFException}; that counts as the end here, so the
     * caller reports the truncation with the byte counts.
     */
    private static int readUpTo(InputStream in, byte[] buffer) throws IOException {
        int total = 0;
        try {
            while (total < buffer.length) {
                int n = in.read(buffer, total, buffer.length - total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
        } catch (EOFException e) {
            // fall through with what was read
        }
        return total;
    }

    private static boolean readEnds(InputStream in) throws IOException {
        return in.read() < 0;
    }

    private static IdxFormatException truncated(Path file, boolean gzipped, String what, long expected, long actual) {
        return new IdxFormatException(file + ": truncated: " + what + " need " + expected + " bytes"
                + (gzipped ? " after gunzip" : "") + ", the file has " + actual);
    }

    private static int bigEndianInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static boolean isIdx(int magic) {
        return (magic & 0xffffff00) == 0x00000800 && (magic & 0xff) > 0;
    }

    private static String describe(int magic) {
        return switch (magic) {
            case IMAGES_MAGIC -> "unsigned-byte images [n, rows, cols]";
            case LABELS_MAGIC -> "unsigned-byte labels [n]";
            default -> "unsigned bytes of rank " + (magic & 0xff);
        };
    }

    private static String hex(int value) {
        return String.format("0x%08X", value);
    }
}
