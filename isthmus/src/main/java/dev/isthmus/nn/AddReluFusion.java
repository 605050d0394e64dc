package dev.isthmus.nn;

import java.util.List;

/**
 * An {@link Add} read only by a ReLU {@link ActivationLayer} (a residual block's end): one pass
 * writes {@code relu(x0 + x1 + ...)}, and one pass back writes the masked gradient straight into
 * the inputs' gradients, so the sum and its gradient are never stored. The same floats as the
 * two layers: each sum in the same order, ReLU's own comparisons ({@code v < 0 ? 0 : v} forward,
 * {@code y > 0 ? dy : 0} back). In every mode: the pair has no parameters and nothing to fold.
 */
final class AddReluFusion implements FusionRule {

    @Override
    public Fusion match(Node head, Graph graph, ExecutionPlan.Mode mode) {
        Node relu = head.layer() instanceof Add ? FusionRule.reluAfter(head, graph) : null;
        return relu == null ? null
                : new Fusion(List.of(head, relu), new Pass((Add) head.layer(), (ActivationLayer) relu.layer()));
    }

    private static final class Pass implements Operation {

        /** Floats summed and rectified at a time: 16 KiB. */
        private static final int CHUNK = 4096;

        private final Add add;
        private final ActivationLayer relu;

        Pass(Add add, ActivationLayer relu) {
            this.add = add;
            this.relu = relu;
        }

        @Override
        public String name() {
            return add.name() + "+" + relu.name();
        }

        @Override
        public String type() {
            return add.type() + "+ReLU";
        }

        @Override
        public Object newState(int maxBatch) {
            return null;
        }

        @Override
        public boolean worksPerSample(boolean training) {
            return true;
        }

        @Override
        public boolean sameInputGradients() {
            return true;
        }

        @Override
        public boolean honoursBufferOffsets() {
            return true;
        }

        /** The sum a chunk at a time, each rectified by ReLU's kernel while it is in L1: one trip to memory. */
        @Override
        public void forward(LayerCall s) {
            int size = add.size(), x = s.inputFirst() * size, y0 = s.outputFirst() * size, n = s.batch() * size;
            float[] y = s.output();
            for (int c = 0; c < n; c += CHUNK) {
                int len = Math.min(n - c, CHUNK);
                add.sum(s, x + c, y, y0 + c, len);
                Activation.RELU.forward(y, y0 + c, len, 1);
            }
        }

        /**
         * The masked gradient a chunk at a time, into the first input's gradient, which the plan
         * lets the others share ({@link Operation#sameInputGradients}); copied, should one not.
         * Where the output has several readers, their gradients are added here, a chunk at a
         * time, as the execution would have added them ({@link Execution#sumParts}).
         */
        @Override
        public void backward(LayerCall s) {
            int size = add.size(), from = s.first() * size, to = from + s.batch() * size;
            float[][] parts = s.outputGradParts();
            for (int c = from; c < to; c += CHUNK) {
                int n = Math.min(to, c + CHUNK) - c;
                float[] masked = null;
                for (int k = 0; k < add.count(); k++) {
                    float[] dx = s.inputGrad(k);
                    if (dx == null || dx == masked) { // the inputs' gradients share an array (Add's)
                        continue;
                    }
                    if (masked != null) {
                        System.arraycopy(masked, c, dx, c, n);
                    } else if (parts != null) {
                        Execution.sumParts(parts, s.outputGradPartCount(), dx, c, c + n);
                        Activation.RELU.backward(s.output(), dx, dx, c, n, 1);
                        masked = dx;
                    } else {
                        Activation.RELU.backward(s.output(), s.outputGrad(), dx, c, n, 1);
                        masked = dx;
                    }
                }
            }
        }

        @Override
        public boolean sumsOutputGradient() {
            return true;
        }
    }
}
