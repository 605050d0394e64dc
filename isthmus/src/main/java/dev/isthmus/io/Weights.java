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
 */
public final class Weights {

    private Weights() {}

    /**
     * Sets every parameter of {@code model} from {@code file}. Checks everything first, so a
     * failure leaves the model untouched.
     *
     * @throws IllegalArgumentException naming the tensor when one is missing or has the wrong
     *                                  shape, or when the file holds tensors the model lacks
     */
    public static void load(Model model, TensorFile file) {
        Map<String, Parameter> params = model.state();
        List<StoredTensor> found = new ArrayList<>();
        for (var e : params.entrySet()) {
            found.add(file.requireTensor(e.getKey(), e.getValue().shape()));
        }
        List<String> extra = new ArrayList<>();
        for (String name : file.names()) {
            if (!params.containsKey(name)) {
                extra.add(name);
            }
        }
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException("the weights hold tensors the model does not have: " + extra
                    + "; the model's parameters are " + params.keySet());
        }
        int i = 0;
        for (Parameter p : params.values()) {
            p.set(found.get(i++).data());
        }
    }

    public static void load(Model model, Path file) throws IOException {
        load(model, SafeTensors.read(file));
    }

    /** The model's parameters as a tensor file (copies of the values). */
    public static TensorFile of(Model model, Map<String, String> metadata) {
        TensorFile.Builder b = TensorFile.builder();
        for (var e : model.state().entrySet()) {
            b.add(e.getKey(), e.getValue().shape(), e.getValue().value().clone());
        }
        metadata.forEach(b::metadata);
        return b.build();
    }
}
