package dev.isthmus.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.kernels.Padding;
import dev.isthmus.kernels.Parallel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How an execution runs a network: slices of the batch through the whole network (a batch's
 * gradient is its samples' gradients summed, on any thread count, bit for bit), convolutions
 * fused with their pooling (the same numbers as unfused), and what it keeps readable.
 */
class ExecutionTest {

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** ChestXRayNet at 64x64 (the direct convolutions at every vector width), no dropout. */
    private static Model net() {
        return ChestXRayNet.build(64, 0f).initialize(3, Initializer.HE);
    }

    /** {@code n} standard normal floats from {@code seed} (GradientArraysTest draws its data here too). */
    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** Output, then every parameter's gradient, after one training pass with output gradient {@code dy}. */
    private static List<float[]> pass(Execution e, float[] x, int batch, float[] dy) {
        List<float[]> out = new ArrayList<>();
        out.add(java.util.Arrays.copyOf(e.forward(x, batch, true), batch));
        e.backward(dy);
        for (Parameter p : e.model().parameters().values()) {
            out.add(p.grad().clone());
        }
        return out;
    }

    @Test
    void aBatchGradientIsTheSumOfItsSamplesGradients() {
        assertSlicedEqualsSummedSamples(net(), 5, 1);
    }

    /**
     * A batch of {@code batch} runs as that many slices; its output and parameter gradients equal
     * those of its samples run one by one (layer by layer), the gradients summed in double.
     */
    private static void assertSlicedEqualsSummedSamples(Model model, int batch, long seed) {
        int size = model.inputShape().size();
        float[] x = random(batch * size, seed), dy = random(batch, seed + 1);
        Execution e = model.newExecution();
        List<float[]> whole = pass(e, x, batch, dy);
        assertEquals(batch, e.slices(), "a batch of " + batch + " runs as " + batch + " slices");
        List<double[]> sum = new ArrayList<>();
        for (int n = 0; n < batch; n++) {
            float[] one = java.util.Arrays.copyOfRange(x, n * size, (n + 1) * size);
            List<float[]> single = pass(e, one, 1, new float[] {dy[n]});
            assertEquals(1, e.slices(), "a lone sample runs layer by layer");
            assertEquals(whole.get(0)[n], single.get(0)[0], 1e-6, "output of sample " + n);
            for (int p = 1; p < single.size(); p++) {
                if (n == 0) {
                    sum.add(new double[single.get(p).length]);
                }
                for (int i = 0; i < single.get(p).length; i++) {
                    sum.get(p - 1)[i] += single.get(p)[i];
                }
            }
        }
        List<String> names = new ArrayList<>(model.parameters().keySet());
        for (int p = 0; p < sum.size(); p++) {
            assertClose(names.get(p), sum.get(p), whole.get(p + 1), 1e-5);
        }
    }

    /**
     * A Dense whose weight is too large to read once per slice (2048 x 128 = 2^18 floats, as
     * vgg's classifier): in training its slices wait for it and it runs once for the batch.
     */
    private static Model wideDenseNet(float dropout) {
        Node in = Node.input(2, 16, 16);
        Node conv = new Conv2D(8, 3).padding(Padding.SAME).activation(Activation.RELU).apply(in);
        Dense wide = new Dense(128).activation(Activation.RELU);
        Node hidden = wide.apply(new Flatten().apply(conv));
        Node out = new Dense(1).activation(Activation.SIGMOID).apply(new Dropout(dropout).apply(hidden));
        Model model = new Model(in, out).initialize(7, Initializer.HE);
        assertTrue(wide.wide(), "the test's Dense is wide");
        return model;
    }

    /**
     * Slices take the batch's size up to 16 while their parameter gradients fit in 2^25 floats;
     * where the floats bound them, a power of two (here 33,554,432 / 4,195,328 parameters: 7 fit, 4 taken).
     */
    @Test
    void slicesBoundByTheirGradientsAreAPowerOfTwo() {
        Node in = Node.input(1, 64, 64);
        Model model = new Model(in, new Dense(1024).apply(new Flatten().apply(in))).initialize(1);
        assertEquals(4_195_328, model.parameterCount());
        Execution e = model.newExecution();
        assertEquals(4, e.trainingSlices(32));
        assertEquals(4, e.trainingSlices(8));
        assertEquals(7, e.trainingSlices(7), "a batch the floats allow keeps one slice a sample");
        Model small = new Model(in, new Dense(8).apply(new Flatten().apply(in))).initialize(1);
        assertEquals(16, small.newExecution().trainingSlices(32));
        assertEquals(13, small.newExecution().trainingSlices(13));
    }

    @Test
    void aWideDenseGivesTheSumOfItsSamplesGradients() {
        assertSlicedEqualsSummedSamples(wideDenseNet(0f), 6, 31);
    }

    @Test
    void aWideDenseGivesTheSameBitsOnAnyThreadCount() {
        Model model = wideDenseNet(0.3f);
        for (int batch : new int[] {2, 7, 20}) {
            float[] x = random(batch * model.inputShape().size(), batch), dy = random(batch, 300 + batch);
            Parallel.setThreads(1);
            Execution first = model.newExecution();
            first.seed(4);
            List<float[]> one = pass(first, x, batch, dy);
            for (int threads : new int[] {2, 3, 16}) {
                Parallel.setThreads(threads);
                Execution e = model.newExecution();
                e.seed(4);
                List<float[]> many = pass(e, x, batch, dy);
                for (int i = 0; i < one.size(); i++) {
                    assertArrayEquals(one.get(i), many.get(i), "batch " + batch + ", " + threads + " threads, result " + i);
                }
            }
        }
    }

    /**
     * Inference keeps no pooling winners (no backward pass follows it); its output has the bits of
     * an evaluation pass, and an evaluation pass after it still keeps the winners its backward
     * pass needs (without dropout, the gradients of a training pass).
     */
    @Test
    void inferenceGivesEvaluationsBitsAndEvaluationKeepsItsWinners() {
        Model model = net();
        int batch = 3, size = model.inputShape().size();
        float[] x = random(batch * size, 21), dy = random(batch, 23);
        Execution e = model.newExecution();
        float[] inferred = java.util.Arrays.copyOf(e.infer(x, batch), batch);
        assertArrayEquals(java.util.Arrays.copyOf(e.forward(x, batch, false), batch), inferred);
        List<float[]> want = pass(model.newExecution(), x, batch, dy);
        e.infer(x, batch);
        e.forward(x, batch, false);
        e.backward(dy);
        List<Parameter> parameters = List.copyOf(e.model().parameters().values());
        for (int i = 0; i < parameters.size(); i++) {
            assertArrayEquals(want.get(i + 1), parameters.get(i).grad(), "gradient " + i);
        }
    }

    /**
     * An inference pass keeps no gradients: it cuts the batch into up to 64 slices (a pass that may
     * be back-propagated, 16), and every sample keeps the bits it has alone.
     */
    @Test
    void inferenceTakesUpTo64SlicesAndEachSampleKeepsItsBits() {
        Model model = net();
        int batch = 80, size = model.inputShape().size();
        float[] x = random(batch * size, 31);
        Execution e = model.newExecution();
        float[] inferred = java.util.Arrays.copyOf(e.infer(x, batch), batch);
        assertEquals(64, e.slices());
        assertEquals(16, e.trainingSlices(batch));
        for (int n = 0; n < batch; n++) {
            float[] one = java.util.Arrays.copyOfRange(x, n * size, (n + 1) * size);
            assertEquals(Float.floatToIntBits(e.infer(one, 1)[0]), Float.floatToIntBits(inferred[n]), "sample " + n);
        }
    }

    /** Inference and evaluation run the wide Dense once for the batch too, each sample with the bits it has alone. */
    @Test
    void aWideDenseGivesEachSampleItsOwnBitsInInferenceAndEvaluation() {
        Model model = wideDenseNet(0.3f);
        int batch = 7, size = model.inputShape().size();
        float[] x = random(batch * size, 12);
        Execution e = model.newExecution();
        float[] inferred = java.util.Arrays.copyOf(e.infer(x, batch), batch);
        assertTrue(e.slices() > 1, "the batch runs in slices");
        float[] evaluated = java.util.Arrays.copyOf(e.forward(x, batch, false), batch);
        for (int n = 0; n < batch; n++) {
            float[] one = java.util.Arrays.copyOfRange(x, n * size, (n + 1) * size);
            assertEquals(Float.floatToIntBits(e.infer(one, 1)[0]), Float.floatToIntBits(inferred[n]), "sample " + n);
            assertEquals(Float.floatToIntBits(e.forward(one, 1, false)[0]), Float.floatToIntBits(evaluated[n]),
                    "sample " + n);
        }
    }

    @Test
    void shardsOfABatchWithAWideDenseAddUpToTheWholeBatchsFloats() {
        Model model = wideDenseNet(0.25f);
        assertShardsGiveTheWholeBatch(model, 16, new int[] {0, 5, 10, 16});
        assertShardsGiveTheWholeBatch(model, 13, new int[] {0, 3, 13});
        assertShardsGiveTheWholeBatch(model, 5, new int[] {0, 1, 2, 2, 5});
        Execution whole = model.newExecution();
        whole.forward(random(16 * model.inputShape().size(), 2), 16, true);
        whole.backward(new float[16]);
        int weight = new ArrayList<>(model.parameters().keySet()).indexOf("dense.weight");
        IllegalStateException summed = assertThrows(IllegalStateException.class, () -> whole.sliceGradient(0, weight));
        assertTrue(summed.getMessage().startsWith("parameter weight's gradient was summed over the slices at once"),
                summed.getMessage());
    }

    /** A graph with a residual branch (one node read twice) and a concatenation, without fusion. */
    @Test
    void branchesToo() {
        Node in = Node.input(2, 12, 12);
        Node a = new Conv2D(4, 3).padding(Padding.SAME).activation(Activation.RELU).apply(in);
        Node b = new Conv2D(4, 3).padding(Padding.SAME).apply(a);
        Node sum = new Add().apply(a, b); // a is read by b and by the sum
        Node joined = new Concatenate().apply(sum, new Conv2D(3, 1).apply(in));
        Node pooled = new MaxPool2D().apply(new ActivationLayer(Activation.TANH).apply(joined));
        Node out = new Dense(1).activation(Activation.SIGMOID).apply(new Flatten().apply(pooled));
        assertSlicedEqualsSummedSamples(new Model(in, out).initialize(5, Initializer.HE), 6, 21);
    }

    @Test
    void fusedConvolutionAndPoolingGiveTheUnfusedNumbers() {
        Model model = net();
        int batch = 3;
        float[] x = random(batch * model.inputShape().size(), 4), dy = random(batch, 5);
        Execution fused = model.newExecution();
        Execution separate = model.newExecution("conv1", "conv2", "conv3", "conv4", "conv5", "conv6");
        List<float[]> a = pass(fused, x, batch, dy), b = pass(separate, x, batch, dy);
        assertEquals(List.of("conv1+pool1", "conv2+pool2", "conv3+pool3", "conv4+pool4", "conv5+pool5", "conv6+pool6"),
                fused.fusedLayers());
        assertEquals(List.of(), separate.fusedLayers());
        List<String> names = new ArrayList<>(model.parameters().keySet());
        names.add(0, "output");
        for (int i = 0; i < a.size(); i++) {
            double[] want = new double[b.get(i).length];
            for (int k = 0; k < want.length; k++) {
                want[k] = b.get(i)[k];
            }
            assertClose(names.get(i), want, a.get(i), 1e-5);
        }
    }

    /**
     * An Add that reads one node twice gives it twice the gradient (its two input gradients share
     * one array, written once, and both are summed): the bits of the same sum through an identity
     * layer, fused with the ReLU after it and not.
     */
    @Test
    void anAddOfOneNodeTwiceDoublesItsGradient() {
        for (boolean relu : new boolean[] {false, true}) {
            List<List<float[]>> runs = new ArrayList<>();
            java.util.Map<String, Parameter> first = null;
            for (boolean twice : new boolean[] {true, false}) {
                Node in = Node.input(2, 6, 6);
                Node a = new Conv2D(3, 3).padding(Padding.SAME).named("a").apply(in);
                Node other = twice ? a : new ActivationLayer(Activation.LINEAR).apply(a);
                Node sum = new Add().named("sum").apply(a, other);
                if (relu) {
                    sum = new ActivationLayer(Activation.RELU).apply(sum);
                }
                Model model = new Model(in, new Dense(1).named("fc").apply(new Flatten().apply(
                        new Conv2D(2, 3).padding(Padding.SAME).named("b").apply(sum)))).initialize(6, Initializer.HE);
                if (first == null) {
                    first = model.parameters();
                } else {
                    for (var p : model.parameters().entrySet()) {
                        float[] v = first.get(p.getKey()).value();
                        System.arraycopy(v, 0, p.getValue().value(), 0, v.length);
                    }
                }
                Execution e = model.newExecution();
                assertEquals(relu ? List.of("sum+" + sum.layer().name()) : List.of(), e.fusedLayers());
                int batch = 4;
                runs.add(pass(e, random(batch * model.inputShape().size(), 3), batch, random(batch, 4)));
            }
            for (int i = 0; i < runs.get(0).size(); i++) {
                assertArrayEquals(runs.get(1).get(i), runs.get(0).get(i), "relu " + relu + ", result " + i);
            }
        }
    }

    /** A residual block's Add and ReLU run as one pass: the same bits as the two layers, with two and three inputs. */
    @Test
    void fusedAddAndReluGiveTheUnfusedBits() {
        for (int inputs : new int[] {2, 3}) {
            Node in = Node.input(2, 10, 10);
            Node a = new Conv2D(4, 3).padding(Padding.SAME).activation(Activation.RELU).apply(in);
            Node b = new Conv2D(4, 3).padding(Padding.SAME).apply(a);
            Node c = new Conv2D(4, 1).apply(in);
            Node sum = new Add().named("sum").apply(inputs == 2 ? new Node[] {a, b} : new Node[] {a, b, c});
            Node relu = new ActivationLayer(Activation.RELU).named("relu").apply(sum);
            Node out = new Dense(1).activation(Activation.SIGMOID).apply(new Flatten().apply(
                    new Conv2D(3, 3).padding(Padding.SAME).apply(relu)));
            Model model = new Model(in, out).initialize(9, Initializer.HE);
            int batch = 5;
            float[] x = random(batch * model.inputShape().size(), 6), dy = random(batch, 7);
            Execution fused = model.newExecution(), separate = model.newExecution("sum");
            List<float[]> f = pass(fused, x, batch, dy), u = pass(separate, x, batch, dy);
            assertEquals(List.of("sum+relu"), fused.fusedLayers(), inputs + " inputs");
            assertEquals(List.of(), separate.fusedLayers());
            for (int i = 0; i < f.size(); i++) {
                assertArrayEquals(u.get(i), f.get(i), inputs + " inputs, result " + i);
            }
            assertArrayEquals(java.util.Arrays.copyOf(separate.infer(x, batch), batch),
                    java.util.Arrays.copyOf(fused.infer(x, batch), batch), inputs + " inputs, inference");
        }
    }

    /**
     * In inference a residual block's end (convolution, batch norm if any, the add, the ReLU if
     * any) runs as one pass: the bits of the folded convolution, the add and the ReLU apart. Blocks
     * with an identity shortcut, with a projection built after the main branch (so the pass must
     * wait for it), without batch norm, and with no ReLU after the add; 1 and 2 threads.
     */
    @Test
    void fusedResidualEndsGiveTheUnfusedBitsInInference() {
        Node in = Node.input(3, 9, 11);
        Node stem = new Conv2D(8, 3).padding(Padding.SAME).activation(Activation.RELU).named("stem").apply(in);
        Node h = new Conv2D(8, 3).padding(Padding.SAME).named("a.conv").apply(stem);
        h = new BatchNormalization().named("a.bn").apply(h);
        Node a = new ActivationLayer(Activation.RELU).named("a.relu").apply(new Add().named("a.add").apply(h, stem));
        h = new Conv2D(16, 3).stride(2).padding(Padding.SAME).named("b.conv").apply(a);
        h = new BatchNormalization().named("b.bn").apply(h);
        Node shortcut = new BatchNormalization().named("b.proj.bn").apply(
                new Conv2D(16, 1).stride(2).useBias(false).named("b.proj").apply(a));
        Node b = new ActivationLayer(Activation.RELU).named("b.relu").apply(new Add().named("b.add").apply(h, shortcut));
        h = new Conv2D(16, 3).padding(Padding.SAME).named("c.conv").apply(b);
        Node c = new ActivationLayer(Activation.RELU).named("c.relu").apply(new Add().named("c.add").apply(b, h));
        h = new Conv2D(16, 3).padding(Padding.SAME).named("d.conv").apply(c);
        Node d = new Add().named("d.add").apply(new BatchNormalization().named("d.bn").apply(h), c);
        Model model = new Model(in, new ActivationLayer(Activation.TANH).apply(d)).initialize(4, Initializer.HE);
        SplittableRandom r = new SplittableRandom(11);
        java.util.Map<String, Parameter> all = new java.util.TreeMap<>(model.state());
        all.putAll(model.parameters());
        all.forEach((name, p) -> { // batch norms' statistics and affine parameters that make the folds matter
            float[] v = p.value();
            for (int i = 0; name.contains("bn.") && i < v.length; i++) {
                v[i] = name.endsWith("running_var") ? (float) (0.5 + r.nextDouble()) : (float) r.nextGaussian();
            }
        });
        int batch = 5;
        float[] x = random(batch * model.inputShape().size(), 12);
        Execution fused = model.newExecution();
        Execution separate = model.newExecution("a.bn", "b.bn", "b.proj.bn", "c.conv", "d.bn");
        assertEquals(List.of("a.conv+a.bn+a.add+a.relu", "b.conv+b.bn+b.add+b.relu", "c.conv+c.add+c.relu",
                "d.conv+d.bn+d.add"), fused.fusedLayersInInference().stream().filter(n -> n.contains("add")).toList());
        assertEquals(List.of("b.proj+b.proj.bn"), fused.fusedLayersInInference().stream()
                .filter(n -> !n.contains("add")).toList());
        assertEquals(List.of("a.conv+a.bn", "a.add+a.relu", "b.conv+b.bn", "b.proj+b.proj.bn", "b.add+b.relu",
                "c.add+c.relu", "d.conv+d.bn"), separate.fusedLayersInInference());
        int size = model.outputShape().size();
        float[] want = java.util.Arrays.copyOf(separate.infer(x, batch), batch * size);
        for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            assertArrayEquals(want, java.util.Arrays.copyOf(fused.infer(x, batch), batch * size), threads + " threads");
        }
        float[] evaluated = java.util.Arrays.copyOf(fused.forward(x, batch, false), batch * size);
        for (int i = 0; i < want.length; i++) { // the layers apart, unfolded: only the fold's rounding apart
            assertEquals(evaluated[i], want[i], 1e-4, "value " + i);
        }
    }

    /**
     * Batch norm and the ReLU after it run as one operation in training (in slices, and layer by
     * layer behind a whole-batch layer) and in evaluation, back-propagated too: the same bits as
     * the two layers, and the same running statistics.
     */
    @Test
    void fusedBatchNormAndReluGiveTheUnfusedBits() {
        for (boolean wholeBatch : new boolean[] {false, true}) {
            int batch = 6;
            float[] x = random(batch * 64, 8), dy = random(batch, 9);
            List<List<float[]>> runs = new ArrayList<>();
            for (boolean keep : new boolean[] {false, true}) {
                Node in = Node.input(1, 8, 8);
                Node h = new Conv2D(4, 3).padding(Padding.SAME).named("conv").apply(in);
                if (wholeBatch) {
                    h = new WholeBatchIdentity().apply(h);
                }
                h = new BatchNormalization().named("bn").apply(h);
                h = new ActivationLayer(Activation.RELU).named("relu").apply(h);
                Model model = new Model(in, new Dense(1).named("fc").apply(new Flatten().apply(h))).initialize(3);
                Execution e = keep ? model.newExecution("bn") : model.newExecution();
                assertEquals(keep ? List.of() : List.of("bn+relu"), e.fusedLayers());
                List<float[]> results = pass(e, x, batch, dy);
                results.add(model.state().get("bn.running_var").value().clone());
                results.add(java.util.Arrays.copyOf(e.forward(x, batch, false), batch));
                e.backward(dy);
                for (Parameter p : model.parameters().values()) {
                    results.add(p.grad().clone());
                }
                runs.add(results);
            }
            for (int i = 0; i < runs.get(0).size(); i++) {
                assertArrayEquals(runs.get(1).get(i), runs.get(0).get(i), "whole batch " + wholeBatch + ", result " + i);
            }
        }
    }

    @Test
    void sameBitsOnAnyThreadCount() {
        Model model = net();
        for (int batch : new int[] {2, 7, 20}) {
            float[] x = random(batch * model.inputShape().size(), batch), dy = random(batch, 100 + batch);
            Parallel.setThreads(1);
            List<float[]> one = pass(model.newExecution(), x, batch, dy);
            for (int threads : new int[] {2, 3, 16}) { // 16: as many threads as slices at batch 16 and up
                Parallel.setThreads(threads);
                List<float[]> many = pass(model.newExecution(), x, batch, dy);
                for (int i = 0; i < one.size(); i++) {
                    assertArrayEquals(one.get(i), many.get(i), "batch " + batch + ", " + threads + " threads, result " + i);
                }
            }
        }
    }

    /** Batch norm's statistics are summed per slice and merged in slice order: the same bits on any thread count. */
    @Test
    void batchNormGivesTheSameBitsOnAnyThreadCount() {
        for (int batch : new int[] {3, 16, 37}) {
            float[] x = random(batch * 64, batch), dy = random(batch, 200 + batch);
            Parallel.setThreads(1);
            Model first = batchNormNet(false);
            List<float[]> one = pass(first.newExecution(), x, batch, dy);
            one.add(first.state().get("bn.running_var").value().clone());
            for (int threads : new int[] {2, 3, 16}) {
                Parallel.setThreads(threads);
                Model model = batchNormNet(false);
                List<float[]> many = pass(model.newExecution(), x, batch, dy);
                many.add(model.state().get("bn.running_var").value().clone());
                for (int i = 0; i < one.size(); i++) {
                    assertArrayEquals(one.get(i), many.get(i), "batch " + batch + ", " + threads + " threads, result " + i);
                }
            }
        }
    }

    /** A profile lists what ran: training's layers, not the inference plan's fused ones that never ran. */
    @Test
    void aProfileListsTheOperationsThatRanAndOnlyThose() {
        Model model = batchNormNet(false);
        Execution e = model.newExecution();
        float[] x = random(4 * 64, 11);
        e.infer(x, 4); // builds the inference plan (conv + bn as one operation)
        LayerProfiler profiler = LayerProfiler.attach(e);
        e.forward(x, 4, true);
        e.backward(random(4, 12));
        List<String> names = profiler.times().stream().map(LayerProfiler.LayerTime::layer).toList();
        assertTrue(names.containsAll(List.of("conv", "bn", "fc")), names.toString());
        assertTrue(names.stream().noneMatch(n -> n.contains("+")), "nothing of the inference plan: " + names);
        e.infer(x, 4);
        assertTrue(profiler.times().stream().anyMatch(t -> t.layer().equals("conv+bn")),
                "now the fused inference operation ran: " + profiler.times());
        LayerProfiler.detach(e);
    }

    @Test
    void aFusedConvolutionsOutputIsKeptOnlyWhenAskedFor() {
        Model model = net();
        float[] x = random(model.inputShape().size(), 6);
        Execution e = model.newExecution();
        e.forward(x, 1, false);
        IllegalStateException error = assertThrows(IllegalStateException.class, () -> e.value("conv1"));
        assertEquals("conv1's output is not kept: it runs inside conv1+pool1 as one pass; use model.newExecution(\"conv1\")"
                + " for an execution that keeps it", error.getMessage());
        assertEquals(8 * 32 * 32, e.value("pool1").length, "the pooling's output is there");
        assertEquals(50, e.value("conv7").length, "conv7 (1x1 at this size) feeds global pooling: not fused");

        Execution keeping = model.newExecution("conv1");
        keeping.forward(x, 1, false);
        assertEquals(8 * 64 * 64, keeping.value("conv1").length);
        assertArrayEquals(java.util.Arrays.copyOf(e.value("pool1"), 8 * 32 * 32),
                java.util.Arrays.copyOf(keeping.value("pool1"), 8 * 32 * 32), "same pooled maps either way");
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> model.newExecution("conv9"));
        assertTrue(unknown.getMessage().startsWith("no layer named 'conv9'; layers: [conv1, pool1, conv2"), unknown.getMessage());
    }

    @Test
    void dropoutMasksDependOnTheSeedAndTheSampleAloneNotOnTheSlices() {
        Node in = Node.input(1, 4, 4);
        Model model = new Model(in, new Dropout(0.5f).apply(new Flatten().apply(in)));
        float[] ones = new float[6 * 16];
        java.util.Arrays.fill(ones, 1f);
        Execution e = model.newExecution();
        e.seed(9);
        float[] six = e.forward(ones, 6, true).clone();
        assertEquals(6, e.slices());
        e.seed(9);
        float[] four = e.forward(ones, 4, true).clone();
        assertEquals(4, e.slices());
        assertArrayEquals(java.util.Arrays.copyOf(six, 4 * 16), java.util.Arrays.copyOf(four, 4 * 16),
                "a sample's mask does not depend on how the batch is sliced");
        assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(six, 0, 16), java.util.Arrays.copyOfRange(six, 16, 32)),
                "samples get different masks");
        float[] next = e.forward(ones, 4, true);
        assertFalse(java.util.Arrays.equals(four, java.util.Arrays.copyOf(next, 4 * 16)), "each pass draws new masks");
    }

    @Test
    void shardsOfABatchAddUpToTheWholeBatchsFloats() {
        Model model = ChestXRayNet.build(64, 0.25f).initialize(5, Initializer.HE); // dropout: masks must agree too
        assertShardsGiveTheWholeBatch(model, 16, new int[] {0, 5, 10, 16});
        assertShardsGiveTheWholeBatch(model, 16, new int[] {0, 8, 16});
        assertShardsGiveTheWholeBatch(model, 16, new int[] {0, 16}); // one worker: its slices still stay apart
        assertShardsGiveTheWholeBatch(model, 5, new int[] {0, 1, 2, 2, 5}); // a worker without a slice
    }

    /** Workers each run slices {@code [cuts[w], cuts[w + 1])}, add their blocks and pass them on. */
    private static void assertShardsGiveTheWholeBatch(Model model, int batch, int[] cuts) {
        int size = model.inputShape().size();
        float[] x = random(batch * size, batch), dy = random(batch, batch + 1);
        Execution whole = model.newExecution();
        whole.seed(9);
        whole.forward(x, batch, true); // a pass before, so the generators must stay in step
        float[] out = whole.forward(x, batch, true).clone();
        whole.backward(dy);
        List<Parameter> params = new ArrayList<>(model.parameters().values());
        List<float[]> want = params.stream().map(p -> p.grad().clone()).toList();
        int slices = whole.slices();
        assertEquals(slices, whole.trainingSlices(batch));

        float[][][] parts = new float[params.size()][slices][];
        for (int w = 0; w + 1 < cuts.length; w++) {
            Execution shard = model.newExecution();
            shard.seed(9);
            shard.forwardSlices(x, batch, 0, 0);
            float[] got = shard.forwardSlices(x, batch, cuts[w], cuts[w + 1]);
            int first = batch * cuts[w] / slices, end = batch * cuts[w + 1] / slices;
            assertArrayEquals(java.util.Arrays.copyOfRange(out, first, end), java.util.Arrays.copyOfRange(got, first, end),
                    "outputs of worker " + w);
            shard.backward(dy);
            int[] starts = SliceTree.blocks(slices, cuts[w], cuts[w + 1]);
            for (int p = 0; p < params.size(); p++) {
                float[][] mine = new float[slices][];
                for (int s = cuts[w]; s < cuts[w + 1]; s++) {
                    mine[s] = shard.sliceGradient(s, p).clone();
                }
                for (int b = 0; b < starts.length; b++) {
                    int blockEnd = b + 1 < starts.length ? starts[b + 1] : cuts[w + 1];
                    SliceTree.sum(mine, starts[b], blockEnd, 0, params.get(p).size());
                    parts[p][starts[b]] = mine[starts[b]];
                }
            }
        }
        for (int p = 0; p < params.size(); p++) {
            SliceTree.sum(parts[p], 0, slices, 0, params.get(p).size());
            assertArrayEquals(want.get(p), parts[p][0], "parameter " + p + ", batch " + batch + " cut at "
                    + java.util.Arrays.toString(cuts));
        }
    }

    @Test
    void aShardOutsideTheBatchIsRefused() {
        Execution e = net().newExecution();
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> e.forwardSlices(new float[4 * 64 * 64], 4, 2, 5));
        assertEquals("slices [2, 5) are not within the 4 slices of a batch of 4", bad.getMessage());
        e.forwardSlices(new float[4 * 64 * 64], 4, 1, 2);
        e.backward(new float[4]);
        IllegalArgumentException notRun = assertThrows(IllegalArgumentException.class, () -> e.sliceGradient(0, 0));
        assertEquals("the last pass ran slices [1, 2), not slice 0", notRun.getMessage());
    }

    /** A layer that needs the whole batch at once (as a user's own layer may): the identity, unsliced. */
    private static final class WholeBatchIdentity extends Layer {
        private int size;

        @Override
        protected Shape build(List<Shape> inputs) {
            Shape in = single(this, inputs);
            size = in.size();
            return in;
        }

        @Override
        protected void forward(LayerCall s) {
            System.arraycopy(s.input(), 0, s.output(), 0, s.batch() * size);
        }

        @Override
        protected void backward(LayerCall s) {
            if (s.inputGrad() != null) {
                System.arraycopy(s.outputGrad(), 0, s.inputGrad(), 0, s.batch() * size);
            }
        }
    }

    private static Model batchNormNet(boolean wholeBatch) {
        Node in = Node.input(1, 8, 8);
        Node x = new Conv2D(4, 3).padding(Padding.SAME).named("conv").apply(in);
        if (wholeBatch) {
            x = new WholeBatchIdentity().apply(x);
        }
        x = new BatchNormalization().named("bn").apply(x);
        x = new Dense(1).named("fc").apply(new Flatten().apply(x));
        return new Model(in, x).initialize(3);
    }

    /**
     * Batch norm runs inside the slices (statistics per slice, merged in slice order) and gives
     * what the whole batch layer by layer gives, within rounding; a layer that needs the whole
     * batch still runs the network layer by layer.
     */
    @Test
    void batchNormRunsInsideTheSlicesAsTheWholeBatchDoes() {
        float[] x = random(6 * 64, 7), dy = random(6, 8);
        Model sliced = batchNormNet(false), whole = batchNormNet(true);
        sliced.state().forEach((name, p) -> System.arraycopy(p.value(), 0, whole.state().get(name).value(), 0, p.size()));
        Execution s = sliced.newExecution(), w = whole.newExecution();
        float[] ys = s.forward(x, 6, true).clone(), yw = w.forward(x, 6, true).clone();
        assertEquals(6, s.slices(), "batch norm keeps the slices");
        assertEquals(1, w.slices(), "a whole-batch layer runs the network layer by layer");
        assertClose("output", toDouble(yw), ys, 1e-5);
        s.backward(dy);
        w.backward(dy);
        for (String p : List.of("conv.weight", "bn.weight", "bn.bias", "fc.weight")) {
            assertClose(p, toDouble(whole.parameters().get(p).grad()), sliced.parameters().get(p).grad(), 1e-4);
        }
        assertClose("running variance", toDouble(whole.state().get("bn.running_var").value()),
                sliced.state().get("bn.running_var").value(), 1e-6);
        IllegalStateException shard = assertThrows(IllegalStateException.class, () -> s.forwardSlices(x, 6, 0, 3));
        assertEquals("bn (BatchNormalization) needs statistics of the whole batch in training, so a shard of the batch"
                + " cannot run it alone", shard.getMessage());
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    /** ||got - want|| <= tolerance * ||want||. */
    private static void assertClose(String what, double[] want, float[] got, double tolerance) {
        double diff = 0, norm = 0;
        for (int i = 0; i < want.length; i++) {
            diff += (got[i] - want[i]) * (got[i] - want[i]);
            norm += want[i] * want[i];
        }
        assertTrue(Math.sqrt(diff) <= tolerance * Math.sqrt(norm) + 1e-12,
                what + ": relative error " + Math.sqrt(diff) / Math.sqrt(norm));
    }
}
