package dev.isthmus.kernels;

import dev.isthmus.kernels.gemm.GemmSupport;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The laws every SGEMM implementation obeys; subclasses name the implementation. */
abstract class SgemmContract {

    abstract GemmSupport kernels();

    @AfterProperty
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Property(tries = 300, seed = Seeds.FIXED)
    void equalsDoubleReference(@ForAll("cases") SgemmCase c) {
        assertEqualsReference(c);
    }

    /** C wider than the narrow limit: a row-major A is packed (transposed, on AVX-512), not read in place. */
    @Property(tries = 40, seed = Seeds.FIXED)
    void wideEqualsDoubleReference(@ForAll("wideCases") SgemmCase c) {
        assertEqualsReference(c);
    }

    private void assertEqualsReference(SgemmCase c) {
        float[] out = c.run(kernels());
        double[] expected = ReferenceGemm.sgemm(c);
        double[] tol = ReferenceGemm.tolerance(c);
        for (int i = 0; i < c.m(); i++) {
            for (int j = 0; j < c.n(); j++) {
                float actual = out[c.cOffset() + i * c.ldc() + j];
                double want = expected[i * c.n() + j];
                double allowed = tol[i * c.n() + j];
                if (!(Math.abs(actual - want) <= allowed)) {
                    throw new AssertionError("C(" + i + "," + j + ") = " + actual + ", reference " + want
                            + ", tolerance " + allowed);
                }
            }
        }
        assertTrue(c.untouchedOutside(out), "wrote outside the m x n window of C");
    }

    @Property(tries = 25, seed = Seeds.FIXED)
    void sameBitsForOneAndManyThreads(@ForAll("largeCases") SgemmCase c) {
        Parallel.setThreads(1);
        float[] one = c.run(kernels());
        Parallel.setThreads(3);
        float[] three = c.run(kernels());
        Parallel.setThreads(2);
        float[] two = c.run(kernels());
        assertArrayEquals(one, three);
        assertArrayEquals(one, two);
    }

    /**
     * A row table (rows anywhere in one array, overlapping, repeated, in any order) gives the same
     * bits as the same rows gathered into a matrix, on every path of the implementation.
     */
    @Property(tries = 200, seed = Seeds.FIXED)
    void rowTableGivesTheBitsOfTheGatheredMatrix(@ForAll("cases") SgemmCase c, @ForAll long seed) {
        assertRowTableGivesTheBitsOfTheGatheredMatrix(c, seed);
    }

    @Property(tries = 30, seed = Seeds.FIXED)
    void wideRowTableGivesTheBitsOfTheGatheredMatrix(@ForAll("wideCases") SgemmCase c, @ForAll long seed) {
        assertRowTableGivesTheBitsOfTheGatheredMatrix(c, seed);
    }

    private void assertRowTableGivesTheBitsOfTheGatheredMatrix(SgemmCase c, long seed) {
        var random = new java.util.SplittableRandom(seed);
        float[] source = new float[c.k() + 1 + random.nextInt(3 * Math.max(1, c.m()))];
        for (int i = 0; i < source.length; i++) {
            source[i] = (float) random.nextDouble(-1, 1);
        }
        int[] rows = new int[c.m()];
        float[] gathered = new float[c.m() * c.k()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = random.nextInt(source.length - c.k() + 1);
            System.arraycopy(source, rows[i], gathered, i * c.k(), c.k());
        }
        float[] viaRows = c.c().clone(), viaMatrix = c.c().clone();
        kernels().sgemmRows(c.transB(), c.m(), c.n(), c.k(), c.alpha(), source, rows, c.b(), c.bOffset(), c.ldb(),
                c.beta(), viaRows, c.cOffset(), c.ldc());
        kernels().sgemm(false, c.transB(), c.m(), c.n(), c.k(), c.alpha(), gathered, 0, Math.max(1, c.k()), c.b(),
                c.bOffset(), c.ldb(), c.beta(), viaMatrix, c.cOffset(), c.ldc());
        assertArrayEquals(viaMatrix, viaRows);
    }

    @Example
    void betaZeroIgnoresNanInC() {
        SgemmCase c = SgemmCase.of(9, 37, 11, false, false, 1f, 0f, 0, 0, 7);
        java.util.Arrays.fill(c.c(), Float.NaN);
        float[] out = c.run(kernels());
        for (int i = 0; i < c.m(); i++) {
            for (int j = 0; j < c.n(); j++) {
                assertTrue(Float.isFinite(out[c.cOffset() + i * c.ldc() + j]));
            }
        }
    }

    @Example
    void nanInInputsPropagates() {
        SgemmCase c = SgemmCase.of(5, 19, 7, false, false, 1f, 0f, 0, 0, 8);
        c.a()[c.aOffset() + 2 * c.lda() + 3] = Float.NaN; // row 2 of A
        float[] out = c.run(kernels());
        for (int j = 0; j < c.n(); j++) {
            assertTrue(Float.isNaN(out[c.cOffset() + 2 * c.ldc() + j]), "NaN in row 2 of A must reach C(2," + j + ")");
            assertTrue(Float.isFinite(out[c.cOffset() + c.ldc() + j]));
        }
    }

