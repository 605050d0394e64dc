package dev.isthmus.kernels;

/** The torch.optim pseudo-code for Adam, AdamW and SGD, in double (amsgrad off, dampening 0). */
final class ReferenceOptimizers {

    private ReferenceOptimizers() {}

    /** One Adam (or, with {@code adamw}, AdamW) step {@code t} (from 1). */
    static void adam(double[] p, double[] g, double[] m, double[] v, int t, double lr, double beta1, double beta2,
                     double eps, double weightDecay, boolean adamw) {
        for (int i = 0; i < p.length; i++) {
            double grad = g[i];
            if (adamw) {
                p[i] = p[i] - lr * weightDecay * p[i];
            } else if (weightDecay != 0) {
                grad = grad + weightDecay * p[i];
            }
            m[i] = beta1 * m[i] + (1 - beta1) * grad;
            v[i] = beta2 * v[i] + (1 - beta2) * grad * grad;
            double mHat = m[i] / (1 - Math.pow(beta1, t));
            double vHat = v[i] / (1 - Math.pow(beta2, t));
            p[i] = p[i] - lr * mHat / (Math.sqrt(vHat) + eps);
        }
    }

    /** One SGD step {@code t} (from 1). */
    static void sgd(double[] p, double[] g, double[] buf, int t, double lr, double momentum, double weightDecay,
                    boolean nesterov) {
        for (int i = 0; i < p.length; i++) {
            double grad = g[i];
            if (weightDecay != 0) {
                grad = grad + weightDecay * p[i];
            }
            if (momentum != 0) {
                buf[i] = t > 1 ? momentum * buf[i] + grad : grad;
                grad = nesterov ? grad + momentum * buf[i] : buf[i];
            }
            p[i] = p[i] - lr * grad;
        }
    }
}
