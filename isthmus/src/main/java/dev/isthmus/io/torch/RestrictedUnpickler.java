package dev.isthmus.io.torch;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the subset of Python's pickle format that {@code torch.save} writes for state_dicts and
 * training checkpoints, without running anything: the only callables it knows are an allow-list
 * of pure constructors ({@code collections.OrderedDict}, PyTorch's tensor rebuilders, the storage
 * classes), each mapped to a Java function here. Any other global, and any opcode outside the
 * data subset (protocols 2 to 5), is refused with its name, so a crafted file cannot make the
 * reader do anything but build dicts, lists, numbers, strings and tensors. This is the same
 * policy as PyTorch's own {@code torch.load(weights_only=True)}.
 *
 * <p>Values: Python dicts become {@link LinkedHashMap}s, lists {@link ArrayList}s, tuples
 * {@link Tuple}s, ints {@link Long} (or {@link BigInteger}), floats {@link Double}, strings,
 * bytes {@code byte[]}, None {@code null}; tensors {@link TensorRef}s.
 */
final class RestrictedUnpickler {

    /** A Python tuple (kept apart from lists so argument lists read as what they are). */
    record Tuple(List<Object> items) {
        Object get(int i) {
            return items.get(i);
        }

        int size() {
            return items.size();
        }
    }

    /** {@code ('storage', storage_class, key, location, numel)}: a file {@code data/<key>} of one dtype. */
    record StorageRef(String dtype, String key, long numel) {}

    /** A strided view of a storage: what {@code torch._utils._rebuild_tensor_v2} returns. */
    record TensorRef(StorageRef storage, long offset, int[] shape, long[] stride) {}

    /** A global from the allow-list, applied by REDUCE. */
    private record Callable(String name) {}

    /** Storage classes by their {@code torch} name, and the safetensors-style dtype each holds. */
    private static final Map<String, String> STORAGES = Map.ofEntries(
            Map.entry("FloatStorage", "F32"), Map.entry("DoubleStorage", "F64"), Map.entry("HalfStorage", "F16"),
            Map.entry("BFloat16Storage", "BF16"), Map.entry("LongStorage", "I64"), Map.entry("IntStorage", "I32"),
            Map.entry("ShortStorage", "I16"), Map.entry("CharStorage", "I8"), Map.entry("ByteStorage", "U8"),
            Map.entry("BoolStorage", "BOOL"));

    private static final List<String> CALLABLES = List.of("collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state");

    private static final Object MARK = new Object();

