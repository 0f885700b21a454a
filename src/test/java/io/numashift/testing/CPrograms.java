package io.numashift.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.opentest4j.TestAbortedException;

/** The tests' C programs ({@code src/test/c/}), built with gcc into {@code target/test-c/} when their source is newer. */
public final class CPrograms {
    private CPrograms() {}

    /**
     * Builds {@code src/test/c/<name>.c} into {@code target/test-c/<name>} unless that is up to date.
     * Aborts the test when the machine has no gcc (CI has it).
     *
     * @param flags gcc flags besides {@code -O2 -Wall -Werror}
     * @return the binary
     */
    public static synchronized Path build(String name, String... flags) {
        Path source = Path.of("src/test/c", name + ".c");
        Path binary = Path.of("target/test-c", name);
        try {
            if (Files.exists(binary)
                    && Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(source)) >= 0) {
                return binary;
            }
            Files.createDirectories(binary.getParent());
            List<String> command = new ArrayList<>(List.of("gcc", "-O2", "-Wall", "-Werror"));
            command.addAll(List.of(flags));
            command.addAll(List.of("-o", binary.toString(), source.toString()));
            Process gcc;
            try {
                gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new TestAbortedException("gcc is not installed: the test needs it to build " + source);
            }
            String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (gcc.waitFor() != 0) {
                throw new IllegalStateException("gcc failed on " + source + ":\n" + output);
            }
            return binary;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
