package dev.isthmus.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link MapLayout}'s checks name the argument and the values; dense is dense and nothing else. */
class MapLayoutTest {

    @Test
    void denseIsPackedRowMajor() {
        MapLayout d = MapLayout.dense(3, 4, 5);
        assertEquals(new MapLayout(3, 4, 5, 60, 0, 5, 20), d);
        assertTrue(d.isDense());
        assertTrue(d.holds(3, 4, 5));
        assertFalse(d.holds(3, 5, 4));
        assertFalse(new MapLayout(3, 4, 5, 61, 0, 5, 20).isDense(), "a float after the cells");
        assertFalse(new MapLayout(3, 4, 5, 3 * 24, 0, 6, 24).isDense(), "padded rows");
    }

    @Test
    void channelsMayNotOverlapNorRunPastTheImage() {
        assertEquals("plane must be >= (height - 1) * rowStride + width = 23 so that channels do not overlap, got 22",
                assertThrows(IllegalArgumentException.class, () -> new MapLayout(2, 4, 5, 100, 0, 6, 22)).getMessage());
        assertEquals("imageSize must be >= offset + (channels - 1) * plane + (height - 1) * rowStride + width = 50,"
                + " got 49", assertThrows(IllegalArgumentException.class,
                () -> new MapLayout(2, 4, 5, 49, 3, 6, 24)).getMessage());
        assertEquals("rowStride must be >= width 5, got 4",
                assertThrows(IllegalArgumentException.class, () -> new MapLayout(1, 4, 5, 100, 0, 4, 20)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MapLayout(0, 4, 5, 100, 0, 5, 20));
        assertThrows(IllegalArgumentException.class, () -> new MapLayout(1, 4, 5, 100, -1, 5, 20));
        new MapLayout(1, 4, 5, 23, 0, 6, 0); // one channel: its plane is never stepped
        assertEquals("channels * height * width = 65536 * 256 * 256 = 4294967296 floats exceeds an array's 2147483647",
                assertThrows(IllegalArgumentException.class, () -> MapLayout.dense(65536, 256, 256)).getMessage());
        assertEquals("height must be > 0, got -2",
                assertThrows(IllegalArgumentException.class, () -> MapLayout.dense(3, -2, 5)).getMessage());
    }
}