    @Example
    void alphaZeroScalesCByBeta() {
        SgemmCase c = SgemmCase.of(6, 20, 9, true, true, 0f, 0.5f, 1, 1, 9);
        c.b()[c.bOffset()] = Float.POSITIVE_INFINITY; // not referenced when alpha is 0
        float[] out = c.run(kernels());
        for (int i = 0; i < c.m(); i++) {
            for (int j = 0; j < c.n(); j++) {
                int at = c.cOffset() + i * c.ldc() + j;
                assertEquals(0.5f * c.c()[at], out[at]);
            }
        }
    }

    @Provide
    Arbitrary<SgemmCase> cases() {
        // jqwik's edgeCases(includeOnly) only filters its own edge cases; mix awkward sizes in instead.
        Arbitrary<Integer> small = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(0, 40)),
                Tuple.of(1, Arbitraries.of(0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33)));
        // Sometimes cross the K block (256, or 512 where AVX-512 packs A; one block up to a quarter
        // more) and the M block, so block boundaries are exercised.
        Arbitrary<Integer> k = Arbitraries.frequencyOf(
                Tuple.of(5, small), Tuple.of(1, Arbitraries.integers().between(250, 1100)));
        Arbitrary<Integer> m = Arbitraries.frequencyOf(
                Tuple.of(5, small), Tuple.of(1, Arbitraries.integers().between(160, 260)));
        Arbitrary<int[]> smallShape = Combinators.combine(m, small, k).as((mm, nn, kk) -> new int[] {mm, nn, kk});
        // Mostly larger on every side, so several row and column tiles (and blocks) meet.
        Arbitrary<int[]> largerShape = Combinators.combine(Arbitraries.integers().between(1, 200),
                        Arbitraries.integers().between(1, 150), Arbitraries.integers().between(1, 300))
                .as((mm, nn, kk) -> new int[] {mm, nn, kk});
        // C exactly one or two vectors wide (and one off), where the kernels take special paths.
        int lanes = Math.max(4, kernels().vectorBitSize() / 32);
        Arbitrary<int[]> vectorWide = Combinators.combine(Arbitraries.integers().between(1, 70),
                        Arbitraries.of(lanes - 1, lanes, lanes + 1, 2 * lanes, 2 * lanes + lanes / 2, 3 * lanes, 5 * lanes),
                        Arbitraries.integers().between(1, 600))
                .as((mm, nn, kk) -> new int[] {mm, nn, kk});
        Arbitrary<int[]> shape = Arbitraries.frequencyOf(Tuple.of(6, smallShape), Tuple.of(2, largerShape),
                Tuple.of(1, vectorWide));
        Arbitrary<Float> alpha = Arbitraries.of(1f, -1f, 0f, 0.5f, 1.75f, -3.25f);
        Arbitrary<Float> beta = Arbitraries.of(0f, 1f, -1f, 0.5f, 2.5f);
        return Combinators.combine(shape, Arbitraries.of(false, true), Arbitraries.of(false, true), alpha, beta,
                        Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 3),
                        Arbitraries.longs())
                .as((s, ta, tb, al, be, off, pad, seed) -> SgemmCase.of(s[0], s[1], s[2], ta, tb, al, be, off, pad, seed));
    }

    /**
     * C wider than {@code Blocking.narrowN} (4 vectors), so A is packed whether or not it is
     * transposed: k short of, across and off the 16-step transposes and the K block, m across a
     * tile and the M block.
     */
    @Provide
    Arbitrary<SgemmCase> wideCases() {
        int lanes = Math.max(4, kernels().vectorBitSize() / 32);
        Arbitrary<Integer> m = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(1, 40)), Tuple.of(1, Arbitraries.integers().between(160, 200)));
        Arbitrary<Integer> n = Arbitraries.integers().between(16 * lanes + 1, 16 * lanes + 40);
        Arbitrary<Integer> k = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.integers().between(1, 40)), Tuple.of(1, Arbitraries.integers().between(250, 1100)));
        return Combinators.combine(m, n, k, Arbitraries.of(false, false, true), Arbitraries.of(false, true),
                        Arbitraries.of(1f, -1f, 0.5f, 1.75f), Arbitraries.of(0f, 1f, 0.5f), Arbitraries.longs())
                .as((mm, nn, kk, ta, tb, al, be, seed) -> SgemmCase.of(mm, nn, kk, ta, tb, al, be, 1, 1, seed));
    }

    @Provide
    Arbitrary<SgemmCase> largeCases() {
        Arbitrary<Integer> dim = Arbitraries.integers().between(1, 300);
        int lanes = Math.max(4, kernels().vectorBitSize() / 32);
        Arbitrary<int[]> shape = Arbitraries.frequencyOf(
                Tuple.of(4, Combinators.combine(dim, dim, Arbitraries.integers().between(1, 600))
                        .as((mm, nn, kk) -> new int[] {mm, nn, kk})),
                Tuple.of(1, Combinators.combine(dim, Arbitraries.of(lanes), Arbitraries.integers().between(1, 600))
                        .as((mm, nn, kk) -> new int[] {mm, nn, kk})));
        return Combinators.combine(shape, Arbitraries.of(false, true), Arbitraries.of(false, true),
                        Arbitraries.of(1f, 0.5f), Arbitraries.of(0f, 1f, 0.25f), Arbitraries.longs())
                .as((s, ta, tb, al, be, seed) -> SgemmCase.of(s[0], s[1], s[2], ta, tb, al, be, 1, 1, seed));
    }
}
