package dev.isthmus.train;

import dev.isthmus.kernels.Optimizers;
import dev.isthmus.nn.Parameter;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Stochastic gradient descent with optional momentum, Nesterov and weight decay, as {@code torch.optim.SGD}. */
public final class Sgd implements Optimizer {

    private final double lr, momentum, weightDecay;
    private final boolean nesterov;
    private final Map<Parameter, float[]> velocity = new IdentityHashMap<>();

    public Sgd(double lr) {
        this(lr, 0, false, 0);
    }

    public Sgd(double lr, double momentum, boolean nesterov, double weightDecay) {
        Adam.check("lr", lr, lr >= 0);
        Adam.check("momentum", momentum, momentum >= 0 && momentum < 1);
        Adam.check("weightDecay", weightDecay, weightDecay >= 0);
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("Nesterov momentum needs momentum > 0, got 0");
        }
        this.lr = lr;
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
    }

    @Override
    public void step(List<Parameter> parameters) {
        for (Parameter p : parameters) {
            boolean first = !velocity.containsKey(p);
            float[] v = velocity.computeIfAbsent(p, q -> new float[momentum == 0 ? 0 : q.size()]);
            Optimizers.sgd(p.value(), p.grad(), v, 0, p.size(), first, lr, momentum, weightDecay, nesterov);
        }
    }

    /** Per parameter stepped at least once, {@code i.momentum_buffer}; nothing without momentum. */
    @Override
    public Map<String, float[]> saveState(List<Parameter> parameters) {
        Map<String, float[]> saved = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            float[] v = velocity.get(parameters.get(i));
            if (v != null && momentum != 0) {
                saved.put(i + ".momentum_buffer", v.clone());
            }
        }
        return saved;
    }

    @Override
    public void restoreState(List<Parameter> parameters, Map<String, float[]> saved) {
        Map<Parameter, float[]> restored = new IdentityHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            if (saved.containsKey(i + ".momentum_buffer")) {
                restored.put(p, SavedState.entry(saved, i + ".momentum_buffer", p.size()).clone());
            }
        }
        velocity.clear();
        velocity.putAll(restored);
    }

    @Override
    public String describe() {
        return "SGD(lr=" + lr + ", momentum=" + momentum + (nesterov ? ", nesterov" : "") + ", weight_decay=" + weightDecay + ")";
    }
}
