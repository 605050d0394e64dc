package dev.isthmus.cli;

import dev.isthmus.io.AtomicFiles;
import dev.isthmus.train.History;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The run's pictures: training curves (drawn with XChart) and the confusion matrix. */
final class Plots {

    static final Color BEST = new Color(0x2e, 0x8b, 0x57);

    private Plots() {}

    /** One metric, training against validation per epoch, as the lesson plots them, with the best epoch marked. */
    static void curve(History history, String metric, int bestEpoch, Path file) throws IOException {
        write(BitmapEncoder.getBufferedImage(curveChart(metric, history.get(metric), history.get("val_" + metric),
                bestEpoch)), file);
    }

    /** {@code val} may be empty (no validation data); {@code bestEpoch} from 0, or -1 for none. */
    static XYChart curveChart(String metric, List<Double> train, List<Double> val, int bestEpoch) {
        XYChart chart = new XYChartBuilder().width(640).height(420).title(metric + " per epoch")
                .xAxisTitle("epoch").yAxisTitle(metric).build();
        double[] epochs = IntStream.rangeClosed(1, train.size()).asDoubleStream().toArray();
        chart.addSeries("training", epochs, train.stream().mapToDouble(Double::doubleValue).toArray());
        if (!val.isEmpty()) {
            chart.addSeries("validation", epochs, val.stream().mapToDouble(Double::doubleValue).toArray());
        }
        if (bestEpoch >= 0 && bestEpoch < train.size()) {
            // the checkpoint's epoch: a vertical line, and a marker on the curve it was chosen by
            AnnotationLine line = new AnnotationLine(bestEpoch + 1, true, false);
            chart.addAnnotation(line);
            chart.getStyler().setAnnotationLineColor(BEST);
            chart.getStyler().setAnnotationLineStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
                    10, new float[] {6, 4}, 0));
            List<Double> on = val.isEmpty() ? train : val;
            XYSeries best = chart.addSeries("best model (epoch " + (bestEpoch + 1) + ")", new double[] {bestEpoch + 1},
                    new double[] {on.get(bestEpoch)});
            best.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            best.setMarker(SeriesMarkers.DIAMOND);
            best.setMarkerColor(BEST);
        }
        return chart;
    }

    /** Rows: true class; columns: predicted class; cells: counts. */
    static void confusion(int[][] counts, List<String> classes, Path file) throws IOException {
        write(ConfusionMatrixImage.render(counts, classes), file);
    }

    static void write(BufferedImage image, Path file) throws IOException {
        AtomicFiles.write(file, out -> ImageIO.write(image, "png", out));
    }
}
