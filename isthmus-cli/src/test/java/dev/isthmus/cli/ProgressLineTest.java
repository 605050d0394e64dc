package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The bar's layout: at 80 columns it keeps a real bar and every field; narrower, fields go in order. */
class ProgressLineTest {

    /** At 80 columns the old bar shrank to "[ ]" and cut the speed. */
    @Test
    void at80ColumnsTheBarHasRoomAndEveryField() {
        String line = ProgressLine.bar(10, 10, 160, 320, 0.71432, 0.4131, 1870.4, 125, 80);
        assertTrue(line.length() <= 77, line.length() + ": " + line);
        assertTrue(line.matches("epoch 10/10 \\[=+> +\\] 160/320 loss 0\\.7143 acc 0\\.413 1870 img/s 2:05 left"), line);
        int cells = line.indexOf(']') - line.indexOf('[') - 1;
        assertTrue(cells >= ProgressLine.MIN_BAR, cells + " cells: " + line);
    }

    @Test
    void theBarFillsInProportionAndNeverPassesItsWidth() {
        for (int width : new int[] {40, 60, 80, 120, 200}) {
            for (int done = 0; done <= 64; done += 8) {
                String line = ProgressLine.bar(1, 1, done, 64, 0.5, 0.5, 100, 1, width);
                assertTrue(line.length() <= width - 3, width + ": " + line);
                String bar = line.substring(line.indexOf('[') + 1, line.indexOf(']'));
                assertTrue(bar.length() <= ProgressLine.MAX_BAR, line);
                long filled = bar.chars().filter(c -> c == '=').count();
                assertEquals(bar.length() * done / 64, filled, line);
            }
        }
    }

    @Test
    void narrowTerminalsDropTimeLeftThenAccuracyThenSpeed() {
        String full = ProgressLine.bar(3, 10, 5, 64, 0.7, 0.5, 90, 30, 200);
        assertTrue(full.contains("0:30 left") && full.contains(" acc ") && full.contains("img/s"), full);
        String w66 = ProgressLine.bar(3, 10, 5, 64, 0.7, 0.5, 90, 30, 66);
        assertTrue(!w66.contains("left") && w66.contains(" acc ") && w66.contains("img/s") && w66.length() <= 63, w66);
        String w57 = ProgressLine.bar(3, 10, 5, 64, 0.7, 0.5, 90, 30, 57);
        assertTrue(!w57.contains(" acc ") && w57.contains("img/s") && w57.length() <= 54, w57);
        String w47 = ProgressLine.bar(3, 10, 5, 64, 0.7, 0.5, 90, 30, 47);
        assertTrue(!w47.contains("img/s") && w47.contains("loss 0.7000") && w47.length() <= 44, w47);
        String w20 = ProgressLine.bar(3, 10, 5, 64, 0.7, 0.5, 90, 30, 20);
        assertTrue(w20.length() <= 17, w20);
    }

    @Test
    void beforeTheFirstBatchThereAreNoFiguresYet() {
        String line = ProgressLine.bar(1, 10, 0, 64, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 80);
        assertTrue(line.contains("loss - acc - - img/s"), line);
        assertTrue(!line.contains("NaN"), line);
    }

    @Test
    void theEpochLineFitsIn80Columns() {
        String line = ProgressLine.epochEnd(10, 10, 0.70151, 0.481, 0.69134, 0.5667, 123.4, true, 80);
        assertEquals("epoch 10/10: loss 0.7015 acc 0.481  val_loss 0.6913 val_acc 0.567  123 s  saved", line);
        assertTrue(line.length() < 80);
        String noValidation = ProgressLine.epochEnd(1, 2, 0.7, 0.5, Double.NaN, Double.NaN, 1, false, 80);
        assertEquals("epoch 1/2: loss 0.7000 acc 0.500  1.0 s", noValidation);
    }
}
