package dev.isthmus.io.torch;

import dev.isthmus.io.TensorFile;
import dev.isthmus.io.torch.RestrictedUnpickler.StorageRef;
import dev.isthmus.io.torch.RestrictedUnpickler.TensorRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads the tensors of a PyTorch checkpoint written by {@code torch.save} (PyTorch 1.6 and later:
 * a zip holding {@code <name>/data.pkl}, a pickle of the object, and one file per storage under
 * {@code <name>/data/}), without executing the pickle: {@link RestrictedUnpickler} knows only
 * dicts, lists, numbers, strings and tensors.
 *
 * <p>The object may be a state_dict ({@code torch.save(model.state_dict(), f)}) or a training
 * checkpoint that holds one under {@code state_dict}, {@code model_state_dict} or {@code model}
 * beside the epoch and the optimizer's state. Tensors of any dtype PyTorch stores as
 * float/double/half/bfloat16 or as integers and booleans are converted to float32; views
 * (offsets, strides) are gathered into plain row-major arrays.
 */
public final class TorchCheckpoints {

    /** Keys under which training checkpoints keep the model's state_dict, most usual first. */
    private static final List<String> STATE_DICT_KEYS = List.of("state_dict", "model_state_dict", "model");

    private TorchCheckpoints() {}

    /**
     * Whether {@code file} starts as a zip archive (torch.save's format) or as a legacy pickle
     * checkpoint: never true of a safetensors file, whose first 8 bytes would then be a header
     * length over 4 GB.
     */
    public static boolean isCheckpoint(Path file) throws IOException {
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 4) < 4) {
                return false;
            }
        }
        boolean zip = head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        boolean legacy = (head[0] & 0xff) == 0x80 && head[1] == 2 && (head[2] & 0xff) == 0x8a && head[3] == 0x0a;
        return zip || legacy;
    }

    /**
     * The state_dict in {@code file}, tensors in file order under their dotted names.
     *
     * @throws TorchFormatException naming the file, for a truncated zip, a missing storage, a
     *                              pickle that names code, or a checkpoint without a state_dict
     */
    public static TensorFile read(Path file) throws IOException {
        String name = file.toString();
        if (!isZip(file)) {
            throw new TorchFormatException(name + ": a torch.save file in the legacy format (PyTorch before 1.6), which"
                    + " Isthmus does not read; re-save it with a current PyTorch (torch.save(torch.load(f), f)) or convert it"
                    + " to safetensors (safetensors.torch.save_file(state_dict, 'model.safetensors'))");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = archivePrefix(zip, name);
            ZipEntry byteOrder = zip.getEntry(prefix + "byteorder");
            if (byteOrder != null && !new String(read(zip, byteOrder, name)).trim().equals("little")) {
                throw new TorchFormatException(name + ": storages are big-endian; Isthmus reads little-endian checkpoints");
            }
            Object root = RestrictedUnpickler.load(name + "!" + prefix + "data.pkl", read(zip, zip.getEntry(prefix + "data.pkl"), name));
            Map<?, ?> stateDict = stateDict(root, name);
            TensorFile.Builder result = TensorFile.builder();
            Map<String, ByteBuffer> storages = new HashMap<>();
            for (Map.Entry<?, ?> e : stateDict.entrySet()) {
                String key = (String) e.getKey();
                TensorRef t = (TensorRef) e.getValue();
                ByteBuffer storage = storages.get(t.storage().key());
                if (storage == null) {
                    storage = storage(zip, prefix, t.storage(), key, name);
                    storages.put(t.storage().key(), storage);
                }
                result.add(key, t.shape(), gather(t, storage, key, name));
            }
            return result.build();
        } catch (ZipException e) {
            throw new TorchFormatException(name + ": not a readable zip archive (truncated, or not written by torch.save): "
                    + e.getMessage(), e);
        }
    }

    private static boolean isZip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(2);
            return head.length == 2 && head[0] == 'P' && head[1] == 'K';
        }
    }

    /** The folder all entries share ({@code archive/} by default, the file's stem in older PyTorch). */
    private static String archivePrefix(ZipFile zip, String name) throws TorchFormatException {
        var entries = zip.entries();
        while (entries.hasMoreElements()) {
            String entry = entries.nextElement().getName();
            if (entry.endsWith("/data.pkl") && entry.indexOf('/') == entry.length() - "/data.pkl".length()) {
                return entry.substring(0, entry.length() - "data.pkl".length());
            }
        }
        boolean keras = zip.getEntry("config.json") != null && zip.getEntry("model.weights.h5") != null;
        throw new TorchFormatException(name + ": a zip archive without <name>/data.pkl, so not a torch.save checkpoint"
                + (keras ? "; it is a Keras model (.keras): load it with dev.isthmus.io.keras.KerasModels.load" : ""));
    }

    private static byte[] read(ZipFile zip, ZipEntry entry, String name) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readAllBytes();
        } catch (ZipException | java.io.EOFException e) {
            throw new TorchFormatException(name + ": entry " + entry.getName() + " is damaged: " + e.getMessage(), e);
        }
    }

    /** The dict of tensors in {@code root}: root itself, or a checkpoint's model state. */
    private static Map<?, ?> stateDict(Object root, String name) throws TorchFormatException {
        if (!(root instanceof Map<?, ?> top)) {
            throw new TorchFormatException(name + ": holds a " + typeName(root) + ", not a state_dict (a dict of tensors)");
        }
        if (isStateDict(top)) {
            return top;
        }
        for (String key : STATE_DICT_KEYS) {
            if (top.get(key) instanceof Map<?, ?> inner && isStateDict(inner)) {
                return inner;
            }
        }
        throw new TorchFormatException(name + ": holds a dict with keys " + RestrictedUnpickler.printable(top.keySet().toString())
                + ", none of them a state_dict"
                + " (a dict of tensors) under " + STATE_DICT_KEYS);
    }

    private static boolean isStateDict(Map<?, ?> map) {
        return !map.isEmpty() && map.entrySet().stream()
                .allMatch(e -> e.getKey() instanceof String && e.getValue() instanceof TensorRef);
    }

    private static String typeName(Object o) {
        return o == null ? "None" : o instanceof List<?> ? "list" : o instanceof RestrictedUnpickler.Tuple ? "tuple"
                : o.getClass().getSimpleName();
    }

    private static ByteBuffer storage(ZipFile zip, String prefix, StorageRef s, String tensor, String name)
            throws IOException {
        ZipEntry entry = zip.getEntry(prefix + "data/" + s.key());
        if (entry == null) {
            throw new TorchFormatException(name + ": tensor '" + tensor + "' needs storage " + prefix + "data/" + s.key()
                    + ", which the archive lacks");
        }
        byte[] bytes = read(zip, entry, name);
        long expected = s.numel() * size(s.dtype());
        if (bytes.length != expected) {
            throw new TorchFormatException(name + ": storage " + entry.getName() + " of tensor '" + tensor + "' has "
                    + bytes.length + " bytes, but " + s.numel() + " " + s.dtype() + " values need " + expected);
        }
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The view's values in row-major order, each element read at offset + sum(index * stride). */
    private static float[] gather(TensorRef t, ByteBuffer storage, String tensor, String name) throws TorchFormatException {
        int[] shape = t.shape();
        long[] stride = t.stride();
        if (stride.length != shape.length) {
            throw new TorchFormatException(name + ": tensor '" + tensor + "' has " + shape.length + " dimensions but "
                    + stride.length + " strides");
        }
        long count = 1, last = t.offset();
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0 || stride[d] < 0) {
                throw new TorchFormatException(name + ": tensor '" + tensor + "' has a negative size or stride");
            }
            count *= shape[d];
            last += shape[d] == 0 ? 0 : (shape[d] - 1) * stride[d];
        }
        if (count > 0 && (t.offset() < 0 || last >= t.storage().numel())) {
            throw new TorchFormatException(name + ": tensor '" + tensor + "' reads element " + last + " of a storage of "
                    + t.storage().numel());
        }
        float[] out = new float[Math.toIntExact(count)];
        int[] index = new int[shape.length];
        int width = size(t.storage().dtype());
        for (int i = 0; i < out.length; i++) {
            long at = t.offset();
            for (int d = 0; d < shape.length; d++) {
                at += index[d] * stride[d];
            }
            out[i] = value(storage, t.storage().dtype(), (int) (at * width));
            for (int d = shape.length - 1; d >= 0 && ++index[d] == shape[d]; d--) {
                index[d] = 0;
            }
        }
        return out;
    }

    private static int size(String dtype) {
        return switch (dtype) {
            case "F64", "I64" -> 8;
            case "F32", "I32" -> 4;
            case "F16", "BF16", "I16" -> 2;
            default -> 1;
        };
    }

    private static float value(ByteBuffer b, String dtype, int at) {
        return switch (dtype) {
            case "F32" -> b.getFloat(at);
            case "F64" -> (float) b.getDouble(at);
            case "F16" -> Float.float16ToFloat(b.getShort(at));
            case "BF16" -> Float.intBitsToFloat((b.getShort(at) & 0xffff) << 16);
            case "I64" -> b.getLong(at);
            case "I32" -> b.getInt(at);
            case "I16" -> b.getShort(at);
            case "I8" -> b.get(at);
            case "U8" -> b.get(at) & 0xff;
            case "BOOL" -> b.get(at) != 0 ? 1f : 0f;
            default -> throw new IllegalStateException(dtype);
        };
    }
}
