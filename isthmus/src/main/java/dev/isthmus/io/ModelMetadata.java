package dev.isthmus.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.isthmus.nn.Shape;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * What a model file says about its model beyond the architecture, so that every program that
 * loads it feeds it and reads it as it was trained, and can tell its test images from its
 * training images:
 *
 * <ul>
 *   <li>{@link Preprocessing}: how an image file becomes the model's input;</li>
 *   <li>{@code classNames}: what the outputs mean, by label (for one sigmoid output, label 0 then
 *       label 1, the class the output is the probability of; for a softmax, one name per output);</li>
 *   <li>{@link TrainingData} (optional): the data folder's identity, the split, and a digest of
 *       every image the model was trained or validated on.</li>
 * </ul>
 *
 * <p>Stored as JSON under {@value #KEY} in the safetensors metadata. The JSON form is stable:
 * keys in the order below, snake_case as in the architecture, numbers as JSON numbers, one
 * version number for the whole. A reader must refuse a higher {@code version} than it knows.
 *
 * <pre>{@code
 * {"version": 1,
 *  "preprocessing": {"channels": 1, "height": 256, "width": 256,
 *                    "colour": "grey", "resize": "area", "standardize": "per-image"},
 *  "class_names": ["normal", "effusion"],
 *  "training_data": {
 *    "folder": "/home/me/.cache/isthmus/synthetic-chest-xrays",
 *    "fingerprint": "sha256:<64 hex digits>",          // ImageDigests.fingerprint()
 *    "images": 700,
 *    "synthetic": {"generator": "isthmus-synthetic-chest-xrays", "per_class": 350, "seed": 42},  // or absent
 *    "split": {"seed": 42, "test_fraction": 0.15, "validation_fraction": 0.15, "stratified": true,
 *              "train": 505, "validation": 90, "test": 105},
 *    "seen": {"digest": "sha256-64", "count": 595, "values": "<base64>"}}}
 * }</pre>
 *
 * <p>{@code seen} lists the training and validation images (validation chose the best epoch) as
 * the first 8 bytes of each file's SHA-256, big-endian, sorted as unsigned numbers and
 * concatenated, in base64.
 *
 * @param preprocessing how images become the model's input
 * @param classNames    class names by label
 * @param trainingData  what the model was trained on; null when unknown
 */
public record ModelMetadata(Preprocessing preprocessing, List<String> classNames, TrainingData trainingData) {

    /** The safetensors metadata key that holds the JSON form. */
    public static final String KEY = "isthmus.metadata";
    /** The version this class writes and the highest it reads. */
    public static final int VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @throws IllegalArgumentException if a class name is blank or repeated, or there are fewer
     *                                  than two
     */
    public ModelMetadata {
        Objects.requireNonNull(preprocessing, "preprocessing");
        classNames = List.copyOf(classNames);
        if (classNames.size() < 2) {
            throw new IllegalArgumentException("need at least two class names, got " + classNames);
        }
        if (classNames.stream().anyMatch(String::isBlank) || classNames.stream().distinct().count() != classNames.size()) {
            throw new IllegalArgumentException("class names must be distinct and not blank, got " + classNames);
        }
    }

    /**
     * How an image file becomes the model's input: decoded to {@code channels} colour channels,
     * resized to {@code height x width}, then normalised.
     *
     * @param colour      {@value #GREY}: one channel of ITU-R BT.601 luma in {@code [0, 1]}
     *                    (alpha ignored, palettes resolved, 16-bit values scaled by 65535)
     * @param resize      {@value #AREA}: area averaging to exactly {@code height x width}
     *                    (an image of another aspect ratio is stretched)
     * @param standardize {@value #PER_IMAGE}: each image to mean 0 and standard deviation 1 (a
     *                    constant image to zeros)
     */
    public record Preprocessing(int channels, int height, int width, String colour, String resize, String standardize) {

        public static final String GREY = "grey", AREA = "area", PER_IMAGE = "per-image";

        public Preprocessing {
            if (channels < 1 || height < 1 || width < 1) {
                throw new IllegalArgumentException("channels, height and width must be >= 1, got " + channels + ", "
                        + height + ", " + width);
            }
            Objects.requireNonNull(colour, "colour");
            Objects.requireNonNull(resize, "resize");
            Objects.requireNonNull(standardize, "standardize");
        }

        /** The chest X-ray lesson's: grey, area-resized to {@code side x side}, standardised per image. */
        public static Preprocessing greyscale(int side) {
            return new Preprocessing(1, side, side, GREY, AREA, PER_IMAGE);
        }

        /** The input shape this preprocessing produces, {@code (channels, height, width)}. */
        public Shape shape() {
            return Shape.of(channels, height, width);
        }

        /**
         * Whether this is the one pipeline {@code dev.isthmus.data.Images} implements (grey, area,
         * per-image standardisation, one channel), at any size.
         */
        public boolean isGreyscalePipeline() {
            return channels == 1 && GREY.equals(colour) && AREA.equals(resize) && PER_IMAGE.equals(standardize);
        }
    }

    /**
     * The data a model was trained on.
     *
     * @param folder      the image folder's absolute path when training ran
     * @param fingerprint its content fingerprint, {@code sha256:<hex>}
     * @param images      the number of images loaded from it
     * @param synthetic   how it was generated, or null for a folder of real images
     * @param split       the train / validation / test split
     * @param seen        the images trained or validated on
     */
    public record TrainingData(String folder, String fingerprint, int images, Synthetic synthetic, SplitRecord split,
                               Digests seen) {
        public TrainingData {
            Objects.requireNonNull(folder, "folder");
            Objects.requireNonNull(fingerprint, "fingerprint");
            Objects.requireNonNull(split, "split");
            Objects.requireNonNull(seen, "seen");
            if (images < 1) {
                throw new IllegalArgumentException("images must be >= 1, got " + images);
            }
        }
    }

    /** A generated data set: which generator, how many images per class, from which seed. */
    public record Synthetic(String generator, int perClass, long seed) {
        public Synthetic {
            Objects.requireNonNull(generator, "generator");
        }
    }

    /** A seeded split as {@code dev.isthmus.data.Split} makes it, and the sizes it gave. */
    public record SplitRecord(long seed, double testFraction, double validationFraction, boolean stratified, int train,
                              int validation, int test) {}

    /**
     * Short digests of image files (the first 8 bytes of each SHA-256), sorted as unsigned
     * numbers, which is the order of their bytes.
     */
    public static final class Digests {

        private final long[] unsigned; // stored order
        private final long[] signed;   // for binary search

        private Digests(long[] unsigned) {
            this.unsigned = unsigned;
            this.signed = unsigned.clone();
            Arrays.sort(signed);
        }

        public static Digests of(long... digests) {
            long[] sorted = digests.clone();
            for (int i = 0; i < sorted.length; i++) { // flipping the sign bit turns unsigned order into signed
                sorted[i] ^= Long.MIN_VALUE;
            }
            Arrays.sort(sorted);
            for (int i = 0; i < sorted.length; i++) {
                sorted[i] ^= Long.MIN_VALUE;
            }
            return new Digests(sorted);
        }

        public int count() {
            return unsigned.length;
        }

        public boolean contains(long digest) {
            return Arrays.binarySearch(signed, digest) >= 0;
        }

        /** How many of {@code digests} are in this set. */
        public int countContained(long[] digests) {
            int n = 0;
            for (long d : digests) {
                if (contains(d)) {
                    n++;
                }
            }
            return n;
        }

        String base64() {
            ByteBuffer bytes = ByteBuffer.allocate(unsigned.length * Long.BYTES);
            for (long d : unsigned) {
                bytes.putLong(d);
            }
            return Base64.getEncoder().encodeToString(bytes.array());
        }

        static Digests fromBase64(String text, int count) {
            byte[] bytes = Base64.getDecoder().decode(text);
            if (count < 0 || bytes.length != (long) count * Long.BYTES) {
                throw new IllegalArgumentException("seen.values holds " + bytes.length + " bytes, but count " + count
                        + " needs " + count * Long.BYTES);
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            long[] d = new long[count];
            for (int i = 0; i < count; i++) {
                d[i] = buffer.getLong();
            }
            return of(d);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Digests d && Arrays.equals(unsigned, d.unsigned);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(unsigned);
        }

        @Override
        public String toString() {
            return "Digests[" + unsigned.length + "]";
        }
    }

    /** Checks that this metadata fits {@code shape} (the model's input) and {@code outputs} values. */
    public void checkFits(Shape input, int outputs) {
        if (!preprocessing.shape().equals(input)) {
            throw new IllegalArgumentException("the preprocessing makes inputs of shape " + preprocessing.shape()
                    + ", but the model's input is " + input);
        }
        int expected = outputs == 1 ? 2 : outputs;
        if (classNames.size() != expected) {
            throw new IllegalArgumentException(classNames.size() + " class names " + classNames + " for a model with "
                    + outputs + " output" + (outputs == 1 ? " (one sigmoid output needs 2 names)" : "s"));
        }
    }

    /** The JSON form described above. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", VERSION);
        ObjectNode p = root.putObject("preprocessing");
        p.put("channels", preprocessing.channels());
        p.put("height", preprocessing.height());
        p.put("width", preprocessing.width());
        p.put("colour", preprocessing.colour());
        p.put("resize", preprocessing.resize());
        p.put("standardize", preprocessing.standardize());
        ArrayNode names = root.putArray("class_names");
        classNames.forEach(names::add);
        if (trainingData != null) {
            TrainingData t = trainingData;
            ObjectNode d = root.putObject("training_data");
            d.put("folder", t.folder());
            d.put("fingerprint", t.fingerprint());
            d.put("images", t.images());
            if (t.synthetic() != null) {
                ObjectNode s = d.putObject("synthetic");
                s.put("generator", t.synthetic().generator());
                s.put("per_class", t.synthetic().perClass());
                s.put("seed", t.synthetic().seed());
            }
            SplitRecord sp = t.split();
            ObjectNode s = d.putObject("split");
            s.put("seed", sp.seed());
            s.put("test_fraction", sp.testFraction());
            s.put("validation_fraction", sp.validationFraction());
            s.put("stratified", sp.stratified());
            s.put("train", sp.train());
            s.put("validation", sp.validation());
            s.put("test", sp.test());
            ObjectNode seen = d.putObject("seen");
            seen.put("digest", "sha256-64");
            seen.put("count", t.seen().count());
            seen.put("values", t.seen().base64());
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + this, e);
        }
    }

    /**
     * Reads the JSON form.
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong, or a version
     *                                  above {@link #VERSION}
     */
    public static ModelMetadata fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        int version = integer(root, "version");
        if (version > VERSION) {
            throw new IllegalArgumentException("version " + version + " is newer than this Isthmus reads (" + VERSION
                    + "); use a newer Isthmus");
        }
        JsonNode p = object(root, "preprocessing");
        Preprocessing preprocessing = new Preprocessing(integer(p, "channels"), integer(p, "height"), integer(p, "width"),
                text(p, "colour"), text(p, "resize"), text(p, "standardize"));
        JsonNode names = root.get("class_names");
        if (names == null || !names.isArray()) {
            throw new IllegalArgumentException("class_names must be an array of strings");
        }
        List<String> classNames = new ArrayList<>();
        for (JsonNode n : names) {
            if (!n.isTextual()) {
                throw new IllegalArgumentException("class_names must be an array of strings, got " + names);
            }
            classNames.add(n.textValue());
        }
        TrainingData training = null;
        if (root.has("training_data")) {
            JsonNode d = object(root, "training_data");
            Synthetic synthetic = null;
            if (d.has("synthetic")) {
                JsonNode s = object(d, "synthetic");
                synthetic = new Synthetic(text(s, "generator"), integer(s, "per_class"), longValue(s, "seed"));
            }
            JsonNode s = object(d, "split");
            SplitRecord split = new SplitRecord(longValue(s, "seed"), number(s, "test_fraction"),
                    number(s, "validation_fraction"), bool(s, "stratified"), integer(s, "train"), integer(s, "validation"),
                    integer(s, "test"));
            JsonNode seen = object(d, "seen");
            if (!"sha256-64".equals(text(seen, "digest"))) {
                throw new IllegalArgumentException("seen.digest must be \"sha256-64\", got " + seen.get("digest"));
            }
            Digests digests = Digests.fromBase64(text(seen, "values"), integer(seen, "count"));
            training = new TrainingData(text(d, "folder"), text(d, "fingerprint"), integer(d, "images"), synthetic, split,
                    digests);
        }
        return new ModelMetadata(preprocessing, classNames, training);
    }

    private static JsonNode field(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field '" + key + "'");
        }
        return v;
    }

    private static JsonNode object(JsonNode node, String key) {
        JsonNode v = field(node, key);
        if (!v.isObject()) {
            throw new IllegalArgumentException("'" + key + "' must be an object, got " + v);
        }
        return v;
    }

    private static String text(JsonNode node, String key) {
        JsonNode v = field(node, key);
        if (!v.isTextual()) {
            throw new IllegalArgumentException("'" + key + "' must be a string, got " + v);
        }
        return v.textValue();
    }

    private static int integer(JsonNode node, String key) {
        JsonNode v = field(node, key);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException("'" + key + "' must be an integer, got " + v);
        }
        return v.intValue();
    }

    private static long longValue(JsonNode node, String key) {
        JsonNode v = field(node, key);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IllegalArgumentException("'" + key + "' must be an integer, got " + v);
        }
        return v.longValue();
    }

    private static double number(JsonNode node, String key) {
        JsonNode v = field(node, key);
        if (!v.isNumber()) {
            throw new IllegalArgumentException("'" + key + "' must be a number, got " + v);
        }
        return v.doubleValue();
    }

    private static boolean bool(JsonNode node, String key) {
        JsonNode v = field(node, key);
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("'" + key + "' must be true or false, got " + v);
        }
        return v.booleanValue();
    }
}
