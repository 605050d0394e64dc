package dev.isthmus.kernels;

/**
 * Plain double-precision convolution and pooling, straight from the definitions, for the
 * properties to compare against. Indices spelled out; no cleverness.
 */
final class ReferenceWindows {

    private ReferenceWindows() {}

    /** y[n][oc][oy][ox] = b[oc] + sum over ic, ky, kx of w[oc][ic][ky][kx] * x[n][ic][iy][ix]. */
    static double[] conv(Window2d g, int batch, int inC, int outC, double[] x, double[] w, double[] b) {
        return conv(g, batch, inC, outC, 1, x, w, b);
    }

    /**
     * Grouped: output channel {@code oc} of group {@code oc / (outC / groups)} sees only that
     * group's {@code inC / groups} input channels; {@code w[oc][icg][ky][kx]}.
     */
    static double[] conv(Window2d g, int batch, int inC, int outC, int groups, double[] x, double[] w, double[] b) {
        int inG = inC / groups, outG = outC / groups;
        double[] y = new double[batch * outC * g.outSize()];
        for (int n = 0; n < batch; n++) {
            for (int oc = 0; oc < outC; oc++) {
                for (int oy = 0; oy < g.outHeight(); oy++) {
                    for (int ox = 0; ox < g.outWidth(); ox++) {
                        double s = b == null ? 0 : b[oc];
                        for (int icg = 0; icg < inG; icg++) {
                            int ic = oc / outG * inG + icg;
                            for (int ky = 0; ky < g.kernelHeight(); ky++) {
                                for (int kx = 0; kx < g.kernelWidth(); kx++) {
                                    int iy = oy * g.strideY() - g.padTop() + ky * g.dilationY();
                                    int ix = ox * g.strideX() - g.padLeft() + kx * g.dilationX();
                                    if (iy >= 0 && iy < g.inHeight() && ix >= 0 && ix < g.inWidth()) {
                                        s += w[((oc * inG + icg) * g.kernelHeight() + ky) * g.kernelWidth() + kx]
                                                * x[((n * inC + ic) * g.inHeight() + iy) * g.inWidth() + ix];
                                    }
                                }
                            }
                        }
                        y[((n * outC + oc) * g.outHeight() + oy) * g.outWidth() + ox] = s;
                    }
                }
            }
        }
        return y;
    }

    /**
     * Transposed convolution straight from its definition: every input value scatters the kernel,
     * {@code y[n][oc][iy*sy - padTop + ky][ix*sx - padLeft + kx] += w[ic][oc][ky][kx] * x[n][ic][iy][ix]},
     * where {@code conv} is the window of the convolution that maps the output back onto the input.
     */
    static double[] convTranspose(Window2d conv, int batch, int inC, int outC, double[] x, double[] w, double[] b) {
        int outH = conv.inHeight(), outW = conv.inWidth(), inH = conv.outHeight(), inW = conv.outWidth();
        double[] y = new double[batch * outC * outH * outW];
        for (int n = 0; n < batch; n++) {
            for (int oc = 0; oc < outC; oc++) {
                for (int i = 0; i < outH * outW; i++) {
                    y[(n * outC + oc) * outH * outW + i] = b == null ? 0 : b[oc];
                }
            }
            for (int ic = 0; ic < inC; ic++) {
                for (int iy = 0; iy < inH; iy++) {
                    for (int ix = 0; ix < inW; ix++) {
                        double v = x[((n * inC + ic) * inH + iy) * inW + ix];
                        for (int oc = 0; oc < outC; oc++) {
                            for (int ky = 0; ky < conv.kernelHeight(); ky++) {
                                for (int kx = 0; kx < conv.kernelWidth(); kx++) {
                                    int oy = iy * conv.strideY() - conv.padTop() + ky * conv.dilationY();
                                    int ox = ix * conv.strideX() - conv.padLeft() + kx * conv.dilationX();
                                    if (oy >= 0 && oy < outH && ox >= 0 && ox < outW) {
                                        y[((n * outC + oc) * outH + oy) * outW + ox] +=
                                                w[((ic * outC + oc) * conv.kernelHeight() + ky) * conv.kernelWidth() + kx] * v;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    /** Max over each window's input cells (padding excluded). */
    static double[] maxPool(Window2d g, int planes, double[] x) {
        return pool(g, planes, x, true, false);
    }

    /** Mean over each window: divided by the kernel area, or by the input cells it covers. */
    static double[] avgPool(Window2d g, int planes, double[] x, boolean countPadding) {
        return pool(g, planes, x, false, countPadding);
    }

    private static double[] pool(Window2d g, int planes, double[] x, boolean max, boolean countPadding) {
        double[] y = new double[planes * g.outSize()];
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < g.outHeight(); oy++) {
                for (int ox = 0; ox < g.outWidth(); ox++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    int cells = 0;
                    for (int ky = 0; ky < g.kernelHeight(); ky++) {
                        for (int kx = 0; kx < g.kernelWidth(); kx++) {
                            int iy = oy * g.strideY() - g.padTop() + ky * g.dilationY();
                            int ix = ox * g.strideX() - g.padLeft() + kx * g.dilationX();
                            if (iy >= 0 && iy < g.inHeight() && ix >= 0 && ix < g.inWidth()) {
                                double v = x[(p * g.inHeight() + iy) * g.inWidth() + ix];
                                acc = max ? Math.max(acc, v) : acc + v;
                                cells++;
                            }
                        }
                    }
                    if (!max) {
                        acc /= countPadding ? g.kernelSize() : Math.max(cells, 1);
                    }
                    y[(p * g.outHeight() + oy) * g.outWidth() + ox] = acc;
                }
            }
        }
        return y;
    }

    /** y[n][j] = b[j] + sum over i of w[j][i] * x[n][i]. */
    static double[] dense(int batch, int in, int out, double[] x, double[] w, double[] b) {
        double[] y = new double[batch * out];
        for (int n = 0; n < batch; n++) {
            for (int j = 0; j < out; j++) {
                double s = b[j];
                for (int i = 0; i < in; i++) {
                    s += w[j * in + i] * x[n * in + i];
                }
                y[n * out + j] = s;
            }
        }
        return y;
    }
}
