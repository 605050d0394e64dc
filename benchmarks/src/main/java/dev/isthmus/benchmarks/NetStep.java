package dev.isthmus.benchmarks;

import dev.isthmus.nn.Execution;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Parameter;
import dev.isthmus.train.Adam;
import dev.isthmus.train.Loss;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The training step and inference pass the benchmarks time for a {@link BenchmarkNets} network,
 * as {@code torch_nets.py} does in PyTorch: a batch of Gaussian inputs (seed 42), labels cycling
 * through the classes (0/1 for a binary net), the net's loss and Adam (learning rate 1e-3).
 */
final class NetStep {

    final BenchmarkNets net;
    final int batch;
    final Model model;
    final Execution execution;
    final Adam adam = new Adam(1e-3);
    final List<Parameter> parameters;
    final Loss loss;
    final float[] x, labels, grad;

    NetStep(BenchmarkNets net, int batch) {
        this.net = net;
        this.batch = batch;
        this.model = net.build();
        this.execution = model.newExecution();
        this.parameters = List.copyOf(model.parameters().values());
        this.loss = net.loss();
        SplittableRandom random = new SplittableRandom(42);
        x = new float[batch * net.input.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        labels = new float[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = i % Math.max(2, net.classes);
        }
        grad = new float[batch * model.outputShape().size()];
    }

    /** Forward in training mode, the loss and its gradient, backward: everything but the update. */
    double forwardBackward() {
        float[] out = execution.forward(x, batch, true);
        double l = loss.compute(out, labels, batch, model.outputShape().size(), grad);
        execution.backward(grad);
        return l;
    }

    /** One whole training step; returns its loss. */
    double train() {
        double l = forwardBackward();
        adam.step(parameters);
        return l;
    }

    /** An inference pass; returns the execution's output buffer. */
    float[] infer() {
        return execution.infer(x, batch);
    }
}
