package dev.isthmus.kernels;

import dev.isthmus.kernels.gemm.Blocking;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
    void stripMiningHintFollowsTheCollectorAndTheFlags() {
        List<String> g1 = List.of("G1 Young Generation", "G1 Concurrent GC", "G1 Old Generation");
        List<String> serial = List.of("Copy", "MarkSweepCompact");
        assertTrue(KernelProvider.stripMiningHint(g1, List.of()).contains("-XX:LoopStripMiningIter=0"));
        assertTrue(KernelProvider.stripMiningHint(List.of("ZGC Cycles", "ZGC Pauses"), List.of()) != null);
        assertNull(KernelProvider.stripMiningHint(serial, List.of("-XX:+UseSerialGC")));
        assertNull(KernelProvider.stripMiningHint(List.of("PS Scavenge", "PS MarkSweep"), List.of()));
        assertNull(KernelProvider.stripMiningHint(g1, List.of("-XX:-UseCountedLoopSafepoints")));
        assertNull(KernelProvider.stripMiningHint(g1, List.of("-XX:LoopStripMiningIter=0")));
        assertTrue(KernelProvider.stripMiningHint(serial, List.of("-XX:+UseCountedLoopSafepoints")) != null,
                "turned on by hand under the serial collector");
    }

    @Test
    void blockingIsConsistentWithTheTile() {
        Blocking b = Blocking.forLanes(16);
        assertEquals(0, b.mc() % b.mr());
        assertEquals(0, b.nc() % b.nr());
        assertEquals(0, b.nb() % b.nr());
        assertTrue(b.kc() * b.mr() * Float.BYTES <= Blocking.L1 / 2, "A micro-panel in half of L1: " + b);
        assertTrue((long) b.kc() * (b.nb() + b.mc()) * Float.BYTES <= Blocking.L2, "B band and A block in L2: " + b);
        Blocking avx2 = Blocking.forLanes(8);
        assertEquals(avx2.nr(), avx2.nb(), "the short tile walks one B micro-panel at a time: " + avx2);
        assertTrue(avx2.kc() * avx2.nr() * Float.BYTES <= Blocking.L1 / 2, "B micro-panel in half of L1: " + avx2);
        assertEquals(0, avx2.mc() % avx2.mr());
        assertTrue(avx2.inPlaceMr() <= avx2.mr(), "the in-place tile is no taller than the packed one: " + avx2);
    }
}
