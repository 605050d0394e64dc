package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

class PlotsTest {

    /** WCAG contrast ratio of two colours. */
    private static double contrast(Color a, Color b) {
        double la = ConfusionMatrixImage.luminance(a), lb = ConfusionMatrixImage.luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    /** The confusion-matrix PNG had black digits on dark cells. */
    @Test
    void everyCountStandsOutFromItsCell() {
        int[][] counts = {{52, 1}, {7, 45}};
        BufferedImage image = ConfusionMatrixImage.render(counts, List.of("normal", "effusion"));
        for (int t = 0; t < 2; t++) {
            for (int p = 0; p < 2; p++) {
                Rectangle cell = ConfusionMatrixImage.cell(t, p);
                Color background = new Color(image.getRGB(cell.x + 3, cell.y + 3));
                double best = 1;
                for (int y = cell.y + 3; y < cell.y + cell.height - 3; y++) {
                    for (int x = cell.x + 3; x < cell.x + cell.width - 3; x++) {
                        best = Math.max(best, contrast(background, new Color(image.getRGB(x, y))));
                    }
                }
                assertTrue(best >= 4.5, "cell " + t + "," + p + " (" + background + "): digits at contrast " + best);
            }
        }
        Color darkest = ConfusionMatrixImage.shade(1), lightest = ConfusionMatrixImage.shade(0);
        assertEquals(Color.WHITE, ConfusionMatrixImage.textColour(darkest));
        assertEquals(Color.BLACK, ConfusionMatrixImage.textColour(lightest));
    }

    /** The curves did not mark the best epoch. */
    @Test
    void theCurvesMarkTheBestEpoch() {
        List<Double> loss = List.of(0.70, 0.60, 0.50), valLoss = List.of(0.69, 0.62, 0.64);
        XYChart chart = Plots.curveChart("loss", loss, valLoss, 1);
        XYSeries best = chart.getSeriesMap().get("best model (epoch 2)");
        assertEquals(2.0, best.getXData()[0]);
        assertEquals(0.62, best.getYData()[0]);
        assertEquals(XYSeries.XYSeriesRenderStyle.Scatter, best.getXYSeriesRenderStyle());
        assertEquals(2, Plots.curveChart("loss", loss, valLoss, -1).getSeriesMap().size(), "no best epoch, no marker");
    }
}
