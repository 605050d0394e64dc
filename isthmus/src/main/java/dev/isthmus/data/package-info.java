/**
 * Data sets: {@link dev.isthmus.data.Idx} reads the IDX files of MNIST and Fashion-MNIST, and
 * {@link dev.isthmus.data.FashionMnist} finds and loads Fashion-MNIST where Debian installs it.
 */
package dev.isthmus.data;
