package dev.isthmus.kernels;

/**
 * Fused optimizer updates over flat parameter arrays, step for step as {@code torch.optim}
 * computes them (float32 state, the same order of operations).
 */
public final class Optimizers {

    private Optimizers() {}

    /**
     * Adam ({@code decoupled = false}: weight decay added to the gradient, {@code torch.optim.Adam})
     * or AdamW ({@code decoupled = true}: {@code p -= lr * wd * p} first, {@code torch.optim.AdamW}).
     * {@code step} counts from 1; bias correction as PyTorch.
     */
    public static void adam(float[] param, float[] grad, float[] m, float[] v, int offset, int n, int step,
                            float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled) {
        Checks.span("param", param, offset, n, "n");
        Checks.span("grad", grad, offset, n, "n");
        Checks.span("m", m, offset, n, "n");
        Checks.span("v", v, offset, n, "n");
        Checks.positive("step", step);
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        float stepSize = (float) (lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float decay = decoupled ? 1f - lr * weightDecay : 1f;
        for (int i = offset; i < offset + n; i++) {
            float p = param[i];
            float g = grad[i];
            if (decoupled) {
                p *= decay;
            } else if (weightDecay != 0f) {
                g += weightDecay * p;
            }
            float mi = beta1 * m[i] + (1f - beta1) * g;
            float vi = beta2 * v[i] + (1f - beta2) * g * g;
            m[i] = mi;
            v[i] = vi;
            float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
            param[i] = p - stepSize * mi / denom;
        }
    }

    /**
     * SGD with momentum (dampening 0) as {@code torch.optim.SGD}: {@code g += wd * p};
     * {@code buf = momentum * buf + g} (just {@code g} on the first step); then
     * {@code p -= lr * (nesterov ? g + momentum * buf : buf)}. Without momentum, {@code p -= lr * g}.
     */
    public static void sgd(float[] param, float[] grad, float[] velocity, int offset, int n, boolean firstStep,
                           float lr, float momentum, float weightDecay, boolean nesterov) {
        Checks.span("param", param, offset, n, "n");
        Checks.span("grad", grad, offset, n, "n");
        if (momentum != 0f) {
            Checks.span("velocity", velocity, offset, n, "n");
        }
        for (int i = offset; i < offset + n; i++) {
            float g = grad[i] + weightDecay * param[i];
            if (momentum != 0f) {
                float buf = firstStep ? g : momentum * velocity[i] + g;
                velocity[i] = buf;
                g = nesterov ? g + momentum * buf : buf;
            }
            param[i] -= lr * g;
        }
    }
}
