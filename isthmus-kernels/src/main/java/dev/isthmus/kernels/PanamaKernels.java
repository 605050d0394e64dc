package dev.isthmus.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the Panama Vector API. Loaded by name from {@link KernelProvider} only once the
 * module is known to be present; no other class names a Vector API type in a static initialiser.
 */
final class PanamaKernels implements KernelSupport {

    /** The species every Panama kernel uses: preferred, or forced by {@code isthmus.vectorBitSize}. */
    static final VectorSpecies<Float> SPECIES = species();

    @Override
    public String name() {
        return "panama";
    }

    @Override
    public int vectorBitSize() {
        return SPECIES.vectorBitSize();
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, int aOffset, int lda,
                      float[] b, int bOffset, int ldb,
                      float beta, float[] c, int cOffset, int ldc) {
        PanamaSgemm.sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    private static VectorSpecies<Float> species() {
        String forced = System.getProperty(KernelProvider.VECTOR_BITS_PROPERTY);
        if (forced == null || forced.isBlank()) {
            return FloatVector.SPECIES_PREFERRED;
        }
        int bits;
        try {
            bits = Integer.parseInt(forced.strip());
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("system property " + KernelProvider.VECTOR_BITS_PROPERTY
                    + " must be 128, 256 or 512, got '" + forced + "'");
        }
        return VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }
}
