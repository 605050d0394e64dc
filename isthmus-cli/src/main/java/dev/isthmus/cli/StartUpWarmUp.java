package dev.isthmus.cli;

import dev.isthmus.nn.ChestXRayNet;
import dev.isthmus.nn.Initializer;
import dev.isthmus.nn.Model;
import dev.isthmus.train.Losses;
import dev.isthmus.train.WarmUp;

/**
 * The commands' kernel warm-up while they read their images ({@link WarmUp}), one batch at a
 * time; null (nothing to close) under {@value #PROPERTY}{@code =false}, the hook that measures
 * what it saves (benchmarks/README.md, cold start).
 */
final class StartUpWarmUp {

    static final String PROPERTY = "isthmus.warmUp";

    private StartUpWarmUp() {}

    /** Training a throwaway ChestXRayNet of the run's shape. */
    static WarmUp training(int side, float dropout, Initializer init) {
        return enabled() ? WarmUp.start(() -> ChestXRayNet.build(side, dropout).initialize(0, init),
                Losses.binaryCrossEntropy(), 1) : null;
    }

    /** Predictions of {@code model}, which the warm-up only reads. */
    static WarmUp inference(Model model) {
        return enabled() ? WarmUp.inference(model, 1) : null;
    }

    private static boolean enabled() {
        return Boolean.parseBoolean(System.getProperty(PROPERTY, "true"));
    }
}
