package dev.isthmus.train;

import java.util.Map;

/** Reading an optimizer's saved state back, with errors that name the entry. */
final class SavedState {

    private SavedState() {}

    /** The entry {@code name} of a saved state, checked to hold {@code size} values. */
    static float[] entry(Map<String, float[]> state, String name, int size) {
        float[] values = state.get(name);
        if (values == null) {
            throw new IllegalArgumentException("optimizer state has no entry '" + name + "'; it has " + state.keySet());
        }
        if (values.length != size) {
            throw new IllegalArgumentException("optimizer state entry '" + name + "' holds " + values.length
                    + " values, the parameter " + size);
        }
        return values;
    }
}
