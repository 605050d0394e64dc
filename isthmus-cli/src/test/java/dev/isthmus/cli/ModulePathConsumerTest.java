package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program that uses the library as JPMS modules: it compiles against {@code dev.isthmus} on the
 * module path, runs with the Vector API module added, and cannot reach the kernels' internal
 * packages. The modules are this build's own (the class-path entries of the test run).
 */
class ModulePathConsumerTest {

    @TempDir
    Path dir;

    @Test
    void aModulePathConsumerCompilesRunsAndSeesOnlyTheApi() throws Exception {
        String modulePath = libraryModulePath();
        Path src = dir.resolve("src/consumer");
        write(src.resolve("module-info.java"), "module consumer { requires dev.isthmus; }");
        write(src.resolve("consumer/Main.java"), """
                package consumer;

                import dev.isthmus.kernels.Kernels;
                import dev.isthmus.nn.*;

                public class Main {
                    public static void main(String[] args) {
                        float[] c = new float[4];
                        Kernels.matmul(2, 2, 2, new float[] {1, 2, 3, 4}, new float[] {1, 0, 0, 1}, c);
                        Node in = Node.input(1, 8, 8);
                        Node x = new Conv2D(4, 3).activation(Activation.RELU).apply(in);
                        x = new Dense(1).activation(Activation.SIGMOID).apply(new Flatten().apply(new MaxPool2D().apply(x)));
                        float[] p = new Model(in, x).initialize(1).predict(new float[64], 1);
                        System.out.println(java.util.Arrays.toString(c) + " " + p.length + " "
                                + Kernels.selection().implementation() + " " + Main.class.getModule().getName());
                    }
                }
                """);
        Path classes = dir.resolve("classes");
        Compilation ok = javac(modulePath, classes, src);
        assertEquals(0, ok.code, ok.output);

        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--module-path",
                modulePath + File.pathSeparator + classes, "-m", "consumer/consumer.Main")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("[1.0, 2.0, 3.0, 4.0] 1 panama consumer"), out);

        write(src.resolve("consumer/Main.java"), """
                package consumer;

                public class Main {
                    Object internal = new dev.isthmus.kernels.gemm.ScalarGemm[0];
                }
                """);
        Compilation refused = javac(modulePath, dir.resolve("classes2"), src);
        assertNotEquals(0, refused.code, "an internal package must not be visible: " + refused.output);
        assertTrue(refused.output.contains("package dev.isthmus.kernels.gemm is not visible"), refused.output);
    }

    /** The kernels, the library and the modules it requires (Jackson, jHDF), as this test run has them. */
    private static String libraryModulePath() {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String path = e.replace('\\', '/');
            boolean kernels = path.contains("isthmus-kernels/target/classes") || path.matches(".*/isthmus-kernels-[^/]*\\.jar");
            boolean library = path.endsWith("/isthmus/target/classes") || path.matches(".*/isthmus-[0-9][^/]*\\.jar");
            if (kernels || library || path.contains("/jackson-") || path.contains("/jhdf-")) {
                entries.add(e);
            }
        }
        assertTrue(entries.size() >= 4, "the kernels, the library and Jackson on the test class path: " + entries);
        return String.join(File.pathSeparator, entries);
    }

    private record Compilation(int code, String output) {}

    private static Compilation javac(String modulePath, Path out, Path moduleSource) throws IOException {
        List<String> args = new ArrayList<>(List.of("--module-path", modulePath, "-d", out.toString()));
        try (var files = Files.walk(moduleSource)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(text, true, StandardCharsets.UTF_8);
        int code = ToolProvider.findFirst("javac").orElseThrow().run(print, print, args.toArray(String[]::new));
        return new Compilation(code, text.toString(StandardCharsets.UTF_8));
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
