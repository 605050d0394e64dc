/**
 * Isthmus above the kernels: layers and graphs ({@code nn}), training ({@code train}), model
 * files ({@code io}; PyTorch, Keras and ONNX files in {@code io.torch}, {@code io.keras},
 * {@code io.onnx}), data sets and the synthetic chest X-rays ({@code data}), saliency maps
 * ({@code explain}). {@code dev.isthmus.internal} holds what the packages share and is not API.
 */
module dev.isthmus {
    requires transitive dev.isthmus.kernels;
    requires com.fasterxml.jackson.databind;
    requires java.desktop;
    requires io.jhdf;

    exports dev.isthmus.nn;
    exports dev.isthmus.train;
    exports dev.isthmus.io;
    exports dev.isthmus.io.keras;
    exports dev.isthmus.io.onnx;
    exports dev.isthmus.io.torch;
    exports dev.isthmus.data;
    exports dev.isthmus.explain;
}
