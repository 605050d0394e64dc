package dev.isthmus.nn;

import dev.isthmus.kernels.Padding;

/**
 * The seeds' chest X-ray classifier: seven "same" convolutions with ReLU (8, 8, 12, 12, 20, 20, 50
 * filters; 3x3 then 5x5), 2x2 max-pooling after the first six, global average pooling, Dense 128
 * + ReLU, Dropout, Dense 32 + ReLU, Dense 1 + sigmoid. 54,627 parameters at any input side of at
 * least 64 (six 2x2 poolings).
 * Layer names follow the seeds' PyTorch version ({@code conv1 .. conv7, fc1 .. fc3}), so its
 * state_dict loads directly.
 */
public final class ChestXRayNet {

    /** The lesson's input: one 256x256 greyscale channel. */
    public static final int SIDE = 256;
    public static final float DEFAULT_DROPOUT = 0.6f;

    private ChestXRayNet() {}

    /** The lesson's network: input (1, 256, 256), dropout 0.6. */
    public static Model build() {
        return build(SIDE, DEFAULT_DROPOUT);
    }

    public static Model build(int side, float dropout) {
        int[] filters = {8, 8, 12, 12, 20, 20, 50};
        int[] kernels = {3, 3, 3, 3, 5, 5, 5};
        Node input = Node.input(1, side, side);
        Node x = input;
        for (int i = 0; i < filters.length; i++) {
            x = new Conv2D(filters[i], kernels[i]).padding(Padding.SAME).activation(Activation.RELU)
                    .named("conv" + (i + 1)).apply(x);
            if (i < filters.length - 1) {
                x = new MaxPool2D().named("pool" + (i + 1)).apply(x);
            }
        }
        x = new GlobalAveragePooling2D().named("gap").apply(x);
        x = new Dense(128).activation(Activation.RELU).named("fc1").apply(x);
        x = new Dropout(dropout).named("dropout").apply(x);
        x = new Dense(32).activation(Activation.RELU).named("fc2").apply(x);
        x = new Dense(1).activation(Activation.SIGMOID).named("fc3").apply(x);
        return new Model(input, x);
    }
}
