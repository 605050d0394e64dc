package dev.isthmus.benchmarks;

import dev.isthmus.kernels.Convolution;
import dev.isthmus.kernels.FusedConvolution;
import dev.isthmus.kernels.Kernels;
import dev.isthmus.kernels.Padding;
import dev.isthmus.kernels.Window2d;
import dev.isthmus.kernels.Parallel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Isthmus's side of the alternating comparisons ({@code vs_peers.py}): a warm JVM that times one
 * workload per command, so that its samples and the peer's can take turns on the same machine.
 * Reads lines from standard input and answers each with one line on standard output:
 * <pre>
 *   train NET BATCH THREADS SECONDS      a training step of a {@link BenchmarkNets} net
 *   infer NET BATCH THREADS SECONDS      an inference pass
 *   sgemm M K N TRANSB THREADS SECONDS   C = A B (or A B^T when TRANSB is 1)
 *   conv PASS BATCH CIN SIDE COUT K STRIDE PAD THREADS SECONDS
 *                                        a convolution (bias, no activation) on BATCH x CIN x SIDE x SIDE:
 *                                        PASS forward, or backward (the data, weight and bias gradients
 *                                        in one pass, as a Conv2D layer runs them: {@link FusedConvolution}
 *                                        without an activation), or backward-split (the same gradients
 *                                        by {@link Convolution#backwardData} and then
 *                                        {@link Convolution#backwardWeights}, two passes, as this line's
 *                                        backward ran until 2026-12-07);
 *                                        pooled-forward and pooled-backward fuse a ReLU and 2x2
 *                                        max-pooling ({@link FusedConvolution}, as ChestXRayNet's
 *                                        layers), with no data gradient when CIN is 1 (a first layer);
 *                                        pooled-infer is pooled-forward without winners (inference)
 *   dwconv PASS BATCH CHANNELS SIDE K STRIDE PAD THREADS SECONDS
 *                                        a depthwise convolution (one channel a group, bias): PASS
 *                                        as conv's
 * answer: MS_PER_CALL CALLS
 * </pre>
 * Each command runs the workload for at least {@code SECONDS} (and at least once) and reports
 * the mean wall time per call. The workload of the last command is kept, so the samples that
 * follow it are warm; a new command drops it (vs_peers.py finishes one workload before the next,
 * and keeping every network's buffers at batch 128 ran the 4 GiB heap out).
 */
public final class Sampler {

    private final Map<String, Runnable> workloads = new HashMap<>();

    public static void main(String[] args) throws Exception {
        new Sampler().serve();
    }

    private void serve() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready " + Kernels.selection());
        System.out.flush();
        for (String line; (line = in.readLine()) != null; ) {
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] w = line.split("\\s+");
            try {
                double seconds = Double.parseDouble(w[w.length - 1]);
                String key = String.join(" ", java.util.Arrays.copyOf(w, w.length - 1));
                if (!workloads.containsKey(key)) {
                    workloads.clear();
                }
                Runnable work = workloads.computeIfAbsent(key, k -> make(w));
                int threads = Integer.parseInt(w[w.length - 2]);
                Parallel.setThreads(threads);
                long budget = (long) (seconds * 1e9), t0 = System.nanoTime(), elapsed;
                int calls = 0;
                do {
                    work.run();
                    calls++;
                    elapsed = System.nanoTime() - t0;
                } while (elapsed < budget);
                System.out.printf(Locale.ROOT, "%.6f %d%n", elapsed / 1e6 / calls, calls);
            } catch (RuntimeException | OutOfMemoryError e) {
                workloads.clear();
                System.out.println("error " + e);
            }
            System.out.flush();
        }
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
        return a;
    }

    private static Runnable make(String[] w) {
        switch (w[0]) {
            case "train", "infer" -> {
                NetStep step = new NetStep(BenchmarkNets.named(w[1]), Integer.parseInt(w[2]));
                return w[0].equals("train") ? step::train : step::infer;
            }
            case "sgemm" -> {
                int m = Integer.parseInt(w[1]), k = Integer.parseInt(w[2]), n = Integer.parseInt(w[3]);
                boolean transB = w[4].equals("1");
                SplittableRandom r = new SplittableRandom(42);
                float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) r.nextDouble(-1, 1);
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) r.nextDouble(-1, 1);
                }
                return () -> Kernels.sgemm(false, transB, m, n, k, 1f, a, 0, k, b, 0, transB ? k : n, 0f, c, 0, n);
            }
            case "conv", "dwconv" -> {
                // dwconv has no COUT: its channels in and out are one count, each its own group
                boolean depthwise = w[0].equals("dwconv");
                String[] v = depthwise ? new String[] {w[0], w[1], w[2], w[3], w[4], w[3], w[5], w[6], w[7]} : w;
                int batch = Integer.parseInt(v[2]), cin = Integer.parseInt(v[3]), side = Integer.parseInt(v[4]);
                int cout = Integer.parseInt(v[5]), k = Integer.parseInt(v[6]), stride = Integer.parseInt(v[7]);
                int pad = Integer.parseInt(v[8]);
                Convolution conv = new Convolution(cin, cout, Window2d.of(side, side, k, k, stride, stride, 1, 1,
                        Padding.symmetric(pad, pad)), depthwise ? cin : 1);
                SplittableRandom r = new SplittableRandom(42);
                float[] x = random(r, batch * conv.inputSize()), wt = random(r, conv.weightSize()), b = random(r, cout);
                float[] y = new float[batch * conv.outputSize()], dy = random(r, y.length), dx = new float[x.length];
                float[] dw = new float[wt.length], db = new float[cout];
                if (!java.util.List.of("forward", "backward", "backward-split", "pooled-forward", "pooled-infer",
                        "pooled-backward").contains(w[1])) {
                    throw new IllegalArgumentException(w[0] + " PASS must be forward, backward, backward-split,"
                            + " pooled-forward, pooled-infer or pooled-backward, got '" + w[1] + "'");
                }
                if (w[1].startsWith("pooled-")) {
                    FusedConvolution fused = new FusedConvolution(conv, true, true);
                    float[] py = new float[batch * fused.outputSize()], pdy = random(r, py.length);
                    float[] pdx = cin == 1 ? null : dx;
                    byte[] winners = new byte[batch * fused.winnersSize()];
                    fused.forward(batch, x, 0, wt, 0, b, 0, py, 0, winners, 0);
                    return switch (w[1]) {
                        case "pooled-forward" -> () -> fused.forward(batch, x, 0, wt, 0, b, 0, py, 0, winners, 0);
                        case "pooled-infer" -> () -> fused.forward(batch, x, 0, wt, 0, b, 0, py, 0, null, 0);
                        default -> () -> fused.backward(batch, x, 0, wt, 0, py, 0, pdy, 0, winners, 0, dw, 0, db, 0, pdx, 0);
                    };
                }
                return switch (w[1]) {
                    case "forward" -> () -> conv.forward(batch, x, 0, wt, 0, b, 0, y, 0);
                    case "backward-split" -> () -> {
                        conv.backwardData(batch, dy, 0, wt, 0, dx, 0);
                        conv.backwardWeights(batch, x, 0, dy, 0, dw, 0, db, 0);
                    };
                    default -> {
                        FusedConvolution linear = new FusedConvolution(conv, false, false);
                        yield () -> linear.backward(batch, x, 0, wt, 0, y, 0, dy, 0, null, 0, dw, 0, db, 0, dx, 0);
                    }
                };
            }
            default -> throw new IllegalArgumentException("unknown workload '" + w[0] + "'");
        }
    }
}
