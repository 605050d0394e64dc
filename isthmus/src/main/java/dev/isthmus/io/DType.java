package dev.isthmus.io;

import java.nio.ByteBuffer;

/**
 * The safetensors dtypes Isthmus reads, each widened or narrowed to float32 on the way in. Data
 * is little-endian, as the format specifies.
 */
enum DType {
    F16(2) {
        @Override
        void decode(ByteBuffer src, float[] dst, int offset, int count) {
            for (int i = offset; i < offset + count; i++) {
                dst[i] = Float.float16ToFloat(src.getShort());
            }
        }
    },
    /** bfloat16: the upper half of a float32, so widening is a shift. */
    BF16(2) {
        @Override
        void decode(ByteBuffer src, float[] dst, int offset, int count) {
            for (int i = offset; i < offset + count; i++) {
                dst[i] = Float.intBitsToFloat((src.getShort() & 0xffff) << 16);
            }
        }
    },
    F32(4) {
        @Override
        void decode(ByteBuffer src, float[] dst, int offset, int count) {
            src.asFloatBuffer().get(dst, offset, count);
            src.position(src.position() + count * 4);
        }
    },
    /** Rounded to the nearest float32, as PyTorch's {@code tensor.float()} does. */
    F64(8) {
        @Override
        void decode(ByteBuffer src, float[] dst, int offset, int count) {
            for (int i = offset; i < offset + count; i++) {
                dst[i] = (float) src.getDouble();
            }
        }
    };

    /** Bytes per value. */
    final int size;

    DType(int size) {
        this.size = size;
    }

    /**
     * Reads {@code count} values from {@code src} (little-endian, at its position, which advances)
     * into {@code dst[offset, offset + count)}.
     */
    abstract void decode(ByteBuffer src, float[] dst, int offset, int count);

    /** The dtype with this safetensors name, or null if Isthmus cannot read it. */
    static DType named(String name) {
        for (DType d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }
}
