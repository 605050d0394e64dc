package dev.isthmus.cli;

import dev.isthmus.io.ModelFiles.ModelFile;
import dev.isthmus.io.ModelMetadata;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Shape;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a model file's output means, checked before the command prints any of it as a
 * probability: one sigmoid output (binary; the probability of class 1) or a softmax over K
 * classes. Any other output (a linear value, a ReLU) is refused: it is no probability. Also
 * checks that the command can prepare the model's input: one grey channel, the lesson's
 * preprocessing, from the metadata when the file has it.
 */
record ModelOutput(ModelFile file, boolean binary, List<String> classNames, int side) {

    static ModelOutput of(ModelFile file) throws IOException {
        Model model = file.model();
        Shape in = model.inputShape();
        if (in.rank() != 3 || in.channels() != 1 || in.height() != in.width()) {
            throw new IOException(file.path() + ": the model's input is " + in + "; the command line prepares square"
                    + " grey images, (1, side, side)");
        }
        ModelMetadata.Preprocessing p = file.metadata().map(ModelMetadata::preprocessing).orElse(null);
        if (p != null && !p.isGreyscalePipeline()) {
            throw new IOException(file.path() + ": the model was trained on images prepared as colour '" + p.colour()
                    + "', resize '" + p.resize() + "', standardize '" + p.standardize() + "', which this version cannot"
                    + " reproduce");
        }
        int outputs = model.outputShape().size();
        Object activation = model.outputLayer().config().get("activation");
        boolean binary;
        if (outputs == 1 && "sigmoid".equals(activation)) {
            binary = true;
        } else if (outputs > 1 && model.outputShape().rank() == 1 && "softmax".equals(activation)) {
            binary = false;
        } else {
            throw new IOException(file.path() + ": the model's output is " + model.outputShape() + " from "
                    + model.outputLayer() + (activation == null ? "" : " with activation " + activation)
                    + "; a probability needs one sigmoid output or a softmax over the classes");
        }
        List<String> names = file.metadata().map(ModelMetadata::classNames).orElse(null);
        if (names == null) {
            names = new ArrayList<>();
            for (int c = 0; c < Math.max(2, outputs); c++) {
                names.add("class " + c);
            }
        }
        return new ModelOutput(file, binary, List.copyOf(names), in.height());
    }

    boolean hasClassNames() {
        return file.metadata().isPresent();
    }

    /** Fails naming the model if any of {@code outputs} is NaN or infinite. */
    void requireFinite(float[] outputs, int count, List<java.nio.file.Path> sources) throws IOException {
        int per = outputs.length / Math.max(1, count), bad = 0, first = -1;
        float value = 0;
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < per; k++) {
                if (!Float.isFinite(outputs[i * per + k])) {
                    bad++;
                    if (first < 0) {
                        first = i;
                        value = outputs[i * per + k];
                    }
                    break;
                }
            }
        }
        if (bad > 0) {
            throw new IOException(file.path() + ": the model gave a non-finite output (" + value + ") for "
                    + bad + " of " + count + " images (first: " + sources.get(first) + "); its weights are broken,"
                    + " so it has no result to give");
        }
    }
}
