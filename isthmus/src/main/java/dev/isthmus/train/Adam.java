package dev.isthmus.train;

import dev.isthmus.kernels.Optimizers;
import dev.isthmus.nn.Parameter;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam, and AdamW with {@link #decoupled}, with PyTorch's defaults (lr 1e-3, betas 0.9 and
 * 0.999, eps 1e-8; weight decay 0 for Adam, 1e-2 for AdamW) and bias correction.
 */
public final class Adam implements Optimizer {

    private final double lr, beta1, beta2, eps, weightDecay;
    private final boolean decoupled;
    private final Map<Parameter, float[][]> state = new IdentityHashMap<>();
    private int step;

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
        step++;
        for (Parameter p : parameters) {
            float[][] mv = state.computeIfAbsent(p, q -> new float[][] {new float[q.size()], new float[q.size()]});
            Optimizers.adam(p.value(), p.grad(), mv[0], mv[1], 0, p.size(), step, lr, beta1, beta2, eps, weightDecay, decoupled);
        }
    }

    public int steps() {
        return step;
    }

    @Override
    public String describe() {
        return (decoupled ? "AdamW" : "Adam") + "(lr=" + lr + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps
                + ", weight_decay=" + weightDecay + ")";
    }
}
