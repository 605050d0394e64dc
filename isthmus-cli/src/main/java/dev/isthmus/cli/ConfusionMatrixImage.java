package dev.isthmus.cli;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The confusion matrix as a picture: rows the true class, columns the predicted class, each cell
 * shaded from white (no images) to dark blue (the largest count) with its count in black or white,
 * whichever stands out more against the shade.
 */
final class ConfusionMatrixImage {

    static final int CELL = 120, LEFT = 150, TOP = 90, PAD = 30;
    private static final Color DARKEST = new Color(0x08, 0x30, 0x6b);

    private ConfusionMatrixImage() {}

    static BufferedImage render(int[][] counts, List<String> classes) {
        int k = counts.length, max = 1;
        for (int[] row : counts) {
            for (int c : row) {
                max = Math.max(max, c);
            }
        }
        int width = LEFT + k * CELL + PAD, height = TOP + k * CELL + PAD + 30;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString("confusion matrix (test)", PAD, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawString("predicted", LEFT + k * CELL / 2 - 30, TOP - 30);
        for (int i = 0; i < k; i++) {
            centred(g, classes.get(i), new Rectangle(LEFT + i * CELL, TOP - 24, CELL, 20));
            g.drawString("true " + classes.get(i), 10, TOP + i * CELL + CELL / 2 + 5);
        }
        Font countFont = new Font(Font.SANS_SERIF, Font.BOLD, 28);
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                Rectangle cell = cell(t, p);
                Color shade = shade((double) counts[t][p] / max);
                g.setColor(shade);
                g.fill(cell);
                g.setColor(Color.GRAY);
                g.draw(cell);
                g.setColor(textColour(shade));
                g.setFont(countFont);
                centred(g, Integer.toString(counts[t][p]), cell);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            }
        }
        g.dispose();
        return image;
    }

    /** Where the cell of true class {@code t} and predicted class {@code p} is drawn. */
    static Rectangle cell(int t, int p) {
        return new Rectangle(LEFT + p * CELL, TOP + t * CELL, CELL, CELL);
    }

    /** White at 0, {@link #DARKEST} at 1. */
    static Color shade(double fraction) {
        double f = Math.min(Math.max(fraction, 0), 1);
        return new Color(mix(255, DARKEST.getRed(), f), mix(255, DARKEST.getGreen(), f), mix(255, DARKEST.getBlue(), f));
    }

    /** Black or white, whichever contrasts more with {@code background} (WCAG relative luminance). */
    static Color textColour(Color background) {
        double l = luminance(background);
        return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? Color.BLACK : Color.WHITE;
    }

    /** WCAG 2 relative luminance of an sRGB colour. */
    static double luminance(Color c) {
        return 0.2126 * linear(c.getRed()) + 0.7152 * linear(c.getGreen()) + 0.0722 * linear(c.getBlue());
    }

    private static double linear(int channel) {
        double s = channel / 255.0;
        return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    }

    private static int mix(int from, int to, double f) {
        return (int) Math.round(from + (to - from) * f);
    }

    private static void centred(Graphics2D g, String text, Rectangle box) {
        FontMetrics m = g.getFontMetrics();
        g.drawString(text, box.x + (box.width - m.stringWidth(text)) / 2,
                box.y + (box.height - m.getHeight()) / 2 + m.getAscent());
    }
}
