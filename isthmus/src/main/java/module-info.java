/**
 * Isthmus above the kernels: layers and graphs ({@code nn}), training ({@code train}), model
 * files ({@code io}), data sets and the synthetic chest X-rays ({@code data}), saliency maps
 * ({@code explain}). {@code dev.isthmus.internal} holds what the packages share and is not API.
 */
module dev.isthmus {
    requires transitive dev.isthmus.kernels;
    requires com.fasterxml.jackson.databind;
    requires java.desktop;

    exports dev.isthmus.nn;
    exports dev.isthmus.train;
    exports dev.isthmus.io;
    exports dev.isthmus.data;
    exports dev.isthmus.explain;
}
