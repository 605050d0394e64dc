package dev.isthmus.kernels;

import dev.isthmus.kernels.conv.ConvSupport;
import dev.isthmus.kernels.elementwise.ElementwiseSupport;
import dev.isthmus.kernels.gemm.GemmSupport;

/**
 * One implementation of every kernel: the three narrow supports, all Panama or all scalar.
 *
 * @param name {@code "panama"} or {@code "scalar"}
 */
record KernelBackend(String name, GemmSupport gemm, ConvSupport conv, ElementwiseSupport elementwise) {

    /** Vector width in bits the kernels run at; 0 for scalar. */
    int vectorBitSize() {
        return gemm.vectorBitSize();
    }
}
