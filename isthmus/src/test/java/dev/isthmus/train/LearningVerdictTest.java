package dev.isthmus.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LearningVerdictTest {

    private static final Dataset BALANCED = labels(0, 1, 0, 1, 1, 0);

    @Test
    void aLossAtLn2IsNotLearning() {
        LearningVerdict v = LearningVerdict.judge(history(0.40, 0.80, 0.6930, 0.60), BALANCED);
        assertFalse(v.learned());
        assertEquals(2, v.epoch());
        assertEquals(Math.log(2), v.chanceLoss(), 1e-12);
        assertEquals(List.of("validation loss 0.6930 is within 1% of 0.6931, what a constant guess scores (ln 2)"),
                v.reasons());
        assertEquals("did not learn: at epoch 2, validation loss 0.6930 is within 1% of 0.6931, what a constant guess"
                + " scores (ln 2)", v.summary());
    }

    @Test
    void theLossBandIsOnePercentOfLn2() {
        double edge = 0.99 * Math.log(2); // 0.68622
        assertFalse(LearningVerdict.judge(history(edge + 1e-6, 0.6), BALANCED).learned());
        assertTrue(LearningVerdict.judge(history(edge - 1e-4, 0.6), BALANCED).learned());
        assertFalse(LearningVerdict.judge(history(1.01 * Math.log(2) - 1e-6, 0.6), BALANCED).learned(), "above ln 2 too");
        assertTrue(LearningVerdict.judge(history(0.75, 0.6), BALANCED).learned(), "worse than a guess in loss, better in accuracy");
    }

    @Test
    void anAccuracyAtTheMajorityRateIsNotLearning() {
        LearningVerdict v = LearningVerdict.judge(history(0.45, 0.5), BALANCED);
        assertFalse(v.learned());
        assertEquals(List.of("validation accuracy 0.500 is no better than 0.500, what always answering the largest class scores"),
                v.reasons());
        assertFalse(LearningVerdict.judge(history(0.45, 0.4), BALANCED).learned(), "below the majority rate");
        assertTrue(LearningVerdict.judge(history(0.45, 0.51), BALANCED).learned());
    }

    @Test
    void bothReasonsAreGiven() {
        LearningVerdict v = LearningVerdict.judge(history(0.6931, 0.5), BALANCED);
        assertEquals(2, v.reasons().size(), v.reasons().toString());
    }

    @Test
    void unbalancedLabelsMoveTheBaseline() {
        Dataset threeToOne = labels(1, 1, 0, 1);
        double entropy = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)); // 0.5623
        LearningVerdict v = LearningVerdict.judge(history(0.5600, 0.80), threeToOne);
        assertEquals(entropy, v.chanceLoss(), 1e-12);
        assertEquals(0.75, v.majorityRate(), 1e-12);
        assertEquals(List.of("validation loss 0.5600 is within 1% of 0.5623, what a constant guess scores"), v.reasons());
        assertFalse(LearningVerdict.judge(history(0.30, 0.75), threeToOne).learned(), "0.75 is the majority rate here");
        assertTrue(LearningVerdict.judge(history(0.6931, 0.80), threeToOne).learned(), "ln 2 is not the baseline here");
    }

    @Test
    void classIndicesCountAsClasses() {
        LearningVerdict v = LearningVerdict.judge(history(1.0, 0.9), labels(0, 1, 2, 0, 1, 2));
        assertEquals(Math.log(3), v.chanceLoss(), 1e-12);
        assertEquals(1.0 / 3, v.majorityRate(), 1e-12);
        assertTrue(v.learned());
    }

    @Test
    void theLastEpochIsJudged() {
        assertFalse(LearningVerdict.judge(history(0.20, 0.95, 0.6931, 0.50), BALANCED).learned(), "fell back");
        LearningVerdict late = LearningVerdict.judge(history(0.6931, 0.50, 0.6931, 0.50, 0.20, 0.95), BALANCED);
        assertTrue(late.learned());
        assertEquals(3, late.epoch());
        assertEquals("learned: validation loss 0.2000 (a constant guess: 0.6931), validation accuracy 0.950 (the"
                + " largest class: 0.500) at epoch 3", late.summary());
    }

    @Test
    void aNonFiniteLossIsNotLearning() {
        LearningVerdict v = LearningVerdict.judge(history(Double.NaN, 0.9), BALANCED);
        assertFalse(v.learned());
        assertEquals(List.of("the validation loss is NaN"), v.reasons());
    }

    @Test
    void withoutValidationFiguresThereIsNoVerdict() {
        History h = new History();
        h.record(Map.of("loss", 0.5, "accuracy", 0.7));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LearningVerdict.judge(h, BALANCED));
        assertTrue(e.getMessage().startsWith("the verdict needs val_loss and val_accuracy in the history, got ["),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LearningVerdict.judge(history(0.5, 0.5), labels()));
    }

    @Test
    void badBaselinesAndLabelsAreRefusedByValue() {
        History h = history(0.5, 0.9);
        assertEquals("chanceLoss must be a finite loss >= 0, got NaN",
                assertThrows(IllegalArgumentException.class, () -> LearningVerdict.judge(h, Double.NaN, 0.5)).getMessage());
        assertEquals("majorityRate must be a share in (0, 1], got 1.5",
                assertThrows(IllegalArgumentException.class, () -> LearningVerdict.judge(h, Math.log(2), 1.5)).getMessage());
        assertEquals("the verdict needs finite validation labels, got NaN for sample 2",
                assertThrows(IllegalArgumentException.class, () -> LearningVerdict.judge(h, labels(0, 1, Float.NaN, 1)))
                        .getMessage());
        Dataset twoTargets = new Dataset(new float[2], new float[4], 2, Shape.of(1, 1, 1), 2);
        assertEquals("the verdict needs one label per validation sample, got 2 targets per sample",
                assertThrows(IllegalArgumentException.class, () -> LearningVerdict.judge(h, twoTargets)).getMessage());
    }

    /** A history of (val_loss, val_accuracy) pairs, one per epoch. */
    private static History history(double... lossAccuracy) {
        History h = new History();
        for (int i = 0; i < lossAccuracy.length; i += 2) {
            h.record(Map.of("loss", 0.5, "val_loss", lossAccuracy[i], "val_accuracy", lossAccuracy[i + 1]));
        }
        return h;
    }

    private static Dataset labels(float... y) {
        return Dataset.of(new float[y.length], y, Shape.of(1, 1, 1));
    }
}
