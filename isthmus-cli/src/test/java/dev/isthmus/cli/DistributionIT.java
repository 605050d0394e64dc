package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.data.SyntheticChestXrays;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution that {@code ./mvnw package} builds, {@code target/isthmus}, run as a user runs
 * it: the {@code bin/isthmus} launcher finds a JDK 25 by itself and starts the command line.
 */
class DistributionIT {

    @TempDir
    static Path dir;
    static Path home, launcher, images;

    @BeforeAll
    static void setUp() throws IOException {
        home = Path.of(System.getProperty("isthmus.distribution", "target/isthmus"));
        launcher = home.resolve("bin/isthmus");
        assertTrue(Files.isExecutable(launcher), "no launcher at " + launcher + " (run ./mvnw package)");
        images = dir.resolve("xrays");
        SyntheticChestXrays.generate(images, 12, 11);
    }

    record Run(int code, String out, String err) {}

    /**
     * A run's standard error, a line each, less the JVM's notices of the caller's own options
     * ({@code JDK_JAVA_OPTIONS}, {@code JAVA_TOOL_OPTIONS}): the suite under
     * {@code JDK_JAVA_OPTIONS=-XX:UseAVX=2} checks the AVX2 paths, and those lines are not ours.
     */
    private static List<String> errLines(Run r) {
        return r.err().lines().filter(l -> !l.startsWith("NOTE: Picked up JDK_JAVA_OPTIONS:")
                && !l.startsWith("Picked up JAVA_TOOL_OPTIONS:")).toList();
    }

