package dev.isthmus.io;

import dev.isthmus.nn.Model;
import dev.isthmus.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Moves a model's state (parameters and buffers) to and from safetensors under their dotted names
 * ({@code conv1.weight}, ...), which are PyTorch's state_dict names for networks built with
 * matching layer names (as {@link dev.isthmus.nn.ChestXRayNet} is).
 *
 * <p>The rule for a file that does not match the model is PyTorch's
 * {@code load_state_dict(strict=...)}, made a little safer:
 * <ul>
 *   <li>a tensor the model needs but the file lacks is always an error (a model left half at its
 *       initial weights predicts nonsense quietly), except batch norm's {@code num_batches_tracked},
 *       which state_dicts older than PyTorch 0.4.1 and Keras files do not have: it is then 0, as
 *       PyTorch sets it;</li>
 *   <li>a tensor the file holds but the model lacks (a buffer of a layer Isthmus does without, an
 *       optimizer's state saved beside the weights) is ignored with one logged line, or refused
 *       when {@code strict}.</li>
 * </ul>
 * Shapes must match exactly, and integer tensors (read as float32) load like any other.
 */
public final class Weights {

    /** The one buffer a state_dict may lack: PyTorch fills it in the same way. */
    static final String BATCH_COUNTER = "num_batches_tracked";

    private static final System.Logger LOG = System.getLogger("dev.isthmus.io");

    private Weights() {}

    /**
     * Sets every parameter and buffer of {@code model} from {@code file}, ignoring (and logging)
     * tensors the model lacks. Checks everything first, so a failure leaves the model untouched.
     *
     * @return the names of the tensors ignored, in file order
     * @throws IllegalArgumentException naming the tensor when one is missing or has the wrong shape
     */
    public static List<String> load(Model model, TensorFile file) {
        return load(model, file, false);
    }

    /**
     * As {@link #load(Model, TensorFile)}; when {@code strict}, a tensor the model lacks is an
     * error too, as with PyTorch's {@code load_state_dict(strict=True)}.
     *
     * @throws IllegalArgumentException naming the tensor when one is missing or has the wrong
     *                                  shape, or (strict) listing the tensors the model lacks
     */
    public static List<String> load(Model model, TensorFile file, boolean strict) {
        Map<String, Parameter> state = model.state();
        List<Parameter> targets = new ArrayList<>();
        List<float[]> values = new ArrayList<>();
        for (var e : state.entrySet()) {
            String name = e.getKey();
            if (file.get(name) == null && name.endsWith("." + BATCH_COUNTER)) {
                targets.add(e.getValue());
                values.add(new float[e.getValue().size()]);
                continue;
            }
            targets.add(e.getValue());
            values.add(file.requireTensor(name, e.getValue().shape()).data());
        }
        List<String> extra = new ArrayList<>();
        for (String name : file.names()) {
            if (!state.containsKey(name)) {
                extra.add(name);
            }
        }
        if (!extra.isEmpty()) {
            if (strict) {
                throw new IllegalArgumentException("the weights hold " + extra.size() + " tensors the model does not have: "
                        + extra + "; the model's state is " + state.keySet() + " (load without strict to ignore them)");
            }
            LOG.log(System.Logger.Level.INFO, "ignored " + extra.size() + " tensors the model does not have: " + extra);
        }
        for (int i = 0; i < targets.size(); i++) {
            targets.get(i).set(values.get(i));
        }
        return List.copyOf(extra);
    }

    /** {@link #load(Model, TensorFile)} from a safetensors file. */
    public static List<String> load(Model model, Path file) throws IOException {
        return load(model, file, false);
    }

    /**
     * {@link #load(Model, TensorFile, boolean)} from a safetensors file, or from a PyTorch
     * checkpoint ({@code torch.save}, read without running its pickle: see
     * {@link dev.isthmus.io.torch.TorchCheckpoints}).
     *
     * @throws IOException naming the file, for an unreadable file or one that does not fit the model
     */
    public static List<String> load(Model model, Path file, boolean strict) throws IOException {
        TensorFile tensors = dev.isthmus.io.torch.TorchCheckpoints.isCheckpoint(file)
                ? dev.isthmus.io.torch.TorchCheckpoints.read(file) : SafeTensors.read(file);
        try {
            return load(model, tensors, strict);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** The model's parameters and buffers as a tensor file (copies of the values). */
    public static TensorFile of(Model model, Map<String, String> metadata) {
        TensorFile.Builder b = TensorFile.builder();
        for (var e : model.state().entrySet()) {
            b.add(e.getKey(), e.getValue().shape(), e.getValue().value().clone());
        }
        metadata.forEach(b::metadata);
        return b.build();
    }
}
