package dev.isthmus.kernels;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad arguments are refused with a message naming them, before C is touched. */
class SgemmArgumentsTest {

    private final float[] a = new float[6 * 4];
    private final float[] b = new float[4 * 5];
    private final float[] c = filled(6 * 5);

    private static float[] filled(int n) {
        float[] x = new float[n];
        Arrays.fill(x, 42f);
        return x;
    }

    private IllegalArgumentException refused(Runnable call, String... fragments) {
        var e = assertThrows(IllegalArgumentException.class, call::run);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
        assertArrayEquals(filled(c.length), c, "C must be untouched after a refused call");
        return e;
    }

    @Test
    void negativeSizes() {
        refused(() -> Kernels.sgemm(false, false, -1, 5, 4, 1, a, 0, 4, b, 0, 5, 0, c, 0, 5), "m", "-1");
        refused(() -> Kernels.sgemm(false, false, 6, -5, 4, 1, a, 0, 4, b, 0, 5, 0, c, 0, 5), "n", "-5");
        refused(() -> Kernels.sgemm(false, false, 6, 5, -2, 1, a, 0, 4, b, 0, 5, 0, c, 0, 5), "k", "-2");
    }

    @Test
    void leadingDimensionTooSmall() {
        refused(() -> Kernels.sgemm(false, false, 6, 5, 4, 1, a, 0, 3, b, 0, 5, 0, c, 0, 5), "lda", "3", "4");
        refused(() -> Kernels.sgemm(true, false, 6, 5, 4, 1, a, 0, 4, b, 0, 5, 0, c, 0, 5), "lda", "transA", "6");
        refused(() -> Kernels.sgemm(false, true, 6, 5, 4, 1, a, 0, 4, b, 0, 3, 0, c, 0, 5), "ldb", "3");
        refused(() -> Kernels.sgemm(false, false, 6, 5, 4, 1, a, 0, 4, b, 0, 5, 0, c, 0, 4), "ldc", "4");
    }

    @Test
    void arrayTooShortForOffsetAndShape() {
        refused(() -> Kernels.sgemm(false, false, 6, 5, 4, 1, a, 1, 4, b, 0, 5, 0, c, 0, 5), "a is too short", "25", "24");
        refused(() -> Kernels.sgemm(false, false, 6, 5, 4, 1, a, 0, 4, b, 0, 6, 0, c, 0, 5), "b is too short");
        refused(() -> Kernels.sgemm(false, false, 6, 5, 4, 1, a, 0, 4, b, 0, 5, 0, c, 3, 5), "c is too short", "33", "30");
        refused(() -> Kernels.sgemm(false, false, 6, 5, 4, 1, a, -1, 4, b, 0, 5, 0, c, 0, 5), "aOffset", "-1");
    }

    @Test
    void hugeShapesDoNotOverflowTheCheck() {
        refused(() -> Kernels.sgemm(false, false, 1 << 20, 1 << 20, 4, 1, a, 0, 4, b, 0, 1 << 20, 0, c, 0, 1 << 20), "too short");
    }

    @Test
    void nullArrays() {
        var e = assertThrows(NullPointerException.class,
                () -> Kernels.sgemm(false, false, 6, 5, 4, 1, null, 0, 4, b, 0, 5, 0, c, 0, 5));
        assertTrue(e.getMessage().contains("a"));
        assertThrows(NullPointerException.class,
                () -> Kernels.sgemm(false, false, 6, 5, 4, 1, a, 0, 4, b, 0, 5, 0, null, 0, 5));
    }

    @Test
    void emptyShapesAreFine() {
        Kernels.sgemm(false, false, 0, 0, 0, 1, new float[0], 0, 1, new float[0], 0, 1, 0, new float[0], 0, 1);
        Kernels.sgemm(false, false, 6, 5, 0, 1, new float[0], 0, 1, new float[0], 0, 5, 0, c, 0, 5);
        assertArrayEquals(new float[c.length], c, "k = 0, beta = 0 leaves C = 0");
    }
}
