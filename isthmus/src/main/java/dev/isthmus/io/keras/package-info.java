/**
 * Keras models in: {@link dev.isthmus.io.keras.KerasModels} builds an Isthmus model from a Keras 3
 * {@code .keras} archive or a legacy {@code .h5} file (architecture from the saved config, weights
 * from HDF5 through the pure-Java jHDF), converting Keras's channels-last layouts to NCHW.
 */
package dev.isthmus.io.keras;
