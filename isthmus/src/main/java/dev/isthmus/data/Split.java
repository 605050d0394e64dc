package dev.isthmus.data;

import dev.isthmus.train.Dataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A seeded train / validation / test split, as the lesson makes with two calls of scikit-learn's
 * {@code train_test_split}: first {@code test = ceil(testFraction * n)} samples for testing, then
 * {@code validation = ceil(validationFraction * rest)} of the rest for validation, the remainder
 * for training. For the lesson's 700 images and 0.15 / 0.15 that is 105 test, 90 validation and
 * 505 training images. The counts round up as scikit-learn's do ({@code 0.15 * 595 = 89.25}
 * gives 90).
 *
 * <p>The order comes from one Fisher-Yates shuffle driven by {@code SplittableRandom(seed)}: the
 * same seed gives the same split on every machine, but not the indices scikit-learn's
 * {@code random_state=42} picks, which depend on numpy's generator. Only the sizes match the
 * lesson.
 *
 * <p>Stratified, each part takes each class in proportion to its count (largest remainders,
 * ties to the lower label, so the part's total is exact). Each part keeps the shuffled order.
 *
 * @param train      the training part
 * @param validation the validation part
 * @param test       the test part
 */
public record Split(Part train, Part validation, Part test) {

    /** The lesson's fractions. */
    public static final double LESSON_TEST_FRACTION = 0.15, LESSON_VALIDATION_FRACTION = 0.15;

    /**
     * One part: its samples, the file each came from (empty if the split was made without paths)
     * and each sample's index in the data set that was split.
     */
    public record Part(Dataset dataset, List<Path> paths, int[] indices) {
        public Part {
            Objects.requireNonNull(dataset, "dataset");
            paths = List.copyOf(paths);
            indices = indices.clone();
        }

        public int count() {
            return dataset.count();
        }

        @Override
        public int[] indices() {
            return indices.clone();
        }
    }

    public Split {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(validation, "validation");
        Objects.requireNonNull(test, "test");
    }

    /** The lesson's split of {@code images}: 15% test, 15% of the rest validation, stratified. */
    public static Split lesson(LabeledImageSet images, long seed) {
        return of(images, LESSON_TEST_FRACTION, LESSON_VALIDATION_FRACTION, seed, true);
    }

    /** Splits {@code images}, keeping each sample's path. See {@link #of(Dataset, List, double, double, long, boolean)}. */
    public static Split of(LabeledImageSet images, double testFraction, double validationFraction, long seed,
            boolean stratify) {
        return of(images.dataset(), images.paths(), testFraction, validationFraction, seed, stratify);
    }

    /**
     * Splits {@code data}. With {@code stratify}, classes are the first target value of each
     * sample (a 0/1 label or a class index).
     *
     * @param paths one path per sample, or an empty list
     * @throws IllegalArgumentException if a fraction is outside {@code [0, 1)}, or {@code paths}
     *                                  is neither empty nor one per sample
     */
    public static Split of(Dataset data, List<Path> paths, double testFraction, double validationFraction, long seed,
            boolean stratify) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(paths, "paths");
        checkFraction("testFraction", testFraction);
        checkFraction("validationFraction", validationFraction);
        if (!paths.isEmpty() && paths.size() != data.count()) {
            throw new IllegalArgumentException("paths must be empty or one per sample: " + data.count()
                    + " samples, " + paths.size() + " paths");
        }
        int n = data.count();
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) { // Fisher-Yates
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[][] testAndRest = take(data, order, testCount(testFraction, n), stratify);
        int[][] validationAndTrain = take(data, testAndRest[1], testCount(validationFraction, testAndRest[1].length),
                stratify);
        return new Split(part(data, paths, validationAndTrain[1]), part(data, paths, validationAndTrain[0]),
                part(data, paths, testAndRest[0]));
    }

    /** scikit-learn's test size for a fraction: {@code ceil(fraction * n)}. */
    static int testCount(double fraction, int n) {
        return (int) Math.ceil(fraction * n);
    }

    /**
     * Walks {@code order} and takes {@code k} samples for the first array (up to each class's
     * quota when stratifying), the rest, in order, for the second.
     */
    private static int[][] take(Dataset data, int[] order, int k, boolean stratify) {
        int[] taken = new int[k], rest = new int[order.length - k];
        int t = 0, r = 0;
        if (!stratify) {
            System.arraycopy(order, 0, taken, 0, k);
            System.arraycopy(order, k, rest, 0, rest.length);
            return new int[][] {taken, rest};
        }
        int[] quota = quotas(data, order, k);
        for (int i : order) {
            int c = label(data, i);
            if (quota[c] > 0) {
                quota[c]--;
                taken[t++] = i;
            } else {
                rest[r++] = i;
            }
        }
        return new int[][] {taken, rest};
    }

    /** Per-class counts summing to {@code k}, proportional to the classes' counts in {@code order}. */
    private static int[] quotas(Dataset data, int[] order, int k) {
        int classes = 0;
        for (int i : order) {
            classes = Math.max(classes, label(data, i) + 1);
        }
        int[] counts = new int[classes];
        for (int i : order) {
            counts[label(data, i)]++;
        }
        int[] quota = new int[classes];
        long[] remainder = new long[classes];
        int given = 0;
        for (int c = 0; c < classes; c++) {
            long exact = (long) counts[c] * k; // quota = exact / n, compared exactly as integers
            quota[c] = (int) (exact / order.length);
            remainder[c] = exact % order.length;
            given += quota[c];
        }
        while (given < k) {
            int best = -1;
            for (int c = 0; c < classes; c++) {
                if (quota[c] < counts[c] && (best < 0 || remainder[c] > remainder[best])) {
                    best = c;
                }
            }
            quota[best]++;
            remainder[best] = -1;
            given++;
        }
        return quota;
    }

    private static int label(Dataset data, int i) {
        float v = data.y()[i * data.targetSize()];
        int c = (int) v;
        if (c != v || c < 0) {
            throw new IllegalArgumentException("stratifying needs class labels 0, 1, 2, ...; sample " + i
                    + " has target " + v);
        }
        return c;
    }

    private static Part part(Dataset data, List<Path> paths, int[] indices) {
        int s = data.sampleShape().size(), t = data.targetSize();
        float[] x = new float[Math.multiplyExact(indices.length, s)], y = new float[indices.length * t];
        List<Path> partPaths = new ArrayList<>(paths.isEmpty() ? 0 : indices.length);
        for (int j = 0; j < indices.length; j++) {
            System.arraycopy(data.x(), indices[j] * s, x, j * s, s);
            System.arraycopy(data.y(), indices[j] * t, y, j * t, t);
            if (!paths.isEmpty()) {
                partPaths.add(paths.get(indices[j]));
            }
        }
        return new Part(new Dataset(x, y, indices.length, data.sampleShape(), t), partPaths, indices);
    }

    private static void checkFraction(String name, double f) {
        if (!(f >= 0 && f < 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), got " + f);
        }
    }
}