    private final String file;
    private final ByteBuffer in;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private RestrictedUnpickler(String file, byte[] pickle) {
        this.file = file;
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The object {@code pickle} holds.
     *
     * @param file names the source in messages
     * @throws TorchFormatException for a truncated or malformed pickle, or one that names a
     *                              callable or uses an opcode outside the allowed subset
     */
    static Object load(String file, byte[] pickle) throws TorchFormatException {
        RestrictedUnpickler u = new RestrictedUnpickler(file, pickle);
        try {
            return u.run();
        } catch (java.nio.BufferUnderflowException e) {
            throw new TorchFormatException(file + ": the pickle ends before its STOP opcode (truncated?)", e);
        } catch (ClassCastException | IndexOutOfBoundsException | IllegalArgumentException | NullPointerException
                 | java.util.NoSuchElementException | ArithmeticException e) {
            throw new TorchFormatException(file + ": malformed pickle at byte " + u.in.position() + ": " + e.getMessage(), e);
        }
    }

    private Object run() throws TorchFormatException {
        while (true) {
            int at = in.position();
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> { // PROTO
                    int version = in.get() & 0xff;
                    if (version < 2 || version > 5) {
                        throw new TorchFormatException(file + ": pickle protocol " + version + " is not one torch.save writes");
                    }
                }
                case 0x95 -> in.getLong(); // FRAME: a length hint
                case '.' -> { // STOP
                    return pop();
                }
                case '(' -> { // MARK
                    marks.add(stack.size());
                    stack.add(MARK);
                }
                case 'N' -> stack.add(null);
                case 0x88 -> stack.add(Boolean.TRUE);
                case 0x89 -> stack.add(Boolean.FALSE);
                case 'K' -> stack.add((long) (in.get() & 0xff)); // BININT1
                case 'M' -> stack.add((long) (in.getShort() & 0xffff)); // BININT2
                case 'J' -> stack.add((long) in.getInt()); // BININT
                case 0x8a -> stack.add(long1(in.get() & 0xff)); // LONG1
                case 0x8b -> stack.add(long1(length(in.getInt()))); // LONG4
                case 'G' -> { // BINFLOAT, big-endian
                    stack.add(in.order(ByteOrder.BIG_ENDIAN).getDouble());
                    in.order(ByteOrder.LITTLE_ENDIAN);
                }
                case 'X' -> stack.add(utf8(length(in.getInt()))); // BINUNICODE
                case 0x8c -> stack.add(utf8(in.get() & 0xff)); // SHORT_BINUNICODE
                case 0x8d -> stack.add(utf8(length(in.getLong()))); // BINUNICODE8
                case 'U' -> stack.add(latin1(in.get() & 0xff)); // SHORT_BINSTRING
                case 'T' -> stack.add(latin1(length(in.getInt()))); // BINSTRING
                case 'C' -> stack.add(bytes(in.get() & 0xff)); // SHORT_BINBYTES
                case 'B' -> stack.add(bytes(length(in.getInt()))); // BINBYTES
                case 0x8e -> stack.add(bytes(length(in.getLong()))); // BINBYTES8
                case '}' -> stack.add(new LinkedHashMap<Object, Object>());
                case ']' -> stack.add(new ArrayList<Object>());
                case ')' -> stack.add(new Tuple(List.of()));
                case 0x85 -> stack.add(tuple(1));
                case 0x86 -> stack.add(tuple(2));
                case 0x87 -> stack.add(tuple(3));
                case 't' -> stack.add(new Tuple(popMark()));
                case 'l' -> stack.add(new ArrayList<>(popMark()));
                case 'd' -> { // DICT
                    List<Object> items = popMark();
                    Map<Object, Object> d = new LinkedHashMap<>();
                    putAll(d, items);
                    stack.add(d);
                }
                case 'a' -> { // APPEND
                    Object v = pop();
                    list(peek()).add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                }
                case 's' -> { // SETITEM
                    Object v = pop(), k = pop();
                    dict(peek()).put(k, v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    putAll(dict(peek()), items);
                }
                case 'q' -> memo.put((long) (in.get() & 0xff), peek()); // BINPUT
                case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek()); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                case 'h' -> stack.add(memo((long) (in.get() & 0xff))); // BINGET
                case 'j' -> stack.add(memo(in.getInt() & 0xffffffffL)); // LONG_BINGET
                case 'c' -> stack.add(global(line(), line())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop(), module = pop();
                    stack.add(global((String) module, (String) name));
                }
                case 'Q' -> stack.add(persistent(pop())); // BINPERSID
                case 'R' -> { // REDUCE
                    Object args = pop(), f = pop();
                    stack.add(call(f, (Tuple) args));
                }
                case 'b' -> pop(); // BUILD: attributes (a state_dict's _metadata); not needed
                case '0' -> pop(); // POP
                case '2' -> stack.add(peek()); // DUP
                case '1' -> popMark(); // POP_MARK
                default -> throw new TorchFormatException(file + ": pickle opcode 0x" + Integer.toHexString(op) + " at byte "
                        + at + " is outside the data subset Isthmus reads (it reads dicts, lists, numbers, strings and"
                        + " tensors; no objects)");
            }
        }
    }

    private Object global(String module, String name) throws TorchFormatException {
        String full = module + "." + name;
        if (module.equals("torch") && STORAGES.containsKey(name)) {
            return STORAGES.get(name);
        }
        if (CALLABLES.contains(full)) {
            return new Callable(full);
        }
        throw new TorchFormatException(file + ": the pickle names '" + printable(full) + "', which Isthmus does not run: it reads"
                + " only tensors, dicts, lists, numbers and strings from a checkpoint (convert it to safetensors in Python"
                + " if it holds more: safetensors.torch.save_file(model.state_dict(), 'model.safetensors'))");
    }

