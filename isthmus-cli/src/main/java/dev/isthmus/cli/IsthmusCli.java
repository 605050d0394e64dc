package dev.isthmus.cli;

import java.io.PrintStream;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code isthmus}: the chest X-ray lesson from the command line. With no data folder, {@code train}
 * generates a synthetic chest X-ray set and runs the lesson end to end.
 *
 * <p>Exit codes: 0 done, 1 failed (one line on standard error says what and names the file or
 * flag), 2 bad usage (a flag's value, named), 130 or 143 interrupted (Ctrl-C or SIGTERM).
 */
@Command(name = "isthmus", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Train and run ChestXRayNet, the chest X-ray lesson's CNN, on the CPU.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class, ExplainCommand.class, SummaryCommand.class,
                InfoCommand.class, ExportCommand.class, CommandLine.HelpCommand.class})
public final class IsthmusCli {

    /** Kept, so the levels set on them stay (java.util.logging holds loggers weakly). */
    private static final Logger ISTHMUS_LOG = Logger.getLogger("dev.isthmus"), JLINE_LOG = Logger.getLogger("org.jline");

    private final Screen screen = Screen.system();

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Log the library's messages (kernel selection, ...) to standard error.")
    void verbose(boolean verbose) {
        ISTHMUS_LOG.setLevel(verbose ? Level.INFO : Level.WARNING);
        JLINE_LOG.setLevel(verbose ? Level.INFO : Level.SEVERE);
    }

    Screen screen() {
        return screen;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (0 ok, 1 failure, 2 bad usage). */
    public static int run(String... args) {
        IsthmusCli app = new IsthmusCli();
        app.verbose(false); // the kernels' choice is printed by the commands that care; the log line repeats it
        ParentWatch.startIfRequested(app.screen);
        CommandLine cli = new CommandLine(app);
        cli.setCaseInsensitiveEnumValuesAllowed(true); // --init he, as the messages write it
        PrintStream err = System.err;
        cli.setParameterExceptionHandler((e, line) -> {
            CommandLine failed = e.getCommandLine();
            app.screen.println(err, "error: " + e.getMessage());
            app.screen.println(err, "(see '" + failed.getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            app.screen.println(err, "error: " + message(e));
            return 1;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // the failed allocation is garbage now; say so in one line rather than a stack trace
            app.screen.println(err, "error: out of memory (" + e.getMessage() + "); give the JVM more heap, e.g."
                    + " JAVA_OPTS=-Xmx8g, or use smaller images (--image-size)");
            return 1;
        } finally {
            app.screen.close();
        }
    }

    /** The messages along the cause chain, outermost first, without repeats: what failed and why. */
    static String message(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t instanceof java.nio.file.FileSystemException fs ? fs.getClass().getSimpleName() + ": " + fs.getMessage()
                    : t.getMessage();
            if (m != null && b.indexOf(m) < 0) {
                b.append(b.isEmpty() ? "" : ": ").append(m);
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof dev.isthmus.data.ImageTooLargeException) {
                b.append(" (--max-image-pixels raises the limit)");
                break;
            }
        }
        return b.isEmpty() ? e.toString() : b.toString();
    }
}
