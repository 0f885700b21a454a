package io.numashift.linux;

import io.numashift.testing.CPrograms;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real child process with known memory, run from {@code src/test/c/touch_memory.c} (compiled
 * into {@code target/} with gcc on first use): {@value #ANON_PAGES} private anonymous pages of
 * which all but each fourth are touched, {@value #SHARED_PAGES} pages of anonymous shared memory,
 * and {@value #FILE_PAGES} pages of a file on tmpfs ({@code /dev/shm}) mapped shared, whose
 * attribute {@code user.numashift.migrate} is {@code none}. The child checks its own memory on
 * request.
 */
public final class TouchedMemoryChild implements AutoCloseable {
    static final int ANON_PAGES = 64;
    static final int SHARED_PAGES = 16;
    static final int FILE_PAGES = 8;

    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final Path file;
    final int pageSize;
    final long anonStart;
    final long sharedStart;
    final long fileStart;

    private TouchedMemoryChild(Process process, Path file) throws IOException {
        this.process = process;
        this.file = file;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        this.in = process.outputWriter(StandardCharsets.US_ASCII);
        Map<String, Long> values = new HashMap<>();
        for (String line = out.readLine(); !"ready".equals(line); line = out.readLine()) {
            if (line == null) {
                throw new IOException("the child exited before it was ready: "
                        + new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            String[] parts = line.split(" ");
            values.put(parts[0], Long.parseUnsignedLong(parts[1]));
        }
        this.pageSize = values.get("pagesize").intValue();
        this.anonStart = values.get("anon");
        this.sharedStart = values.get("shared");
        this.fileStart = values.get("file");
    }

    /** Starts a child; skips the test when the machine has no gcc (CI has it). */
    public static TouchedMemoryChild start() throws IOException, InterruptedException {
        Path binary = CPrograms.build("touch_memory");
        Path file = Files.createTempFile(Path.of("/dev/shm"), "numashift-test-", ".bin");
        try {
            // Long enough for FILE_PAGES pages of up to 64 KiB.
            Files.write(file, new byte[FILE_PAGES * 65536]);
            UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
            view.write(LinuxBackend.MIGRATE_ATTRIBUTE, ByteBuffer.wrap("none".getBytes(StandardCharsets.UTF_8)));
            Process process = new ProcessBuilder(binary.toAbsolutePath().toString(), file.toString()).start();
            return new TouchedMemoryChild(process, file);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** Whether private page {@code page} was touched. */
    static boolean touched(long page) {
        return page % 4 != 3;
    }

    static long touchedCount() {
        return ANON_PAGES - ANON_PAGES / 4;
    }

    public int pid() {
        return (int) process.pid();
    }

    Path file() {
        return file;
    }

    /** Asks the child to check every page it wrote: {@code OK} or {@code BAD region page}. */
    public String verify() {
        return ask("verify");
    }

    /** Asks the child to change private page {@code page}. */
    void poke(int page) {
        ask("poke " + page);
    }

    private String ask(String command) {
        try {
            in.write(command + "\n");
            in.flush();
            return out.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends the child and waits until it is gone (reaped). */
    void exit() throws InterruptedException {
        try {
            in.write("exit\n");
            in.flush();
        } catch (IOException e) {
            // Already gone.
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroyForcibly().waitFor();
        Files.deleteIfExists(file);
    }
}
