package dev.isthmus.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.kernels.Padding;
import dev.isthmus.nn.Activation;
import dev.isthmus.nn.ChestXRayNet;
import dev.isthmus.nn.Conv2D;
import dev.isthmus.nn.Dense;
import dev.isthmus.nn.GlobalAveragePooling2D;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Sequential;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SaliencyMapsTest {

    /**
     * One 1x1 convolution whose single filter copies the image, global pooling, and a dense layer
     * with a positive weight: the score grows with every pixel, so both maps must peak where the
     * image is brightest and vanish where it is zero.
     */
    @Test
    void mapsPointAtTheEvidence() {
        Model model = new Sequential(1, 8, 8)
                .add(new Conv2D(1, 1).activation(Activation.RELU).named("features"))
                .add(new GlobalAveragePooling2D())
                .add(new Dense(1).activation(Activation.SIGMOID))
                .build();
        model.parameters().get("features.weight").set(new float[] {1f});
        model.parameters().get("features.bias").set(new float[] {0f});
        model.parameters().get("dense.weight").set(new float[] {2f});
        model.parameters().get("dense.bias").set(new float[] {-1f});
        float[] image = new float[64];
        image[2 * 8 + 5] = 3f; // one bright pixel
        image[6 * 8 + 1] = 1f; // one dimmer one
        SaliencyMaps maps = new SaliencyMaps(model, "features");
        for (float[] map : new float[][] {maps.gradCamPlusPlus(image, 1), maps.scoreCam(image, 1)}) {
            assertEquals(64, map.length);
            assertEquals(1f, map[2 * 8 + 5], 1e-6, "the brightest pixel carries the most evidence");
            assertTrue(map[6 * 8 + 1] > 0 && map[6 * 8 + 1] < 1, "the dimmer pixel some");
            assertEquals(0f, map[0], 1e-6, "an empty corner none");
        }
    }

    @Test
    void chestXRayNetMapsAreDeterministicAndNormalised() {
        Model model = ChestXRayNet.build(64, 0.6f).initialize(3);
        float[] image = new float[64 * 64];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) r.nextGaussian();
        }
        SaliencyMaps maps = new SaliencyMaps(model, "conv7");
        float[] a = maps.gradCamPlusPlus(image, 1), b = maps.scoreCam(image, 0);
        assertArrayEquals(a, maps.gradCamPlusPlus(image, 1));
        assertArrayEquals(b, maps.scoreCam(image, 0));
        for (float[] m : new float[][] {a, b}) {
            for (float v : m) {
                assertTrue(v >= 0f && v <= 1f, "value " + v);
            }
        }
    }

    @Test
    void aLayerWithoutFeatureMapsIsRefused() {
        Model model = ChestXRayNet.build(64, 0.6f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SaliencyMaps(model, "fc1"));
        assertEquals("saliency maps need a layer with (channels, height, width) output; 'fc1' gives (128)", e.getMessage());
    }
}
