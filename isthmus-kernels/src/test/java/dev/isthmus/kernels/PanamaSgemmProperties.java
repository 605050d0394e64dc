package dev.isthmus.kernels;

import dev.isthmus.kernels.gemm.GemmSupport;
import net.jqwik.api.Tag;

/** Runs at the native width, and again at 128 and 512 bits in the build's vector-width runs. */
@Tag("vector-width")
class PanamaSgemmProperties extends SgemmContract {

    private static final GemmSupport PANAMA = KernelProvider.panama().gemm();

    @Override
    GemmSupport kernels() {
        return PANAMA;
    }
}
