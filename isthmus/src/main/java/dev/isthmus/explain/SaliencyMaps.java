package dev.isthmus.explain;

import dev.isthmus.nn.Execution;
import dev.isthmus.nn.Layer;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Shape;
import java.util.Arrays;

/**
 * Class activation maps for a binary classifier with one sigmoid output, through the model's
 * public API only: Grad-CAM++ (Chattopadhay et al., 2018) from the gradients of the score with
 * respect to a convolution layer's output, and Score-CAM (Wang et al., 2020) from the score of
 * the input masked by each upsampled channel of that output. The score is the predicted
 * probability of the explained class ({@code p} for class 1, {@code 1 - p} for class 0).
 *
 * <p>Maps come back at the input's size, normalised to [0, 1] (all zeros when the layer shows
 * nothing). Evaluation mode throughout: dropout off, batch norm on running statistics.
 */
public final class SaliencyMaps {

    private final Model model;
    private final String layer;
    private final Shape featureShape;
    private final Shape inputShape;

    /**
     * @param layerName a layer with an image-shaped output, usually the last convolution
     * @throws IllegalArgumentException if the layer is missing, not image-shaped, or the model
     *                                  does not end in a single output
     */
    public SaliencyMaps(Model model, String layerName) {
        this.model = model;
        Layer l = model.layer(layerName);
        if (l.outputShape().rank() != 3) {
            throw new IllegalArgumentException("saliency maps need a layer with (channels, height, width) output; '"
                    + layerName + "' gives " + l.outputShape());
        }
        if (model.outputShape().size() != 1) {
            throw new IllegalArgumentException("saliency maps here explain one sigmoid output; the model gives "
                    + model.outputShape());
        }
        if (model.inputShape().rank() != 3 || model.inputShape().channels() != 1) {
            throw new IllegalArgumentException("saliency maps here explain greyscale images; the model takes "
                    + model.inputShape());
        }
        this.layer = layerName;
        this.featureShape = l.outputShape();
        this.inputShape = model.inputShape();
    }

    /** The model's probability of class 1 for one image. */
    public float probability(float[] image) {
        return model.predict(image, 1)[0];
    }

    /** Grad-CAM++ for {@code targetClass} (0 or 1) of one image. */
    public float[] gradCamPlusPlus(float[] image, int targetClass) {
        Execution e = model.newExecution(layer);
        float[] out = e.forward(image, 1, false);
        float p = out[0];
        // d(score)/d(output): +1 for class 1 (score p), -1 for class 0 (score 1 - p).
        e.backward(new float[] {targetClass == 1 ? 1f : -1f});
        float[] a = e.value(layer), g = e.gradient(layer);
        int c = featureShape.channels(), hw = featureShape.height() * featureShape.width();
        float[] cam = new float[hw];
        for (int k = 0; k < c; k++) {
            double sumA = 0;
            for (int i = 0; i < hw; i++) {
                sumA += a[k * hw + i];
            }
            double weight = 0;
            for (int i = 0; i < hw; i++) {
                double gi = g[k * hw + i], g2 = gi * gi, g3 = g2 * gi;
                double denom = 2 * g2 + sumA * g3;
                double alpha = denom != 0 ? g2 / denom : 0;
                weight += alpha * Math.max(gi, 0);
            }
            for (int i = 0; i < hw; i++) {
                cam[i] += (float) (weight * a[k * hw + i]);
            }
        }
        return upsampleAndNormalise(relu(cam));
    }

    /** Score-CAM for {@code targetClass} (0 or 1) of one image. */
    public float[] scoreCam(float[] image, int targetClass) {
        Execution e = model.newExecution(layer);
        e.forward(image, 1, false);
        float[] a = Arrays.copyOf(e.value(layer), featureShape.size());
        int c = featureShape.channels(), hw = featureShape.height() * featureShape.width(), n = inputShape.size();
        float[] masked = new float[c * n];
        for (int k = 0; k < c; k++) {
            float[] mask = upsampleAndNormalise(Arrays.copyOfRange(a, k * hw, (k + 1) * hw));
            for (int i = 0; i < n; i++) {
                masked[k * n + i] = image[i] * mask[i];
            }
        }
        float[] p = model.predict(masked, c);
        float[] cam = new float[hw];
        for (int k = 0; k < c; k++) {
            float score = targetClass == 1 ? p[k] : 1 - p[k];
            for (int i = 0; i < hw; i++) {
                cam[i] += score * a[k * hw + i];
            }
        }
        return upsampleAndNormalise(relu(cam));
    }

    private static float[] relu(float[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(v[i], 0f);
        }
        return v;
    }

    /** Bilinear upsampling of a feature map to the input size, then min-max scaling to [0, 1]. */
    float[] upsampleAndNormalise(float[] map) {
        int fh = featureShape.height(), fw = featureShape.width(), h = inputShape.height(), w = inputShape.width();
        float[] up = new float[h * w];
        for (int y = 0; y < h; y++) {
            double fy = Math.min(Math.max((y + 0.5) * fh / h - 0.5, 0), fh - 1);
            int y0 = (int) fy, y1 = Math.min(y0 + 1, fh - 1);
            double ty = fy - y0;
            for (int x = 0; x < w; x++) {
                double fx = Math.min(Math.max((x + 0.5) * fw / w - 0.5, 0), fw - 1);
                int x0 = (int) fx, x1 = Math.min(x0 + 1, fw - 1);
                double tx = fx - x0;
                double top = map[y0 * fw + x0] * (1 - tx) + map[y0 * fw + x1] * tx;
                double bottom = map[y1 * fw + x0] * (1 - tx) + map[y1 * fw + x1] * tx;
                up[y * w + x] = (float) (top * (1 - ty) + bottom * ty);
            }
        }
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (float v : up) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float range = max - min;
        for (int i = 0; i < up.length; i++) {
            up[i] = range > 0 ? (up[i] - min) / range : 0f;
        }
        return up;
    }
}
