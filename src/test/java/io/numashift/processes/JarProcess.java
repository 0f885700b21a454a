package io.numashift.processes;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar running as a JVM of its own, as operators run it: a service or an agent. Its
 * output goes to {@code target/process-logs/<name>.log}, kept after the test for diagnosis.
 * {@link #kill()} is SIGKILL, {@link #terminate()} SIGTERM.
 */
public final class JarProcess implements AutoCloseable {
    private static final Path LOGS = Path.of("target", "process-logs");

    private final String name;
    private final List<String> command;
    private final Path log;
    private Process process;

    private JarProcess(String name, List<String> command) {
        this.name = name;
        this.command = List.copyOf(command);
        this.log = LOGS.resolve(name + ".log");
        this.process = launch(false);
    }

    /** Starts {@code java -jar numashift.jar args…} with small-machine JVM options. */
    public static JarProcess start(String name, List<String> args) {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx384m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                // No --enable-native-access: the jar's manifest grants it, as for operators.
                "-jar",
                jar().toString()));
        command.addAll(args);
        return new JarProcess(name, command);
    }

    /** The jar that {@code ./mvnw verify} packaged before the integration tests. */
    public static Path jar() {
        String configured = System.getProperty("numashift.jar");
        Path jar = configured != null ? Path.of(configured) : Path.of("target", "numashift-0.1.0-SNAPSHOT.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    "no packaged jar at " + jar + ": these tests run from `./mvnw verify`, after the package phase");
        }
        return jar;
    }

    /** Starts the same command again (after a kill), appending to the same log. */
    void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        process = launch(true);
    }

    private Process launch(boolean append) {
        try {
            Files.createDirectories(LOGS);
            if (!append) {
                Files.deleteIfExists(log);
            }
            return new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    String name() {
        return name;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
    }

    /** SIGTERM; the process shuts down on its own. */
    void terminate() {
        process.destroy();
    }

    /** Waits for the process to end and answers its exit status. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " still runs after " + timeout);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Everything the process printed so far. */
    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Appends a dump of the process's threads (virtual ones included) to its log, for a test that
     * gives up waiting on it; the log is named in the returned text.
     */
    public String dumpThreads() {
        try {
            Path dump = Files.createTempFile("numashift-threads", ".txt");
            Files.delete(dump);
            new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "jcmd")
                                    .toString(),
                            Long.toString(process.pid()),
                            "Thread.dump_to_file",
                            "-format=text",
                            dump.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor(30, TimeUnit.SECONDS);
            if (Files.exists(dump)) {
                Files.writeString(
                        log,
                        "\n---- threads ----\n" + Files.readString(dump),
                        StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.APPEND);
                Files.delete(dump);
            }
            return "threads dumped to " + log;
        } catch (IOException e) {
            return "no thread dump: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no thread dump: interrupted";
        }
    }

    /** Waits until the process has printed {@code text}. */
    void awaitOutput(String text, Duration timeout) {
        await(name + " prints '" + text + "'").atMost(timeout).until(() -> output().contains(text));
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", log " + log + ")";
    }
}
