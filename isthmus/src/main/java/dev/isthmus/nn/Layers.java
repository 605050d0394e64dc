package dev.isthmus.nn;

import dev.isthmus.kernels.Padding;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes layers from their type name and {@link Layer#config()}: the inverse of saving a
 * model's architecture.
 */
public final class Layers {

    private Layers() {}

    /**
     * @throws IllegalArgumentException naming the type or the key when either is unknown or wrong
     */
    public static Layer create(String type, Map<String, Object> config) {
        try {
            return switch (type) {
                case "Conv2D" -> {
                    List<?> k = (List<?>) config.get("kernel_size"), s = (List<?>) config.get("strides");
                    yield new Conv2D(integer(config, "filters"), ((Number) k.get(0)).intValue(), ((Number) k.get(1)).intValue())
                            .stride(((Number) s.get(0)).intValue(), ((Number) s.get(1)).intValue())
                            .dilation(integer(config, "dilation"))
                            .padding(padding(config.get("padding")))
                            .activation(Activation.named((String) config.get("activation")))
                            .useBias((Boolean) config.get("use_bias"))
                            .groups(config.containsKey("groups") ? integer(config, "groups") : 1);
                }
                case "DepthwiseConv2D" -> {
                    List<?> k = (List<?>) config.get("kernel_size"), s = (List<?>) config.get("strides");
                    Conv2D c = new DepthwiseConv2D(((Number) k.get(0)).intValue(), integer(config, "depth_multiplier"));
                    yield c.stride(((Number) s.get(0)).intValue(), ((Number) s.get(1)).intValue())
                            .dilation(integer(config, "dilation"))
                            .padding(padding(config.get("padding")))
                            .activation(Activation.named((String) config.get("activation")))
                            .useBias((Boolean) config.get("use_bias"));
                }
                case "Conv2DTranspose" -> {
                    Conv2DTranspose t = new Conv2DTranspose(integer(config, "filters"), integer(config, "kernel_size"))
                            .stride(integer(config, "strides"))
                            .activation(Activation.named((String) config.get("activation")))
                            .useBias((Boolean) config.get("use_bias"));
                    Object p = config.get("padding");
                    yield p instanceof List<?> l && l.size() == 2
                            ? t.padding(((Number) l.get(0)).intValue(), ((Number) l.get(1)).intValue())
                            : t.padding(padding(p));
                }
                case "Dense" -> new Dense(integer(config, "units")).activation(Activation.named((String) config.get("activation")));
                case "MaxPool2D" -> new MaxPool2D(integer(config, "pool_size"), integer(config, "strides"),
                        padding(config.get("padding")));
                case "AveragePooling2D" -> new AveragePooling2D(integer(config, "pool_size"), integer(config, "strides"),
                        padding(config.get("padding")));
                case "BatchNormalization" -> new BatchNormalization(((Number) config.get("momentum")).floatValue(),
                        ((Number) config.get("epsilon")).floatValue());
                case "Dropout" -> new Dropout(((Number) config.get("rate")).floatValue());
                case "Activation" -> new ActivationLayer(Activation.named((String) config.get("activation")));
                case "GlobalAveragePooling2D" -> new GlobalAveragePooling2D();
                case "Flatten" -> new Flatten();
                case "Add" -> new Add();
                case "Concatenate" -> new Concatenate();
                default -> throw new IllegalArgumentException("unknown layer type '" + type + "'");
            };
        } catch (ClassCastException | NullPointerException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("bad configuration for a " + type + " layer: " + config, e);
        }
    }

    private static int integer(Map<String, Object> config, String key) {
        Object v = config.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("layer configuration needs a number for '" + key + "', got " + v);
        }
        return n.intValue();
    }

    /** "valid", "same", or [top, left, bottom, right]. */
    static Object padding(Padding p) {
        if (p instanceof Padding.Same) {
            return "same";
        }
        Padding.Explicit e = (Padding.Explicit) p;
        return e.top() == 0 && e.left() == 0 && e.bottom() == 0 && e.right() == 0 ? "valid"
                : List.of(e.top(), e.left(), e.bottom(), e.right());
    }

    static Padding padding(Object json) {
        if ("same".equals(json)) {
            return Padding.SAME;
        }
        if ("valid".equals(json)) {
            return Padding.VALID;
        }
        if (json instanceof List<?> l && l.size() == 4) {
            return Padding.explicit(((Number) l.get(0)).intValue(), ((Number) l.get(1)).intValue(),
                    ((Number) l.get(2)).intValue(), ((Number) l.get(3)).intValue());
        }
        throw new IllegalArgumentException("padding must be \"valid\", \"same\" or [top, left, bottom, right], got " + json);
    }

    /** An ordered map from alternating keys and values. */
    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
