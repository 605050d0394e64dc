package dev.isthmus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.Model;
import dev.isthmus.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** A saved optimizer state, restored into a new optimizer over a new copy of the model, continues bit for bit. */
class OptimizerStateTest {

    private static void step(Optimizer optimizer, List<Parameter> params, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Parameter p : params) {
            for (int i = 0; i < p.size(); i++) {
                p.grad()[i] = (float) r.nextGaussian();
            }
        }
        optimizer.step(params);
    }

    private static void assertResumesBitForBit(Supplier<Optimizer> make) {
        List<Parameter> straight = new ArrayList<>(ToyData.smallCnn(1).parameters().values());
        Optimizer once = make.get();
        for (int s = 0; s < 5; s++) {
            step(once, straight, s);
        }

        Model first = ToyData.smallCnn(1);
        List<Parameter> before = new ArrayList<>(first.parameters().values());
        Optimizer interrupted = make.get();
        for (int s = 0; s < 3; s++) {
            step(interrupted, before, s);
        }
        Map<String, float[]> saved = interrupted.saveState(before);
        step(interrupted, before, 99); // changes after the save do not reach the saved copy

        Model second = ToyData.smallCnn(1);
        List<Parameter> after = new ArrayList<>(second.parameters().values());
        for (int i = 0; i < after.size(); i++) { // the weights as they were at the save
            after.get(i).set(straightAfter(make, 3).get(i));
        }
        Optimizer resumed = make.get();
        resumed.restoreState(after, saved);
        for (int s = 3; s < 5; s++) {
            step(resumed, after, s);
        }
        for (int i = 0; i < after.size(); i++) {
            assertArrayEquals(straight.get(i).value(), after.get(i).value(), make.get().describe() + ", parameter " + i);
        }
    }

    private static List<float[]> straightAfter(Supplier<Optimizer> make, int steps) {
        List<Parameter> params = new ArrayList<>(ToyData.smallCnn(1).parameters().values());
        Optimizer o = make.get();
        for (int s = 0; s < steps; s++) {
            step(o, params, s);
        }
        return params.stream().map(p -> p.value().clone()).toList();
    }

    @Test
    void adamResumes() {
        assertResumesBitForBit(() -> new Adam(1e-2));
        assertResumesBitForBit(() -> Adam.decoupled(1e-2, 0.1));
    }

    @Test
    void sgdResumes() {
        assertResumesBitForBit(() -> new Sgd(0.1, 0.9, true, 1e-3));
        assertResumesBitForBit(() -> new Sgd(0.1));
        assertTrue(new Sgd(0.1).saveState(List.of()).isEmpty());
    }

    @Test
    void badStateIsNamed() {
        List<Parameter> params = new ArrayList<>(ToyData.smallCnn(1).parameters().values());
        Adam adam = new Adam();
        step(adam, params, 1);
        Map<String, float[]> saved = adam.saveState(params);
        saved.put("0.exp_avg", new float[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Adam().restoreState(params, saved));
        assertEquals("optimizer state entry '0.exp_avg' holds 3 values, the parameter " + params.get(0).size(), e.getMessage());
        saved.remove("step");
        e = assertThrows(IllegalArgumentException.class, () -> new Adam().restoreState(params, saved));
        assertTrue(e.getMessage().startsWith("optimizer state has no entry 'step'; it has ["), e.getMessage());
        Optimizer custom = new Optimizer() {
            @Override
            public void step(List<Parameter> parameters) {}

            @Override
            public String describe() {
                return "Custom()";
            }
        };
        assertEquals("Custom() cannot save its state (Optimizer.saveState), so training with it cannot resume from a"
                + " checkpoint", assertThrows(UnsupportedOperationException.class, () -> custom.saveState(params)).getMessage());
    }
}
