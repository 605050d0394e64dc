package dev.isthmus.train;

import dev.isthmus.kernels.Optimizers;
import dev.isthmus.kernels.Parallel;
import dev.isthmus.nn.Parameter;
import dev.isthmus.internal.ParameterChunks;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Adam, and AdamW with {@link #decoupled}, with PyTorch's defaults (lr 1e-3, betas 0.9 and
 * 0.999, eps 1e-8; weight decay 0 for Adam, 1e-2 for AdamW) and bias correction.
 *
 * <p>The update is element-wise, so it runs on the library's threads a {@link ParameterChunks}
 * chunk at a time (the same numbers on any thread count): with many threads, a one-thread update
 * would be a serial tail on every step. Not thread-safe: one trainer steps it at a time.
 */
public final class Adam implements Optimizer {

    private final double lr, beta1, beta2, eps, weightDecay;
    private final boolean decoupled;

    private final Map<Parameter, float[][]> state = new IdentityHashMap<>();
    private final IntConsumer updateChunk = this::updateChunk;
    private int step;
    /** The parameters the chunks were cut for, their moments (m, v) in the same order, and the chunks. */
    private Parameter[] planned = new Parameter[0];
    private float[][][] moments = new float[0][][];
    private ParameterChunks chunks = new ParameterChunks();

    public Adam(double lr) {
        this(lr, 0.9, 0.999, 1e-8, 0, false);
    }

    public Adam() {
        this(1e-3);
    }

    /** AdamW: {@code torch.optim.AdamW(lr, weight_decay=weightDecay)} (PyTorch's default decay is 1e-2). */
    public static Adam decoupled(double lr, double weightDecay) {
        return new Adam(lr, 0.9, 0.999, 1e-8, weightDecay, true);
    }

    /** Hyper-parameters in double, as PyTorch takes them (see {@link Optimizers}). */
    public Adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        check("lr", lr, lr >= 0);
        check("beta1", beta1, beta1 >= 0 && beta1 < 1);
        check("beta2", beta2, beta2 >= 0 && beta2 < 1);
        check("eps", eps, eps >= 0);
        check("weightDecay", weightDecay, weightDecay >= 0);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
    }

    static void check(String name, double value, boolean ok) {
        if (!ok) {
            throw new IllegalArgumentException("optimizer " + name + " out of range: got " + value);
        }
    }

    @Override
    public void step(List<Parameter> parameters) {
        if (!isPlanned(parameters)) {
            plan(parameters);
        }
        step++;
        Parallel.forEach(chunks.count(), updateChunk);
    }

    private void updateChunk(int c) {
        int i = chunks.parameter(c);
        Parameter p = planned[i];
        float[][] mv = moments[i];
        Optimizers.adam(p.value(), p.grad(), mv[0], mv[1], chunks.from(c), chunks.length(c), step, lr, beta1, beta2,
                eps, weightDecay, decoupled);
    }

    /** True when {@code parameters} holds the planned parameters, in order (compared by identity: no allocation). */
    private boolean isPlanned(List<Parameter> parameters) {
        if (parameters.size() != planned.length) {
            return false;
        }
        for (int i = 0; i < planned.length; i++) {
            if (parameters.get(i) != planned[i]) {
                return false;
            }
        }
        return true;
    }

    /** Cuts {@code parameters} into chunks; the moments stay with their parameter, whatever list it comes in. */
    private void plan(List<Parameter> parameters) {
        Parameter[] list = parameters.toArray(new Parameter[0]);
        float[][][] mv = new float[list.length][][];
        for (int i = 0; i < list.length; i++) {
            Parameter p = list[i];
            for (int j = 0; j < i; j++) {
                if (list[j] == p) {
                    throw new IllegalArgumentException("parameter '" + p.name() + "' " + Arrays.toString(p.shape())
                            + " is listed twice; an optimizer updates each parameter once per step");
                }
            }
            mv[i] = state.computeIfAbsent(p, q -> new float[][] {new float[q.size()], new float[q.size()]});
        }
        chunks = new ParameterChunks(Parameter.sizes(parameters));
        moments = mv;
        planned = list;
    }

    public int steps() {
        return step;
    }

    /** {@code step} (exact below 2^24 steps), and per parameter {@code i.exp_avg} and {@code i.exp_avg_sq}. */
    @Override
    public Map<String, float[]> saveState(List<Parameter> parameters) {
        if (step >= 1 << 24) {
            throw new IllegalStateException("Adam's step count " + step + " is past what a float holds exactly (2^24)");
        }
        Map<String, float[]> saved = new LinkedHashMap<>();
        saved.put("step", new float[] {step});
        for (int i = 0; i < parameters.size(); i++) {
            float[][] mv = state.get(parameters.get(i));
            if (mv != null) {
                saved.put(i + ".exp_avg", mv[0].clone());
                saved.put(i + ".exp_avg_sq", mv[1].clone());
            }
        }
        return saved;
    }

    @Override
    public void restoreState(List<Parameter> parameters, Map<String, float[]> saved) {
        int restoredStep = (int) SavedState.entry(saved, "step", 1)[0];
        Map<Parameter, float[][]> moments = new IdentityHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            if (saved.containsKey(i + ".exp_avg") || saved.containsKey(i + ".exp_avg_sq")) {
                moments.put(p, new float[][] {SavedState.entry(saved, i + ".exp_avg", p.size()).clone(),
                        SavedState.entry(saved, i + ".exp_avg_sq", p.size()).clone()});
            }
        }
        state.clear();
        state.putAll(moments);
        planned = new Parameter[0]; // the next step plans again, with these moments
        step = restoredStep;
    }

    @Override
    public String describe() {
        return (decoupled ? "AdamW" : "Adam") + "(lr=" + lr + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps
                + ", weight_decay=" + weightDecay + ")";
    }
}
