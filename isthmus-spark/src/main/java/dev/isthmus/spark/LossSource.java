package dev.isthmus.spark;

import dev.isthmus.train.Loss;
import dev.isthmus.train.Losses;
import java.io.Serializable;
import java.util.Objects;

/** How a loss reaches the executors: by its name when it is one of {@link Losses}', else serialized. */
final class LossSource implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final Loss loss;

    private LossSource(String name, Loss loss) {
        this.name = name;
        this.loss = loss;
    }

    /**
     * @throws IllegalArgumentException if {@code loss} is neither one of {@link Losses}' nor
     *                                  {@link Serializable}
     */
    static LossSource of(Loss loss) {
        Objects.requireNonNull(loss, "loss");
        try {
            if (Losses.named(loss.name()).equals(loss)) {
                return new LossSource(loss.name(), null);
            }
        } catch (IllegalArgumentException notALibraryLoss) {
            // a loss of the caller's own
        }
        if (loss instanceof Serializable) {
            return new LossSource(null, loss);
        }
        throw new IllegalArgumentException("loss '" + loss.name() + "' (" + loss.getClass().getName() + ") is not one of"
                + " Losses' and not Serializable, so the executors cannot get it; make it Serializable");
    }

    Loss get() {
        return name != null ? Losses.named(name) : loss;
    }
}
