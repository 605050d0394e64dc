package dev.isthmus.spark.examples;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * A Spark standalone cluster on this machine, from the jars Maven fetched: a Master and
 * {@code workers} Workers, each its own JVM bound to 127.0.0.1, as these commands start them
 * ({@code SPARK_HOME} holding Spark's jars in {@code jars/}, as {@code target/spark-home} does):
 * <pre>
 *   java @java-options -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.master.Master \
 *       --host 127.0.0.1 --port 7077 --webui-port 8080 --properties-file master.properties
 *   SPARK_HOME=... SPARK_SCALA_VERSION=2.13 java @java-options -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.worker.Worker \
 *       --host 127.0.0.1 --cores 1 --memory 1g --work-dir work/worker-1 spark://127.0.0.1:7077
 * </pre>
 * A Worker launches each executor as a JVM of its own, with the Worker's JDK. {@link #close}
 * stops the executors, the Workers and the Master.
 *
 * <p>Run as a program it starts a cluster and waits until killed:
 * {@code LocalCluster <spark-home> <work-dir> [workers] [cores per worker] [memory per worker]}.
 */
public final class LocalCluster implements AutoCloseable {

    private static final Pattern ALIVE_WORKERS = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");

    private final Process master;
    private final List<Process> workers;
    private final String url;

    private LocalCluster(Process master, List<Process> workers, String url) {
        this.master = master;
        this.workers = workers;
        this.url = url;
    }

    /**
     * Starts the Master and the Workers and waits until every Worker has registered.
     *
     * @param sparkHome a folder whose {@code jars/} holds Spark's jars
     * @param workDir   where the processes log ({@code master.log}, {@code worker-N.log}) and the
     *                  Workers keep their executors' folders
     * @throws IOException if a process cannot start or the Workers do not register in time (the
     *                     message points at the logs)
     */
    public static LocalCluster start(Path sparkHome, Path workDir, int workers, int cores, String memory)
            throws IOException, InterruptedException {
        if (!Files.isDirectory(sparkHome.resolve("jars"))) {
            throw new IOException(sparkHome + " has no jars/ folder; build it with ./mvnw -pl isthmus-spark -am package"
                    + " -DskipTests (target/spark-home)");
        }
        Files.createDirectories(workDir);
        int port = freePort(), webUi = freePort();
        String url = "spark://127.0.0.1:" + port;
        String classpath = sparkHome.toAbsolutePath().resolve("jars") + "/*";
        Process master = launch(sparkHome, workDir.resolve("master.log"), classpath, "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--webui-port", Integer.toString(webUi),
                "--properties-file", properties(workDir).toString());
        List<Process> started = new ArrayList<>();
        LocalCluster cluster = new LocalCluster(master, started, url);
        try {
            for (int w = 1; w <= workers; w++) {
                Path dir = workDir.resolve("worker-" + w);
                Files.createDirectories(dir);
                started.add(launch(sparkHome, workDir.resolve("worker-" + w + ".log"), classpath,
                        "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--port", "0", "--webui-port", "0",
                        "--cores", Integer.toString(cores), "--memory", memory, "--work-dir", dir.toAbsolutePath().toString(),
                        url));
            }
            cluster.awaitWorkers(webUi, workers, workDir, Duration.ofMinutes(3));
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The master's URL, {@code spark://127.0.0.1:<port>}. */
    public String url() {
        return url;
    }

    /**
     * The executor JVMs the Workers have launched and that are running now: a Worker's only child
     * processes. (Their command lines are too long to read back whole.)
     */
    public List<ProcessHandle> executors() {
        List<ProcessHandle> executors = new ArrayList<>();
        for (Process w : workers) {
            w.children().filter(ProcessHandle::isAlive).forEach(executors::add);
        }
        return executors;
    }

    private void awaitWorkers(int webUi, int count, Path workDir, Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webUi + "/json/"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        int alive = 0;
        while (System.nanoTime() < deadline) {
            if (!master.isAlive()) {
                throw new IOException("the Spark master exited with " + master.exitValue() + "; see " + workDir.resolve("master.log")
                        + tail(workDir.resolve("master.log")));
            }
            for (int w = 0; w < workers.size(); w++) {
                if (!workers.get(w).isAlive()) {
                    throw new IOException("Spark worker " + (w + 1) + " exited with " + workers.get(w).exitValue() + "; see "
                            + workDir.resolve("worker-" + (w + 1) + ".log") + tail(workDir.resolve("worker-" + (w + 1) + ".log")));
                }
            }
            try {
                Matcher m = ALIVE_WORKERS.matcher(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
                if (m.find() && (alive = Integer.parseInt(m.group(1))) >= count) {
                    return;
                }
            } catch (IOException notUpYet) {
                // the master's web UI is not listening yet
            }
            Thread.sleep(250);
        }
        throw new IOException(alive + " of " + count + " Spark workers registered in " + timeout.toSeconds() + " s; see the"
                + " logs in " + workDir);
    }

    /** The last lines of a log that explain an exit (a CI run keeps only the message, not the file). */
    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return ", which ends:" + System.lineSeparator()
                    + String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException | RuntimeException unreadable) {
            return "";
        }
    }

    private static Process launch(Path sparkHome, Path log, String classpath, String mainClass, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(Arrays.asList(JavaModuleOptions.defaultModuleOptions().split(" ")));
        command.addAll(List.of("-Xmx512m", "-cp", classpath, mainClass));
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        env.put("SPARK_HOME", sparkHome.toAbsolutePath().toString());
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_SCALA_VERSION", "2.13"); // else the launcher looks for a source build's folders
        // The Workers launch their executors with this JDK (JAVA_HOME first, else their own).
        env.put("JAVA_HOME", System.getProperty("java.home"));
        return builder.start();
    }

    /** The Master's REST submission server would take the fixed port 6066: off. */
    private static Path properties(Path workDir) throws IOException {
        Path file = workDir.resolve("master.properties");
        Files.writeString(file, "spark.master.rest.enabled false\n");
        return file.toAbsolutePath();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops the executors, the Workers and the Master, and waits for them. */
    @Override
    public void close() {
        List<ProcessHandle> all = new ArrayList<>();
        for (Process w : workers) {
            w.descendants().forEach(all::add);
            all.add(w.toHandle());
        }
        master.descendants().forEach(all::add);
        all.add(master.toHandle());
        for (ProcessHandle p : all) {
            p.destroy();
        }
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception stillRunning) {
                p.destroyForcibly();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: LocalCluster <spark-home> <work-dir> [workers=2] [cores per worker=1] [memory=2g]");
            System.exit(2);
        }
        int workers = args.length > 2 ? Integer.parseInt(args[2]) : 2, cores = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        String memory = args.length > 4 ? args[4] : "2g";
        LocalCluster cluster = start(Path.of(args[0]), Path.of(args[1]), workers, cores, memory);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
        System.out.println(cluster.url());
        System.out.flush();
        Thread.currentThread().join();
    }
}
