package dev.isthmus.data;

import java.util.SplittableRandom;

/**
 * One synthetic frontal (PA) chest film: every random choice of {@link SyntheticChestXrays}'s
 * drawing for one image, then its pixels. A drawing, not a medical image.
 *
 * <p>The chest is drawn in a canonical frame (units of the image side, centred at (0.5, 0.5)) and
 * placed on the film shifted, scaled and slightly rotated. Inside a body silhouette: two lungs
 * (dark, with fine markings and vessels branching from the hila), curved ribs across them, the
 * spine, the heart (to the image's right, the patient's left, as on a PA film) and the two
 * diaphragm domes that close the lungs below, leaving sharp costophrenic angles at their outer
 * corners.
 *
 * <p>A pleural effusion fills the base of one lung, or of both: fluid as dense as soft tissue
 * takes the air's place, so the markings vanish, the ribs fade, the dome and the costophrenic
 * angle are lost, and the fluid ends above in a meniscus rising towards the chest wall. Effusions
 * are moderate to large, the kind a class of this size can learn to see.
 *
 * <p>Version 3 (issue 16) darkened the aerated lung, made the effusions larger and more often
 * bilateral, the patient's position freer, and the lung markings (vessels, mottle) stronger.
 * Version 4 separates what a network learns from what a linear rule on the pixels can use: the
 * chest moves about the film almost twice as far (a linear rule must learn every position apart, a
 * convolutional network ending in global pooling does not), the body is wider than the film
 * (moving it brings dark background into view only above the shoulders; background moving in
 * and out changed the image's overall statistics and slowed the network's start as much as the
 * linear rule), and the exposure
 * gradient across the film is gone, with the raised hemidiaphragm and the soft tissue over the
 * bases half as frequent (image-wide nuisances that slowed the start from PyTorch's small
 * initial weights without costing the linear rule). benchmarks/learnability.sh measures both.
 *
 * <p>Both classes vary in what a linear rule on the pixels would lean on: position, size and
 * depth of inspiration (how far down the lungs reach), an elevated hemidiaphragm (a bright base
 * without fluid), soft tissue over the bases (brighter, with the markings still showing through),
 * exposure (levels, gamma and contrast) and noise. Every draw is made for both classes, in the
 * same order, so the same seed gives the same patient with and without the fluid.
 */
