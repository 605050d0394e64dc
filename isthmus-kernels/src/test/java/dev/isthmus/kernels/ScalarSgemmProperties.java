package dev.isthmus.kernels;

class ScalarSgemmProperties extends SgemmContract {

    @Override
    KernelSupport kernels() {
        return KernelProvider.scalar();
    }
}
