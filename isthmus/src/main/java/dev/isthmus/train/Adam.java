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

    private final float lr, beta1, beta2, eps, weightDecay;
    private final boolean decoupled;
    private final Map<Parameter, float[][]> state = new IdentityHashMap<>();
    private int step;

    public Adam(float lr) {
        this(lr, 0.9f, 0.999f, 1e-8f, 0f, false);
    }

    public Adam() {
        this(1e-3f);
    }

    /** AdamW: {@code torch.optim.AdamW(lr, weight_decay=weightDecay)}. */
    public static Adam decoupled(float lr, float weightDecay) {
        return new Adam(lr, 0.9f, 0.999f, 1e-8f, weightDecay, true);
    }

    public Adam(float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled) {
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

    static void check(String name, float value, boolean ok) {
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
