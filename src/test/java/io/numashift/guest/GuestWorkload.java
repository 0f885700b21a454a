package io.numashift.guest;

import static org.awaitility.Awaitility.await;

import io.numashift.testing.CPrograms;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A real process in a {@link NumaGuest}, run from {@code src/test/c/numa_workload.c} (built with
 * gcc on this machine, statically, and run from a copy in the guest's own {@code /tmp}): private, shared and file-backed
 * memory written with a known pattern, an optional process that shares the shared pages, and an
 * optional thread that keeps allocating. {@link #report()} has it check its own memory and tell
 * the node of each of its pages, as {@code move_pages(2)} tells the process itself.
 */
public final class GuestWorkload implements AutoCloseable {

    private final NumaGuest guest;
    private final Path dir;
    private final int pid;
    private final Map<String, Region> regions = new HashMap<>();
    private int sharerPid;
    private int reports;

    /** A region of the workload's memory. */
    public record Region(long start, long pages) {}

    /**
     * What the workload said of itself.
     *
     * @param verify {@code OK} when every written page holds its pattern
     * @param grown pages the growing thread has written so far
     * @param touched pages the touching threads ({@code --touch CPU}) have read so far
     * @param nodes per region, the node of each page ({@code -2}: never touched)
     */
    public record Report(String verify, long grown, long touched, Map<String, int[]> nodes) {
        public int[] nodes(String region) {
            int[] of = nodes.get(region);
            if (of == null) {
                throw new IllegalArgumentException("no region " + region + " in the report");
            }
            return of;
        }
    }

    private GuestWorkload(NumaGuest guest, Path dir, int pid) {
        this.guest = guest;
        this.dir = dir;
        this.pid = pid;
    }

    /**
     * Starts a workload in the guest under {@code numactl} with these placement options (for
     * example {@code --membind=0}), and waits until its memory is written.
     *
     * @param name its folder in the guest's work folder
     * @param numactl options of {@code numactl}, which sets where its pages go first
     * @param args the workload's arguments ({@code --private 4096 …})
     */
    public static GuestWorkload start(NumaGuest guest, String name, String numactl, String... args) {
        Path built = CPrograms.build("numa_workload", "-pthread", "-static");
        Path dir = guest.work().resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // A static binary on the guest's own tmpfs, written on node 0: the process maps no file of
        // the shared root, whose page cache the guest's virtiofs drops and reads again.
        String binary = "/tmp/numa_workload-" + name;
        String pid = guest.run("numactl --membind=0 cp " + built.toAbsolutePath() + " " + binary
                        + " || exit 1\nsetsid numactl " + numactl + " " + binary + " " + dir + " "
                        + String.join(" ", args)
                        + " > " + dir.resolve("output") + " 2>&1 < /dev/null & echo $!")
                .ok()
                .strip();
        GuestWorkload workload = new GuestWorkload(guest, dir, Integer.parseInt(pid));
        workload.awaitLayout();
        return workload;
    }

    private void awaitLayout() {
        Path layout = dir.resolve("layout");
        await("workload " + dir.getFileName() + " ready")
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (guest.run("kill -0 " + pid).status() != 0) {
                        throw new AssertionError("the workload exited: " + read(dir.resolve("output")));
                    }
                    return Files.exists(layout) && read(layout).contains("ready");
                });
        for (String line : read(layout).lines().toList()) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "private", "shared", "file" ->
                    regions.put(f[0], new Region(Long.parseUnsignedLong(f[1]), Long.parseLong(f[2])));
                case "sharer" -> sharerPid = Integer.parseInt(f[1]);
                default -> {}
            }
        }
    }

    public int pid() {
        return pid;
    }

    /** The process that shares the shared pages ({@code --sharer}), outside any job. */
    public int sharerPid() {
        return sharerPid;
    }

    public Region region(String name) {
        Region region = regions.get(name);
        if (region == null) {
            throw new IllegalArgumentException("the workload has no region " + name);
        }
        return region;
    }

    /** Starts the growing thread ({@code --grow}). */
    public void grow() {
        guest.run("kill -USR2 " + pid).ok();
    }

    /** The state letter of {@code /proc/<pid>/stat}: {@code S}, {@code R}, {@code T} (stopped)... */
    public String state() {
        String stat = guest.run("cat /proc/" + pid + "/stat").ok();
        return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    }

    /** Has the workload check its memory and tell where each page is. */
    public Report report() {
        int k = ++reports;
        guest.run("kill -USR1 " + pid).ok();
        Path file = dir.resolve("report-" + k);
        await("report " + k + " of workload " + dir.getFileName())
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> Files.exists(file));
        String verify = "";
        long grown = 0;
        long touched = 0;
        Map<String, int[]> nodes = new HashMap<>();
        for (String line : read(file).lines().toList()) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "verify" -> verify = String.join(" ", Arrays.copyOfRange(f, 1, f.length));
                case "grown" -> grown = Long.parseLong(f[1]);
                case "touched" -> touched = Long.parseLong(f[1]);
                case "nodes" -> nodes.put(f[1], expand(Arrays.copyOfRange(f, 2, f.length)));
                default -> throw new IllegalStateException("unexpected report line: " + line);
            }
        }
        return new Report(verify, grown, touched, nodes);
    }

    /** Runs {@code NODE*COUNT} as one node per page. */
    private static int[] expand(String[] runs) {
        int total = 0;
        for (String run : runs) {
            total += Integer.parseInt(run.substring(run.indexOf('*') + 1));
        }
        int[] nodes = new int[total];
        int at = 0;
        for (String run : runs) {
            int star = run.indexOf('*');
            int node = Integer.parseInt(run.substring(0, star));
            int count = Integer.parseInt(run.substring(star + 1));
            Arrays.fill(nodes, at, at + count, node);
            at += count;
        }
        return nodes;
    }

    /** Pages per node in this process's {@code /proc/<pid>/numa_maps}. */
    public GuestNumaMaps numaMaps() {
        return GuestNumaMaps.parse(guest.run("cat /proc/" + pid + "/numa_maps").ok());
    }

    @Override
    public void close() {
        // The sharer dies with it (PR_SET_PDEATHSIG).
        guest.run("kill -9 " + pid + "; while kill -0 " + pid + " 2>/dev/null; do sleep 0.05; done");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
