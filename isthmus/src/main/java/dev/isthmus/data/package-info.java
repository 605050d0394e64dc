/**
 * Data sets: {@link dev.isthmus.data.Idx} reads the IDX files of MNIST and Fashion-MNIST, and
 * {@link dev.isthmus.data.FashionMnist} finds and loads Fashion-MNIST where Debian installs it.
 *
 * <p>The chest X-ray lesson's pipeline: {@link dev.isthmus.data.ImageFolder} loads
 * {@code <dir>/<class>/*.png} as grey-scale, area-averaged and standardised images (the steps
 * themselves are in {@link dev.isthmus.data.Images}); {@link dev.isthmus.data.Split} makes the
 * seeded train / validation / test split; {@link dev.isthmus.data.Augmentation} is the
 * on-the-fly augmentation of training batches; and {@link dev.isthmus.data.SyntheticChestXrays}
 * draws a stand-in data set in the same layout where the real images are not at hand.
 */
package dev.isthmus.data;
