package dev.isthmus.nn;

import dev.isthmus.kernels.GlobalAveragePooling;
import java.util.List;

/** Mean over each channel's plane: {@code (C, H, W) -> (C)}, as Keras's {@code GlobalAveragePooling2D}. */
public final class GlobalAveragePooling2D extends Layer {

    private int channels;
    private int plane;

    @Override
    protected Shape build(List<Shape> inputs) {
        Shape in = single(this, inputs);
        if (in.rank() != 3) {
            throw shapeError("(channels, height, width)", in);
        }
        channels = in.channels();
        plane = in.height() * in.width();
        return Shape.of(channels);
    }

    @Override
    protected boolean worksPerSample(boolean training) {
        return true;
    }

    @Override
    boolean honoursBufferOffsets() {
        return true;
    }

    @Override
    protected void forward(LayerCall s) {
        GlobalAveragePooling.forward(s.batch() * channels, plane, s.input(), s.inputFirst() * channels * plane,
                s.output(), s.outputFirst() * channels);
    }

    @Override
    protected void backward(LayerCall s) {
        if (s.inputGrad() != null) {
            GlobalAveragePooling.backward(s.batch() * channels, plane, s.outputGrad(), s.first() * channels, s.inputGrad(),
                    s.first() * channels * plane);
        }
    }
}
