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
    public int directBlock() {
        return PanamaConv.BLOCK;
    }

    @Override
    public int directLanes() {
        return SPECIES.length();
    }

    @Override
    public void directConvolve(DirectConv g, float[] xp, float[] wp, float[] bias, int biasOffset, boolean relu,
                               int oy0, int rows, float[] out, int outOffset, int outStride, int outPlane) {
        PanamaConv.convolve(g, xp, wp, bias, biasOffset, relu, oy0, rows, out, outOffset, outStride, outPlane);
    }

    @Override
    public void directWeightGradient(DirectConv g, float[] xp, float[] dz, int dzOffset, int dzStride, int dzPlane,
                                     int oy0, int rows, float[] acc) {
        PanamaConv.weightGradient(g, xp, dz, dzOffset, dzStride, dzPlane, oy0, rows, acc);
    }

    @Override
    public void maxPool2x2(float[] a, int aOffset, int aStride, int aPlane, int channels, int pooledRows,
                           int pooledWidth, float[] y, int yOffset, int yPlane, byte[] winners, int winnersOffset) {
        PanamaConv.maxPool2x2(a, aOffset, aStride, aPlane, channels, pooledRows, pooledWidth, y, yOffset, yPlane,
                winners, winnersOffset);
    }

    @Override
    public void maxPool2x2Backward(float[] dy, int dyOffset, float[] y, int yOffset, int yPlane, byte[] winners,
                                   int winnersOffset, int channels, int pooledRows, int pooledWidth, boolean relu,
                                   float[] dz, int dzOffset, int dzStride, int dzPlane, double[] sums) {
        PanamaConv.maxPool2x2Backward(dy, dyOffset, y, yOffset, yPlane, winners, winnersOffset, channels, pooledRows,
                pooledWidth, relu, dz, dzOffset, dzStride, dzPlane, sums);
    }

    @Override
    public void biasActivation(float[] a, int offset, int plane, int channels, int n, float[] bias, int biasOffset,
                               boolean relu) {
        PanamaConv.biasActivation(a, offset, plane, channels, n, bias, biasOffset, relu);
    }

    @Override
    public void activationGradient(float[] dy, int dyOffset, float[] y, int yOffset, int channels, int rows, int cols,
                                   boolean relu, float[] dz, int dzOffset, int dzStride, int dzPlane) {
        PanamaConv.activationGradient(dy, dyOffset, y, yOffset, channels, rows, cols, relu, dz, dzOffset, dzStride, dzPlane);
    }

    @Override
    public void channelSums(float[] a, int offset, int stride, int plane, int channels, int rows, int cols,
                            double[] sums) {
        PanamaConv.channelSums(a, offset, stride, plane, channels, rows, cols, sums);
    }

    @Override
    public void copyRuns(float[] from, int fromAt, int fromStride, int runs, int width, float[] to, int toAt,
                         int toLimit) {
        PanamaConv.copyRuns(from, fromAt, fromStride, runs, width, to, toAt, toLimit);
    }

    @Override
    public void adam(float[] param, float[] grad, float[] m, float[] v, int offset, int n, float beta1,
                     float oneMinusBeta1, float beta2, float oneMinusBeta2, float eps, float stepSize,
                     float biasCorrection2Sqrt, float decay, float weightDecay, boolean decoupled) {
        PanamaElementwise.adam(param, grad, m, v, offset, n, beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, stepSize, biasCorrection2Sqrt, decay, weightDecay, decoupled);
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
