package dev.isthmus.nn;

import static dev.isthmus.nn.ExecutionTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.kernels.Padding;
import dev.isthmus.kernels.Parallel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Gradient buffers taking turns in shared arrays change no bit, and only kept gradients stay readable. */
class GradientArraysTest {

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /**
     * A small residual network with batch norm (a stem, a block whose input has two readers, a
     * stride-2 block with a 1x1 projection): the buffers of equal size share arrays, and a
     * training pass and an evaluation pass with its backward give the bits of one array per
     * buffer, layer by layer (batch 1) and in slices on one and two threads.
     */
    @Test
    void sharedArraysGiveTheBitsOfOneArrayPerBuffer() {
        Model model = residualNet();
        for (int batch : new int[] {1, 5, 16}) {
            float[] x = random(batch * model.inputShape().size(), batch), dy = random(batch * 4, 50 + batch);
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (boolean training : new boolean[] {true, false}) {
                    Execution shared = new Execution(model, Set.of()), apart = new Execution(model, Set.of(), false);
                    assertTrue(shared.gradientArrays() < apart.gradientArrays(),
                            shared.gradientArrays() + " arrays shared, " + apart.gradientArrays() + " apart");
                    List<float[]> a = pass(shared, x, batch, dy, training), b = pass(apart, x, batch, dy, training);
                    for (int i = 0; i < a.size(); i++) {
                        assertArrayEquals(b.get(i), a.get(i),
                                "batch " + batch + ", " + threads + " threads, training " + training + ", result " + i);
                    }
                }
            }
        }
    }

    /**
     * An Add's input gradients share one array (written once, never copied), and the fused Add and
     * ReLU whose output has two readers (the block's end) adds their gradients itself: the bits of
     * that output's gradient summed and stored first (the node kept) and of the Add and the ReLU
     * apart, in training and evaluation, layer by layer and in slices, on one and two threads
     * (against the fused layers with an array per buffer). The first Add reads its branch first,
     * so the shared array must outlive the branch's buffer, until the shortcut's sum.
     */
    @Test
    void residualGradientsGiveTheBitsOfTheirSumsStored() {
        Model model = residualNet(true);
        for (int batch : new int[] {1, 5, 16}) {
            float[] x = random(batch * model.inputShape().size(), 70 + batch), dy = random(batch * 4, 80 + batch);
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (boolean training : new boolean[] {true, false}) {
                    Execution fused = model.newExecution(), kept = model.newExecution("block.relu2");
                    Execution apart = model.newExecution("block.add", "down.add");
                    assertTrue(fused.fusedLayers().contains("block.add+block.relu2"), fused.fusedLayers().toString());
                    assertTrue(kept.fusedLayers().contains("block.add+block.relu2"), kept.fusedLayers().toString());
                    assertTrue(apart.fusedLayers().stream().noneMatch(n -> n.contains("add")),
                            apart.fusedLayers().toString());
                    List<float[]> want = pass(new Execution(model, Set.of(), false), x, batch, dy, training);
                    for (Execution e : List.of(fused, kept, apart)) {
                        List<float[]> got = pass(e, x, batch, dy, training);
                        for (int i = 0; i < want.size(); i++) {
                            assertArrayEquals(want.get(i), got.get(i), "batch " + batch + ", " + threads
                                    + " threads, training " + training + ", " + e.fusedLayers() + ", result " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void onlyTheOutputsAndTheKeptLayersGradientsAreReadable() {
        Model model = residualNet();
        float[] x = random(2 * model.inputShape().size(), 1), dy = random(2 * 4, 2);
        Execution e = model.newExecution();
        e.forward(x, 2, true);
        e.backward(dy);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> e.gradient("block.relu2"));
        assertEquals("block.relu2's gradient is not kept: gradients share arrays during the backward pass;"
                + " use model.newExecution(\"block.relu2\") for an execution that keeps it", refused.getMessage());
        assertNotNull(e.gradient("fc"), "the output's gradient");
        Execution keeping = model.newExecution("block.relu2");
        keeping.forward(x, 2, true);
        keeping.backward(dy);
        assertEquals(2 * 8 * 8 * 8, keeping.gradient("block.relu2").length);
    }

    private static Model residualNet() {
        return residualNet(false);
    }

    /** With {@code branchFirst}, the first block's Add reads its branch first, its shortcut after. */
    private static Model residualNet(boolean branchFirst) {
        Node in = Node.input(3, 8, 8);
        Node stem = relu(bn(conv(in, 8, 3, 1, "stem")), "stem.relu");
        Node y = bn(conv(relu(bn(conv(stem, 8, 3, 1, "block.conv1")), "block.relu1"), 8, 3, 1, "block.conv2"));
        Node block = relu(new Add().named("block.add").apply(branchFirst ? new Node[] {y, stem} : new Node[] {stem, y}),
                "block.relu2");
        Node down = bn(conv(relu(bn(conv(block, 16, 3, 2, "down.conv1")), "down.relu1"), 16, 3, 1, "down.conv2"));
        Node projection = bn(new Conv2D(16, 1).stride(2).named("down.projection").apply(block));
        Node out = relu(new Add().named("down.add").apply(down, projection), "down.relu2");
        Node pooled = new GlobalAveragePooling2D().named("pool").apply(out);
        return new Model(in, new Dense(4).named("fc").apply(pooled)).initialize(5, Initializer.HE);
    }

    private static Node conv(Node in, int filters, int kernel, int stride, String name) {
        return new Conv2D(filters, kernel).stride(stride).padding(Padding.SAME).named(name).apply(in);
    }

    private static Node bn(Node in) {
        return new BatchNormalization().apply(in);
    }

    private static Node relu(Node in, String name) {
        return new ActivationLayer(Activation.RELU).named(name).apply(in);
    }

    /** Output, then every parameter's gradient, after one pass and its backward. */
    private static List<float[]> pass(Execution e, float[] x, int batch, float[] dy, boolean training) {
        List<float[]> out = new ArrayList<>();
        out.add(e.forward(x, batch, training).clone());
        e.backward(dy);
        for (Parameter p : e.model().parameters().values()) {
            out.add(p.grad().clone());
        }
        return out;
    }
}
