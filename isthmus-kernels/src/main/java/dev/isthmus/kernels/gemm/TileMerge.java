package dev.isthmus.kernels.gemm;

import dev.isthmus.kernels.runtime.Vectors;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * How the kernels that do not store their accumulators straight to C finish a tile: from a
 * scratch tile whose rows are {@code NR} floats apart, with the arithmetic of a direct store. It
 * takes arrays, not vectors, so it compiles to the same code whether or not C2 inlines it.
 */
final class TileMerge {

    private static final VectorSpecies<Float> S = Vectors.FLOATS;
    private static final int L = S.length();
    private static final int NR = 2 * L;

    private TileMerge() {}

    /**
     * {@code C[0:rows, 0:vectors * L] = alpha * tile + beta * C} (just {@code alpha * tile} when
     * {@code overwrite}).
     */
    static void merge(float[] tile, int rows, int vectors, float[] c, int at, int ldc, float alpha, boolean overwrite,
                      float beta) {
        FloatVector alphaV = FloatVector.broadcast(S, alpha), betaV = FloatVector.broadcast(S, beta);
        for (int i = 0; i < rows; i++) {
            for (int v = 0; v < vectors; v++) {
                int t = i * NR + v * L, o = at + i * ldc + v * L;
                FloatVector acc = FloatVector.fromArray(S, tile, t);
                if (alpha != 1f) {
                    acc.mul(alphaV).intoArray(tile, t);
                    acc = FloatVector.fromArray(S, tile, t);
                }
                if (overwrite) {
                    acc.intoArray(c, o);
                } else {
                    FloatVector.fromArray(S, c, o).fma(betaV, acc).intoArray(c, o);
                }
            }
        }
    }

    /** The valid {@code mr x nr} corner of a scratch tile, with a full tile's arithmetic. */
    static void mergeEdge(float[] tile, int mr, int nr, float[] c, int cOff, int ldc, boolean overwrite, float beta) {
        for (int i = 0; i < mr; i++) {
            for (int j = 0; j < nr; j++) {
                int at = cOff + i * ldc + j;
                float acc = tile[i * NR + j];
                c[at] = overwrite ? acc : Math.fma(c[at], beta, acc);
            }
        }
    }
}
