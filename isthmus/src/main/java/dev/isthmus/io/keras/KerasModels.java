package dev.isthmus.io.keras;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.isthmus.io.keras.KerasGraph.Weighted;
import dev.isthmus.io.keras.KerasWeightFile.Array;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Parameter;
import dev.isthmus.nn.Shape;
import io.jhdf.HdfFile;
import io.jhdf.exceptions.HdfException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Loads a Keras model as an Isthmus model: architecture from the saved config, weights converted
 * from Keras's layouts. Reads Keras 3's {@code .keras} archives ({@code config.json} and
 * {@code model.weights.h5} in a zip) and legacy {@code .h5} files ({@code model.save("m.h5")},
 * Keras 2 or 3), through the pure-Java HDF5 reader jHDF.
 *
 * <p>Layouts: a Conv2D kernel {@code (kh, kw, in, out)} becomes Isthmus's {@code (out, in, kh, kw)};
 * a Dense kernel {@code (in, out)} becomes {@code (out, in)}, with its rows permuted when it reads a
 * flattened feature map (Keras flattens {@code (h, w, c)}, Isthmus {@code (c, h, w)}); batch
 * normalisation's gamma, beta, moving mean and variance load as weight, bias, running_mean and
 * running_var, with Keras's momentum m becoming Isthmus's (PyTorch's) 1 - m. The model takes the
 * same images as Keras, channels first: {@code (C, H, W)} where Keras had {@code (H, W, C)}.
 * Layer names are Keras's.
 */
public final class KerasModels {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private KerasModels() {}

    /**
     * Builds the model saved in {@code file} ({@code .keras} or legacy {@code .h5}) and loads its weights.
     *
     * @throws KerasFormatException in one line naming the file and the layer or dataset, for a
     *                              truncated file, a layer Isthmus lacks, a missing dataset or a
     *                              weight whose shape disagrees with the config
     * @throws IOException          if the file cannot be read
     */
    public static Model load(Path file) throws IOException {
        String name = file.toString();
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(8);
        }
        if (head.length >= 2 && head[0] == 'P' && head[1] == 'K') {
            return loadArchive(file, name);
        }
        if (Arrays.equals(head, HDF5_SIGNATURE)) {
            return loadLegacy(file, name);
        }
        throw new KerasFormatException(name + ": neither a .keras archive (zip) nor an HDF5 file");
    }

    /**
     * Copies the weights of the Keras model in {@code file} into {@code model}, an Isthmus network
     * of the same architecture under other names (the lesson's Keras file into
     * {@link dev.isthmus.nn.ChestXRayNet}, whose names are PyTorch's): layer by layer in order, as
     * Keras's own legacy loader matches layers, each pair of the same type and shapes. Checks
     * everything first, so a failure leaves the model untouched.
     *
     * @throws KerasFormatException naming the file and the first pair of layers that disagree
     */
    public static void loadWeights(Model model, Path file) throws IOException {
        Model keras = load(file);
        List<dev.isthmus.nn.Layer> from = weightedLayers(keras), to = weightedLayers(model);
        if (from.size() != to.size()) {
            throw new KerasFormatException(file + ": holds " + from.size() + " layers with weights " + names(from)
                    + ", the model has " + to.size() + " " + names(to));
        }
        Map<String, Parameter> source = keras.state(), target = model.state();
        List<Runnable> sets = new ArrayList<>();
        for (int i = 0; i < from.size(); i++) {
            dev.isthmus.nn.Layer a = from.get(i), b = to.get(i);
            List<String> own = own(a);
            if (!a.type().equals(b.type()) || !own.equals(own(b))) {
                throw new KerasFormatException(file + ": layer '" + a.name() + "' (" + a.type() + ") does not fit the"
                        + " model's layer '" + b.name() + "' (" + b.type() + "), number " + (i + 1) + " with weights");
            }
            for (String p : own) {
                Parameter src = source.get(a.name() + "." + p), dst = target.get(b.name() + "." + p);
                if (!Arrays.equals(src.shape(), dst.shape())) {
                    throw new KerasFormatException(file + ": layer '" + a.name() + "' " + p + " has shape "
                            + Arrays.toString(src.shape()) + ", the model's layer '" + b.name() + "' needs "
                            + Arrays.toString(dst.shape()));
                }
                sets.add(() -> dst.set(src.value()));
            }
        }
        sets.forEach(Runnable::run);
    }

    private static List<dev.isthmus.nn.Layer> weightedLayers(Model model) {
        return model.layers().stream().filter(l -> !l.parameters().isEmpty()).toList();
    }

    /** The names of a layer's parameters and buffers ({@code weight, bias, running_mean, ...}). */
    private static List<String> own(dev.isthmus.nn.Layer layer) {
        List<String> names = new ArrayList<>();
        layer.parameters().forEach(p -> names.add(p.name()));
        layer.buffers().forEach(p -> names.add(p.name()));
        return names;
    }

    private static List<String> names(List<dev.isthmus.nn.Layer> layers) {
        return layers.stream().map(dev.isthmus.nn.Layer::name).toList();
    }

    private static Model loadArchive(Path file, String name) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry config = zip.getEntry("config.json"), weights = zip.getEntry("model.weights.h5");
            if (config == null) {
                throw new KerasFormatException(name + ": a zip without config.json, so not a .keras archive");
            }
            if (weights == null) {
                throw new KerasFormatException(name + ": a .keras archive without model.weights.h5"
                        + (zip.getEntry("model.weights.npz") != null ? " (weights saved as npz, which Isthmus does not read)" : ""));
            }
            KerasGraph.Built built = KerasGraph.build(name, json(name + "!config.json", entry(zip, config, name)));
            byte[] h5 = entry(zip, weights, name);
            try (HdfFile hdf = HdfFile.fromBytes(h5)) {
                load(built, KerasWeightFile.keras3(hdf, name + "!model.weights.h5"), name + "!model.weights.h5");
            } catch (HdfException e) {
                throw new KerasFormatException(name + "!model.weights.h5: not a readable HDF5 file: " + e.getMessage(), e);
            }
            return built.model();
        } catch (ZipException e) {
            throw new KerasFormatException(name + ": not a readable zip archive (truncated?): " + e.getMessage(), e);
        }
    }

    private static Model loadLegacy(Path file, String name) throws IOException {
        try (HdfFile hdf = new HdfFile(file)) {
            List<String> config = KerasWeightFile.strings(hdf.getAttribute("model_config"));
            if (config.isEmpty()) {
                throw new KerasFormatException(name + ": an HDF5 file without the attribute model_config (weights alone,"
                        + " from save_weights?); Isthmus needs the whole model, saved with model.save");
            }
            KerasGraph.Built built = KerasGraph.build(name, json(name, config.getFirst().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            load(built, KerasWeightFile.legacy(hdf, name), name);
            return built.model();
        } catch (HdfException e) {
            throw new KerasFormatException(name + ": not a readable HDF5 file (truncated?): " + e.getMessage(), e);
        }
    }

    private static byte[] entry(ZipFile zip, ZipEntry entry, String name) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readAllBytes();
        } catch (ZipException | java.io.EOFException e) {
            throw new KerasFormatException(name + ": entry " + entry.getName() + " is damaged: " + e.getMessage(), e);
        }
    }

    private static JsonNode json(String where, byte[] bytes) throws KerasFormatException {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new KerasFormatException(where + ": the model config is not valid JSON: " + m, e);
        }
    }

    /** Checks every layer's arrays first, then sets them, so a bad file leaves no half-loaded model. */
    private static void load(KerasGraph.Built built, KerasWeightFile weights, String where) throws KerasFormatException {
        Map<String, Parameter> state = built.model().state();
        List<Runnable> sets = new ArrayList<>();
        for (Weighted w : built.weighted()) {
            List<Array> arrays = weights.weights(w.name(), w.classPath(), w.describe());
            List<String> expected = expectedWeights(w);
            if (arrays.size() != expected.size()) {
                String missing = arrays.size() < expected.size()
                        ? ": there is no " + weights.pathOf(w.name(), w.classPath(), arrays.size()) + " ("
                        + expected.get(arrays.size()) + ")" : "";
                throw new KerasFormatException(where + ": " + w.describe() + " has " + arrays.size() + " weight arrays,"
                        + " expected " + expected.size() + " " + expected + missing);
            }
            for (int i = 0; i < arrays.size(); i++) {
                Array a = arrays.get(i);
                String target = target(w, expected.get(i));
                Parameter p = state.get(w.name() + "." + target);
                float[] values = convert(w, expected.get(i), a, p, where);
                sets.add(() -> p.set(values));
            }
            if (w.className().equals("Dense") && !w.config().path("use_bias").asBoolean(true)) {
                Parameter bias = state.get(w.name() + ".bias");
                sets.add(() -> Arrays.fill(bias.value(), 0f));
            }
            if (w.className().equals("BatchNormalization")) {
                for (String absent : List.of("gamma", "beta")) {
                    if (!expected.contains(absent)) { // scale=False or center=False: Keras uses 1 and 0
                        Parameter p = state.get(w.name() + "." + target(w, absent));
                        sets.add(() -> Arrays.fill(p.value(), absent.equals("gamma") ? 1f : 0f));
                    }
                }
            }
        }
        sets.forEach(Runnable::run);
    }

    /** Keras's weight names for the layer, in its saving order. */
    private static List<String> expectedWeights(Weighted w) {
        JsonNode c = w.config();
        return switch (w.className()) {
            case "Conv2D", "Dense" -> c.path("use_bias").asBoolean(true) ? List.of("kernel", "bias") : List.of("kernel");
            case "BatchNormalization" -> {
                List<String> names = new ArrayList<>();
                if (c.path("scale").asBoolean(true)) {
                    names.add("gamma");
                }
                if (c.path("center").asBoolean(true)) {
                    names.add("beta");
                }
                names.add("moving_mean");
                names.add("moving_variance");
                yield names;
            }
            default -> List.of();
        };
    }

    private static String target(Weighted w, String keras) {
        return switch (keras) {
            case "kernel", "gamma" -> "weight";
            case "bias", "beta" -> "bias";
            case "moving_mean" -> "running_mean";
            case "moving_variance" -> "running_var";
            default -> throw new IllegalStateException(keras);
        };
    }

    /** Keras's layout to Isthmus's, after checking the shape. */
    private static float[] convert(Weighted w, String keras, Array a, Parameter p, String where) throws KerasFormatException {
        int[] want = p.shape();
        int[] kerasShape = switch (w.className() + "." + keras) {
            case "Conv2D.kernel" -> new int[] {want[2], want[3], want[1], want[0]};
            case "Dense.kernel" -> new int[] {want[1], want[0]};
            default -> want;
        };
        if (!Arrays.equals(a.shape(), kerasShape)) {
            throw new KerasFormatException(where + ": " + w.describe() + " " + keras + " (" + a.path() + ") has shape "
                    + Arrays.toString(a.shape()) + ", but the config makes it " + Arrays.toString(kerasShape));
        }
        float[] k = a.data();
        return switch (w.className() + "." + keras) {
            case "Conv2D.kernel" -> {
                int out = want[0], in = want[1], kh = want[2], kw = want[3];
                float[] v = new float[k.length];
                for (int o = 0; o < out; o++) {
                    for (int i = 0; i < in; i++) {
                        for (int y = 0; y < kh; y++) {
                            for (int x = 0; x < kw; x++) {
                                v[((o * in + i) * kh + y) * kw + x] = k[((y * kw + x) * in + i) * out + o];
                            }
                        }
                    }
                }
                yield v;
            }
            case "Dense.kernel" -> {
                int units = want[0], in = want[1];
                int[] row = rowOrder(w.flattenedFrom(), in);
                float[] v = new float[k.length];
                for (int o = 0; o < units; o++) {
                    for (int i = 0; i < in; i++) {
                        v[o * in + i] = k[row[i] * units + o];
                    }
                }
                yield v;
            }
            default -> k;
        };
    }

    /**
     * For each Isthmus input index {@code (c, h, w)} of a flattened map, the Keras row
     * {@code (h, w, c)} that holds its weights; the identity for plain vectors.
     */
    private static int[] rowOrder(Shape map, int in) {
        int[] row = new int[in];
        if (map == null) {
            Arrays.setAll(row, i -> i);
            return row;
        }
        int channels = map.dim(0), height = map.dim(1), width = map.dim(2);
        for (int c = 0; c < channels; c++) {
            for (int h = 0; h < height; h++) {
                for (int x = 0; x < width; x++) {
                    row[(c * height + h) * width + x] = (h * width + x) * channels + c;
                }
            }
        }
        return row;
    }
}
