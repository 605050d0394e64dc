package dev.isthmus.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.kernels.FusedConvolutionProperties.Case;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * {@link PreparedWeights}: every pass given weights laid out once writes the bits the same pass
 * writes given the plain weights (each algorithm lays out the same floats either way), reads its
 * own copy (a snapshot), and refuses to run on weights it cannot read.
 */
@Tag("kernel-ops")
@Tag("vector-width")
class PreparedWeightsProperties {

    /** Direct, strided, im2col and pointwise shapes, and Winograd's (both tile heights, Winograd gradients). */
    @Provide
    Arbitrary<Case> cases() {
        FusedConvolutionProperties shapes = new FusedConvolutionProperties();
        return Arbitraries.oneOf(shapes.cases(), shapes.winogradCases(), shapes.winogradDataGradientCases());
    }

    @Property(tries = 60, seed = Seeds.FIXED)
    void passesGiveThePlainWeightsBits(@ForAll("cases") Case c) {
        FusedConvolution f = c.fused();
        Convolution conv = f.conv();
        float[] x = c.input(), w = c.weights(), b = c.bias();
        PreparedWeights prepared = conv.newPreparedWeights();
        prepared.update(w, 0);
        prepared.prepareDataGradient();
        float[] original = w.clone();
        Arrays.fill(w, Float.NaN); // a snapshot: the passes read the copy

        int outputs = c.batch() * f.outputSize();
        float[] y = new float[outputs], yPrepared = new float[outputs];
        byte[] winners = new byte[c.batch() * f.winnersSize()], winnersPrepared = winners.clone();
        f.forward(c.batch(), x, 0, original, 0, b, 0, y, 0, winners, 0);
        f.forward(c.batch(), x, 0, prepared, b, 0, yPrepared, 0, winnersPrepared, 0);
        assertArrayEquals(y, yPrepared, c.toString());
        assertArrayEquals(winners, winnersPrepared, c.toString());

        float[] dy = c.random(outputs, 7);
        float[] dw = new float[conv.weightSize()], dbias = new float[c.cout()], dx = new float[c.batch() * conv.inputSize()];
        float[] dwPrepared = dw.clone(), dbiasPrepared = dbias.clone(), dxPrepared = dx.clone();
        f.backward(c.batch(), x, 0, original, 0, y, 0, dy, 0, winners, 0, dw, 0, dbias, 0, dx, 0);
        f.backward(c.batch(), x, 0, prepared, y, 0, dy, 0, winners, 0, dwPrepared, 0, dbiasPrepared, 0, dxPrepared, 0);
        assertArrayEquals(dw, dwPrepared, c.toString());
        assertArrayEquals(dbias, dbiasPrepared, c.toString());
        assertArrayEquals(dx, dxPrepared, c.toString());

        int plain = c.batch() * conv.outputSize();
        float[] z = new float[plain], zPrepared = new float[plain];
        conv.forward(c.batch(), x, 0, original, 0, b, 0, z, 0);
        conv.forward(c.batch(), x, 0, prepared, b, 0, zPrepared, 0);
        assertArrayEquals(z, zPrepared, c.toString());
        float[] dz = c.random(plain, 8);
        conv.backwardData(c.batch(), dz, 0, original, 0, dx, 0);
        conv.backwardData(c.batch(), dz, 0, prepared, dxPrepared, 0);
        assertArrayEquals(dx, dxPrepared, c.toString());

        if (!c.pool()) {
            float[] r = c.random(outputs, 9);
            f.forwardResidual(c.batch(), x, 0, original, 0, b, 0, r, 0, y, 0);
            f.forwardResidual(c.batch(), x, 0, prepared, b, 0, r, 0, yPrepared, 0);
            assertArrayEquals(y, yPrepared, c.toString());
        }
    }

    /** Grouped and depthwise convolutions lay their weights out per group, inside their images: the same bits. */
    @Example
    void groupedPassesGiveThePlainWeightsBits() {
        for (int groups : new int[] {2, 8}) {
            Convolution conv = new Convolution(8, 16, Window2d.of(12, 20, 3, 1, Padding.symmetric(1, 1)), groups);
            float[] x = WindowCase.uniform(groups, 1, 3 * conv.inputSize()), w = WindowCase.uniform(groups, 2, conv.weightSize());
            float[] b = WindowCase.uniform(groups, 3, 16), dy = WindowCase.uniform(groups, 4, 3 * conv.outputSize());
            PreparedWeights prepared = conv.newPreparedWeights();
            prepared.update(w, 0);
            prepared.prepareDataGradient();
            float[] y = new float[3 * conv.outputSize()], yPrepared = y.clone();
            conv.forward(3, x, 0, w, 0, b, 0, y, 0);
            conv.forward(3, x, 0, prepared, b, 0, yPrepared, 0);
            assertArrayEquals(y, yPrepared, conv.toString());
            float[] dx = new float[3 * conv.inputSize()], dxPrepared = dx.clone();
            conv.backwardData(3, dy, 0, w, 0, dx, 0);
            conv.backwardData(3, dy, 0, prepared, dxPrepared, 0);
            assertArrayEquals(dx, dxPrepared, conv.toString());
        }
    }

