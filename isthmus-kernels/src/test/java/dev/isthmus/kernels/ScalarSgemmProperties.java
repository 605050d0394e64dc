package dev.isthmus.kernels;

import dev.isthmus.kernels.gemm.GemmSupport;
class ScalarSgemmProperties extends SgemmContract {

    @Override
    GemmSupport kernels() {
        return KernelProvider.scalar().gemm();
    }
}
