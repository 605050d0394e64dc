package dev.isthmus.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isthmus.nn.Shape;
import dev.isthmus.train.Dataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitTest {

    /** 350 normal then 350 effusion, each sample's single feature its own index. */
    static LabeledImageSet lessonSized() {
        int n = 700;
        float[] x = new float[n], y = new float[n];
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = i < 350 ? 0 : 1;
            paths.add(Path.of(i < 350 ? "normal" : "effusion", "img_" + i + ".png"));
        }
        return new LabeledImageSet(Dataset.of(x, y, Shape.of(1)), paths, List.of("normal", "effusion"), List.of());
    }

    @Test
    void theLessonSizes() {
        Split split = Split.lesson(lessonSized(), 42);
        assertEquals(505, split.train().count());
        assertEquals(90, split.validation().count());
        assertEquals(105, split.test().count());
        Split plain = Split.of(lessonSized(), 0.15, 0.15, 42, false);
        assertEquals(List.of(505, 90, 105), List.of(plain.train().count(), plain.validation().count(), plain.test().count()));
    }

    @Test
    void partsAreDisjointAndCoverEverySample() {
        for (boolean stratify : new boolean[] {true, false}) {
            Split split = Split.of(lessonSized(), 0.15, 0.15, 7, stratify);
            Set<Integer> seen = new HashSet<>();
            for (Split.Part part : List.of(split.train(), split.validation(), split.test())) {
                int[] indices = part.indices();
                for (int j = 0; j < indices.length; j++) {
                    assertEquals(true, seen.add(indices[j]), "index " + indices[j] + " in two parts");
                    assertEquals(indices[j], part.dataset().x()[j], "sample " + j + " is the indexed one");
                    assertEquals(indices[j] < 350 ? 0 : 1, part.dataset().y()[j]);
                    assertEquals(lessonSized().paths().get(indices[j]), part.paths().get(j));
                }
            }
            assertEquals(700, seen.size());
        }
    }

    @Test
    void stratifiedPartsKeepTheClassBalance() {
        Split split = Split.lesson(lessonSized(), 42);
        assertEquals(52, positives(split.test()), "105 of 350/350: 52.5 each, the tie to the lower label");
        assertEquals(45, positives(split.validation()), "90 of 297/298");
        assertEquals(350 - 52 - 45, positives(split.train()));
    }

    @Test
    void theSameSeedGivesTheSameSplitAndAnotherSeedAnother() {
        Split a = Split.lesson(lessonSized(), 42), b = Split.lesson(lessonSized(), 42), c = Split.lesson(lessonSized(), 43);
        assertArrayEquals(a.test().indices(), b.test().indices());
        assertArrayEquals(a.validation().indices(), b.validation().indices());
        assertArrayEquals(a.train().indices(), b.train().indices());
        assertFalse(Arrays.equals(a.test().indices(), c.test().indices()));
    }

    @Test
    void countsRoundUpAsScikitLearnDoes() {
        assertEquals(105, Split.testCount(0.15, 700));
        assertEquals(90, Split.testCount(0.15, 595), "0.15 * 595 = 89.25");
        assertEquals(0, Split.testCount(0, 10));
    }

    @Test
    void badFractionsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Split.of(lessonSized(), 1.0, 0.15, 1, true));
        assertEquals("testFraction must be in [0, 1), got 1.0", e.getMessage());
    }

    private static int positives(Split.Part part) {
        int p = 0;
        for (float v : part.dataset().y()) {
            p += (int) v;
        }
        return p;
    }
}
