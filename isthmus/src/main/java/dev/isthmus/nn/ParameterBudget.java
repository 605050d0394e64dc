package dev.isthmus.nn;

import java.util.Arrays;
import java.util.Locale;

/**
 * A cap on the floats that layers may allocate for their parameters and buffers while a graph is
 * built, so a description read from a file ({@code Dense} of 40,000,000 units) fails with a
 * message before it allocates, rather than with an {@link OutOfMemoryError}. Layers ask for
 * their parameters' memory as their input shapes become known; with no budget in force nothing
 * is checked.
 *
 * <pre>{@code
 * Model m = ParameterBudget.limit(54_627, "the 54,627 floats the file stores", () -> build(json));
 * }</pre>
 */
public final class ParameterBudget {

    private static final ScopedValue<ParameterBudget> CURRENT = ScopedValue.newInstance();

    private final long limit;
    private final String description;
    private long used;

    private ParameterBudget(long limit, String description) {
        this.limit = limit;
        this.description = description;
    }

    /**
     * Runs {@code build} (on this thread) with at most {@code floats} parameter and buffer values
     * allowed; {@code description} says where the limit comes from, for the error.
     *
     * @throws IllegalArgumentException from a layer that would go over the limit, naming the
     *                                  layer, the parameter, its shape and the limit
     */
    public static <T, X extends Throwable> T limit(long floats, String description, ScopedValue.CallableOp<T, X> build)
            throws X {
        if (floats < 0) {
            throw new IllegalArgumentException("floats must be >= 0, got " + floats);
        }
        return ScopedValue.where(CURRENT, new ParameterBudget(floats, description)).call(build);
    }

    /** Called by a layer before it allocates a parameter or buffer of {@code shape}. */
    static void charge(Layer layer, String parameter, int[] shape) {
        if (!CURRENT.isBound()) {
            return;
        }
        ParameterBudget budget = CURRENT.get();
        long count = 1;
        for (int d : shape) {
            count = d <= 0 || count > Long.MAX_VALUE / d ? Long.MAX_VALUE : count * d;
        }
        if (count > budget.limit - budget.used) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s needs %,d floats for its %s %s, and with the %,d before it that is more than %s", layer, count,
                    parameter, Arrays.toString(shape), budget.used, budget.description));
        }
        budget.used += count;
    }
}
