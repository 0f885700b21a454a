package io.numashift.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Commands of this machine that tests run (podman, Slurm's): their output, or an error that shows it. */
public final class Commands {
    private Commands() {}

    /** Runs a command to its end; its output, or an error with its exit status and output. */
    public static String run(Map<String, String> env, Duration timeout, String... command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            Path out = Files.createTempFile("numashift-containers", ".out");
            builder.redirectOutput(out.toFile());
            Process process = builder.start();
            boolean done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                process.destroyForcibly();
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            Files.deleteIfExists(out);
            if (!done || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed ("
                        + (done ? "exit " + process.exitValue() : "still running after " + timeout) + "):\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
