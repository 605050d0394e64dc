package dev.isthmus.kernels;

/**
 * Fused optimizer updates over flat parameter arrays, step for step as {@code torch.optim}
 * computes them (float32 state, the same order of operations). Hyper-parameters are doubles, as
 * Python's floats are: PyTorch forms {@code 1 - beta2} in double and only then rounds it to
 * float, and {@code 1 - 0.999f} in float differs from that by 1e-5 relative.
 */
public final class Optimizers {

    private Optimizers() {}

    /**
     * Adam ({@code decoupled = false}: weight decay added to the gradient, {@code torch.optim.Adam})
     * or AdamW ({@code decoupled = true}: {@code p -= lr * wd * p} first, {@code torch.optim.AdamW}).
     * {@code step} counts from 1; bias correction as PyTorch.
     */
    public static void adam(float[] param, float[] grad, float[] m, float[] v, int offset, int n, int step,
                            double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        Checks.span("param", param, offset, n, "n");
        Checks.span("grad", grad, offset, n, "n");
        Checks.span("m", m, offset, n, "n");
        Checks.span("v", v, offset, n, "n");
        Checks.positive("step", step);
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        KernelProvider.elementwise().adam(param, grad, m, v, offset, n, (float) beta1, (float) (1 - beta1), (float) beta2,
                (float) (1 - beta2), (float) eps, (float) (lr / bc1), (float) Math.sqrt(bc2),
                (float) (1 - lr * weightDecay), (float) weightDecay, decoupled);
    }

    /**
     * SGD with momentum (dampening 0) as {@code torch.optim.SGD}: {@code g += wd * p};
     * {@code buf = momentum * buf + g} (just {@code g} on the first step); then
     * {@code p -= lr * (nesterov ? g + momentum * buf : buf)}. Without momentum, {@code p -= lr * g}.
     */
    public static void sgd(float[] param, float[] grad, float[] velocity, int offset, int n, boolean firstStep,
                           double lr, double momentum, double weightDecay, boolean nesterov) {
        Checks.span("param", param, offset, n, "n");
        Checks.span("grad", grad, offset, n, "n");
        if (momentum != 0) {
            Checks.span("velocity", velocity, offset, n, "n");
        }
        float mu = (float) momentum, wd = (float) weightDecay, rate = (float) lr;
        for (int i = offset; i < offset + n; i++) {
            float g = grad[i] + wd * param[i];
            if (mu != 0f) {
                float buf = firstStep ? g : mu * velocity[i] + g;
                velocity[i] = buf;
                g = nesterov ? g + mu * buf : buf;
            }
            param[i] -= rate * g;
        }
    }
}
