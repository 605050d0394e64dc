package dev.isthmus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.Model;
import dev.isthmus.nn.Parameter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EarlyStoppingTest {

    /** Feeds val_loss values by hand and checks when it stops and which weights it restores. */
    @Test
    void stopsAfterPatienceAndRestoresTheBestWeights() {
        Model model = ToyData.smallCnn(1);
        Parameter first = model.parameters().values().iterator().next();
        FitContext context = new FitContext(model, 10, 8, 4);
        EarlyStopping stopping = new EarlyStopping("val_loss", 1, true);
        stopping.onTrainBegin(context);
        double[] losses = {0.9, 0.5, 0.6, 0.7};
        float[] bestWeights = null;
        for (int epoch = 0; epoch < losses.length && !context.stopRequested(); epoch++) {
            first.value()[0] = epoch; // a visible change per epoch
            if (epoch == 1) {
                bestWeights = first.value().clone();
            }
            stopping.onEpochEnd(context, epoch, Map.of("val_loss", losses[epoch]));
        }
        assertTrue(context.stopRequested());
        assertTrue(context.stopReason().startsWith("early stopping: val_loss has not improved for 2 epochs"),
                context.stopReason());
        assertEquals(1, stopping.bestEpoch());
        stopping.onTrainEnd(context);
        assertArrayEquals(bestWeights, first.value());
    }

    @Test
    void aMetricThatIsNotReportedIsNamed() {
        FitContext context = new FitContext(ToyData.smallCnn(1), 1, 1, 1);
        EarlyStopping stopping = new EarlyStopping("val_auc", 0, false);
        stopping.onTrainBegin(context);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> stopping.onEpochEnd(context, 0, Map.of("loss", 1.0)));
        assertTrue(e.getMessage().contains("'val_auc'"), e.getMessage());
    }
}
