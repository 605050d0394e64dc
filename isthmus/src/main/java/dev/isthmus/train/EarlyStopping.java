package dev.isthmus.train;

import dev.isthmus.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stops training when a monitored metric has not improved for {@code patience} epochs, as
 * Keras's {@code EarlyStopping}; optionally puts back the best epoch's weights at the end.
 * Lower is better for metrics ending in {@code loss}, higher for the others.
 */
public final class EarlyStopping implements Callback {

    private final String monitor;
    private final int patience;
    private final boolean restoreBestWeights;
    private double best;
    private int bestEpoch;
    private int wait;
    private List<float[]> bestWeights;

    public EarlyStopping(String monitor, int patience, boolean restoreBestWeights) {
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be >= 0, got " + patience);
        }
        this.monitor = monitor;
        this.patience = patience;
        this.restoreBestWeights = restoreBestWeights;
    }

    private boolean lowerIsBetter() {
        return monitor.endsWith("loss");
    }

    @Override
    public void onTrainBegin(FitContext context) {
        best = lowerIsBetter() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        bestEpoch = -1;
        wait = 0;
        bestWeights = null;
    }

    @Override
    public void onEpochEnd(FitContext context, int epoch, Map<String, Double> logs) {
        Double value = logs.get(monitor);
        if (value == null) {
            throw new IllegalArgumentException("EarlyStopping monitors '" + monitor + "', which this fit does not report;"
                    + " it reports " + logs.keySet());
        }
        boolean improved = lowerIsBetter() ? value < best : value > best;
        if (improved) {
            best = value;
            bestEpoch = epoch;
            wait = 0;
            if (restoreBestWeights) {
                bestWeights = new ArrayList<>();
                for (Parameter p : context.model().parameters().values()) {
                    bestWeights.add(p.value().clone());
                }
            }
        } else if (++wait > patience) {
            context.stop("early stopping: " + monitor + " has not improved for " + wait + " epochs (best "
                    + best + " at epoch " + (bestEpoch + 1) + ")");
        }
    }

    @Override
    public void onTrainEnd(FitContext context) {
        if (restoreBestWeights && bestWeights != null) {
            int i = 0;
            for (Parameter p : context.model().parameters().values()) {
                p.set(bestWeights.get(i++));
            }
        }
    }

    /** The best epoch (0-based) so far, or -1. */
    public int bestEpoch() {
        return bestEpoch;
    }
}
