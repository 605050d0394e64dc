package dev.isthmus.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Reads and writes <a href="https://github.com/huggingface/safetensors">safetensors</a> files:
 * an 8-byte little-endian header length {@code N}, {@code N} bytes of UTF-8 JSON naming each
 * tensor's dtype, shape and byte range, then the data.
 *
 * <p>Reading accepts F32, widens or rounds F16, BF16 and F64 to float32, and converts the
 * integer types I64, I32, I16, I8, U8 and BOOL (PyTorch's counters and masks) to float32; it validates the
 * file as strictly as the reference implementation (a bounded header, complete entries, byte
 * ranges that match their shapes and tile the data region exactly, with no gaps, overlaps or
 * trailing bytes), so a damaged file fails with a message naming the file and the tensor rather
 * than loading wrong weights. Writing stores F32, with the header padded to 8 bytes as the
 * reference does, through {@link AtomicFiles} so a failed save leaves the old file.
 */
public final class SafeTensors {

    /** Headers above this size are refused, as by the reference implementation. */
    public static final long MAX_HEADER_BYTES = 100_000_000;

    private static final int CHUNK_BYTES = 1 << 16; // a multiple of every dtype's size

    private SafeTensors() {}

    /**
     * Reads every tensor of {@code file}, converted to float32, in file order.
     *
     * @throws SafeTensorsFormatException if the file is not valid safetensors or holds a dtype
     *                                    Isthmus cannot read (8-bit floats, unsigned 16-64 bit)
     * @throws IOException                if the file cannot be read
     */
    public static TensorFile read(Path file) throws IOException {
        String name = file.toString();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < Long.BYTES) {
                throw new SafeTensorsFormatException(name + ": file is " + size
                        + " bytes, too short for the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0, name);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw new SafeTensorsFormatException(name + ": header length " + Long.toUnsignedString(headerLength)
                        + " is over the limit of " + MAX_HEADER_BYTES + " bytes");
            }
            if (Long.BYTES + headerLength > size) {
                throw new SafeTensorsFormatException(name + ": header length " + headerLength
                        + " runs past the end of the file (" + size + " bytes)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, Long.BYTES, name);
            SafeTensorsHeader.Parsed parsed = SafeTensorsHeader.parse(name, header.array());
            long dataStart = Long.BYTES + headerLength;
            checkLayout(name, parsed.entries(), size - dataStart);

            TensorFile.Builder result = TensorFile.builder();
            parsed.metadata().forEach(result::metadata);
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (SafeTensorsHeader.Entry e : parsed.entries()) {
                result.add(e.name(), e.shape(), readData(channel, chunk, dataStart, e, name));
            }
            return result.build();
        }
    }

    /**
     * Checks that the entries' byte ranges lie in the data region and tile it exactly: sorted by
     * offset, each begins where the one before ends, and the last ends at the end of the file.
     */
    private static void checkLayout(String file, List<SafeTensorsHeader.Entry> entries, long dataLength)
            throws SafeTensorsFormatException {
        List<SafeTensorsHeader.Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(SafeTensorsHeader.Entry::begin)
                .thenComparingLong(SafeTensorsHeader.Entry::end));
        SafeTensorsHeader.Entry last = byOffset.stream().max(Comparator.comparingLong(SafeTensorsHeader.Entry::end)).orElse(null);
        if (last != null && last.end() > dataLength) {
            throw new SafeTensorsFormatException(file + ": tensor '" + last.name() + "' data_offsets [" + last.begin()
                    + ", " + last.end() + "] run past the data region, which is " + dataLength
                    + " bytes (is the file truncated?)");
        }
        long expected = 0;
        String previous = null;
        for (SafeTensorsHeader.Entry e : byOffset) {
            if (e.begin() < expected) {
                throw new SafeTensorsFormatException(file + ": tensor '" + e.name() + "' data_offsets [" + e.begin()
                        + ", " + e.end() + "] overlap tensor '" + previous + "', which ends at " + expected);
            }
            if (e.begin() > expected) {
                throw new SafeTensorsFormatException(file + ": data bytes [" + expected + ", " + e.begin()
                        + ") belong to no tensor (a gap before tensor '" + e.name() + "')");
            }
            expected = e.end();
            previous = e.name();
        }
        if (expected != dataLength) {
            throw new SafeTensorsFormatException(file + ": data region is " + dataLength + " bytes but the tensors cover "
                    + expected + "; the last " + (dataLength - expected) + " bytes belong to no tensor");
        }
    }

    private static float[] readData(FileChannel channel, ByteBuffer chunk, long dataStart,
                                    SafeTensorsHeader.Entry e, String file) throws IOException {
        float[] values = new float[e.count()];
        int perChunk = CHUNK_BYTES / e.dtype().size;
        long position = dataStart + e.begin();
        for (int i = 0; i < values.length; i += perChunk) {
            int n = Math.min(perChunk, values.length - i);
            chunk.clear().limit(n * e.dtype().size);
            readFully(channel, chunk, position, file);
            position += chunk.limit();
            e.dtype().decode(chunk.flip(), values, i, n);
        }
        return values;
    }

    private static void readFully(FileChannel channel, ByteBuffer dst, long position, String file) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst, position);
            if (n < 0) {
                throw new EOFException(file + ": file ended at byte " + position + " while reading (did it shrink?)");
            }
            position += n;
        }
    }

    /**
     * Writes {@code tensors} to {@code file} as F32, atomically: on failure the previous file, if
     * any, is left as it was.
     */
    public static void write(Path file, TensorFile tensors) throws IOException {
        Objects.requireNonNull(tensors, "tensors");
        AtomicFiles.write(file, out -> write(out, tensors));
    }

    /** Writes {@code tensors} as F32 to {@code out}, which is neither flushed nor closed. */
    public static void write(OutputStream out, TensorFile tensors) throws IOException {
        byte[] header = SafeTensorsHeader.encode(tensors);
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(header.length);
        out.write(buffer.array(), 0, Long.BYTES);
        out.write(header);
        FloatBuffer floats = buffer.clear().asFloatBuffer();
        for (StoredTensor t : tensors.tensors().values()) {
            float[] data = t.data();
            for (int i = 0; i < data.length; i += floats.capacity()) {
                int n = Math.min(floats.capacity(), data.length - i);
                floats.clear();
                floats.put(data, i, n);
                out.write(buffer.array(), 0, n * Float.BYTES);
            }
        }
    }
}
