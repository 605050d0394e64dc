package dev.isthmus.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-epoch metrics of a {@code fit}: {@code loss}, {@code accuracy}, {@code auc}, and the same
 * with a {@code val_} prefix for validation data, as Keras's {@code History.history}.
 */
public final class History {

    private final Map<String, List<Double>> values = new LinkedHashMap<>();
    private String stopReason;

    /** Set by the fit loop when training ends early. */
    public void stopReason(String reason) {
        this.stopReason = reason;
    }

    /** Why training ended early (a callback, a NaN loss), or null if it ran every epoch. */
    public String stopReason() {
        return stopReason;
    }

    /** Appends one epoch's metrics (set by the fit loop); a metric missing from an epoch reads NaN there. */
    public void record(Map<String, Double> epoch) {
        int epochs = epochs();
        for (var e : epoch.entrySet()) {
            List<Double> list = values.computeIfAbsent(e.getKey(), k -> new ArrayList<>(Collections.nCopies(epochs, Double.NaN)));
            list.add(e.getValue());
        }
        for (var list : values.values()) {
            while (list.size() < epochs + 1) {
                list.add(Double.NaN);
            }
        }
    }

    public int epochs() {
        return values.isEmpty() ? 0 : values.values().iterator().next().size();
    }

    /** The named metric per epoch; empty if never recorded. */
    public List<Double> get(String metric) {
        return Collections.unmodifiableList(values.getOrDefault(metric, List.of()));
    }

    /** Every metric, in the order first recorded. */
    public Map<String, List<Double>> asMap() {
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return copy;
    }
}
