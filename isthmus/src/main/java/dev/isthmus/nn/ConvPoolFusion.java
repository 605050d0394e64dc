package dev.isthmus.nn;

import dev.isthmus.kernels.FusedConvolution;
import dev.isthmus.kernels.MapLayout;
import dev.isthmus.kernels.Padding;
import dev.isthmus.kernels.Window2d;
import java.util.List;

/**
 * A {@link Conv2D} with a ReLU (or no activation) read only by a 2x2, stride-2
 * {@link MaxPool2D}: one pass ({@link FusedConvolution}) pools the convolution's rows while they are
 * in cache, so its full-size output is never stored; one byte per window (its winner) is kept for
 * the backward pass, and in evaluation too (saliency maps read it).
 */
final class ConvPoolFusion implements FusionRule {

    @Override
    public Fusion match(Node head, Graph graph, ExecutionPlan.Mode mode) {
        if (!(head.layer() instanceof Conv2D conv) || !graph.mayHide(head)) {
            return null;
        }
        Node next = graph.readers(head).get(0);
        if (!(next.layer() instanceof MaxPool2D pool) || next.inputs().size() != 1) {
            return null;
        }
        Window2d w = conv.convolution().window();
        boolean act = conv.activation() == Activation.RELU || conv.activation() == Activation.LINEAR;
        boolean twoByTwo = pool.poolSize() == 2 && pool.stride() == 2 && pool.padding() == Padding.VALID;
        if (!act || !twoByTwo || w.outHeight() < 2 || w.outWidth() < 2) {
            return null;
        }
        return new Fusion(List.of(head, next), new Pass(conv, pool));
    }

    /** Convolution, bias, activation and pooling as one operation; its output is the pooling's. */
    private static final class Pass implements Operation {

        private final Conv2D conv;
        private final MaxPool2D pool;
        private final FusedConvolution kernel;
        private final MapLayout denseInput, denseOutput;

        Pass(Conv2D conv, MaxPool2D pool) {
            this.conv = conv;
            this.pool = pool;
            this.kernel = new FusedConvolution(conv.convolution(), conv.activation() == Activation.RELU, true);
            Window2d w = conv.convolution().window();
            this.denseInput = MapLayout.dense(kernel.conv().inChannels(), w.inHeight(), w.inWidth());
            this.denseOutput = MapLayout.dense(kernel.conv().outChannels(), kernel.outHeight(), kernel.outWidth());
        }

        @Override
        public String name() {
            return conv.name() + "+" + pool.name();
        }

        @Override
        public String type() {
            return conv.type() + "+" + pool.type();
        }

        /**
         * The weights laid out once per pass, and the pooling's winners for the backward pass (null
         * in inference: no backward pass follows, and finding the winners took about half of the
         * pooling's time).
         */
        private record State(PassWeights weights, byte[] winners) {}

        @Override
        public Object newState(int maxBatch) {
            return newState(maxBatch, true);
        }

        @Override
        public Object newState(int maxBatch, boolean gradients) {
            return new State(new PassWeights(kernel.conv()),
                    gradients ? new byte[Math.multiplyExact(maxBatch, kernel.winnersSize())] : null);
        }

        @Override
        public void beforePass(Object state, boolean training) {
            ((State) state).weights().update(conv.weight().value());
        }

        @Override
        public void beforeBackward(Object state, boolean inputGradients) {
            if (inputGradients) { // else no data gradient runs (the first layer)
                ((State) state).weights().prepareDataGradient();
            }
        }

        @Override
        public boolean worksPerSample(boolean training) {
            return true;
        }

        @Override
        public boolean honoursBufferOffsets() {
            return true;
        }

        @Override
        public MapLayout stagedInput() {
            MapLayout staged = kernel.stagedInput();
            return staged.isDense() ? null : staged;
        }

        @Override
        public boolean writesLayout(MapLayout layout) {
            return kernel.writes(layout);
        }

        @Override
        public void forward(LayerCall s) {
            Parameter bias = conv.bias();
            State state = s.state();
            if (state.winners() == null) { // inference: its maps in the layouts the plan chose (Execution#sliceLayouts)
                MapLayout in = s.inputLayout() != null ? s.inputLayout() : denseInput;
                MapLayout out = s.outputLayout() != null ? s.outputLayout() : denseOutput;
                kernel.infer(s.batch(), s.input(), s.inputFirst() * in.imageSize(), in, state.weights().prepared(),
                        bias == null ? null : bias.value(), 0, s.output(), s.outputFirst() * out.imageSize(), out);
                return;
            }
            int x = s.inputFirst() * kernel.conv().inputSize(), y = s.outputFirst() * kernel.outputSize();
            kernel.forward(s.batch(), s.input(), x, state.weights().prepared(), bias == null ? null : bias.value(), 0,
                    s.output(), y, state.winners(), s.first() * kernel.winnersSize());
        }

        @Override
        public void backward(LayerCall s) {
            int x = s.first() * kernel.conv().inputSize(), y = s.first() * kernel.outputSize();
            Parameter bias = conv.bias();
            State state = s.state();
            kernel.backward(s.batch(), s.input(), x, state.weights().prepared(), s.output(), y, s.outputGrad(), y,
                    state.winners(), s.first() * kernel.winnersSize(), s.grad(conv.weight()), 0,
                    bias == null ? null : s.grad(bias), 0, s.inputGrad(), x);
        }
    }
}
