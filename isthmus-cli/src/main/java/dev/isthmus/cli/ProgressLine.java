package dev.isthmus.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text of a training progress bar and of the line that replaces it when the epoch ends, fitted
 * to a terminal's width. Pure functions of their arguments, so the layout is testable at any
 * width.
 *
 * <pre>
 * epoch 3/10 [=========>          ] 23/64 loss 0.7143 acc 0.413 94 img/s 0:03 left
 * epoch 3/10: loss 0.7015 acc 0.481  val_loss 0.6913 val_acc 0.567  4.0 s  saved
 * epoch 10/10: loss 0.6315 acc 0.681  val_loss 0.6013 val_acc 0.700  123 s
 * </pre>
 *
 * <p>A bar is at most {@code width - 3} characters, so the terminal never wraps it (a line that
 * fills the last column leaves the cursor on the next), even when it echoes Ctrl-C as {@code ^C}
 * after it; the epoch line, drawn once, at most {@code width - 1}. When room is short the bar narrows, down
 * to {@value #MIN_BAR} cells; below that the least useful fields go, one by one (time left,
 * then accuracy, then speed).
 */
final class ProgressLine {

    static final int MIN_BAR = 10, MAX_BAR = 40;

    private ProgressLine() {}

    /** The bar during an epoch; {@code batch} batches of {@code batches} are done. */
    static String bar(int epoch, int epochs, int batch, int batches, double loss, double accuracy, double imagesPerSecond,
                      double secondsLeft, int width) {
        String head = String.format(Locale.ROOT, "epoch %d/%d ", epoch, epochs);
        String count = String.format(Locale.ROOT, " %" + digits(batches) + "d/%d", batch, batches);
        String lossText = " loss " + number(loss, 4);
        String acc = " acc " + number(accuracy, 3);
        String speed = " " + number(imagesPerSecond, 0) + " img/s";
        String left = Double.isFinite(secondsLeft) ? " " + clock(secondsLeft) + " left" : "";
        String[][] variants = {{lossText, acc, speed, left}, {lossText, acc, speed}, {lossText, speed}, {lossText}};
        int room = width - 3;
        for (String[] fields : variants) {
            String tail = String.join("", fields);
            int cells = Math.min(MAX_BAR, room - head.length() - 2 - count.length() - tail.length());
            if (cells >= MIN_BAR) {
                return head + "[" + cells(cells, batch, batches) + "]" + count + tail;
            }
        }
        String line = head + "[" + cells(MIN_BAR, batch, batches) + "]" + count + lossText; // a very narrow terminal
        return line.substring(0, Math.max(0, Math.min(line.length(), room)));
    }

    /** The finished epoch's line. */
    static String epochEnd(int epoch, int epochs, double loss, double accuracy, double valLoss, double valAccuracy,
                           double seconds, boolean saved, int width) {
        String head = String.format(Locale.ROOT, "epoch %d/%d: loss %.4f acc %.3f", epoch, epochs, loss, accuracy);
        String validation = Double.isNaN(valLoss) ? ""
                : String.format(Locale.ROOT, "  val_loss %.4f val_acc %.3f", valLoss, valAccuracy);
        String time = String.format(Locale.ROOT, seconds < 10 ? "  %.1f s" : "  %.0f s", seconds);
        String mark = saved ? "  saved" : "";
        String line = head + validation + time + mark;
        if (line.length() >= width) {
            line = head + validation + mark;
        }
        return line;
    }

    /** {@code value} to {@code decimals} places, or {@code -} before there is one. */
    private static String number(double value, int decimals) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static String cells(int n, int done, int total) {
        int filled = total == 0 ? n : (int) ((long) n * done / total);
        StringBuilder b = new StringBuilder(n);
        b.append("=".repeat(filled));
        if (filled < n) {
            b.append('>').append(" ".repeat(n - filled - 1));
        }
        return b.toString();
    }

    private static int digits(int n) {
        return Integer.toString(Math.max(n, 0)).length();
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
