package io.numashift.guest;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.opentest4j.TestAbortedException;

/**
 * A QEMU guest with several NUMA nodes, booted by {@code src/test/guest/numa-guest}, and a shell in
 * it ({@code src/test/guest/serve-requests} on the guest's channel): {@link #run} runs a bash script
 * in the guest and answers its exit status and output. The guest sees this machine's root file
 * system read-only, so the build and the JDK are at the same paths, and {@link #work()} is shared
 * writable at the same path on both sides.
 *
 * <p>Where no guest can run (no QEMU, and no root to install it), {@link #boot} aborts the test
 * with the script's message, so that it is reported as skipped; with {@code
 * NUMASHIFT_REQUIRE_GUEST=true} (as {@code .ci/run} sets) it fails instead.
 */
public final class NumaGuest implements AutoCloseable {
    static final Path SCRIPT = Path.of("src/test/guest/numa-guest");
    private static final Path SERVER = Path.of("src/test/guest/serve-requests");
    private static final int CANNOT_RUN = 3;
    private static final Duration BOOT = Duration.ofMinutes(2);

    private final Process process;
    private final Path work;
    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;
    private int requests;

    /**
     * The machine.
     *
     * @param nodes the number of NUMA nodes
     * @param memMiB each node's memory
     * @param distances rows of the distance table, {@code "10,20;20,10"}, or empty for 10 and 20
     * @param cgroup the cgroup version of the guest's cpusets: 1 (the {@code cpuset} controller at
     *     {@code /sys/fs/cgroup/cpuset}) or 2 (the unified hierarchy at {@code /sys/fs/cgroup})
     * @param forwards ports of this machine's loopback that the guest reaches at {@code
     *     $NUMA_GUEST_HOST}
     * @param movableLast whether the last node's memory is a DIMM hot-plugged at boot and onlined
     *     as movable (numa-guest {@code --movable-last}): every block of it can go offline
     */
    public record Spec(
            int nodes,
            List<Integer> memMiB,
            String distances,
            int cgroup,
            List<Integer> forwards,
            boolean movableLast) {
        public Spec {
            memMiB = List.copyOf(memMiB);
            forwards = List.copyOf(forwards);
        }

        /** A guest whose nodes all have their memory at boot. */
        public Spec(int nodes, List<Integer> memMiB, String distances, int cgroup, List<Integer> forwards) {
            this(nodes, memMiB, distances, cgroup, forwards, false);
        }

        /** The same guest, forwarding these ports. */
        public Spec withForwards(List<Integer> value) {
            return new Spec(nodes, memMiB, distances, cgroup, value, movableLast);
        }
    }

    /** What a script did in the guest. */
    public record Reply(int status, String out, String err) {
        /** Its output, or an assertion error with everything it printed when it failed. */
        public String ok() {
            if (status != 0) {
                throw new AssertionError("guest script exited " + status + ":\n" + out + err);
            }
            return out;
        }
    }

    private NumaGuest(Process process, Path work, SocketChannel channel) {
        this.process = process;
        this.work = work;
        this.channel = channel;
        this.in = new BufferedInputStream(Channels.newInputStream(channel));
        this.out = Channels.newOutputStream(channel);
    }

    /**
     * Boots a guest whose work folder is {@code target/guest/<name>} (made anew), and waits until
     * its shell answers.
     */
    public static NumaGuest boot(String name, Spec spec) throws IOException, InterruptedException {
        prepare();
        Path work = Path.of("target", "guest", name).toAbsolutePath();
        deleteRecursively(work);
        Files.createDirectories(work);
        // A socket path must stay short (108 bytes), whatever the checkout's path.
        Path socketDir = Files.createTempDirectory("numa-guest");
        Path socket = socketDir.resolve("channel.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        List<String> command = new ArrayList<>(List.of(
                SCRIPT.toString(),
                "--nodes",
                Integer.toString(spec.nodes()),
                "--mem",
                spec.memMiB().stream().map(String::valueOf).collect(Collectors.joining(","))));
        if (!spec.distances().isEmpty()) {
            command.addAll(List.of("--distances", spec.distances()));
        }
        command.addAll(List.of("--cgroup", Integer.toString(spec.cgroup())));
        if (spec.movableLast()) {
            command.add("--movable-last");
        }
        for (int port : spec.forwards()) {
            command.addAll(List.of("--forward", Integer.toString(port)));
        }
        command.addAll(List.of("--channel", socket.toString(), "--work", work.toString(), "--timeout", "1500"));
        command.addAll(List.of("--", SERVER.toAbsolutePath().toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("numa-guest.log").toFile())
                .start();
        server.configureBlocking(false);
        long deadline = System.nanoTime() + BOOT.toNanos();
        SocketChannel channel = null;
        while (channel == null) {
            channel = server.accept();
            if (channel == null) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroy();
                    throw new AssertionError(
                            "the guest did not connect: " + Files.readString(work.resolve("numa-guest.log")));
                }
                Thread.sleep(20);
            }
        }
        server.close();
        Files.deleteIfExists(socket);
        Files.deleteIfExists(socketDir);
        channel.configureBlocking(true);
        NumaGuest guest = new NumaGuest(process, work, channel);
        guest.run("true").ok();
        return guest;
    }

    /** Installs and fetches what a guest needs; aborts the test when no guest can run here. */
    static void prepare() throws IOException, InterruptedException {
        Process prepare = new ProcessBuilder(SCRIPT.toString(), "--prepare")
                .redirectErrorStream(true)
                .start();
        String output = new String(prepare.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = prepare.waitFor();
        if (status == CANNOT_RUN) {
            String message = output.strip() + " (the multi-node tests need QEMU; see " + SCRIPT + ")";
            if ("true".equals(System.getenv("NUMASHIFT_REQUIRE_GUEST"))) {
                throw new AssertionError(message);
            }
            throw new TestAbortedException(message);
        }
        if (status != 0) {
            throw new AssertionError(SCRIPT + " --prepare exited " + status + ":\n" + output);
        }
    }

    /** The folder shared writable with the guest, at the same path in it. */
    public Path work() {
        return work;
    }

    /** Runs a bash script in the guest, in this machine's working directory, and waits for it. */
    public synchronized Reply run(String script) {
        try {
            int id = ++requests;
            byte[] body = script.getBytes(StandardCharsets.UTF_8);
            out.write((id + " " + body.length + "\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String[] header = readLine().split(" ");
            if (header.length != 4 || Integer.parseInt(header[0]) != id) {
                throw new IllegalStateException("unexpected reply from the guest: " + String.join(" ", header));
            }
            String stdout = new String(in.readNBytes(Integer.parseInt(header[2])), StandardCharsets.UTF_8);
            String stderr = new String(in.readNBytes(Integer.parseInt(header[3])), StandardCharsets.UTF_8);
            return new Reply(Integer.parseInt(header[1]), stdout, stderr);
        } catch (IOException e) {
            throw new UncheckedIOException("the guest's channel broke; see " + work.resolve(".guest/console.log"), e);
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the guest closed its channel");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** Ends the shell, and with it the guest; kills the guest when it does not end by itself. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            out.write(((requests + 1) + " exit\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // Already gone.
        }
        channel.close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroy();
            process.waitFor(15, TimeUnit.SECONDS);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path :
                    paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(path);
            }
        }
    }
}
