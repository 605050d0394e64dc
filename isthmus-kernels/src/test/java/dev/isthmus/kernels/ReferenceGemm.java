package dev.isthmus.kernels;

/** The plain double-precision SGEMM the kernels are checked against, and its error bound. */
final class ReferenceGemm {

    private ReferenceGemm() {}

    static double a(boolean trans, float[] x, int off, int ld, int i, int p) {
        return trans ? x[off + p * ld + i] : x[off + i * ld + p];
    }

    /** {@code alpha * op(A) op(B) + beta * C} in double; beta 0 ignores C, as BLAS does. */
    static double[] sgemm(SgemmCase c) {
        double[] out = new double[c.m() * c.n()];
        for (int i = 0; i < c.m(); i++) {
            for (int j = 0; j < c.n(); j++) {
                double sum = 0;
                for (int p = 0; p < c.k(); p++) {
                    sum += a(c.transA(), c.a(), c.aOffset(), c.lda(), i, p)
                            * a(!c.transB(), c.b(), c.bOffset(), c.ldb(), j, p);
                }
                double old = c.c()[c.cOffset() + i * c.ldc() + j];
                out[i * c.n() + j] = (c.alpha() == 0 ? 0 : c.alpha() * sum) + (c.beta() == 0 ? 0 : c.beta() * old);
            }
        }
        return out;
    }

    /**
     * Forward error bound for a float dot product of length k plus the beta term: a few units of
     * float rounding times (k + 2) times the sum of the magnitudes that were added.
     */
    static double[] tolerance(SgemmCase c) {
        double[] tol = new double[c.m() * c.n()];
        double u = Math.ulp(1f);
        for (int i = 0; i < c.m(); i++) {
            for (int j = 0; j < c.n(); j++) {
                double mag = 0;
                for (int p = 0; p < c.k(); p++) {
                    mag += Math.abs(a(c.transA(), c.a(), c.aOffset(), c.lda(), i, p)
                            * a(!c.transB(), c.b(), c.bOffset(), c.ldb(), j, p));
                }
                double old = c.beta() == 0 ? 0 : Math.abs(c.beta() * c.c()[c.cOffset() + i * c.ldc() + j]);
                tol[i * c.n() + j] = 2 * u * (c.k() + 2) * (Math.abs(c.alpha()) * mag + old) + Float.MIN_NORMAL;
            }
        }
        return tol;
    }
}