record ChestFilm(boolean effusion, Placement placement, double bodyHalfWidth, Lung[] lungs, Heart heart, Ribs ribs,
        double vesselAmount, Mottle mottle, double mottleAmount, Tissues tissues, Fluid fluid, double softTissue,
        Exposure exposure) {

    /** Lowest and highest fluid level, as a fraction of the lung's height from its bottom. */
    static final double LEVEL_MIN = 0.5, LEVEL_MAX = 0.85;
    /** How often both lungs hold fluid. */
    static final double BILATERAL = 0.8;

    private static final int EXPOSURE_STEPS = 4096;

    /** Where the canonical chest lies on the film. */
    record Placement(double cx, double cy, double scale, double cos, double sin) {}

    record Heart(double x, double y, double a, double b) {}

    record Ribs(double spacing, double top, double curve, double width, double amount) {}

    /** Grey levels before exposure: soft tissue, aerated lung, what lies around the body. */
    record Tissues(double tissue, double lung, double background) {}

    /**
     * The fluid: which lungs hold it (by index, 0 the image's left), the level in each, how far the
     * meniscus rises at the wall, its grey level and how completely it hides the air.
     */
    record Fluid(boolean[] sides, double[] levels, double meniscus, double grey, double opacity) {}

    record Exposure(double contrast, double brightness, double gamma, double noise) {}

    /** Draws one film; the same generator state gives the same patient for either class. */
    static ChestFilm draw(boolean effusion, SplittableRandom r) {
        double cx = 0.5 + r.nextDouble(-0.16, 0.16), cy = 0.5 + r.nextDouble(-0.13, 0.13);
        double scale = r.nextDouble(0.88, 1.08), rotation = Math.toRadians(r.nextDouble(-8, 8));
        Placement placement = new Placement(cx, cy, scale, Math.cos(rotation) / scale, Math.sin(rotation) / scale);
        double inspiration = r.nextDouble(0.82, 1.12);
        // wider than the film: moving the patient brings dark background into view only above the shoulders
        double bodyHalfWidth = 0.7 * r.nextDouble(0.95, 1.05);
        int elevated = r.nextDouble() < 0.12 ? r.nextInt(2) : -1;
        double elevation = r.nextDouble(0.12, 0.28);
        Lung[] lungs = new Lung[2];
        for (int k = 0; k < 2; k++) {
            double sign = k == 0 ? -1 : 1; // k = 0: the image's left (the patient's right)
            double rx = 0.15 * r.nextDouble(0.9, 1.1), ry = 0.3 * r.nextDouble(0.92, 1.08) * inspiration;
            // the apex stays near 0.15; a deeper breath takes the base lower
            double lx = 0.5 + sign * (0.185 + r.nextDouble(-0.01, 0.01)), ly = 0.15 + ry + r.nextDouble(-0.015, 0.015);
            double raise = k == elevated ? elevation : 0;
            double domePeak = ly + ry * (r.nextDouble(0.55, 0.78) - raise), domeLateral = ly + ry * (0.98 - 0.6 * raise);
            lungs[k] = new Lung(sign, lx, ly, rx, ry, domePeak, domeLateral, lx - sign * rx * 0.15,
                    Vessels.draw(r, sign, lx, ly, rx, ry));
        }
        Heart heart = new Heart(0.575, 0.6, 0.13 * r.nextDouble(0.88, 1.15), 0.11 * r.nextDouble(0.9, 1.1));
        double spacing = 0.052 * r.nextDouble(0.93, 1.07);
        Ribs ribs = new Ribs(spacing, 0.17 + r.nextDouble(0, spacing), r.nextDouble(1.6, 2.4), 0.011,
                0.11 * r.nextDouble(0.8, 1.2));
        double vesselAmount = 0.14 * r.nextDouble(0.8, 1.2);
        Mottle mottle = Mottle.draw(r);
        double mottleAmount = 0.32 * r.nextDouble(0.85, 1.15);
        double tissue = 0.54 + r.nextDouble(-0.04, 0.04);
        Tissues tissues = new Tissues(tissue, 0.13 + r.nextDouble(-0.03, 0.03), 0.05 + r.nextDouble(-0.03, 0.03));
        int side = r.nextInt(2);
        boolean both = r.nextDouble() < BILATERAL;
        double level = r.nextDouble(LEVEL_MIN, LEVEL_MAX), otherLevel = level * r.nextDouble(0.4, 1.0);
        boolean[] sides = {effusion && (side == 0 || both), effusion && (side == 1 || both)};
        double[] levels = {side == 0 ? level : otherLevel, side == 1 ? level : otherLevel};
        Fluid fluid = new Fluid(sides, levels, r.nextDouble(0.06, 0.14), tissue + r.nextDouble(0.0, 0.06),
                r.nextDouble(0.8, 1.0));
        boolean soft = r.nextDouble() < 0.25;
        double softTissue = r.nextDouble(0.1, 0.3);
        Exposure exposure = new Exposure(r.nextDouble(0.8, 1.2), r.nextDouble(-0.06, 0.06),
                Math.exp(r.nextDouble(Math.log(0.85), Math.log(1.2))), r.nextDouble(0.008, 0.015));
        return new ChestFilm(effusion, placement, bodyHalfWidth, lungs, heart, ribs, vesselAmount, mottle, mottleAmount,
                tissues, fluid, soft ? softTissue : 0, exposure);
    }

    /** Which lungs hold fluid: index 0 is the image's left, 1 its right. */
    boolean[] fluidSides() {
        return fluid.sides().clone();
    }

    /** The film's {@code side * side} grey bytes, row-major; {@code noise} draws the pixel noise. */
    byte[] paint(int side, SplittableRandom noise) {
        Exposure e = exposure;
        double[] curve = new double[EXPOSURE_STEPS + 1]; // gamma, contrast and brightness, finer than 8 bits
        for (int q = 0; q <= EXPOSURE_STEPS; q++) {
            curve[q] = (Math.pow((double) q / EXPOSURE_STEPS, e.gamma()) - 0.5) * e.contrast() + 0.5 + e.brightness();
        }
        byte[] out = new byte[side * side];
        double px = 1.0 / side / placement.scale(); // one pixel in the canonical frame
        for (int yi = 0; yi < side; yi++) {
            double fy = (yi + 0.5) / side;
            for (int xi = 0; xi < side; xi++) {
                double fx = (xi + 0.5) / side;
                double dx = fx - placement.cx(), dy = fy - placement.cy();
                double x = 0.5 + placement.cos() * dx + placement.sin() * dy, y = 0.5 - placement.sin() * dx + placement.cos() * dy;
                double v = grey(x, y, px);
                double exposed = curve[(int) (Math.clamp(v, 0, 1) * EXPOSURE_STEPS + 0.5)] + e.noise() * noise.nextGaussian();
                out[yi * side + xi] = (byte) Math.clamp(Math.round(exposed * 255), 0, 255);
            }
        }
        return out;
    }

    /** The grey level at canonical point (x, y) before exposure; {@code px} is one pixel there. */
    private double grey(double x, double y, double px) {
        Tissues t = tissues;
        double bx = (x - 0.5) / bodyHalfWidth, by = (y - 0.6) / 0.64; // the body: a super-ellipse, open below the film
        double body = edge(1 - Math.sqrt(Math.sqrt(bx * bx * bx * bx + by * by * by * by)), 2 * px / bodyHalfWidth);
        double spine = 0.08 * bump(Math.abs(x - 0.5) / 0.035);
        double v = t.background() + (t.tissue() - t.background() + spine) * body;
        double lung = 0, ribZone = 0, vessel = 0, fluidMask = 0, soft = 0;
        for (int k = 0; k < 2; k++) {
            Lung l = lungs[k];
            if (softTissue > 0) {
                soft = Math.max(soft, l.softTissue(x, y));
            }
            if (!l.near(x, y)) {
                continue;
            }
            double m = l.mask(x, y, px);
            lung = Math.max(lung, m);
            ribZone = Math.max(ribZone, l.ribZone(x, y, px, m));
            if (m > 0) {
                vessel = Math.max(vessel, m * l.vessels().at(x, y));
            }
            if (fluid.sides()[k]) {
                fluidMask = Math.max(fluidMask, fluid.opacity() * l.fluid(x, y, px, fluid.levels()[k], fluid.meniscus()));
            }
        }
        v += (t.lung() - v) * lung;
        double aerated = inFront(x, y, px, v, lung, ribZone, vessel, 0, soft);
        // Fluid takes the place of air, so it can only add density: where a bright marking or rib
        // over the aerated lung would outshine the fluid's grey, the film keeps the marking's.
        return fluidMask > 0 ? Math.max(aerated, inFront(x, y, px, v, lung, ribZone, vessel, fluidMask, soft)) : aerated;
    }

    /**
     * The rest of {@link #grey}: the heart, the fluid ({@code fluidMask}, 0 for none), the lung
     * markings and ribs where they show, and soft tissue over the bases, on top of {@code v}.
     */
    private double inFront(double x, double y, double px, double v, double lung, double ribZone, double vessel,
                           double fluidMask, double soft) {
        Tissues t = tissues;
        // the heart, in front of the lungs
        double hx = (x - heart.x()) / heart.a(), hy = (y - heart.y()) / heart.b(), heartMask = 0;
        if (hx * hx + hy * hy < 1.2) {
            heartMask = 0.9 * edge(1 - Math.sqrt(hx * hx + hy * hy), 2 * px / heart.a());
            v += (t.tissue() + 0.07 - v) * heartMask;
        }
        if (fluidMask > 0) {
            v += (fluid.grey() + 0.04 * smooth((y - 0.43) / 0.28) - v) * fluidMask;
        }
        double seen = (1 - fluidMask) * (1 - heartMask); // the markings show against air only
        if (lung > 0) {
            v += (vesselAmount * vessel + mottleAmount * mottle.at(x, y) * lung) * seen;
        }
        if (ribZone > 0) { // bright bands falling away from the spine, the nearest one only (they never overlap)
            double d = Math.abs(x - 0.5);
            double u = (y - ribs.top() - ribs.curve() * sq(Math.max(0, d - 0.05))) / ribs.spacing();
            double k = Math.rint(u);
            if (k >= 0 && k < 10) {
                v += ribs.amount() * bump((u - k) * ribs.spacing() / ribs.width()) * ribZone * smooth((d - 0.02) / 0.04)
                        * (1 - 0.85 * fluidMask) * (1 - 0.8 * heartMask);
            }
        }
        return v + softTissue * soft * (0.15 + 0.85 * lung * seen);
    }

    /**
     * One lung: an ellipse {@code (lx, ly, rx, ry)} cut from below by a diaphragm dome, a parabola
     * highest ({@code domePeak}) under {@code domeX} and falling to {@code domeLateral} at the
     * outer wall. {@code sign} is -1 on the image's left, +1 on its right.
     */
    record Lung(double sign, double lx, double ly, double rx, double ry, double domePeak, double domeLateral,
            double domeX, Vessels vessels) {

        /** Whether {@code (x, y)} is close enough to this lung to be touched by it. */
        boolean near(double x, double y) {
            return Math.abs(x - lx) < 1.3 * rx && Math.abs(y - ly) < 1.3 * ry;
        }

        double ellipse(double x, double y, double px, double grow) {
            double ex = (x - lx) / (rx * grow), ey = (y - ly) / (ry * grow);
            return edge(1 - Math.sqrt(ex * ex + ey * ey), 1.5 * px / rx);
        }

        double dome(double x) {
            double u = (x - domeX) / (rx * 1.3);
            return domePeak + (domeLateral - domePeak) * Math.min(1, u * u);
        }

        double mask(double x, double y, double px) {
            return ellipse(x, y, px, 1) * edge((dome(x) - y) / ry, 1.5 * px / ry);
        }

        /** Where ribs show: the lung and a margin around it, above the dome. */
        double ribZone(double x, double y, double px, double mask) {
            return ellipse(x, y, px, 1.08) * (0.25 + 0.75 * mask) * edge((dome(x) + 0.02 - y) / ry, 2 * px / ry);
        }

        /**
         * Pleural fluid: inside the (slightly widened) lung outline, below a meniscus that sits
         * {@code level} of the lung's height above its bottom at the medial side and rises by
         * {@code meniscus} towards the chest wall; it covers the dome and the costophrenic angle.
         */
        double fluid(double x, double y, double px, double level, double meniscus) {
            double bottom = ly + ry, top = bottom - level * 2 * ry;
            double lateral = Math.clamp(sign * (x - lx) / rx * 0.5 + 0.5, 0, 1); // 0 medial, 1 at the wall
            double surface = top - meniscus * lateral * lateral;
            return ellipse(x, y, px, 1.06) * edge((y - surface) / ry, 1.5 * px / ry);
        }

        /** Soft tissue (breast, pectoral muscle) over the lower, outer part of the lung: 0 to 1. */
        double softTissue(double x, double y) {
            double ex = (x - lx - sign * 0.2 * rx) / (1.15 * rx), ey = (y - ly - 0.7 * ry) / (0.55 * ry);
            return smooth((1 - Math.sqrt(ex * ex + ey * ey)) / 0.35);
        }
    }

    /**
     * Vessels branching out from the hilum: six trunks fanning from upwards to downwards towards
     * the chest wall, each forking once, thinning and fading on the way out.
     */
    record Vessels(double[] segments) {

        private static final int TRUNKS = 6, FIELDS = 6;

        static Vessels draw(SplittableRandom r, double sign, double lx, double ly, double rx, double ry) {
            double hx = lx - sign * rx * 0.55, hy = ly + ry * 0.05;
            double[] s = new double[TRUNKS * 3 * FIELDS];
            int n = 0;
            for (int b = 0; b < TRUNKS; b++) {
                double phi = Math.toRadians(-80 + b * 160.0 / (TRUNKS - 1) + r.nextDouble(-10, 10));
                double ux = sign * Math.cos(phi), uy = Math.sin(phi);
                double reach = toEdge(hx - lx, hy - ly, ux, uy, rx, ry) * r.nextDouble(0.6, 0.85);
                double mx = hx + ux * reach * 0.45, my = hy + uy * reach * 0.45;
                n = put(s, n, hx, hy, mx, my, 0.009, 1.0);
                for (int c = -1; c <= 1; c += 2) {
                    double psi = phi + c * Math.toRadians(r.nextDouble(12, 28)), length = reach * r.nextDouble(0.45, 0.6);
                    n = put(s, n, mx, my, mx + sign * Math.cos(psi) * length, my + Math.sin(psi) * length, 0.006, 0.75);
                }
            }
            return new Vessels(s);
        }

        /** How far from a point at {@code (px, py)} from the ellipse's centre along (ux, uy) its edge is. */
        private static double toEdge(double px, double py, double ux, double uy, double rx, double ry) {
            double qx = px / rx, qy = py / ry, dx = ux / rx, dy = uy / ry;
            double a = dx * dx + dy * dy, b = 2 * (qx * dx + qy * dy), c = qx * qx + qy * qy - 1;
            return (-b + Math.sqrt(b * b - 4 * a * c)) / (2 * a);
        }

        private static int put(double[] s, int n, double x0, double y0, double x1, double y1, double width, double amount) {
            s[n] = x0;
            s[n + 1] = y0;
            s[n + 2] = x1;
            s[n + 3] = y1;
            s[n + 4] = width;
            s[n + 5] = amount;
            return n + FIELDS;
        }

        /** The brightest vessel at (x, y), 0 to 1: the segment's amount, fading to a fifth at its end. */
        double at(double x, double y) {
            double best = 0;
            for (int i = 0; i < segments.length; i += FIELDS) {
                double x0 = segments[i], y0 = segments[i + 1], ex = segments[i + 2] - x0, ey = segments[i + 3] - y0;
                double t = Math.clamp(((x - x0) * ex + (y - y0) * ey) / (ex * ex + ey * ey), 0, 1);
                double width = segments[i + 4] * (1 - 0.5 * t);
                double d2 = (sq(x - x0 - t * ex) + sq(y - y0 - t * ey)) / (width * width);
                if (d2 < 4) {
                    best = Math.max(best, segments[i + 5] * (1 - 0.8 * t) * bump(Math.sqrt(d2)));
                }
            }
            return best;
        }
    }

    /** Fine lung texture: smooth value noise in two octaves, about -1 to 1, fixed to the patient. */
    record Mottle(float[] coarse, float[] fine) {

        private static final int COARSE = 48, FINE = 96;

        static Mottle draw(SplittableRandom r) {
            float[] c = new float[(COARSE + 1) * (COARSE + 1)], f = new float[(FINE + 1) * (FINE + 1)];
            for (int i = 0; i < c.length; i++) {
                c[i] = (float) r.nextDouble(-1, 1);
            }
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) r.nextDouble(-1, 1);
            }
            return new Mottle(c, f);
        }

        double at(double x, double y) {
            return 0.65 * sample(coarse, COARSE, x, y) + 0.35 * sample(fine, FINE, x, y);
        }

        private static double sample(float[] grid, int n, double x, double y) {
            double gx = Math.clamp(x, 0, 1) * n, gy = Math.clamp(y, 0, 1) * n;
            int ix = Math.min((int) gx, n - 1), iy = Math.min((int) gy, n - 1);
            double tx = smooth(gx - ix), ty = smooth(gy - iy);
            int o = iy * (n + 1) + ix;
            double top = grid[o] + (grid[o + 1] - grid[o]) * tx, bottom = grid[o + n + 1] + (grid[o + n + 2] - grid[o + n + 1]) * tx;
            return top + (bottom - top) * ty;
        }
    }

    /** 0 below {@code -width}, 1 above {@code width}, smooth between: an anti-aliased edge. */
    static double edge(double distance, double width) {
        return smooth(distance / width * 0.5 + 0.5);
    }

    /** Smoothstep of {@code t} clamped to {@code [0, 1]}. */
    static double smooth(double t) {
        t = Math.clamp(t, 0, 1);
        return t * t * (3 - 2 * t);
    }

    /** A smooth bump: 1 at 0, 0 from 2 on. */
    static double bump(double t) {
        double u = Math.max(0, 1 - t * t / 4);
        return u * u * u;
    }

    static double sq(double v) {
        return v * v;
    }
}
