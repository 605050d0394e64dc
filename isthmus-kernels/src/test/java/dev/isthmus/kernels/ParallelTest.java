package dev.isthmus.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void everyTaskRunsExactlyOnce() {
        Parallel.setThreads(3);
        AtomicIntegerArray runs = new AtomicIntegerArray(1000);
        Parallel.forEach(runs.length(), runs::incrementAndGet);
        for (int t = 0; t < runs.length(); t++) {
            assertEquals(1, runs.get(t), "task " + t);
        }
    }

    @Test
    void onCallingThreadRunsEveryTaskThereAndOnlyInsideTheBody() {
        Parallel.setThreads(3);
        Thread caller = Thread.currentThread();
        List<Thread> inside = java.util.Collections.synchronizedList(new ArrayList<>());
        Parallel.onCallingThread(() -> Parallel.forEach(64, t -> inside.add(Thread.currentThread())));
        assertEquals(64, inside.size());
        inside.forEach(t -> assertSame(caller, t));
        java.util.Set<Thread> after = java.util.concurrent.ConcurrentHashMap.newKeySet();
        for (int round = 0; round < 200 && after.size() < 2; round++) {
            Parallel.forEach(64, t -> {
                after.add(Thread.currentThread());
                for (long spin = System.nanoTime(); System.nanoTime() - spin < 20_000; ) {
                    Thread.onSpinWait();
                }
            });
        }
        NullPointerException e = assertThrows(NullPointerException.class, () -> Parallel.onCallingThread(null));
        assertTrue(e.getMessage().contains("body"), e.getMessage());
        assertTrue(after.size() >= 2, "after the body the workers take part again: " + after);
    }

    /** A job submitted the moment a pool is made must not wait for a worker that has not started. */
    @Test
    void jobsRightAfterResizingFinish() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int round = 0; round < 300; round++) {
                Parallel.setThreads(2 + round % 3);
                AtomicIntegerArray runs = new AtomicIntegerArray(8);
                Parallel.forEach(runs.length(), runs::incrementAndGet);
                for (int t = 0; t < runs.length(); t++) {
                    assertEquals(1, runs.get(t));
                }
            }
        });
    }

    @Test
    void concurrentCallersAndResizingAllFinish() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    done.add(callers.submit(() -> {
                        for (int round = 0; round < 2000; round++) {
                            AtomicIntegerArray runs = new AtomicIntegerArray(5);
                            Parallel.forEach(runs.length(), runs::incrementAndGet);
                            for (int t = 0; t < runs.length(); t++) {
                                assertEquals(1, runs.get(t));
                            }
                        }
                        return null;
                    }));
                }
                for (int round = 0; round < 50; round++) {
                    Parallel.setThreads(1 + round % 4);
                    Thread.sleep(1);
                }
                for (Future<?> f : done) {
                    f.get();
                }
            });
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void nestedLoopsRunOnTheTaskThread() {
        Parallel.setThreads(2);
        AtomicIntegerArray runs = new AtomicIntegerArray(16);
        Parallel.forEach(4, outer -> Parallel.forEach(4, inner -> runs.incrementAndGet(outer * 4 + inner)));
        for (int t = 0; t < runs.length(); t++) {
            assertEquals(1, runs.get(t));
        }
    }

    @Test
    void aTaskFailureIsRethrownToTheCaller() {
        Parallel.setThreads(2);
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Parallel.forEach(64, t -> {
            if (t == 17) {
                throw boom;
            }
        }));
        assertSame(boom, thrown);
        AtomicIntegerArray runs = new AtomicIntegerArray(8); // the pool still works afterwards
        Parallel.forEach(runs.length(), runs::incrementAndGet);
        assertEquals(8, java.util.stream.IntStream.range(0, 8).map(runs::get).sum());
    }

    @Test
    void rejectsNonPositiveThreadCounts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
        assertEquals("threads must be >= 1, got 0", e.getMessage());
    }
}
