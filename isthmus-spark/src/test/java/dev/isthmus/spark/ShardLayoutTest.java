package dev.isthmus.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Every place of an epoch goes to the worker whose slices hold it, as one machine slices the batch. */
class ShardLayoutTest {

    @Test
    void eachPlaceGoesToTheWorkerWhoseSliceHoldsIt() {
        for (int samples : new int[] {1, 5, 16, 37, 100}) {
            for (int batch : new int[] {1, 3, 16, 20}) {
                int b = Math.min(batch, samples);
                int full = Math.min(b, 16), rest = samples % b == 0 ? b : samples % b, last = Math.min(rest, 16);
                for (int workers = 1; workers <= Math.min(full, 5); workers++) {
                    ShardLayout layout = new ShardLayout(samples, b, workers, full, last);
                    int[] counts = new int[workers];
                    for (int place = 0; place < samples; place++) {
                        int batchIndex = place / b, j = place % b, n = layout.size(batchIndex);
                        int slices = batchIndex == layout.batches() - 1 ? last : full;
                        int slice = -1;
                        for (int s = 0; s < slices; s++) { // Execution's cut: slice s holds [n s / S, n (s + 1) / S)
                            if (n * s / slices <= j && j < n * (s + 1) / slices) {
                                slice = s;
                            }
                        }
                        int worker = -1;
                        for (int w = 0; w < workers; w++) {
                            if (slices * w / workers <= slice && slice < slices * (w + 1) / workers) {
                                worker = w;
                            }
                        }
                        String what = samples + " samples, batch " + b + ", " + workers + " workers, place " + place;
                        assertEquals(worker, layout.worker(place), what);
                        assertEquals(true, layout.firstPlace(batchIndex, worker) <= j
                                && j < layout.firstPlace(batchIndex, worker + 1), what);
                        counts[worker]++;
                    }
                    int total = 0;
                    for (int w = 0; w < workers; w++) {
                        total += counts[w];
                    }
                    assertEquals(samples, total);
                }
            }
        }
    }

    @Test
    void workersGetWholeSlicesAndTheirBlocks() {
        ShardLayout layout = new ShardLayout(40, 16, 3, 16, 8); // batches of 16, 16 and 8
        assertEquals(3, layout.batches());
        assertEquals(8, layout.size(2));
        assertArrayEquals(new int[] {0, 4}, layout.blocks(0, 0)); // slices [0, 5)
        assertArrayEquals(new int[] {5, 6, 8}, layout.blocks(0, 1)); // [5, 10)
        assertArrayEquals(new int[] {10, 12}, layout.blocks(0, 2)); // [10, 16)
        assertArrayEquals(new int[] {0}, layout.blocks(2, 0)); // the last batch: 8 slices, [0, 2) [2, 5) [5, 8)
        assertArrayEquals(new int[] {2, 4}, layout.blocks(2, 1));
        assertArrayEquals(new int[] {5, 6}, layout.blocks(2, 2));
        assertEquals(16, layout.firstPlace(0, 3));
    }

    @Test
    void aBadLayoutIsNamed() {
        assertEquals("samples, batchSize, workers and slices must be >= 1, got 0, 16, 2, 16, 16",
                assertThrows(IllegalArgumentException.class, () -> new ShardLayout(0, 16, 2, 16, 16)).getMessage());
    }
}
