package dev.isthmus.io;

import java.nio.ByteBuffer;

/**
 * The safetensors dtypes Isthmus reads, each widened or narrowed to float32 on the way in. Data
 * is little-endian, as the format specifies. The integer types hold counters and masks in real
 * state_dicts (batch norm's {@code num_batches_tracked} is I64); float32 holds every integer up
 * to 2^24 exactly and rounds larger ones to the nearest float.
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
    },
    I64(8) {
        @Override
        void decode(ByteBuffer src, float[] dst, int offset, int count) {
            for (int i = offset; i < offset + count; i++) {
                dst[i] = src.getLong();
            }
        }
    },
    I32(4) {
        @Override
        void decode(ByteBuffer src, float[] dst, int offset, int count) {
            for (int i = offset; i < offset + count; i++) {
                dst[i] = src.getInt();
            }
        }
    },
    I16(2) {
        @Override
        void decode(ByteBuffer src, float[] dst, int offset, int count) {
            for (int i = offset; i < offset + count; i++) {
                dst[i] = src.getShort();
            }
        }
    },
    I8(1) {
        @Override
        void decode(ByteBuffer src, float[] dst, int offset, int count) {
            for (int i = offset; i < offset + count; i++) {
                dst[i] = src.get();
            }
        }
    },
    U8(1) {
        @Override
        void decode(ByteBuffer src, float[] dst, int offset, int count) {
            for (int i = offset; i < offset + count; i++) {
                dst[i] = src.get() & 0xff;
            }
        }
    },
    /** One byte per value, 0 false and anything else true (1). */
    BOOL(1) {
        @Override
        void decode(ByteBuffer src, float[] dst, int offset, int count) {
            for (int i = offset; i < offset + count; i++) {
                dst[i] = src.get() != 0 ? 1f : 0f;
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
