package dev.isthmus.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.kernels.Convolution;
import dev.isthmus.kernels.FusedConvolution;
import dev.isthmus.kernels.Padding;
import dev.isthmus.kernels.Parallel;
import dev.isthmus.kernels.Window2d;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An inference pass keeps the maps between layers in each thread's own buffers, one slice long
 * ({@link Layer#honoursBufferOffsets}): its output has the bits of an evaluation pass, whose maps
 * lie in whole-batch arrays, on every path a map can take (a fused convolution and pooling, a
 * residual sum folded into a convolution, a sum and ReLU fused, a concatenation, a transposed
 * convolution, a layer of the user's own that reads whole-batch offsets).
 */
class SliceLocalBuffersTest {

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** {@code y = 2x}, written as a user would: offsets from {@link LayerCall#first()}. */
    private static final class Doubling extends Layer {
        private int size;

        @Override
        protected Shape build(List<Shape> inputs) {
            size = inputs.get(0).size();
            return inputs.get(0);
        }

        @Override
        protected boolean worksPerSample(boolean training) {
            return true;
        }

        @Override
        protected void forward(LayerCall s) {
            for (int i = s.first() * size; i < (s.first() + s.batch()) * size; i++) {
                s.output()[i] = 2 * s.input()[i];
            }
        }

        @Override
        protected void backward(LayerCall s) {
            throw new UnsupportedOperationException("inference only");
        }
    }

    /**
     * Every built-in layer that may hold a slice's maps, and one of the user's own between them;
     * with {@code batchNorm}, the inference plan folds it and the sum into {@code c2}.
     */
    private static Model branchyNet(boolean batchNorm) {
        Node in = Node.input(2, 16, 16);
        Node c1 = new Conv2D(8, 3).padding(Padding.SAME).activation(Activation.RELU).named("c1").apply(in);
        Node p1 = new MaxPool2D().named("p1").apply(c1);
        Node c2 = new Conv2D(8, 3).padding(Padding.SAME).named("c2").apply(p1);
        Node bn = batchNorm ? new BatchNormalization().named("bn").apply(c2) : c2;
        Node sum = new Add().named("sum").apply(bn, p1);
        Node relu = new ActivationLayer(Activation.RELU).named("relu").apply(sum);
        Node c3 = new Conv2D(8, 3).padding(Padding.SAME).named("c3").apply(relu);
        Node sum2 = new Add().named("sum2").apply(c3, relu);
        Node relu2 = new ActivationLayer(Activation.RELU).named("relu2").apply(sum2);
        Node doubled = new Doubling().named("doubled").apply(relu2);
        Node cat = new Concatenate().named("cat").apply(doubled, p1);
        Node avg = new AveragePooling2D().named("avg").apply(cat);
        Node t1 = new ActivationLayer(Activation.TANH).named("t1").apply(avg);
        Node t2 = new ActivationLayer(Activation.SIGMOID).named("t2").apply(avg);
        // a sum of whole-batch inputs (the user's layer among them) into a slice buffer: other offsets
        Node mix = new Add().named("mix").apply(t1, t2, new Doubling().named("doubled2").apply(avg));
        Node mixed = new ActivationLayer(Activation.RELU).named("mixed").apply(mix);
        Node up = new Conv2DTranspose(4, 2).named("up").apply(mixed);
        Node gap = new GlobalAveragePooling2D().named("gap").apply(up);
        Node fc = new Dense(12).activation(Activation.TANH).named("fc").apply(gap);
        Node drop = new Dropout(0.5f).named("drop").apply(fc);
        Node flat = new Flatten().named("flat").apply(drop);
        Node out = new Dense(3).activation(Activation.SOFTMAX).named("out").apply(flat);
        return new Model(in, out).initialize(5, Initializer.HE);
    }

    private static float[] random(int n, long seed) {
        return ExecutionTest.random(n, seed);
    }

    /** Without batch norm the two plans compute alike: the same bits. */
    @Test
    void inferenceGivesEvaluationsBitsOnAnySlicingAndThreadCount() {
        Model model = branchyNet(false);
        int size = model.inputShape().size();
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            Execution e = model.newExecution(); // one execution: its slice buffers grow and are reused
            for (int batch : new int[] {1, 3, 16, 37, 70, 5}) {
                float[] x = random(batch * size, batch);
                float[] inferred = Arrays.copyOf(e.infer(x, batch), 3 * batch);
                assertTrue(batch == 1 || e.slices() > 1, "batch " + batch + " runs in slices");
                float[] evaluated = Arrays.copyOf(e.forward(x, batch, false), 3 * batch);
                assertArrayEquals(evaluated, inferred, threads + " threads, batch " + batch);
            }
        }
    }

    /**
     * With batch norm folded (other arithmetic, so not the evaluation's bits): close to the
     * evaluation pass, and each sample with the bits it has alone.
     */
    @Test
    void aFoldedResidualInSliceBuffersKeepsEachSamplesBits() {
        Model model = branchyNet(true);
        int size = model.inputShape().size(), batch = 37;
        float[] x = random(batch * size, 8);
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            Execution e = model.newExecution();
            float[] inferred = Arrays.copyOf(e.infer(x, batch), 3 * batch);
            assertTrue(e.fusedLayersInInference().stream().anyMatch(f -> f.contains("+bn")), "bn folded: "
                    + e.fusedLayersInInference());
            float[] evaluated = Arrays.copyOf(e.forward(x, batch, false), 3 * batch);
            for (int i = 0; i < inferred.length; i++) {
                assertEquals(evaluated[i], inferred[i], 1e-5f, threads + " threads, output " + i);
            }
            for (int n = 0; n < batch; n++) {
                float[] one = Arrays.copyOfRange(x, n * size, (n + 1) * size);
                assertArrayEquals(Arrays.copyOfRange(inferred, 3 * n, 3 * n + 3), Arrays.copyOf(e.infer(one, 1), 3),
                        threads + " threads, sample " + n);
            }
        }
    }

    /**
     * A wide Dense runs once for the whole batch between two stages of slices, and a slice may
     * change threads there: a map written before it and read after it stays whole-batch (here
     * {@code conv}, read by {@code flat} before the wide Dense and by {@code conv2} after it).
     */
    @Test
    void aMapReadAcrossABatchWideStepStaysWholeBatch() {
        Node in = Node.input(2, 16, 16);
        Node conv = new Conv2D(8, 3).padding(Padding.SAME).activation(Activation.RELU).named("conv").apply(in);
        Node side = new GlobalAveragePooling2D().named("side")
                .apply(new Conv2D(4, 3).padding(Padding.SAME).named("conv2").apply(conv));
        Dense wide = new Dense(128).activation(Activation.RELU);
        Node hidden = wide.named("wide").apply(new Flatten().named("flat").apply(conv));
        Node out = new Dense(3).named("out").apply(new Concatenate().named("cat").apply(hidden, side));
        Model model = new Model(in, out).initialize(2, Initializer.HE);
        assertTrue(wide.wide(), "the Dense is wide");
        int size = model.inputShape().size(), batch = 40;
        float[] x = random(batch * size, 4);
        Parallel.setThreads(2);
        Execution e = model.newExecution();
        for (int pass = 0; pass < 3; pass++) {
            float[] inferred = Arrays.copyOf(e.infer(x, batch), 3 * batch);
            assertArrayEquals(Arrays.copyOf(e.forward(x, batch, false), 3 * batch), inferred, "pass " + pass);
        }
    }

    /**
     * Conv+pool passes wide enough to pool in their register tiles (two vectors at 16 lanes, one
     * at 8) write their maps straight into the next one's padded input: the evaluation pass's bits
     * still, on any slicing and thread count, and a named map stays dense and whole-batch.
     */
    @Test
    void mapsInTheNextPassesPaddedInputGiveEvaluationsBits() {
        Node in = Node.input(2, 128, 128);
        Node x = in;
        int[] filters = {8, 4, 12, 8};
        for (int i = 0; i < filters.length; i++) {
            x = new Conv2D(filters[i], i == 2 ? 5 : 3).padding(Padding.SAME).activation(Activation.RELU)
                    .named("c" + i).apply(x);
            x = new MaxPool2D().named("p" + i).apply(x);
        }
        Node out = new Dense(3).named("out").apply(new GlobalAveragePooling2D().named("gap").apply(x));
        Model model = new Model(in, out).initialize(7, Initializer.HE);
        int size = model.inputShape().size();
        boolean tiles = !new FusedConvolution(new Convolution(8, 4, Window2d.of(32, 32, 3, 1, Padding.symmetric(1, 1))),
                true, true).stagedInput().isDense(); // AVX-512 or AVX2, and the Vector API
        boolean sixteenWide = !new FusedConvolution(new Convolution(12, 8, Window2d.of(16, 16, 5, 1,
                Padding.symmetric(2, 2))), true, true).stagedInput().isDense(); // tiles one vector wide: AVX2
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            Execution e = model.newExecution();
            // c0, c1 and c2 (128, 64 and 32 wide) pool in tiles, c3 (16) only at 8 lanes: c1, c2 (and c3) read
            // padded maps
            assertEquals(!tiles ? List.of() : sixteenWide ? List.of("p0", "p1", "p2") : List.of("p0", "p1"),
                    e.paddedInInference());
            for (int batch : new int[] {1, 3, 9, 2}) {
                float[] xs = random(batch * size, 20 + batch);
                float[] inferred = Arrays.copyOf(e.infer(xs, batch), 3 * batch);
                float[] evaluated = Arrays.copyOf(e.forward(xs, batch, false), 3 * batch);
                assertArrayEquals(evaluated, inferred, threads + " threads, batch " + batch);
            }
        }
        Execution keeping = model.newExecution("p0");
        assertEquals(!tiles ? List.of() : sixteenWide ? List.of("p1", "p2") : List.of("p1"),
                keeping.paddedInInference(), "a named map stays dense");
        // ChestXRayNet: conv2 to conv4 (128, 64 and 32 wide) read their inputs padded; conv5 (16) too at 8 lanes
        assertEquals(!tiles ? List.of() : sixteenWide ? List.of("pool1", "pool2", "pool3", "pool4")
                : List.of("pool1", "pool2", "pool3"), ChestXRayNet.build().newExecution().paddedInInference());
    }

    @Test
    void aSliceLocalMapIsNotKeptButANamedOneIs() {
        Model model = branchyNet(false);
        int batch = 9, size = model.inputShape().size();
        float[] x = random(batch * size, 3);
        Execution e = model.newExecution();
        e.infer(x, batch);
        IllegalStateException error = assertThrows(IllegalStateException.class, () -> e.value("cat"));
        assertEquals("cat's output is not kept by an inference pass: each slice's maps stay in its thread's own"
                + " buffers; use model.newExecution(\"cat\") for an execution that keeps it", error.getMessage());
        e.forward(x, batch, false);
        float[] evaluated = Arrays.copyOf(e.value("cat"), batch * model.layer("cat").outputShape().size());

        Execution keeping = model.newExecution("cat");
        keeping.infer(x, batch);
        assertArrayEquals(evaluated, Arrays.copyOf(keeping.value("cat"), evaluated.length), "kept when named");
    }
}
