package dev.isthmus.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad shapes and arrays for the convolution, pooling and dense kernels: clear errors, nothing written. */
class WindowArgumentsTest {

    private static String message(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    @Test
    void kernelLargerThanThePaddedInput() {
        assertEquals("kernel 5x5 (dilation 1x1, span 5x5) is larger than the padded input 4x6 (input 4x6, padding top=0,"
                        + " left=0, bottom=0, right=0)",
                message(() -> Window2d.of(4, 6, 5, 1, Padding.VALID)));
        assertEquals("kernel 3x3 (dilation 2x2, span 5x5) is larger than the padded input 4x4 (input 2x2, padding top=1,"
                        + " left=1, bottom=1, right=1)",
                message(() -> Window2d.of(2, 2, 3, 3, 1, 1, 2, 2, Padding.symmetric(1, 1))));
    }

    @Test
    void nonPositiveSizesAndNegativePadding() {
        assertEquals("strideY must be > 0, got 0", message(() -> Window2d.of(8, 8, 3, 0, Padding.SAME)));
        assertEquals("dilationX must be > 0, got -1", message(() -> Window2d.of(8, 8, 3, 3, 1, 1, 1, -1, Padding.VALID)));
        assertEquals("inWidth must be > 0, got 0", message(() -> Window2d.of(8, 0, 3, 1, Padding.VALID)));
        assertEquals("padding must be >= 0 on every side, got top=0, left=-1, bottom=0, right=0",
                message(() -> Padding.explicit(0, -1, 0, 0)));
        assertEquals("outChannels must be > 0, got 0", message(() -> Convolution.of(3, 8, 8, 0, 3, 1, Padding.SAME)));
        assertEquals("output size must be 6x6 for this window, got 7x6",
                message(() -> new Window2d(8, 8, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 7, 6)));
    }

    @Test
    void samePaddingMatchesKerasAndPyTorch() {
        Window2d w = Window2d.of(256, 256, 3, 1, Padding.SAME);
        assertEquals(256, w.outHeight());
        assertEquals(1, w.padTop());
        assertEquals(1, w.padBottom());
        Window2d even = Window2d.of(7, 7, 4, 1, Padding.SAME); // odd total: the extra row at the bottom
        assertEquals(1, even.padTop());
        assertEquals(2, even.padBottom());
        Window2d strided = Window2d.of(7, 8, 3, 2, Padding.SAME); // out = ceil(in / stride)
        assertEquals(4, strided.outHeight());
        assertEquals(4, strided.outWidth());
    }

    @Test
    void poolingPaddingAtMostHalfTheWindow() {
        assertEquals("MaxPooling padding must be at most half the window span on each side: span 2x2, padding top=2,"
                        + " left=0, bottom=2, right=0",
                message(() -> new MaxPooling(1, Window2d.of(4, 4, 2, 2, 1, 1, 1, 1, Padding.symmetric(2, 0)))));
    }

    @Test
    void arraysTooShortAreRejectedBeforeWriting() {
        Convolution conv = Convolution.of(2, 5, 5, 3, 3, 1, Padding.SAME);
        float[] x = new float[2 * 2 * 25], w = new float[3 * 2 * 9], y = new float[2 * 3 * 25 - 1];
        java.util.Arrays.fill(y, 7f);
        assertEquals("y is too short: batch * Cout * outH * outW = 2 * 75 = 150 values at offset 0 need length >= 150, got 149",
                message(() -> conv.forward(2, x, 0, w, 0, null, 0, y, 0)));
        for (float v : y) {
            assertEquals(7f, v);
        }
        assertEquals("w is too short: Cout * Cin * kh * kw = 54 values at offset 1 need length >= 55, got 54",
                message(() -> conv.forward(1, x, 0, w, 1, null, 0, new float[75], 0)));
        assertEquals("bias is too short: Cout = 3 values at offset 0 need length >= 3, got 2",
                message(() -> conv.forward(1, x, 0, w, 0, new float[2], 0, new float[75], 0)));
        assertEquals("batch must be > 0, got 0", message(() -> conv.backwardData(0, y, 0, w, 0, x, 0)));
        assertEquals("xOffset must be >= 0, got -1", message(() -> Linear.forward(1, 2, 2, x, -1, w, 0, null, 0, y, 0)));
        MaxPooling pool = MaxPooling.of(3, 4, 4, 2, 2, Padding.VALID);
        assertEquals("argmax is too short: batch * C * outH * outW = 12 values at offset 0 need length >= 12, got 11",
                message(() -> pool.forward(1, new float[48], 0, new float[12], 0, new int[11], 0)));
        assertThrows(NullPointerException.class, () -> pool.backward(1, new float[12], 0, null, 0, new float[48], 0));
    }
}
