package dev.isthmus.data;

import java.util.Objects;

/**
 * Class labels from an IDX file: {@code count} unsigned bytes. The array is shared, not copied;
 * treat it as read-only.
 */
public record IdxLabels(int count, byte[] labels) {

    /**
     * @throws IllegalArgumentException if {@code labels} does not hold exactly {@code count} bytes
     */
    public IdxLabels {
        Objects.requireNonNull(labels, "labels");
        if (count != labels.length) {
            throw new IllegalArgumentException("labels must hold count = " + count + " bytes, got " + labels.length);
        }
    }

    /** Label {@code i}, in {@code [0, 255]}. */
    public int label(int i) {
        return labels[Objects.checkIndex(i, count)] & 0xff;
    }

    /** The count, not the labels. */
    @Override
    public String toString() {
        return "IdxLabels[" + count + "]";
    }
}
