package dev.isthmus.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * Every kernel the JIT tries to compile compiles. A method too large for C1's register allocator
 * ({@code COMPILE SKIPPED: out of virtual registers in linear scan}) is never profiled, so C2
 * may never compile it either: it then runs for the whole run in the interpreter or in C1's
 * code, where the Vector API's calls are not intrinsics. Correct, and 45 times slower: SGEMM's
 * in-place tile, unrolled four steps of k, took ResNet's 1x1 projection from 0.22 to 10 ms
 * (benchmarks/README.md). No other test can see that. This one runs
 * {@link KernelWorkout} in a JVM of its own under {@code -XX:+PrintCompilation}, once on this
 * machine's widest vectors and, on an x86 with AVX-512, once more on its AVX2 code, and fails on
 * any compilation of Isthmus's code that the JIT skipped. That the workout was hot enough to
 * mean something is checked too: SGEMM's register tiles, packed and in place, reach C2.
 */
class KernelCompilationTest {

    @Test
    void everyKernelCompiles() throws Exception {
        List<List<String>> isas = new ArrayList<>();
        isas.add(List.of());
        boolean x86 = List.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
        if (x86 && FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512) { // UseAVX is an x86 option
            isas.add(List.of("-XX:UseAVX=2"));
        }
        for (List<String> isa : isas) {
            List<String> log = workout(isa);
            String where = isa.isEmpty() ? "on this machine's vectors" : "under " + isa;
            List<String> skipped = log.stream()
                    .filter(l -> l.contains("dev.isthmus.") && l.contains("COMPILE SKIPPED")
                            && !l.contains("concurrent class loading")) // retried once the class is loaded
                    .toList();
            assertEquals(List.of(), skipped, "compilations the JIT skipped " + where
                    + " (C2 may never compile such a method)");
            for (String tile : List.of("::packed", "::inPlace")) {
                assertTrue(log.stream().anyMatch(l -> atC2(l, tile)),
                        "SGEMM's register tile " + tile + " never reached C2 " + where + ": the workout is too short");
            }
        }
    }

    /** A PrintCompilation line of tier 4 (C2) for a {@code dev.isthmus.kernels.gemm.Tile*} method ending in {@code name}. */
    private static boolean atC2(String line, String name) {
        String[] f = line.trim().split("\\s+");
        for (int i = 1; i < f.length; i++) {
            if (f[i].startsWith("dev.isthmus.kernels.gemm.Tile") && f[i].endsWith(name)) {
                return f[i - 1].equals("4");
            }
        }
        return false;
    }

    private static List<String> workout(List<String> options) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString(); // this JVM's own
        List<String> command = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-XX:+PrintCompilation"));
        command.addAll(options);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), KernelWorkout.class.getName(), "0.4"));
        // stdout holds the JIT's log alone; the workout's own output and any failure go to stderr
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the workout did not end");
        assertEquals(0, p.exitValue(), "the workout failed " + options + " (its stack trace is on the test's stderr)");
        return new String(out, StandardCharsets.UTF_8).lines().toList();
    }
}