    /** Another update re-reads the weights; the data gradient's layout follows only when asked again. */
    @Example
    void updateTakesTheNewWeights() {
        Convolution conv = Convolution.of(16, 16, 16, 16, 3, 1, Padding.SAME);
        float[] x = WindowCase.uniform(1, 1, 2 * conv.inputSize());
        float[] w1 = WindowCase.uniform(1, 2, conv.weightSize()), w2 = WindowCase.uniform(1, 3, conv.weightSize());
        PreparedWeights prepared = conv.newPreparedWeights();
        prepared.update(w1, 0);
        prepared.update(w2, 0);
        float[] y = new float[2 * conv.outputSize()], yPrepared = y.clone();
        conv.forward(2, x, 0, w2, 0, null, 0, y, 0);
        conv.forward(2, x, 0, prepared, null, 0, yPrepared, 0);
        assertArrayEquals(y, yPrepared);
        float[] dx = new float[2 * conv.inputSize()];
        assertThrows(IllegalStateException.class, () -> conv.backwardData(2, y, 0, prepared, dx, 0));

        // NaN weights are taken as the plain pass takes them (propagated, as PyTorch's), not refused
        w2[5] = Float.NaN;
        prepared.update(w2, 0);
        conv.forward(2, x, 0, w2, 0, null, 0, y, 0);
        conv.forward(2, x, 0, prepared, null, 0, yPrepared, 0);
        assertArrayEquals(y, yPrepared);
        assertTrue(Float.isNaN(yPrepared[0]) || Float.isNaN(yPrepared[conv.outputSize() / 2]), "a NaN weight reaches y");
    }

    @Example
    void refusesWeightsItCannotRead() {
        Convolution conv = Convolution.of(3, 8, 8, 4, 3, 1, Padding.SAME);
        Convolution other = Convolution.of(3, 8, 8, 4, 3, 1, Padding.SAME);
        float[] x = new float[conv.inputSize()], y = new float[conv.outputSize()], dx = x.clone();
        PreparedWeights prepared = conv.newPreparedWeights();
        IllegalStateException empty = assertThrows(IllegalStateException.class,
                () -> conv.forward(1, x, 0, prepared, null, 0, y, 0));
        assertTrue(empty.getMessage().contains("update(w, wOffset)"), empty.getMessage());
        assertThrows(IllegalStateException.class, prepared::prepareDataGradient);

        IllegalArgumentException shortW = assertThrows(IllegalArgumentException.class,
                () -> prepared.update(new float[conv.weightSize()], 1));
        assertTrue(shortW.getMessage().contains("w"), shortW.getMessage());

        prepared.update(new float[conv.weightSize()], 0);
        IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
                () -> other.forward(1, x, 0, prepared, null, 0, y, 0));
        assertTrue(foreign.getMessage().startsWith("w is laid out for another Convolution instance"),
                foreign.getMessage());
        IllegalStateException forwardOnly = assertThrows(IllegalStateException.class,
                () -> conv.backwardData(1, y, 0, prepared, dx, 0));
        assertTrue(forwardOnly.getMessage().contains("prepareDataGradient()"), forwardOnly.getMessage());
        FusedConvolution fused = new FusedConvolution(conv, true, false);
        assertThrows(IllegalStateException.class, () -> fused.backward(1, x, 0, prepared, y, 0, y, 0, null, 0,
                null, 0, null, 0, dx, 0));
        FusedConvolution foreignFused = new FusedConvolution(other, true, false);
        IllegalArgumentException foreignToFused = assertThrows(IllegalArgumentException.class,
                () -> foreignFused.forward(1, x, 0, prepared, null, 0, y, 0, null, 0));
        assertTrue(foreignToFused.getMessage().startsWith("w is laid out for another Convolution instance"),
                foreignToFused.getMessage());
        NullPointerException none = assertThrows(NullPointerException.class,
                () -> conv.forward(1, x, 0, (PreparedWeights) null, null, 0, y, 0));
        assertTrue(none.getMessage().equals("w"), none.getMessage());
        assertThrows(NullPointerException.class, () -> fused.forwardResidual(1, x, 0, (PreparedWeights) null, null, 0,
                y, 0, y.clone(), 0));
    }
}
