package io.numashift.linux;

import io.numashift.core.backend.BackendException;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.MemoryBlocks;
import io.numashift.core.backend.MemoryState;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A node's memory blocks going offline and online ({@code /sys/devices/system/memory}): each block
 * {@code memoryM} that {@code /sys/devices/system/node/nodeN} lists has a {@code state} file, to
 * which {@code offline}, {@code online_movable} or {@code online} is written. Needs {@code
 * CAP_SYS_ADMIN}.
 *
 * <p>Taking a block offline makes the kernel move every page off it first, and it keeps trying
 * until the writer gets a fatal signal: a page held by someone (in flight in I/O, in a pipe) would
 * block the write for ever. So each write runs in a child process, {@code timeout -s KILL}: past
 * the timeout the child is killed, the kernel gives up and leaves the block online, and the block
 * counts as busy.
 */
final class MemoryHotplug {
    /** What {@code timeout} exits with when it had to kill the writer. */
    private static final int KILLED = 128 + 9;

    private final Path nodes;
    private final Path blocks;
    private volatile Duration timeout = Duration.ofSeconds(60);

    MemoryHotplug(Path nodes, Path blocks) {
        this.nodes = nodes;
        this.blocks = blocks;
    }

    void timeout(Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("the offline timeout must be positive, not " + value);
        }
        timeout = value;
    }

    /**
     * Writes the state to every block of the node that is not in it yet, block by block, and says
     * how many are in it now and what the kernel said of the first block that refused.
     */
    MemoryBlocks set(int node, MemoryState state) {
        Path dir = nodes.resolve("node" + node);
        if (!Files.isDirectory(dir)) {
            throw new BackendException(Errno.ENODEV, "no node " + node);
        }
        List<Path> states;
        try (var entries = Files.list(dir)) {
            states = entries.map(p -> p.getFileName().toString())
                    .filter(name -> name.matches("memory[0-9]+"))
                    .sorted()
                    .map(name -> blocks.resolve(name).resolve("state"))
                    .toList();
        } catch (IOException e) {
            throw new BackendException(
                    Errno.EACCES, "cannot list the memory blocks of node " + node + ": " + e.getMessage());
        }
        String wanted = state == MemoryState.OFFLINE ? "offline" : "online";
        int inState = 0;
        Errno errno = null;
        String message = null;
        for (Path file : states) {
            Refusal refusal = inState(file, wanted) ? null : write(file, state);
            if (refusal == null) {
                inState++;
            } else if (errno == null) {
                errno = refusal.errno();
                message = file.getParent().getFileName() + ": " + refusal.message();
            }
        }
        return new MemoryBlocks(node, state, states.size(), inState, errno, message);
    }

    private static boolean inState(Path file, String wanted) {
        try {
            return Files.readString(file).strip().equals(wanted);
        } catch (IOException e) {
            return false;
        }
    }

    /** Why the kernel refused a block's state. */
    private record Refusal(Errno errno, String message) {}

    /** Writes the state; online as movable where the kernel allows it, so that it can go offline again. */
    private @Nullable Refusal write(Path file, MemoryState state) {
        if (state == MemoryState.OFFLINE) {
            return write(file, "offline");
        }
        Refusal movable = write(file, "online_movable");
        return movable == null ? null : write(file, "online");
    }

    private @Nullable Refusal write(Path file, String value) {
        long seconds = Math.max(1, timeout.toSeconds());
        ProcessBuilder builder = new ProcessBuilder(
                        "timeout", "-s", "KILL", Long.toString(seconds), "tee", file.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        try {
            Process tee = builder.start();
            try (OutputStream in = tee.getOutputStream()) {
                in.write(value.getBytes(StandardCharsets.US_ASCII));
            }
            String said = new String(tee.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!tee.waitFor(seconds + 10, TimeUnit.SECONDS)) {
                tee.destroyForcibly();
            }
            int exit = tee.exitValue();
            if (exit == 0) {
                return null;
            }
            if (exit == KILLED) {
                return new Refusal(Errno.EBUSY, "the kernel could not move every page off it within " + seconds + " s");
            }
            return new Refusal(errnoOf(said), said.isEmpty() ? "refused (exit " + exit + ")" : said);
        } catch (IOException e) {
            return new Refusal(Errno.EOPNOTSUPP, "cannot run timeout and tee: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Refusal(Errno.EBUSY, "interrupted");
        }
    }

    /** The errno of what {@code tee} said (the C library's words for it). */
    private static Errno errnoOf(String said) {
        if (said.contains("busy")) {
            return Errno.EBUSY;
        }
        if (said.contains("not permitted")) {
            return Errno.EPERM;
        }
        if (said.contains("Permission denied") || said.contains("Read-only")) {
            return Errno.EACCES;
        }
        if (said.contains("No such")) {
            return Errno.ENODEV;
        }
        return Errno.EINVAL;
    }
}
