package dev.isthmus.cli;

import dev.isthmus.nn.Initializer;
import dev.isthmus.train.LearningVerdict;

/**
 * What {@code train} says when a run did not learn ({@link LearningVerdict}): the reasons, that
 * the saved model is no better than a guess, and what to try next. Printed once at the end of the
 * run and written into report.md; the run still exits 0 (it did what was asked).
 */
final class NoLearningNotice {

    private NoLearningNotice() {}

    /** The reasons, as one sentence. */
    static String reasons(LearningVerdict verdict) {
        return "At epoch " + verdict.epoch() + ", " + String.join("; ", verdict.reasons()) + ".";
    }

    /** What to try, given the run's settings. */
    static String advice(int epochs, long seed, Initializer init) {
        return "Try more epochs (--epochs " + 2 * epochs + "), another seed (--seed " + (seed + 1) + ")"
                + (init == Initializer.HE ? "" : " or He initial weights (--init he)") + ".";
    }

    /** The lines for the terminal. */
    static String forTerminal(LearningVerdict verdict, String model, int epochs, long seed, Initializer init) {
        return "THIS RUN DID NOT LEARN. " + reasons(verdict) + System.lineSeparator()
                + "The saved model (" + model + ") is no better than a guess: do not use it. "
                + advice(epochs, seed, init) + System.lineSeparator();
    }

    /** The section for report.md. */
    static String forReport(LearningVerdict verdict, int epochs, long seed, Initializer init) {
        return "## This run did not learn\n\n" + reasons(verdict) + "\n\nThe model saved in this folder is no better"
                + " than a guess: do not use it. " + advice(epochs, seed, init) + "\n\n";
    }
}
