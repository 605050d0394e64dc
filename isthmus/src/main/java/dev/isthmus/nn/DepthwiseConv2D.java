package dev.isthmus.nn;

import java.util.List;
import java.util.Map;

/**
 * Depthwise 2-D convolution, as Keras's {@code DepthwiseConv2D}: each input channel convolved
 * with its own {@code depthMultiplier} filters, {@code Cin * depthMultiplier} output channels.
 * PyTorch writes it {@code Conv2d(Cin, Cin * m, k, groups=Cin)}, and so do the parameters here:
 * weight {@code [Cin * m, 1, kh, kw]}, output channel {@code c * m + j} from input channel
 * {@code c}.
 */
public final class DepthwiseConv2D extends Conv2D {

    private final int depthMultiplier;

    public DepthwiseConv2D(int kernelSize) {
        this(kernelSize, 1);
    }

    /**
     * @throws IllegalArgumentException if the kernel size or the multiplier is not positive
     */
    public DepthwiseConv2D(int kernelSize, int depthMultiplier) {
        super(1, kernelSize, kernelSize);
        if (depthMultiplier < 1) {
            throw new IllegalArgumentException("DepthwiseConv2D needs a depth multiplier >= 1, got " + depthMultiplier);
        }
        this.depthMultiplier = depthMultiplier;
    }

    public int depthMultiplier() {
        return depthMultiplier;
    }

    /** Depthwise: the groups are the input's channels, set when the layer is applied. */
    @Override
    public Conv2D groups(int groups) {
        throw new UnsupportedOperationException("a depthwise convolution's groups are its input channels");
    }

    @Override
    protected Shape build(List<Shape> inputs) {
        Shape in = single(this, inputs);
        if (in.rank() == 3) {
            resolve(Math.multiplyExact(in.channels(), depthMultiplier), in.channels());
        }
        return super.build(inputs);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = super.config();
        config.remove("filters");
        config.remove("groups");
        config.put("depth_multiplier", depthMultiplier);
        return config;
    }

    @Override
    protected String describe() {
        return "multiplier=" + depthMultiplier + ", " + super.describe();
    }
}
