package dev.isthmus.nn;

import java.util.List;

/** {@code (C, H, W) -> (C * H * W)} in NCHW order (PyTorch's {@code flatten(1)}); a copy. */
public final class Flatten extends Layer {

    private int size;

    @Override
    protected Shape build(List<Shape> inputs) {
        size = single(this, inputs).size();
        return Shape.of(size);
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
        System.arraycopy(s.input(), s.inputFirst() * size, s.output(), s.outputFirst() * size, s.batch() * size);
    }

    @Override
    protected void backward(LayerCall s) {
        if (s.inputGrad() != null) {
            System.arraycopy(s.outputGrad(), s.first() * size, s.inputGrad(), s.first() * size, s.batch() * size);
        }
    }
}
