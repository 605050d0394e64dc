package dev.isthmus.spark;

import java.io.Serializable;

/** One training sample on its way to a worker: its index in the data (its row), its input and its target. */
record Sample(int index, float[] x, float[] y) implements Serializable {}