    /** Runs {@code command} in {@link #dir} with a clean environment but for PATH and HOME. */
    static Run run(List<String> command) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt"), err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().remove("JAVA_HOME"); // the launcher finds a JDK 25 without it
        pb.environment().remove("JAVA_OPTS");
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out: " + command);
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    static Run isthmus(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    /** There was no runnable artifact: java -jar failed, and `isthmus` was "command not found". */
    @Test
    void theLauncherRunsTheCommandLine() throws Exception {
        Run version = isthmus("--version");
        assertEquals(0, version.code(), version.err());
        assertTrue(version.out().startsWith("isthmus 0.1.0"), version.out());
        assertTrue(version.out().contains("Java 25") || version.out().matches("(?s).*Java 2[5-9].*"), version.out());

        Run summary = isthmus("summary");
        assertEquals(0, summary.code(), summary.err());
        assertTrue(summary.out().contains("Total params: 54,627"), summary.out());

        // java -jar works too (the kernels then warn that they run without the Vector API)
        Path jar;
        try (var jars = Files.list(home.resolve("lib"))) {
            jar = jars.filter(p -> p.getFileName().toString().startsWith("isthmus-cli-")).findFirst().orElseThrow();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Run jarRun = run(List.of(java, "-jar", jar.toString(), "--version"));
        assertEquals(0, jarRun.code(), jarRun.err());
        assertTrue(jarRun.out().startsWith("isthmus 0.1.0"), jarRun.out());
    }

    /** A fake JDK home: a release file of {@code version} and a bin/java that prints its arguments. */
    private static Path fakeJdk(String name, int version) throws IOException {
        Path jdk = dir.resolve(name);
        Files.createDirectories(jdk.resolve("bin"));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"" + version + ".0.1\"\n");
        Path java = Files.writeString(jdk.resolve("bin/java"), "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
        assertTrue(java.toFile().setExecutable(true));
        return jdk;
    }

    private static Run isthmusWith(String variable, Path value, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("env", variable + "=" + value, launcher.toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    /** The launcher's choice of JDK, and the JVM options it passes. */
    @Test
    void theLauncherPicksAJdk25AndPassesTheVectorModule() throws Exception {
        Path jdk25 = fakeJdk("fake-jdk-25", 25), jdk17 = fakeJdk("fake-jdk-17", 17);
        Run chosen = isthmusWith("ISTHMUS_JAVA_HOME", jdk25, "train", "--epochs", "3");
        assertEquals(0, chosen.code(), chosen.err());
        assertEquals(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-cp", home.toRealPath().resolve("lib") + "/*", "dev.isthmus.cli.IsthmusCli", "train",
                "--epochs", "3"), chosen.out().lines().toList());
        Run old = isthmusWith("ISTHMUS_JAVA_HOME", jdk17, "--version");
        assertEquals(1, old.code());
        assertEquals("isthmus: ISTHMUS_JAVA_HOME=" + jdk17 + " is not a JDK 25 or newer", old.err().strip());
        Run fromJavaHome = isthmusWith("JAVA_HOME", jdk25, "info");
        assertTrue(fromJavaHome.out().endsWith("dev.isthmus.cli.IsthmusCli\ninfo\n"), fromJavaHome.out());
        Run skipped = isthmusWith("JAVA_HOME", jdk17, "--version"); // a JDK 17 home is passed over for a real 25
        assertEquals(0, skipped.code(), skipped.err());
        assertTrue(skipped.out().startsWith("isthmus 0.1.0"), skipped.out());
    }

    /** Every command printed JLine's restricted-method warnings and a dated INFO line repeating the kernel line. */
    @Test
    void standardErrorHoldsNoLogNoiseUnlessVerbose() throws Exception {
        Run info = isthmus("summary");
        // the JVM's own notice of the incubator module is all: no library logging, no JLine warnings
        assertEquals(List.of("WARNING: Using incubator modules: jdk.incubator.vector"), errLines(info), info.err());
        Run verbose = isthmus("--verbose", "info");
        assertEquals(0, verbose.code(), verbose.err());
        assertTrue(verbose.err().contains("INFO: Isthmus kernels:"), verbose.err());
        assertFalse(verbose.err().contains("restricted method"), verbose.err());
    }

    /**
     * A tiny train, then predict and evaluate on the model it wrote; a second run with the same
     * seed writes the same model file, byte for byte.
     */
    @Test
    void trainPredictEvaluateAndTheSameModelFileTwice() throws Exception {
        List<String> train = List.of("train", "--data", images.toString(), "--image-size", "64", "--epochs", "2",
                "--batch-size", "4");
        List<String> first = new ArrayList<>(train);
        first.addAll(List.of("--output", "run1"));
        Run r = isthmus(first.toArray(String[]::new));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("epoch 2/2: loss") && r.out().contains("test: 4 images"), r.out());
        Path model = dir.resolve("run1/best-model.safetensors");

        Path image = images.resolve("effusion/effusion_003.png");
        Run p = isthmus("predict", "--model", model.toString(), image.toString());
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().matches(java.util.regex.Pattern.quote(image.toString()) + "\t0\\.\\d{4}\t(normal|effusion)\n"),
                p.out());
        Run e = isthmus("evaluate", "--model", model.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("test: 4 images"), e.out());

        List<String> second = new ArrayList<>(train);
        second.addAll(List.of("--output", "run2"));
        Run again = isthmus(second.toArray(String[]::new));
        assertEquals(0, again.code(), again.err());
        assertArrayEquals(Files.readAllBytes(model), Files.readAllBytes(dir.resolve("run2/best-model.safetensors")),
                "model files of two runs with the same seed");
    }

    @Test
    void anImageDeclaringBillionsOfPixelsIsOneLineNamingIt() throws Exception {
        Path data = dir.resolve("bad");
        for (String c : List.of("normal", "effusion")) {
            Files.createDirectories(data.resolve(c));
            for (int i = 0; i < 4; i++) {
                String name = c + "/" + c + "_00" + i + ".png";
                Files.copy(images.resolve(name), data.resolve(name));
            }
        }
        Path huge = data.resolve("effusion/huge.png");
        Files.write(huge, HugePng.declaring(40_000, 40_000));
        Run r = isthmus("train", "--data", data.toString(), "--image-size", "64", "--epochs", "1", "--output", "bad-run");
        assertEquals(1, r.code(), r.err());
        assertEquals(List.of("WARNING: Using incubator modules: jdk.incubator.vector",
                "error: " + huge + ": 40000 x 40000 = 1,600,000,000 pixels, over the limit of 25,000,000 pixels"
                        + " (--max-image-pixels raises the limit)"), errLines(r));
        assertFalse(Files.exists(dir.resolve("bad-run")), "a failed run leaves no folder");
        Run skipped = isthmus("train", "--data", data.toString(), "--image-size", "64", "--epochs", "1", "--batch-size", "2",
                "--output", "skip-run", "--skip-bad-images");
        assertTrue(skipped.out().contains("skipped 1 unreadable"), skipped.out() + skipped.err());
    }
}