    /** {@code ('storage', dtype, key, location, numel)}, as torch.save's persistent_id writes it. */
    private Object persistent(Object pid) throws TorchFormatException {
        if (!(pid instanceof Tuple t) || t.size() != 5 || !"storage".equals(t.get(0)) || !(t.get(1) instanceof String dtype)) {
            throw new TorchFormatException(file + ": unexpected persistent id " + describe(pid)
                    + "; expected ('storage', <storage class>, key, location, size)");
        }
        return new StorageRef(dtype, String.valueOf(t.get(2)), ((Number) t.get(4)).longValue());
    }

    private Object call(Object f, Tuple args) throws TorchFormatException {
        if (!(f instanceof Callable c)) {
            throw new TorchFormatException(file + ": the pickle calls " + describe(f) + ", which is not a known constructor");
        }
        return switch (c.name()) {
            case "collections.OrderedDict" -> new LinkedHashMap<Object, Object>();
            case "torch._utils._rebuild_tensor_v2" -> {
                if (args.size() < 4 || !(args.get(0) instanceof StorageRef s)) {
                    throw new TorchFormatException(file + ": _rebuild_tensor_v2 needs (storage, offset, size, stride, ...), got "
                            + describe(args));
                }
                yield new TensorRef(s, ((Number) args.get(1)).longValue(), ints((Tuple) args.get(2)), longs((Tuple) args.get(3)));
            }
            // A Parameter wraps its tensor; requires_grad and hooks do not matter here.
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                if (!(args.get(0) instanceof TensorRef t)) {
                    throw new TorchFormatException(file + ": " + c.name() + " of " + describe(args.get(0)) + ", not a tensor");
                }
                yield t;
            }
            default -> throw new IllegalStateException(c.name());
        };
    }

    private static int[] ints(Tuple t) {
        int[] a = new int[t.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.toIntExact(((Number) t.get(i)).longValue());
        }
        return a;
    }

    private static long[] longs(Tuple t) {
        long[] a = new long[t.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = ((Number) t.get(i)).longValue();
        }
        return a;
    }

    private static String describe(Object o) {
        String s = o instanceof Tuple t ? t.items().toString() : String.valueOf(o);
        return printable(s.length() > 80 ? s.substring(0, 80) + "..." : s);
    }

    /** Text from the file, made safe for a one-line message: control characters become '?'. */
    static String printable(String s) {
        return s.replaceAll("\\p{Cntrl}", "?");
    }

    private Object long1(int n) {
        byte[] b = new byte[n];
        in.get(b);
        for (int i = 0; i < n / 2; i++) { // little-endian two's complement -> big-endian for BigInteger
            byte t = b[i];
            b[i] = b[n - 1 - i];
            b[n - 1 - i] = t;
        }
        BigInteger v = n == 0 ? BigInteger.ZERO : new BigInteger(b);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private int length(long n) throws TorchFormatException {
        if (n < 0 || n > in.remaining()) {
            throw new TorchFormatException(file + ": a pickled string of " + n + " bytes runs past the end of the pickle");
        }
        return (int) n;
    }

    private String utf8(int n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String latin1(int n) {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private String line() throws TorchFormatException {
        StringBuilder b = new StringBuilder();
        for (int c = in.get(); c != '\n'; c = in.get()) {
            b.append((char) (c & 0xff));
            if (b.length() > 256) {
                throw new TorchFormatException(file + ": a GLOBAL name longer than 256 characters");
            }
        }
        return b.toString();
    }

    private Tuple tuple(int n) {
        List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
        stack.subList(stack.size() - n, stack.size()).clear();
        if (items.contains(MARK)) {
            throw new IllegalArgumentException("a tuple spans a MARK");
        }
        return new Tuple(items);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw new IllegalArgumentException("no MARK on the stack");
        }
        int m = marks.removeLast();
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private Object pop() {
        Object o = stack.removeLast();
        if (o == MARK) {
            throw new IllegalArgumentException("popped a MARK");
        }
        return o;
    }

    private Object peek() {
        return stack.getLast();
    }

    private Object memo(long key) {
        if (!memo.containsKey(key)) {
            throw new IllegalArgumentException("memo key " + key + " was never stored");
        }
        return memo.get(key);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dict(Object o) {
        return (Map<Object, Object>) o;
    }

    private static void putAll(Map<Object, Object> d, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw new IllegalArgumentException("odd number of items for a dict: " + items.size());
        }
        for (int i = 0; i < items.size(); i += 2) {
            d.put(items.get(i), items.get(i + 1));
        }
    }
}
