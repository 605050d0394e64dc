package dev.isthmus.io.onnx;

import dev.isthmus.io.ModelFiles;
import dev.isthmus.io.ModelMetadata;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

/**
 * What an exported ONNX model says about itself in its {@code metadata_props}: the Isthmus
 * architecture, the input's name, shape, layout and preprocessing, the output's name and shape,
 * and every entry the model file carried (epoch, monitored metric, ...).
 *
 * <p>All of it is read here, in {@link #of}, from the model and its file's metadata, so a richer
 * model-file metadata (class names, data provenance, a recorded preprocessing) reaches the ONNX
 * file by changing this one method.
 */
public final class OnnxMetadata {

    /** The model file's key for its preprocessing, when it records one. */
    public static final String PREPROCESSING_KEY = "preprocessing";
    /** The class names by output (label) index, comma-separated, when the model file records them. */
    public static final String CLASS_NAMES_KEY = "class_names";

    private OnnxMetadata() {}

    /**
     * The metadata_props for {@code model}, whose file held {@code saved} (empty for a model
     * built in code).
     */
    public static SequencedMap<String, String> of(Model model, Map<String, String> saved) {
        SequencedMap<String, String> m = new LinkedHashMap<>();
        Shape in = model.inputShape();
        m.put("input.name", OnnxExport.INPUT_NAME);
        m.put("input.shape", shape(in));
        m.put("input.layout", in.rank() == 3 ? "NCHW float32" : "NF float32");
        ModelMetadata recorded = recorded(saved);
        m.put(PREPROCESSING_KEY, saved.getOrDefault(PREPROCESSING_KEY,
                recorded != null ? describe(recorded.preprocessing()) : defaultPreprocessing(in)));
        if (recorded != null) {
            m.put(CLASS_NAMES_KEY, String.join(",", recorded.classNames()));
        }
        m.put("output.name", OnnxExport.OUTPUT_NAME);
        m.put("output.shape", shape(model.outputShape()));
        m.put(ModelFiles.ARCHITECTURE_KEY, ModelFiles.architecture(model));
        saved.forEach((key, value) -> m.putIfAbsent(key, value));
        return m;
    }

    /** The model file's {@link ModelMetadata} ({@value ModelMetadata#KEY}), or null if it has none or it cannot be read. */
    private static ModelMetadata recorded(Map<String, String> saved) {
        String json = saved.get(ModelMetadata.KEY);
        if (json == null) {
            return null;
        }
        try {
            return ModelMetadata.fromJson(json);
        } catch (IllegalArgumentException unreadable) {
            return null; // the JSON itself still goes along with the other entries
        }
    }

    /** The preprocessing a model file records, in words. */
    private static String describe(ModelMetadata.Preprocessing p) {
        if (p.isGreyscalePipeline()) {
            return "recorded in the model file (" + ModelMetadata.KEY + "): each image as 1 channel (greyscale, ITU-R BT.601"
                    + " luma in [0, 1]), area-resized to " + p.height() + "x" + p.width() + ", standardised to mean 0 and"
                    + " standard deviation 1 per image";
        }
        return "recorded in the model file (" + ModelMetadata.KEY + "): " + p.channels() + " channel(s), colour " + p.colour()
                + ", resize " + p.resize() + " to " + p.height() + "x" + p.width() + ", standardize " + p.standardize();
    }

    /** What `isthmus predict` feeds a model whose file records no preprocessing of its own. */
    private static String defaultPreprocessing(Shape in) {
        if (in.rank() != 3) {
            return "none recorded";
        }
        return "none recorded in the model file; isthmus predict feeds each image as " + in.channels() + " channel"
                + (in.channels() == 1 ? " (greyscale, ITU-R BT.601 luma)" : "s") + ", area-resized to " + in.height() + "x"
                + in.width() + ", standardised to mean 0 and standard deviation 1 per image";
    }

    private static String shape(Shape s) {
        StringBuilder b = new StringBuilder("[\"batch\"");
        for (int d : s.dims()) {
            b.append(", ").append(d);
        }
        return b.append(']').toString();
    }
}
