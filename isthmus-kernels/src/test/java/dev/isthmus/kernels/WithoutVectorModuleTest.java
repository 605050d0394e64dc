package dev.isthmus.kernels;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs in a JVM started without --add-modules jdk.incubator.vector (see the pom). */
@Tag("no-vector-module")
class WithoutVectorModuleTest {

    @Test
    void fallsBackToScalarAndSaysHowToGetTheFastPath() {
        assertFalse(KernelProvider.vectorModulePresent());
        KernelSelection s = Kernels.selection();
        assertEquals("scalar", s.implementation());
        assertTrue(s.reason().contains("--add-modules jdk.incubator.vector"), s.reason());
    }

    @Test
    void sgemmStillWorks() {
        float[] a = {1, 2, 3, 4}, b = {5, 6, 7, 8}, c = new float[4];
        Kernels.matmul(2, 2, 2, a, b, c);
        assertArrayEquals(new float[] {19, 22, 43, 50}, c);
    }
}
