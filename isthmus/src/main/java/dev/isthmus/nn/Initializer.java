package dev.isthmus.nn;

/**
 * How convolution and dense layers draw their initial weights.
 *
 * <ul>
 *   <li>{@link #PYTORCH}: PyTorch's defaults for {@code Convolution} and {@code Linear}: weights and
 *       biases uniform in {@code +-1/sqrt(fanIn)}. The library's default.</li>
 *   <li>{@link #KERAS}: Keras's defaults: weights Glorot-uniform in
 *       {@code +-sqrt(6 / (fanIn + fanOut))}, biases 0. The seeds' lesson builds ChestXRayNet in
 *       Keras; with PyTorch's smaller weights its seven ReLU convolutions shrink the signal until
 *       the sigmoid output barely moves, and training stalls at chance.</li>
 *   <li>{@link #HE}: He (Kaiming) uniform for ReLU networks, {@code +-sqrt(6 / fanIn)}, biases 0:
 *       keeps the signal's variance through each ReLU layer, so a deep narrow network such as
 *       ChestXRayNet starts learning at once instead of sitting on a plateau at ln 2.</li>
 * </ul>
 * Fan-in and fan-out count the kernel: {@code Cin * kh * kw} and {@code Cout * kh * kw}.
 */
public enum Initializer {
    PYTORCH,
    KERAS,
    HE
}
