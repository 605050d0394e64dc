package dev.isthmus.cli;

import java.io.IOException;
import java.io.PrintStream;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Where a command prints: standard output, plus on a terminal one "live" line redrawn in place
 * (the progress bar). Every other line first clears the live one, so nothing is ever printed
 * onto the end of a bar, and the bar never splits a line. All printing goes through one lock,
 * from whichever thread (the training loop, a shutdown hook, the error handler).
 *
 * <p>The live line is drawn only when standard input and output are a terminal: redirected to a
 * file, output holds the finished lines alone. The terminal's width comes from JLine.
 */
final class Screen {

    /** Width assumed when a terminal does not say. */
    static final int DEFAULT_WIDTH = 80;
    private static final String CLEAR_LINE = "\r\033[K";

    private final PrintStream out;
    private final boolean terminal;
    private Terminal jline;
    private boolean liveShown, liveStopped;

    Screen(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Standard output, drawing live lines when it and standard input are a terminal. */
    static Screen system() {
        java.io.Console console = System.console();
        return new Screen(System.out, console != null && console.isTerminal());
    }

    boolean isTerminal() {
        return terminal;
    }

    PrintStream out() {
        return out;
    }

    /** The terminal's width in columns now, or {@link #DEFAULT_WIDTH}; asked each time (windows resize). */
    synchronized int width() {
        if (!terminal) {
            return DEFAULT_WIDTH;
        }
        try {
            if (jline == null) {
                // no signal handlers of JLine's: Ctrl-C must reach the JVM's shutdown hooks
                jline = TerminalBuilder.builder().system(true).nativeSignals(false).dumb(true).build();
            }
            int w = jline.getWidth();
            return w > 0 ? w : DEFAULT_WIDTH;
        } catch (IOException | RuntimeException e) {
            return DEFAULT_WIDTH;
        }
    }

    /** Draws {@code line} in place of the live line (on a terminal; otherwise nothing). */
    synchronized void live(String line) {
        if (!terminal || liveStopped) {
            return;
        }
        out.print(CLEAR_LINE + line);
        out.flush();
        liveShown = true;
    }

    /**
     * Removes the live line for good: later {@link #live} calls draw nothing. For a shutdown
     * hook, while the main thread may go on drawing until the JVM halts.
     */
    synchronized void stopLive() {
        clearLive();
        liveStopped = true;
    }

    /** Removes the live line, leaving the cursor at the start of the empty line. */
    synchronized void clearLive() {
        if (liveShown) {
            out.print(CLEAR_LINE);
            out.flush();
            liveShown = false;
        }
    }

    /** Prints a finished line (replacing the live line, if one is shown). */
    synchronized void println(String line) {
        clearLive();
        out.println(line);
        out.flush();
    }

    /**
     * Prints {@code text} as finished lines, each of its lines broken between words to fit the
     * terminal's width (a long notice would otherwise wrap mid-word); redirected, as it is.
     */
    synchronized void printWrapped(String text) {
        println(terminal ? wrap(text, Math.max(1, width() - 1)) : text); // a full-width line can make a terminal wrap early
    }

    /**
     * Breaks each line of {@code text} between words so that no line is longer than {@code width}
     * characters, unless one word alone is: that word keeps a line of its own, whole (a path the
     * user may copy).
     */
    static String wrap(String text, int width) {
        if (width < 1) {
            throw new IllegalArgumentException("width must be at least 1, got " + width);
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (i > 0) {
                out.append(System.lineSeparator());
            }
            int lineStart = out.length();
            for (String word : line.split(" ")) {
                if (word.isEmpty()) {
                    continue;
                }
                int used = out.length() - lineStart;
                if (used > 0 && used + 1 + word.length() > width) {
                    out.append(System.lineSeparator());
                    lineStart = out.length();
                } else if (used > 0) {
                    out.append(' ');
                }
                out.append(word);
            }
        }
        return out.toString();
    }

    /** Prints a finished line to {@code stream} (standard error, say), after clearing the live line. */
    synchronized void println(PrintStream stream, String line) {
        clearLive();
        stream.println(line);
        stream.flush();
    }

    synchronized void close() {
        clearLive();
        if (jline != null) {
            try {
                jline.close();
            } catch (IOException ignored) {
                // the terminal is going away with the process
            }
            jline = null;
        }
    }
}
