package dev.isthmus.kernels;

import dev.isthmus.kernels.gemm.Blocking;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelSelectionTest {

    @Test
    void choosesPanamaWhenTheModuleIsPresentAndWideEnough() {
        KernelSelection s = Kernels.selection();
        assertTrue(KernelProvider.vectorModulePresent(), "the build adds " + KernelProvider.VECTOR_MODULE);
        if (System.getProperty(KernelProvider.SIMD_PROPERTY) == null && KernelProvider.panama().vectorBitSize() >= 256) {
            assertEquals("panama", s.implementation(), s.toString());
            assertEquals(KernelProvider.panama().vectorBitSize(), s.vectorBitSize());
        }
        assertTrue(s.reason().length() > 10, s.reason());
    }

    @Test
    void blockingIsConsistentWithTheTile() {
        Blocking b = Blocking.forLanes(16);
        assertEquals(0, b.mc() % b.mr());
        assertEquals(0, b.nc() % b.nr());
        assertTrue(b.kc() * b.nr() * Float.BYTES <= Blocking.L1, "B micro-panel fits in L1: " + b);
    }
}
