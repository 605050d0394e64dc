package dev.isthmus.io.keras;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The weight arrays of a saved Keras model, found by layer in either of Keras's HDF5 layouts:
 * <ul>
 *   <li>Keras 3 ({@code model.weights.h5} in a {@code .keras} archive): layer {@code k} of a class
 *       is at {@code layers/<snake_case(class)>[_k]/vars/<i>}, numbered by class in model order
 *       (not by the layer's name); tf.keras 2.13 to 2.15 wrote {@code _layer_checkpoint_dependencies}
 *       for {@code layers}, which Keras 3 still reads, and so does this;</li>
 *   <li>legacy {@code .h5}: group {@code model_weights/<layer name>}, whose attribute
 *       {@code weight_names} lists the dataset paths in order.</li>
 * </ul>
 */
final class KerasWeightFile {

    /** One array as stored: its path in the file, its shape (Keras's layout) and its values. */
    record Array(String path, int[] shape, float[] data) {}

    private final HdfFile hdf;
    private final String where; // the file (and archive entry) for messages
    private final boolean legacy;
    private final Group legacyRoot;

    private KerasWeightFile(HdfFile hdf, String where, boolean legacy) {
        this.hdf = hdf;
        this.where = where;
        this.legacy = legacy;
        this.legacyRoot = legacy ? (hdf.getChild("model_weights") instanceof Group g ? g : hdf) : null;
    }

    static KerasWeightFile keras3(HdfFile hdf, String where) {
        return new KerasWeightFile(hdf, where, false);
    }

    static KerasWeightFile legacy(HdfFile hdf, String where) {
        return new KerasWeightFile(hdf, where, true);
    }

    /**
     * The stored arrays of a layer, in Keras's order; as many as the file holds.
     *
     * @param name      the layer's name (legacy files)
     * @param classPath the layer's {@code snake_case(class)[_k]} (Keras 3 archives)
     */
    List<Array> weights(String name, String classPath, String layer) throws KerasFormatException {
        try {
            return legacy ? legacyWeights(name, layer) : keras3Weights(classPath);
        } catch (HdfException e) {
            throw new KerasFormatException(where + ": cannot read the weights of " + layer + ": " + e.getMessage(), e);
        }
    }

    /** The path a missing weight {@code index} would have, for messages. */
    String pathOf(String name, String classPath, int index) {
        if (!legacy) {
            return "layers/" + classPath + "/vars/" + index;
        }
        return "model_weights/" + name + "/<weight " + index + ">";
    }

    private List<Array> keras3Weights(String classPath) throws KerasFormatException {
        List<Array> result = new ArrayList<>();
        Node found = child(hdf, "layers/" + classPath + "/vars");
        if (found == null) { // tf.keras 2.13-2.15 kept a functional model's layers under this name
            found = child(hdf, "_layer_checkpoint_dependencies/" + classPath + "/vars");
        }
        if (!(found instanceof Group vars)) {
            return result;
        }
        for (int i = 0; vars.getChild(Integer.toString(i)) != null; i++) {
            result.add(array((Dataset) vars.getChild(Integer.toString(i))));
        }
        return result;
    }

    private List<Array> legacyWeights(String name, String layer) throws KerasFormatException {
        List<Array> result = new ArrayList<>();
        if (!(legacyRoot.getChild(name) instanceof Group group)) {
            return result;
        }
        for (String path : strings(group.getAttribute("weight_names"))) {
            if (!(child(group, path) instanceof Dataset d)) {
                throw new KerasFormatException(where + ": " + layer + " lists weight '" + path + "', but there is no dataset "
                        + group.getPath() + path);
            }
            result.add(array(d));
        }
        return result;
    }

    /** The node at a relative path, or null. */
    private static Node child(Group from, String path) {
        Node n = from;
        for (String part : path.split("/")) {
            if (!(n instanceof Group g) || (n = g.getChild(part)) == null) {
                return null;
            }
        }
        return n;
    }

    private Array array(Dataset d) throws KerasFormatException {
        Object flat = d.isEmpty() ? new float[0] : d.getDataFlat();
        float[] values = switch (flat) {
            case float[] f -> f;
            case double[] a -> {
                float[] f = new float[a.length];
                for (int i = 0; i < a.length; i++) {
                    f[i] = (float) a[i];
                }
                yield f;
            }
            default -> throw new KerasFormatException(where + ": dataset " + d.getPath() + " holds "
                    + d.getJavaType().getSimpleName() + " values; Isthmus reads float32 and float64 weights");
        };
        return new Array(d.getPath(), d.getDimensions(), values);
    }

    /**
     * A string or string-array attribute (h5py writes str and bytes as variable-length strings);
     * empty if absent, or if an empty list was saved (h5py makes that an empty float array).
     */
    static List<String> strings(Attribute a) {
        if (a == null || a.isEmpty()) {
            return List.of();
        }
        Object data = a.getData();
        if (data instanceof String s) {
            return List.of(s);
        }
        if (data instanceof String[] array) {
            return Arrays.asList(array);
        }
        return List.of(); // an empty list saved as an empty float array
    }
}
