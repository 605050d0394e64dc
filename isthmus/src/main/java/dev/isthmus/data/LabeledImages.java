package dev.isthmus.data;

import java.util.Objects;

/** Images with one class label each, such as one split of Fashion-MNIST. */
public record LabeledImages(IdxImages images, IdxLabels labels) {

    /**
     * @throws IllegalArgumentException if the counts differ
     */
    public LabeledImages {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        if (images.count() != labels.count()) {
            throw new IllegalArgumentException("images and labels must have the same count, got "
                    + images.count() + " images and " + labels.count() + " labels");
        }
    }

    public int count() {
        return images.count();
    }
}
