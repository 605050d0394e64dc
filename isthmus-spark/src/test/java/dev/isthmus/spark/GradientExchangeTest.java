package dev.isthmus.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.SliceTree;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Workers as threads of one JVM, talking over loopback as barrier tasks do: every worker gets the
 * whole slice tree's floats, bitwise, however the slices are dealt out.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GradientExchangeTest {

    /** {@code allGather} for {@code workers} threads: each gets every thread's message by rank. */
    private static final class Gather {
        final String[] messages;
        final CyclicBarrier barrier;

        Gather(int workers) {
            messages = new String[workers];
            barrier = new CyclicBarrier(workers);
        }

        Function<String, String[]> of(int rank) {
            return message -> {
                messages[rank] = message;
                try {
                    barrier.await(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return messages.clone();
            };
        }
    }

    private static float[][] slices(int slices, int length, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] g = new float[slices][length];
        for (float[] s : g) {
            for (int k = 0; k < length; k++) {
                s[k] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-3, 4)));
            }
        }
        return g;
    }

    /** Each worker's blocks summed from its own copy of the slices. */
    private static float[][] blocksOf(float[][] g, int slices, int from, int to) {
        int[] starts = SliceTree.blocks(slices, from, to);
        float[][] blocks = new float[starts.length][];
        for (int i = 0; i < starts.length; i++) {
            float[][] copy = new float[slices][];
            int end = i + 1 < starts.length ? starts[i + 1] : to;
            for (int s = starts[i]; s < end; s++) {
                copy[s] = g[s].clone();
            }
            SliceTree.sum(copy, starts[i], end, 0, g[0].length);
            blocks[i] = copy[starts[i]];
        }
        return blocks;
    }

    @Test
    void everyWorkerGetsTheWholeTreesFloats() throws Exception {
        for (int workers = 1; workers <= 4; workers++) {
            for (int slices : new int[] {workers, 5, 16}) {
                if (slices < workers) {
                    continue;
                }
                int length = 1001; // chunks of unequal length
                float[][] g = slices(slices, length, 31L * workers + slices);
                float[][] whole = new float[slices][];
                for (int s = 0; s < slices; s++) {
                    whole[s] = g[s].clone();
                }
                SliceTree.sum(whole, 0, slices, 0, length);
                int[][] starts = new int[workers][];
                for (int w = 0; w < workers; w++) {
                    starts[w] = SliceTree.blocks(slices, slices * w / workers, slices * (w + 1) / workers);
                }
                int k = workers, sl = slices;
                List<float[]> results = run(workers, length, (rank, exchange) -> {
                    float[] last = null;
                    for (int step = 0; step < 3; step++) { // the same connections, step after step
                        float[][] mine = blocksOf(g, sl, sl * rank / k, sl * (rank + 1) / k);
                        last = exchange.allReduce(mine, starts, sl).clone();
                    }
                    return last;
                });
                for (int w = 0; w < workers; w++) {
                    assertArrayEquals(whole[0], results.get(w), workers + " workers, " + slices + " slices, worker " + w);
                }
            }
        }
    }

    @Test
    void aDeadPeerIsNamed() throws Exception {
        int workers = 3, length = 64;
        int[][] starts = {{0}, {1}, {2}};
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> run(workers, length, (rank, exchange) -> {
                    if (rank == 2) {
                        exchange.close(); // as a killed executor's sockets close
                        return null;
                    }
                    return exchange.allReduce(new float[][] {new float[length]}, starts, 3);
                }));
        assertInstanceOf(IOException.class, e.getCause(), e.getCause().toString());
        // worker 0 hears of it from worker 2, or from worker 1 failing in turn
        assertTrue(e.getCause().getMessage().matches("worker [12] \\(127\\.0\\.0\\.1:\\d+\\) dropped its connection to worker 0"
                + " in step 1 \\(.*\\): did its executor die\\?"), e.getCause().getMessage());
    }

    interface WorkerBody {
        float[] run(int rank, GradientExchange exchange) throws IOException;
    }

    private static List<float[]> run(int workers, int length, WorkerBody body) throws Exception {
        Gather gather = new Gather(workers);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int rank = w;
                futures.add(pool.submit(() -> {
                    try (GradientExchange exchange = GradientExchange.open(rank, workers, "127.0.0.1", gather.of(rank),
                            length, TimeUnit.SECONDS.toNanos(20), () -> {})) {
                        return body.run(rank, exchange);
                    }
                }));
            }
            List<float[]> results = new ArrayList<>();
            for (Future<float[]> f : futures) {
                results.add(f.get());
            }
            assertEquals(workers, results.size());
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
