package dev.isthmus.cli;

import dev.isthmus.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * One PNG per explained image, as the lesson shows them: the X-ray, then each method's heat map
 * over it (jet colours, 40% opacity) with a colour bar, under a title with the true class and
 * the prediction.
 */
final class SaliencyPanel {

    private static final int PAD = 16, TITLE = 48, BAR = 14, BAR_GAP = 8, LABEL = 22;

    private SaliencyPanel() {}

    /** {@code image}: standardised input, {@code side x side}; maps in [0, 1]. */
    static void write(Path file, float[] image, int side, String title, String[] names, float[][] maps) throws IOException {
        int panels = 1 + maps.length, cell = side + BAR_GAP + BAR + 34;
        int width = PAD + panels * (cell + PAD), height = TITLE + LABEL + side + PAD;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, PAD, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int[] grey = toGrey(image);
        for (int p = 0; p < panels; p++) {
            int x0 = PAD + p * (cell + PAD), y0 = TITLE + LABEL;
            g.drawString(p == 0 ? "image" : names[p - 1], x0, TITLE + 14);
            BufferedImage tile = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
            for (int i = 0; i < side * side; i++) {
                int v = grey[i];
                int rgb = (v << 16) | (v << 8) | v;
                if (p > 0) {
                    rgb = blend(rgb, jet(maps[p - 1][i]), 0.4);
                }
                tile.setRGB(i % side, i / side, rgb);
            }
            g.drawImage(tile, x0, y0, null);
            if (p > 0) {
                colourBar(g, x0 + side + BAR_GAP, y0, side);
            }
        }
        g.dispose();
        AtomicFiles.write(file, o -> ImageIO.write(out, "png", o));
    }

    private static void colourBar(Graphics2D g, int x, int y, int h) {
        for (int i = 0; i < h; i++) {
            g.setColor(new Color(jet(1 - (double) i / (h - 1))));
            g.drawLine(x, y + i, x + BAR, y + i);
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1));
        g.drawRect(x, y, BAR, h - 1);
        g.drawString("1", x + BAR + 4, y + 10);
        g.drawString("0", x + BAR + 4, y + h);
    }

    /** The image's standardised values stretched to 0..255 for display. */
    private static int[] toGrey(float[] image) {
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (float v : image) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        int[] out = new int[image.length];
        float range = max > min ? max - min : 1;
        for (int i = 0; i < image.length; i++) {
            out[i] = Math.round(255 * (image[i] - min) / range);
        }
        return out;
    }

    /** The jet colour map: blue (0) through cyan, yellow, to red (1). */
    static int jet(double v) {
        double t = Math.min(Math.max(v, 0), 1);
        double r = Math.min(Math.max(1.5 - Math.abs(4 * t - 3), 0), 1);
        double gr = Math.min(Math.max(1.5 - Math.abs(4 * t - 2), 0), 1);
        double b = Math.min(Math.max(1.5 - Math.abs(4 * t - 1), 0), 1);
        return ((int) (r * 255) << 16) | ((int) (gr * 255) << 8) | (int) (b * 255);
    }

    private static int blend(int base, int over, double alpha) {
        int r = (int) (((base >> 16) & 255) * (1 - alpha) + ((over >> 16) & 255) * alpha);
        int g = (int) (((base >> 8) & 255) * (1 - alpha) + ((over >> 8) & 255) * alpha);
        int b = (int) ((base & 255) * (1 - alpha) + (over & 255) * alpha);
        return (r << 16) | (g << 8) | b;
    }

    static String title(String file, String trueClass, float probability, String positive, String negative) {
        String predicted = probability >= 0.5f ? positive : negative;
        return String.format(Locale.ROOT, "%s: true %s, predicted %s (p(%s) = %.3f)", file, trueClass, predicted,
                positive, probability);
    }
}
