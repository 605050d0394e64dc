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

    @Override
    public void relu(float[] x, int xOffset, float[] y, int yOffset, int n) {
        PanamaElementwise.relu(x, xOffset, y, yOffset, n);
    }

    @Override
    public void reluBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n) {
        PanamaElementwise.reluBackward(y, yOffset, dy, dyOffset, dx, dxOffset, n);
    }

    @Override
    public void leakyRelu(float[] x, int xOffset, float[] y, int yOffset, int n, float alpha) {
        PanamaElementwise.leakyRelu(x, xOffset, y, yOffset, n, alpha);
    }

    @Override
    public void leakyReluBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n,
                                  float alpha) {
        PanamaElementwise.leakyReluBackward(y, yOffset, dy, dyOffset, dx, dxOffset, n, alpha);
    }

    @Override
    public void sigmoid(float[] x, int xOffset, float[] y, int yOffset, int n) {
        PanamaElementwise.sigmoid(x, xOffset, y, yOffset, n);
    }

    @Override
    public void sigmoidBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n) {
        PanamaElementwise.sigmoidBackward(y, yOffset, dy, dyOffset, dx, dxOffset, n);
    }

    @Override
    public void tanh(float[] x, int xOffset, float[] y, int yOffset, int n) {
        PanamaElementwise.tanh(x, xOffset, y, yOffset, n);
    }

    @Override
    public void tanhBackward(float[] y, int yOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int n) {
        PanamaElementwise.tanhBackward(y, yOffset, dy, dyOffset, dx, dxOffset, n);
    }

    @Override
    public void adam(float[] param, float[] grad, float[] m, float[] v, int offset, int n, AdamStep s) {
        PanamaElementwise.adam(param, grad, m, v, offset, n, s);
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
