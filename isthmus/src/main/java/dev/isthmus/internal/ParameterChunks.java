package dev.isthmus.internal;

import java.util.Objects;

/**
 * Parameters (given by their sizes, in order) cut into pieces of at most {@value #CHUNK} floats, in list order: the unit of work
 * for what follows a parallel backward pass (adding the slices' gradients, the optimizer's
 * update), so many threads share it even where one parameter is most of the model (ChestXRayNet's
 * conv7 weights are 25,000 of 54,627 floats). The cut depends on the sizes alone, never on the
 * thread count.
 */
public final class ParameterChunks {

    public static final int CHUNK = 2048;

    private final int[] parameter, from, length;

    /**
     * @param sizes each parameter's size in floats, in order
     */
    public ParameterChunks(int... sizes) {
        Objects.requireNonNull(sizes, "sizes");
        int count = 0;
        for (int size : sizes) {
            if (size < 0) {
                throw new IllegalArgumentException("parameter sizes must be >= 0, got " + size);
            }
            count += (size + CHUNK - 1) / CHUNK;
        }
        parameter = new int[count];
        from = new int[count];
        length = new int[count];
        int c = 0;
        for (int i = 0; i < sizes.length; i++) {
            int size = sizes[i];
            for (int at = 0; at < size; at += CHUNK, c++) {
                parameter[c] = i;
                from[c] = at;
                length[c] = Math.min(CHUNK, size - at);
            }
        }
    }

    public int count() {
        return parameter.length;
    }

    /** The index, in the list given, of chunk {@code c}'s parameter. */
    public int parameter(int c) {
        return parameter[c];
    }

    /** Chunk {@code c}'s first float within its parameter. */
    public int from(int c) {
        return from[c];
    }

    public int length(int c) {
        return length[c];
    }
}
