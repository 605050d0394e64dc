package dev.isthmus.kernels;

import dev.isthmus.kernels.runtime.WorkerPool;
import java.util.Arrays;
import java.util.Objects;

/**
 * 2-D average pooling over NCHW float32 batches. With {@code countPadding} each window's sum is
 * divided by the full kernel area, padding included (PyTorch's default
 * {@code count_include_pad=True}); without it, by the number of input cells under the window
 * (Keras's {@code AveragePooling2D(padding="same")}). Without padding the two agree.
 */
public final class AveragePooling {

    private final int channels;
    private final Window2d window;
    private final boolean countPadding;

    public AveragePooling(int channels, Window2d window, boolean countPadding) {
        Checks.positive("channels", channels);
        this.channels = channels;
        this.window = Objects.requireNonNull(window, "window");
        window.requirePoolingPadding("AveragePooling");
        this.countPadding = countPadding;
    }

    public Window2d window() {
        return window;
    }

    public int inputSize() {
        return channels * window.inSize();
    }

    public int outputSize() {
        return channels * window.outSize();
    }

    public void forward(int batch, float[] x, int xOffset, float[] y, int yOffset) {
        Checks.positive("batch", batch);
        Checks.span("x", x, xOffset, batch, inputSize(), "batch * C * H * W");
        Checks.span("y", y, yOffset, batch, outputSize(), "batch * C * outH * outW");
        int planes = batch * channels;
        if (WorkerPool.sequential(planes)) {
            forwardPlanes(0, planes, x, xOffset, y, yOffset);
        } else {
            MaxPooling.forEachPlaneRange(planes, (from, to) -> forwardPlanes(from, to, x, xOffset, y, yOffset));
        }
    }

    private void forwardPlanes(int from, int to, float[] x, int xOffset, float[] y, int yOffset) {
        Window2d w = window;
        for (int plane = from; plane < to; plane++) {
            int in = xOffset + plane * w.inSize(), out = yOffset + plane * w.outSize();
            for (int oy = 0; oy < w.outHeight(); oy++) {
                for (int ox = 0; ox < w.outWidth(); ox++) {
                    float sum = 0f;
                    int cells = 0;
                    for (int ky = 0; ky < w.kernelHeight(); ky++) {
                        int iy = oy * w.strideY() - w.padTop() + ky * w.dilationY();
                        for (int kx = 0; kx < w.kernelWidth(); kx++) {
                            int ix = ox * w.strideX() - w.padLeft() + kx * w.dilationX();
                            if (iy >= 0 && iy < w.inHeight() && ix >= 0 && ix < w.inWidth()) {
                                sum += x[in + iy * w.inWidth() + ix];
                                cells++;
                            }
                        }
                    }
                    y[out + oy * w.outWidth() + ox] = sum / divisor(cells);
                }
            }
        }
    }

    /** {@code dx} (overwritten): each {@code dy} spread evenly over its window's input cells. */
    public void backward(int batch, float[] dy, int dyOffset, float[] dx, int dxOffset) {
        Checks.positive("batch", batch);
        Checks.span("dy", dy, dyOffset, batch, outputSize(), "batch * C * outH * outW");
        Checks.span("dx", dx, dxOffset, batch, inputSize(), "batch * C * H * W");
        int planes = batch * channels;
        if (WorkerPool.sequential(planes)) {
            backwardPlanes(0, planes, dy, dyOffset, dx, dxOffset);
        } else {
            MaxPooling.forEachPlaneRange(planes, (from, to) -> backwardPlanes(from, to, dy, dyOffset, dx, dxOffset));
        }
    }

    private void backwardPlanes(int from, int to, float[] dy, int dyOffset, float[] dx, int dxOffset) {
        Window2d w = window;
        for (int plane = from; plane < to; plane++) {
            int in = dxOffset + plane * w.inSize(), out = dyOffset + plane * w.outSize();
            Arrays.fill(dx, in, in + w.inSize(), 0f);
            for (int oy = 0; oy < w.outHeight(); oy++) {
                for (int ox = 0; ox < w.outWidth(); ox++) {
                    int cells = 0;
                    for (int ky = 0; ky < w.kernelHeight(); ky++) {
                        int iy = oy * w.strideY() - w.padTop() + ky * w.dilationY();
                        for (int kx = 0; kx < w.kernelWidth(); kx++) {
                            int ix = ox * w.strideX() - w.padLeft() + kx * w.dilationX();
                            if (iy >= 0 && iy < w.inHeight() && ix >= 0 && ix < w.inWidth()) {
                                cells++;
                            }
                        }
                    }
                    float g = dy[out + oy * w.outWidth() + ox] / divisor(cells);
                    for (int ky = 0; ky < w.kernelHeight(); ky++) {
                        int iy = oy * w.strideY() - w.padTop() + ky * w.dilationY();
                        for (int kx = 0; kx < w.kernelWidth(); kx++) {
                            int ix = ox * w.strideX() - w.padLeft() + kx * w.dilationX();
                            if (iy >= 0 && iy < w.inHeight() && ix >= 0 && ix < w.inWidth()) {
                                dx[in + iy * w.inWidth() + ix] += g;
                            }
                        }
                    }
                }
            }
        }
    }

    private float divisor(int cells) {
        return countPadding ? window.kernelSize() : Math.max(cells, 1);
    }
}
