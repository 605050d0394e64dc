package dev.isthmus.nn;

import java.util.Arrays;

/**
 * A trainable tensor and its gradient, both flat float32 arrays; {@code shape} is the full
 * tensor shape, e.g. {@code [Cout, Cin, kh, kw]} as in PyTorch.
 */
public final class Parameter {

    private final String name;
    private final int[] shape;
    private final float[] value;
    private final float[] grad;

    Parameter(String name, int... shape) {
        this.name = name;
        this.shape = shape.clone();
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        this.value = new float[Math.toIntExact(n)];
        this.grad = new float[value.length];
    }

    /** The name within its layer: {@code weight}, {@code bias}, ... */
    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return value.length;
    }

    /** The live values: write through this array to set weights. */
    public float[] value() {
        return value;
    }

    /** The gradient from the last backward pass. */
    public float[] grad() {
        return grad;
    }

    /** Copies {@code values} in, checking the length. */
    public void set(float[] values) {
        if (values.length != value.length) {
            throw new IllegalArgumentException("parameter " + name + " of shape " + Arrays.toString(shape) + " needs "
                    + value.length + " values, got " + values.length);
        }
        System.arraycopy(values, 0, value, 0, value.length);
    }

    /** The sizes of {@code parameters}, in order. */
    public static int[] sizes(java.util.List<Parameter> parameters) {
        int[] sizes = new int[parameters.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = parameters.get(i).size();
        }
        return sizes;
    }
}
