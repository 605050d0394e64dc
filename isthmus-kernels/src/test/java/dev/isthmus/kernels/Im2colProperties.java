package dev.isthmus.kernels;

import dev.isthmus.kernels.conv.Im2col;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Im2col} and col2im against their definitions (col2im bit for bit), on maps up to 45
 * wide, so both the row-copying path and the padded path (output rows under 32 floats, copied
 * from a zero-padded image) are taken, and strided maps up to 70 wide; and col2im as im2col's
 * adjoint.
 */
@Tag("kernel-ops")
@Tag("vector-width")
class Im2colProperties {

    @Provide
    Arbitrary<WindowCase> cases() {
        return WindowCase.arbitrary(45, 5);
    }

    /** Stride and dilation 1, output rows 1 to 31 wide: every case takes the narrow path. */
    @Provide
    Arbitrary<WindowCase> narrowCases() {
        Arbitrary<int[]> shape = Combinators.combine(Arbitraries.integers().between(1, 4),
                        Arbitraries.integers().between(1, 8), Arbitraries.integers().between(1, 31),
                        Arbitraries.integers().between(1, 5), Arbitraries.integers().between(1, 5),
                        Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 2))
                .as((c, h, w, kh, kw, kind, pad) -> new int[] {c, h, w, kh, kw, kind, pad});
        return Combinators.combine(shape, Arbitraries.longs()).as((s, seed) -> {
            Padding padding = switch (s[5]) {
                case 0 -> Padding.VALID;
                case 1 -> Padding.SAME;
                default -> Padding.explicit(s[6], s[6], s[6], s[6]);
            };
            try {
                return new WindowCase(1, s[0], 1, Window2d.of(s[1], s[2], s[3], s[4], 1, 1, 1, 1, padding), seed);
            } catch (IllegalArgumentException e) {
                return null; // the kernel does not fit the padded input
            }
        }).filter(c -> c != null && c.window().outWidth() < 32);
    }

    /** Dilation 1, a stride of 2 or 3 in either direction, odd paddings included. */
    @Provide
    Arbitrary<WindowCase> stridedCases() {
        Arbitrary<int[]> shape = Combinators.combine(Arbitraries.integers().between(1, 4),
                        Arbitraries.integers().between(1, 40), Arbitraries.integers().between(1, 70),
                        Arbitraries.integers().between(1, 5), Arbitraries.integers().between(1, 5),
                        Arbitraries.integers().between(1, 3), Arbitraries.integers().between(1, 3),
                        Arbitraries.integers().between(0, 5))
                .as((c, h, w, kh, kw, sy, sx, pad) -> new int[] {c, h, w, kh, kw, sy, sx, pad});
        return Combinators.combine(shape, Arbitraries.longs()).as((s, seed) -> {
            Padding padding = switch (s[7]) {
                case 0 -> Padding.VALID;
                case 1 -> Padding.SAME;
                default -> Padding.explicit(s[7] - 2, s[7] - 1, s[7] % 3, s[7] - 2);
            };
            try {
                return new WindowCase(1, s[0], 1, Window2d.of(s[1], s[2], s[3], s[4], s[5], s[6], 1, 1, padding), seed);
            } catch (IllegalArgumentException e) {
                return null; // the kernel does not fit the padded input
            }
        }).filter(c -> c != null && (c.window().strideX() > 1 || c.window().strideY() > 1));
    }

    /**
     * Maps of 16 outputs (one 512-bit vector: ChestXRayNet's conv7 is 4x4 under a 5x5 kernel),
     * at strides 1 and 2 and dilations 1 and 2: where each tap's row is picked from two vectors
     * ({@code ConvSupport.selectsRows}) and, past two vectors of window, where it is not.
     */
    @Provide
    Arbitrary<WindowCase> oneVectorCases() {
        Arbitrary<int[]> shape = Combinators.combine(Arbitraries.integers().between(1, 6), Arbitraries.of(1, 2, 4, 8),
                        Arbitraries.integers().between(1, 5), Arbitraries.integers().between(1, 5),
                        Arbitraries.integers().between(1, 2), Arbitraries.integers().between(1, 2),
                        Arbitraries.integers().between(0, 2))
                .as((c, oh, kh, kw, s, d, pad) -> new int[] {c, oh, kh, kw, s, d, pad});
        return Combinators.combine(shape, Arbitraries.longs()).as((v, seed) -> {
            int oh = v[1], ow = 16 / oh, kh = v[2], kw = v[3], s = v[4], d = v[5], pad = v[6];
            int inH = (oh - 1) * s + (kh - 1) * d + 1 - 2 * pad, inW = (ow - 1) * s + (kw - 1) * d + 1 - 2 * pad;
            try {
                return new WindowCase(1, v[0], 1, Window2d.of(inH, inW, kh, kw, s, s, d, d,
                        Padding.explicit(pad, pad, pad, pad)), seed);
            } catch (IllegalArgumentException e) {
                return null; // the kernel does not fit the padded input
            }
        }).filter(c -> c != null && c.window().outSize() == 16);
    }

    @Property(tries = 150, seed = Seeds.FIXED)
    void oneVectorMapsHoldEveryReceptiveField(@ForAll("oneVectorCases") WindowCase c) {
        assertHoldsEveryReceptiveField(c);
        assertSumsEveryReceptiveField(c);
    }

    @Property(tries = 200, seed = Seeds.FIXED)
    void stridedMapsHoldEveryReceptiveField(@ForAll("stridedCases") WindowCase c) {
        assertHoldsEveryReceptiveField(c);
        assertSumsEveryReceptiveField(c);
    }

    @Property(tries = 200, seed = Seeds.FIXED)
    void narrowMapsHoldEveryReceptiveField(@ForAll("narrowCases") WindowCase c) {
        assertHoldsEveryReceptiveField(c);
        assertSumsEveryReceptiveField(c);
    }

    @Property(tries = 200, seed = Seeds.FIXED)
    void im2colHoldsEveryReceptiveField(@ForAll("cases") WindowCase c) {
        assertHoldsEveryReceptiveField(c);
        assertSumsEveryReceptiveField(c);
    }

    private static void assertHoldsEveryReceptiveField(WindowCase c) {
        Window2d w = c.window();
        int channels = c.inChannels(), p = w.outSize(), offset = 5;
        float[] x = c.random(offset + channels * w.inSize(), 1);
        float[] col = c.random(channels * w.kernelSize() * p, 2); // stale contents must be overwritten
        Im2col.im2col(KernelProvider.conv(), w, channels, x, offset, col);
        float[] want = reference(w, channels, x, offset);
        for (int i = 0; i < want.length; i++) {
            if (want[i] != col[i]) {
                throw new AssertionError(w + ", " + channels + " channels: col[" + i + "] = " + col[i] + ", want " + want[i]);
            }
        }
    }

    /**
     * col2im writes nothing past its image, not even {@code + 0}: the floats after it (the next
     * image of a batch, which another thread may be writing) keep their bits, -0 included
     * ({@code -0 + 0} would be +0).
     */
    @Property(tries = 200, seed = Seeds.FIXED)
    void col2imLeavesTheNextImageAlone(@ForAll("stridedCases") WindowCase c) {
        assertLeavesTheNextImageAlone(c);
    }

    /** The same with dilations, and stride 1 on narrow maps. */
    @Property(tries = 200, seed = Seeds.FIXED)
    void col2imLeavesTheNextImageAloneAtAnyDilation(@ForAll("cases") WindowCase c) {
        assertLeavesTheNextImageAlone(c);
    }

    /**
     * One output row under a stride whose product with the width passes int (a window
     * {@code Window2d} allows): im2col and col2im take their one row, nothing else.
     */
    @Example
    void oneOutputRowUnderAHugeStride() {
        Window2d w = Window2d.of(1, 2, 1, 1, Integer.MAX_VALUE, 1, 1, 1, Padding.VALID);
        WindowCase c = new WindowCase(1, 40, 1, w, 7);
        assertHoldsEveryReceptiveField(c);
        assertSumsEveryReceptiveField(c);
        assertLeavesTheNextImageAlone(c);
    }

    private static void assertLeavesTheNextImageAlone(WindowCase c) {
        Window2d w = c.window();
        int channels = c.inChannels(), rows = channels * w.kernelSize() * w.outSize(), image = channels * w.inSize();
        int after = 4 * w.outWidth() * w.strideX() + 256; // past any vector reach of the run kernels
        float[] g = c.random(rows, 3), dx = new float[image + after];
        java.util.Arrays.fill(dx, image, dx.length, -0f);
        Im2col.col2im(KernelProvider.conv(), w, channels, g, dx, 0);
        for (int i = image; i < dx.length; i++) {
            if (Float.floatToRawIntBits(dx[i]) != Float.floatToRawIntBits(-0f)) {
                throw new AssertionError(w + ", " + channels + " channels: dx[" + i + "] past the image = " + dx[i]);
            }
        }
    }

    /** {@code <im2col(x), g> = <x, col2im(g)>}: the data gradient of im2col is col2im. */
    @Property(tries = 100, seed = Seeds.FIXED)
    void col2imIsTheAdjoint(@ForAll("cases") WindowCase c) {
        Window2d w = c.window();
        int channels = c.inChannels(), rows = channels * w.kernelSize() * w.outSize();
        float[] x = c.random(channels * w.inSize(), 1), g = c.random(rows, 3);
        float[] col = new float[rows], dx = c.random(channels * w.inSize(), 4);
        Im2col.im2col(KernelProvider.conv(), w, channels, x, 0, col);
        Im2col.col2im(KernelProvider.conv(), w, channels, g, dx, 0);
        double left = 0, right = 0;
        for (int i = 0; i < rows; i++) {
            left += (double) col[i] * g[i];
        }
        for (int i = 0; i < x.length; i++) {
            right += (double) x[i] * dx[i];
        }
        assertEquals(left, right, 1e-4 * (1 + Math.abs(left)), w + ", " + channels + " channels");
    }

    /** col2im, bit for bit, against the scatter in its definition's order; stale dx overwritten. */
    private static void assertSumsEveryReceptiveField(WindowCase c) {
        Window2d w = c.window();
        int channels = c.inChannels(), rows = channels * w.kernelSize() * w.outSize(), offset = 3;
        float[] g = c.random(rows, 3), dx = c.random(offset + channels * w.inSize() + 7, 4);
        float[] want = dx.clone();
        java.util.Arrays.fill(want, offset, offset + channels * w.inSize(), 0f);
        int p = w.outSize();
        for (int ch = 0; ch < channels; ch++) {
            for (int ky = 0; ky < w.kernelHeight(); ky++) {
                for (int kx = 0; kx < w.kernelWidth(); kx++) {
                    int row = (ch * w.kernelHeight() + ky) * w.kernelWidth() + kx;
                    for (int oy = 0; oy < w.outHeight(); oy++) {
                        for (int ox = 0; ox < w.outWidth(); ox++) {
                            int iy = oy * w.strideY() - w.padTop() + ky * w.dilationY();
                            int ix = ox * w.strideX() - w.padLeft() + kx * w.dilationX();
                            if (iy >= 0 && iy < w.inHeight() && ix >= 0 && ix < w.inWidth()) {
                                want[offset + (ch * w.inHeight() + iy) * w.inWidth() + ix] += g[row * p + oy * w.outWidth() + ox];
                            }
                        }
                    }
                }
            }
        }
        Im2col.col2im(KernelProvider.conv(), w, channels, g, dx, offset);
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(dx[i])) {
                throw new AssertionError(w + ", " + channels + " channels: dx[" + i + "] = " + dx[i] + ", want " + want[i]);
            }
        }
    }

    /** Row (c, ky, kx), column (oy, ox): the input under that tap, or 0 in the padding. */
    private static float[] reference(Window2d w, int channels, float[] x, int offset) {
        int p = w.outSize();
        float[] col = new float[channels * w.kernelSize() * p];
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < w.kernelHeight(); ky++) {
                for (int kx = 0; kx < w.kernelWidth(); kx++) {
                    int row = (c * w.kernelHeight() + ky) * w.kernelWidth() + kx;
                    for (int oy = 0; oy < w.outHeight(); oy++) {
                        for (int ox = 0; ox < w.outWidth(); ox++) {
                            int iy = oy * w.strideY() - w.padTop() + ky * w.dilationY();
                            int ix = ox * w.strideX() - w.padLeft() + kx * w.dilationX();
                            boolean inside = iy >= 0 && iy < w.inHeight() && ix >= 0 && ix < w.inWidth();
                            col[row * p + oy * w.outWidth() + ox] =
                                    inside ? x[offset + (c * w.inHeight() + iy) * w.inWidth() + ix] : 0f;
                        }
                    }
                }
            }
        }
        return col;
    }
}
