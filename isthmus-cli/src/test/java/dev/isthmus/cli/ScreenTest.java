package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.Initializer;
import dev.isthmus.train.LearningVerdict;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Long notices are broken between words to the terminal's width, never inside a word. */
class ScreenTest {

    private static final String NL = System.lineSeparator();

    @Test
    void linesFitTheWidthAndKeepEveryWordWhole() {
        String text = "THIS RUN DID NOT LEARN. At epoch 3, validation loss 0.6931 is within 1% of 0.6931, what a"
                + " constant guess scores (ln 2)." + NL + "The saved model (/tmp/run/best-model.safetensors) is no"
                + " better than a guess: do not use it.";
        for (int width : new int[] {20, 40, 79}) {
            String wrapped = Screen.wrap(text, width);
            for (String line : wrapped.split(NL)) {
                assertTrue(line.length() <= width || !line.contains(" "), width + ": '" + line + "'");
                assertTrue(!line.startsWith(" ") && !line.endsWith(" "), width + ": '" + line + "'");
            }
            assertEquals(words(text), words(wrapped), "width " + width + ": the same words in the same order");
        }
    }

    @Test
    void theTextsOwnLineBreaksStayAndShortLinesAreUntouched() {
        assertEquals("one two" + NL + "three", Screen.wrap("one two\nthree", 80));
        assertEquals("one" + NL + NL + "two", Screen.wrap("one\n\ntwo", 80));
        assertEquals(NL + "one" + NL, Screen.wrap("\none\n", 80), "leading and trailing breaks stay");
        assertEquals("one two" + NL + "three", Screen.wrap("one two three", 7));
    }

    @Test
    void aWordLongerThanTheWidthKeepsALineOfItsOwn() {
        assertEquals("see" + NL + "/a/very/long/path/to/best-model.safetensors" + NL + "now",
                Screen.wrap("see /a/very/long/path/to/best-model.safetensors now", 12));
    }

    @Test
    void theDidNotLearnNoticeFits80Columns() {
        LearningVerdict verdict = new LearningVerdict(false, 3, 0.6931, 0.5, Math.log(2), 0.5, List.of(
                "validation loss 0.6931 is within 1% of 0.6931, what a constant guess scores (ln 2)",
                "validation accuracy 0.500 is no better than 0.500, what always answering the largest class scores"));
        String notice = NoLearningNotice.forTerminal(verdict, "/tmp/runs/20261203-074631/best-model.safetensors", 3, 5,
                Initializer.PYTORCH);
        for (String line : Screen.wrap(notice.stripTrailing(), 79).split(NL)) {
            assertTrue(line.length() <= 79, "'" + line + "'");
        }
    }

    @Test
    void aWidthBelowOneIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Screen.wrap("x", 0));
        assertEquals("width must be at least 1, got 0", e.getMessage());
    }

    private static List<String> words(String text) {
        return Arrays.stream(text.split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }
}
