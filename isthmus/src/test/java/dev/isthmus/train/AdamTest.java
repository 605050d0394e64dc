package dev.isthmus.train;

import dev.isthmus.kernels.Optimizers;
import dev.isthmus.kernels.Parallel;
import dev.isthmus.nn.ChestXRayNet;
import dev.isthmus.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Adam's chunked, multi-threaded update is the plain per-parameter update, bit for bit, on any thread count. */
class AdamTest {

    private int threadsBefore;

    @BeforeEach
    void rememberThreads() {
        threadsBefore = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threadsBefore);
    }

    /** A list changed in place (same object, same size) is planned again: the new parameter is updated, the old one not. */
    @Test
    void aListChangedInPlaceIsPlannedAgain() {
        List<Parameter> params = parameters(), others = parameters();
        Adam adam = new Adam(1e-2);
        fillGradients(params, 1);
        adam.step(params);
        Parameter dropped = params.get(0), added = others.get(0);
        fillGradients(others, 2);
        float[] droppedBefore = dropped.value().clone(), addedBefore = added.value().clone();
        params.set(0, added);
        adam.step(params);
        assertArrayEquals(droppedBefore, dropped.value(), "a parameter no longer listed is left alone");
        assertFalse(java.util.Arrays.equals(addedBefore, added.value()), "the parameter put in its place is updated");
    }

    @Test
    void aParameterListedTwiceIsRefused() {
        List<Parameter> params = parameters();
        params.add(params.get(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Adam().step(params));
        assertTrue(e.getMessage().contains("'" + params.get(3).name() + "'") && e.getMessage().contains("listed twice"),
                e.getMessage());
    }

    @Test
    void chunkedUpdateEqualsThePlainOneOnAnyThreadCount() {
        // ChestXRayNet: 20 parameters from 8 to 25,000 floats, so chunks both split and stay whole.
        List<float[]> plain = plainAdam(3);
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            List<Parameter> params = parameters();
            Adam adam = new Adam(1e-2);
            for (int step = 1; step <= 3; step++) {
                fillGradients(params, step);
                adam.step(params);
            }
            for (int i = 0; i < params.size(); i++) {
                assertArrayEquals(plain.get(i), params.get(i).value(), threads + " threads, " + params.get(i).name() + " #" + i);
            }
        }
    }

    /** The update as one call per whole parameter. */
    private static List<float[]> plainAdam(int steps) {
        List<Parameter> params = parameters();
        List<float[][]> moments = new ArrayList<>();
        for (Parameter p : params) {
            moments.add(new float[][] {new float[p.size()], new float[p.size()]});
        }
        for (int step = 1; step <= steps; step++) {
            fillGradients(params, step);
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                Optimizers.adam(p.value(), p.grad(), moments.get(i)[0], moments.get(i)[1], 0, p.size(), step,
                        1e-2, 0.9, 0.999, 1e-8, 0, false);
            }
        }
        List<float[]> values = new ArrayList<>();
        for (Parameter p : params) {
            values.add(p.value().clone());
        }
        return values;
    }

    private static List<Parameter> parameters() {
        return new ArrayList<>(ChestXRayNet.build(64, 0.5f).initialize(7).parameters().values());
    }

    private static void fillGradients(List<Parameter> params, int step) {
        SplittableRandom r = new SplittableRandom(step);
        for (Parameter p : params) {
            float[] g = p.grad();
            for (int k = 0; k < g.length; k++) {
                g[k] = (float) (r.nextDouble() * 2 - 1);
            }
        }
    }
}
