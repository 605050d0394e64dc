package dev.isthmus.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricsTest {

    private static final float[] LABELS = {0, 0, 1, 1, 0, 1, 0, 1};

    @Test
    void rocAucOfAPerfectAndOfAReversedRanking() {
        float[] scores = {0.1f, 0.2f, 0.8f, 0.9f, 0.3f, 0.7f, 0.4f, 0.6f};
        assertEquals(1.0, Metrics.rocAuc(scores, LABELS, 8));
        float[] reversed = new float[8];
        for (int i = 0; i < 8; i++) {
            reversed[i] = 1 - scores[i];
        }
        assertEquals(0.0, Metrics.rocAuc(reversed, LABELS, 8));
    }

    /** A model that outputs NaN once scored 0.575: each NaN sorted as a tie group of its own. */
    @Test
    void aNonFiniteScoreMakesEveryMetricNaN() {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] scores = {0.1f, 0.2f, 0.8f, bad, 0.3f, 0.7f, 0.4f, 0.6f};
            assertTrue(Double.isNaN(Metrics.rocAuc(scores, LABELS, 8)), "auc with " + bad);
            assertTrue(Double.isNaN(Metrics.binaryAccuracy(scores, LABELS, 8, false)), "accuracy with " + bad);
            float[] nanEverywhere = new float[8];
            java.util.Arrays.fill(nanEverywhere, bad);
            assertTrue(Double.isNaN(Metrics.rocAuc(nanEverywhere, LABELS, 8)), "all " + bad);
            float[] twoClasses = {0.9f, 0.1f, bad, 0.5f};
            assertTrue(Double.isNaN(Metrics.categoricalAccuracy(twoClasses, new float[] {0, 1}, 2, 2)));
        }
    }

    @Test
    void aNaNPastTheCountedPredictionsDoesNotCount() {
        float[] scores = {0.1f, 0.9f, Float.NaN};
        assertEquals(1.0, Metrics.rocAuc(scores, new float[] {0, 1, 0}, 2));
        assertEquals(1.0, Metrics.binaryAccuracy(scores, new float[] {0, 1, 0}, 2, false));
    }
}
