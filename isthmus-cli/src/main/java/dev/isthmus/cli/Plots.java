package dev.isthmus.cli;

import dev.isthmus.io.AtomicFiles;
import dev.isthmus.train.History;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** The run's pictures, drawn with XChart: training curves and the confusion matrix. */
final class Plots {

    private Plots() {}

    /** One metric, training against validation per epoch, as the lesson plots them. */
    static void curve(History history, String metric, Path file) throws IOException {
        List<Double> train = history.get(metric), val = history.get("val_" + metric);
        XYChart chart = new XYChartBuilder().width(640).height(420).title(metric + " per epoch")
                .xAxisTitle("epoch").yAxisTitle(metric).build();
        double[] epochs = IntStream.rangeClosed(1, train.size()).asDoubleStream().toArray();
        chart.addSeries("training", epochs, train.stream().mapToDouble(Double::doubleValue).toArray());
        if (!val.isEmpty()) {
            chart.addSeries("validation", epochs, val.stream().mapToDouble(Double::doubleValue).toArray());
        }
        write(BitmapEncoder.getBufferedImage(chart), file);
    }

    /** Rows: true class; columns: predicted class; cells: counts. */
    static void confusion(int[][] counts, List<String> classes, Path file) throws IOException {
        HeatMapChart chart = new HeatMapChartBuilder().width(480).height(420).title("confusion matrix (test)").build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setPlotContentSize(1);
        int[] x = {0, 1}, y = {0, 1};
        List<Number[]> cells = new java.util.ArrayList<>();
        for (int t = 0; t < 2; t++) {
            for (int p = 0; p < 2; p++) {
                cells.add(new Number[] {p, 1 - t, counts[t][p]}); // true classes top to bottom
            }
        }
        chart.addSeries("count", List.of("predicted " + classes.get(0), "predicted " + classes.get(1)),
                List.of("true " + classes.get(1), "true " + classes.get(0)), cells);
        write(BitmapEncoder.getBufferedImage(chart), file);
    }

    static void write(BufferedImage image, Path file) throws IOException {
        AtomicFiles.write(file, out -> ImageIO.write(image, "png", out));
    }
}
