package dev.isthmus.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** NaN and infinity, and bad arguments for activations, losses, optimizers, dropout and batch norm. */
class ElementwiseArgumentsTest {

    private static String message(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    private static float[] apply(float value, ElementwiseProperties.Forward f) {
        float[] y = new float[1];
        f.apply(new float[] {value}, 0, y, 0, 1);
        return y;
    }

    @Test
    void nanAndInfinity() {
        assertTrue(Float.isNaN(apply(Float.NaN, Activations::relu)[0]));
        assertEquals(1f, apply(Float.POSITIVE_INFINITY, Activations::sigmoid)[0]);
        assertEquals(0f, apply(Float.NEGATIVE_INFINITY, Activations::sigmoid)[0]);
        assertTrue(Float.isNaN(apply(Float.NaN, Activations::sigmoid)[0]));
        assertEquals(1f, apply(Float.POSITIVE_INFINITY, Activations::tanh)[0]);
        float[] big = new float[2];
        Activations.softmax(new float[] {1000f, -1000f}, 0, big, 0, 1, 2);
        assertEquals(1f, big[0]);
        assertEquals(0f, big[1]);
        float[] grad = new float[2];
        assertTrue(Double.isNaN(CrossEntropy.binaryCrossEntropy(new float[] {0.5f, Float.NaN}, 0, new float[] {1, 0}, 0, 2,
                grad, 0)));
    }

    /**
     * Batch norm + ReLU's gradient sums treat NaN as the two passes they replace: a NaN gradient
     * where ReLU passes reaches {@code dz} and the sums, one where it blocks does not; a NaN input
     * blocks the mask ({@code NaN > 0} is false, as on the output) but still reaches the centred
     * sum. A missing array is named.
     */
    @Test
    void reluGradientStatisticsPassesNaNAsTheTwoPassesDo() {
        float[] one = {1f}, zero = {0f}, mean = {0f};
        float[] dz = new float[2];
        double[] sums = new double[2];
        // x = 1 and -1 around mean 0 with scale 1: the first passes ReLU, the second does not
        BatchNorm.reluGradientStatistics(new float[] {1f, -1f}, new float[] {Float.NaN, Float.NaN}, 0, 1, 1, 2, mean,
                zero, one, zero, dz, sums);
        assertTrue(Float.isNaN(dz[0]));
        assertEquals(0f, dz[1]);
        assertTrue(Double.isNaN(sums[0]) && Double.isNaN(sums[1]));
        sums = new double[2];
        BatchNorm.reluGradientStatistics(new float[] {Float.NaN}, new float[] {2f}, 0, 1, 1, 1, mean, zero, one, zero,
                dz, sums);
        assertEquals(0f, dz[0]);
        assertEquals(0.0, sums[0]);
        assertTrue(Double.isNaN(sums[1]));
        NullPointerException missing = assertThrows(NullPointerException.class,
                () -> BatchNorm.reluGradientStatistics(new float[1], null, 0, 1, 1, 1, mean, zero, one, zero,
                        new float[1], new double[2]));
        assertEquals("dy", missing.getMessage());
    }

    @Test
    void bceClampsTheLogAtMinus100() {
        float[] grad = new float[1];
        assertEquals(100, CrossEntropy.binaryCrossEntropy(new float[] {0f}, 0, new float[] {1f}, 0, 1, grad, 0));
        assertEquals(100, CrossEntropy.binaryCrossEntropy(new float[] {1f}, 0, new float[] {0f}, 0, 1, grad, 0));
        assertEquals(0, CrossEntropy.binaryCrossEntropy(new float[] {1f}, 0, new float[] {1f}, 0, 1, grad, 0));
        assertTrue(Float.isFinite(grad[0]));
    }

    @Test
    void badTargetsAndLabels() {
        float[] g = new float[6];
        assertEquals("binary cross-entropy targets must be in [0, 1], got 3.0 at index 1",
                message(() -> CrossEntropy.binaryCrossEntropy(new float[] {0.5f, 0.5f}, 0, new float[] {0, 3}, 0, 2, g, 0)));
        assertEquals("binary cross-entropy targets must be in [0, 1], got NaN at index 0",
                message(() -> CrossEntropy.binaryCrossEntropyWithLogits(new float[] {1}, 0, new float[] {Float.NaN}, 0, 1,
                        g, 0)));
        assertEquals("label of row 1 must be a class index in [0, 3), got 5.0",
                message(() -> CrossEntropy.softmaxCrossEntropy(new float[6], 0, new float[] {0, 5}, 0, 2, 3, g, 0)));
        assertEquals("label of row 0 must be a class index in [0, 3), got 1.5",
                message(() -> CrossEntropy.softmaxCrossEntropy(new float[6], 0, new float[] {1.5f, 0}, 0, 2, 3, g, 0)));
    }

    @Test
    void dropoutRate() {
        float[] a = new float[4];
        SplittableRandom r = new SplittableRandom(1);
        assertEquals("dropout rate must be in [0, 1), got 1.0",
                message(() -> InvertedDropout.forward(a, 0, a, 0, a, 0, 4, 1f, r, true)));
        assertEquals("dropout rate must be in [0, 1), got -0.1",
                message(() -> InvertedDropout.forward(a, 0, a, 0, a, 0, 4, -0.1f, r, false)));
        assertEquals("dropout rate must be in [0, 1), got NaN",
                message(() -> InvertedDropout.forward(a, 0, a, 0, a, 0, 4, Float.NaN, r, true)));
        assertEquals("dropout rate must be in [0, 1), got 1.5",
                message(() -> InvertedDropout.forward(a, 0, a, 0, a, 0, 4, 1.5f, 3L, 0L, true)));
    }

    @Test
    void arraysTooShort() {
        assertEquals("y is too short: n = 5 values at offset 1 need length >= 6, got 5",
                message(() -> Activations.relu(new float[5], 0, new float[5], 1, 5)));
        assertEquals("dx is too short: n = 4 values at offset 0 need length >= 4, got 3",
                message(() -> Activations.sigmoidBackward(new float[4], 0, new float[4], 0, new float[3], 0, 4)));
        assertEquals("x is too short: n = 6 values at offset 0 need length >= 6, got 5",
                message(() -> Activations.softmax(new float[5], 0, new float[6], 0, 2, 3)));
        assertEquals("grad is too short: n = 3 values at offset 0 need length >= 3, got 2",
                message(() -> CrossEntropy.binaryCrossEntropy(new float[3], 0, new float[3], 0, 3, new float[2], 0)));
        assertEquals("labels is too short: rows = 2 values at offset 0 need length >= 2, got 1",
                message(() -> CrossEntropy.softmaxCrossEntropy(new float[6], 0, new float[1], 0, 2, 3, new float[6], 0)));
        assertEquals("v is too short: n = 4 values at offset 0 need length >= 4, got 3",
                message(() -> Optimizers.adam(new float[4], new float[4], new float[4], new float[3], 0, 4, 1, 1e-3f,
                        0.9f, 0.999f, 1e-8f, 0f, false)));
        assertEquals("velocity is too short: n = 4 values at offset 0 need length >= 4, got 2",
                message(() -> Optimizers.sgd(new float[4], new float[4], new float[2], 0, 4, true, 0.1f, 0.9f, 0f,
                        false)));
        assertEquals("mask is too short: n = 4 values at offset 0 need length >= 4, got 3",
                message(() -> InvertedDropout.forward(new float[4], 0, new float[4], 0, new float[3], 0, 4, 0.5f,
                        new SplittableRandom(1), true)));
        assertEquals("n must be >= 0, got -1", message(() -> Activations.tanh(new float[1], 0, new float[1], 0, -1)));
    }

    @Test
    void adamStepCountsFromOne() {
        float[] a = new float[2];
        assertEquals("step must be > 0, got 0",
                message(() -> Optimizers.adam(a, a.clone(), a.clone(), a.clone(), 0, 2, 0, 1e-3f, 0.9f, 0.999f, 1e-8f,
                        0f, true)));
    }

    private static void train(int batch, int channels, int plane, float momentum, float eps, float[] y) {
        float[] c = new float[channels];
        BatchNorm.forwardTraining(new float[batch * channels * plane], 0, batch, channels, plane, c, c.clone(),
                c.clone(), c.clone(), momentum, eps, y, 0, c.clone(), c.clone());
    }

    @Test
    void batchNormArguments() {
        assertEquals("batch normalisation in training needs more than one value per channel, got batch = 1,"
                + " plane = 1", message(() -> train(1, 3, 1, 0.1f, 1e-5f, new float[3])));
        assertEquals("eps must be >= 0, got -1.0E-5", message(() -> train(2, 3, 1, 0.1f, -1e-5f, new float[6])));
        assertEquals("momentum must be in [0, 1], got 1.5", message(() -> train(2, 3, 1, 1.5f, 1e-5f, new float[6])));
        assertEquals("momentum must be in [0, 1], got -0.1",
                message(() -> train(2, 3, 1, -0.1f, 1e-5f, new float[6])));
        assertEquals("y is too short: batch * channels * plane = 24 values at offset 0 need length >= 24, got 23",
                message(() -> train(2, 3, 4, 0.1f, 1e-5f, new float[23])));
        assertEquals("channels must be > 0, got 0", message(() -> train(2, 0, 4, 0.1f, 1e-5f, new float[8])));
        float[] c = new float[3], x = new float[6];
        assertEquals("runningVar is too short: channels = 3 values at offset 0 need length >= 3, got 2",
                message(() -> BatchNorm.forwardEvaluation(x, 0, 2, 3, 1, c, c, c, new float[2], 1e-5f, x, 0)));
        assertEquals("dbeta is too short: channels = 3 values at offset 0 need length >= 3, got 1",
                message(() -> BatchNorm.backward(x, x, 2, 3, 1, c, c, c, x.clone(), c.clone(), new float[1])));
        assertEquals("y is too short: batch * channels * plane = 6 values at offset 0 need length >= 6, got 5",
                message(() -> BatchNorm.normalize(x, 0, 2, 3, 1, c, null, c, c, true, new float[5], 0)));
        double[] sums = new double[6];
        assertEquals("dz is too short: batch * channels * plane = 6 values at offset 0 need length >= 6, got 5",
                message(() -> BatchNorm.reluGradientStatistics(x, x, 0, 2, 3, 1, c, c, c, c, new float[5], sums)));
        assertEquals("scale is too short: channels = 3 values at offset 0 need length >= 3, got 2",
                message(() -> BatchNorm.reluGradientStatistics(x, x, 0, 2, 3, 1, c, c, new float[2], c, x.clone(),
                        sums)));
        assertEquals("sums needs 2 * channels = 6 values, got 5",
                message(() -> BatchNorm.reluGradientStatistics(x, x, 0, 2, 3, 1, c, c, c, c, x.clone(),
                        new double[5])));
    }
}
