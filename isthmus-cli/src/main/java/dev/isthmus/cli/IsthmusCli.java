package dev.isthmus.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code isthmus}: the chest X-ray lesson from the command line. With no data folder, {@code train}
 * generates a synthetic chest X-ray set and runs the lesson end to end.
 */
@Command(name = "isthmus", mixinStandardHelpOptions = true, version = "isthmus 0.1.0",
        description = "Train and run ChestXRayNet, the chest X-ray lesson's CNN, on the CPU.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class, ExplainCommand.class, SummaryCommand.class,
                InfoCommand.class, CommandLine.HelpCommand.class})
public final class IsthmusCli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (0 ok, 1 failure, 2 bad usage). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new IsthmusCli());
        cli.setCaseInsensitiveEnumValuesAllowed(true); // --init he, as the messages write it
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println(line.getColorScheme().errorText("error: " + message(e)));
            return 1;
        });
        return cli.execute(args);
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
        return b.isEmpty() ? e.toString() : b.toString();
    }
}
