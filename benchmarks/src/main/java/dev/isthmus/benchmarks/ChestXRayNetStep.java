package dev.isthmus.benchmarks;

import dev.isthmus.kernels.CrossEntropy;
import dev.isthmus.nn.ChestXRayNet;
import dev.isthmus.nn.Execution;
import dev.isthmus.nn.Initializer;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Parameter;
import dev.isthmus.train.Adam;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The training step every ChestXRayNet benchmark here times, as {@code torch_chestxraynet.py} does
 * in PyTorch: the lesson's network (He-uniform weights, seed 1), a batch of Gaussian 1x256x256
 * inputs (seed 42) with alternating labels, binary cross-entropy and Adam (learning rate 1e-3).
 */
final class ChestXRayNetStep {

    final int batch;
    final Model model = ChestXRayNet.build().initialize(1, Initializer.HE);
    final Execution execution = model.newExecution();
    final Adam adam = new Adam(1e-3);
    final List<Parameter> parameters = List.copyOf(model.parameters().values());
    final float[] x, labels, grad;

    ChestXRayNetStep(int batch) {
        this.batch = batch;
        SplittableRandom random = new SplittableRandom(42);
        x = new float[batch * 256 * 256];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        labels = new float[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = i % 2;
        }
        grad = new float[batch];
    }

    /** Forward in training mode, the loss and its gradient, backward: everything but the update. */
    double forwardBackward() {
        float[] out = execution.forward(x, batch, true);
        double loss = CrossEntropy.binaryCrossEntropy(out, 0, labels, 0, batch, grad, 0);
        execution.backward(grad);
        return loss;
    }

    /** One whole training step; returns its loss. */
    double train() {
        double loss = forwardBackward();
        adam.step(parameters);
        return loss;
    }

    /** Evaluation-mode forward pass; returns the execution's output buffer. */
    float[] infer() {
        return execution.forward(x, batch, false);
    }
}
