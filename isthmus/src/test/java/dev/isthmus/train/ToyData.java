package dev.isthmus.train;

import dev.isthmus.kernels.Padding;
import dev.isthmus.nn.Activation;
import dev.isthmus.nn.Conv2D;
import dev.isthmus.nn.Dense;
import dev.isthmus.nn.Dropout;
import dev.isthmus.nn.GlobalAveragePooling2D;
import dev.isthmus.nn.MaxPool2D;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Sequential;
import dev.isthmus.nn.Shape;
import java.util.SplittableRandom;

/**
 * A small learnable task: 12x12 images, label 1 when a bright square sits in the left half.
 * And a small CNN with every kind of layer the seeds' network uses.
 */
final class ToyData {

    static final Shape SHAPE = Shape.of(1, 12, 12);

    private ToyData() {}

    static Dataset squares(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[count * SHAPE.size()], y = new float[count];
        for (int i = 0; i < count; i++) {
            int label = r.nextInt(2);
            int col = label == 1 ? r.nextInt(0, 4) : r.nextInt(6, 10), row = r.nextInt(0, 10);
            for (int p = 0; p < SHAPE.size(); p++) {
                x[i * SHAPE.size() + p] = (float) (r.nextGaussian() * 0.3);
            }
            for (int dy = 0; dy < 3; dy++) {
                for (int dx = 0; dx < 3; dx++) {
                    x[i * SHAPE.size() + (row + dy) * 12 + col + dx] += 2f;
                }
            }
            y[i] = label;
        }
        return Dataset.of(x, y, SHAPE);
    }

    static Model smallCnn(long seed) {
        return new Sequential(1, 12, 12)
                .add(new Conv2D(4, 3).padding(Padding.SAME).activation(Activation.RELU))
                .add(new MaxPool2D())
                .add(new Conv2D(6, 3).padding(Padding.SAME).activation(Activation.RELU))
                .add(new GlobalAveragePooling2D())
                .add(new Dense(8).activation(Activation.RELU))
                .add(new Dropout(0.25f))
                .add(new Dense(1).activation(Activation.SIGMOID))
                .build()
                .initialize(seed);
    }
}
