package io.numashift.benchmarks;

import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationRequest;
import io.numashift.core.MigrationResult;
import io.numashift.core.MigrationStatus;
import io.numashift.core.Verify;
import io.numashift.core.backend.NumaBackend;
import io.numashift.linux.LinuxBackend;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * numashift's Linux backend against its peers, on the same process, run inside a multi-node guest
 * (see {@code docs/benchmarks.md}): a workload ({@code src/test/c/numa_workload.c}, built
 * statically) writes its private pages on node 0; each round moves them 0 → 1 once with each
 * contender, in an order that turns from round to round, and puts them back on node 0 with
 * {@code migratepages PID 1 0} (untimed) between runs. The contenders:
 *
 * <ul>
 *   <li>numashift with {@code verify: PLACEMENT} (the default), on the backend's default lanes and
 *       on one lane, and with {@code verify: CONTENT};
 *   <li>{@code migratepages PID 0 1} from numactl; {@code migratepages PID 1 1} (no page to move)
 *       gives the fixed cost of starting the command, which the "net" figure subtracts;
 *   <li>the kernel's cpuset migration: the process sits in a v1 cpuset with {@code
 *       memory_migrate} on, and the timed step writes its {@code cpuset.mems} from {@code 0} to
 *       {@code 1}, which migrates every page before the write returns.
 * </ul>
 *
 * <p>Prints one line per run, the medians, the ratios, and where the engine's time went per backend
 * call, for each verify.
 *
 * <pre>
 * java -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED -cp … \
 *     io.numashift.benchmarks.KernelMigrationBenchmark WORKLOAD DIR PAGES ROUNDS
 * </pre>
 *
 * <p>With {@code --once VERIFY} first it makes one migration of that verify on the default lanes
 * and exits, for counting its system calls ({@code strace -f -c}).
 *
 * <p>With {@code --local} first it runs on a one-node machine (this build machine): migrations from
 * node 0 to node 0, which move nothing but scan, read back and (with {@code CONTENT}) digest every
 * page, so that the parts that need no second node are timed where C2 compiles them.
 */
public final class KernelMigrationBenchmark {
    private static final Path CPUSETS = Path.of("/sys/fs/cgroup/cpuset");

    private KernelMigrationBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args[0].equals("--local")) {
            local(Path.of(args[1]), Path.of(args[2]), Long.parseLong(args[3]), Integer.parseInt(args[4]));
            return;
        }
        Verify once = null;
        if (args[0].equals("--once")) {
            once = Verify.valueOf(args[1]);
            args = Arrays.copyOfRange(args, 2, args.length);
        }
        Path workload = Path.of(args[0]);
        Path dir = Path.of(args[1]);
        long pages = Long.parseLong(args[2]);
        int rounds = once == null ? Integer.parseInt(args[3]) : 0;
        Process process = WorkloadProcess.start(
                dir,
                List.of(
                        "numactl",
                        "--membind=0",
                        workload.toString(),
                        dir.toString(),
                        "--private",
                        Long.toString(pages)));
        try {
            if (once != null) {
                MigrationResult result = new MigrationEngine(LinuxBackend.open("bench"))
                        .migrate(MigrationRequest.of((int) process.pid(), List.of(0), List.of(1))
                                .withOptions(MigrationOptions.DEFAULTS.withVerify(once)));
                check(result);
                System.out.println("one " + once + " migration: " + result.pagesMoved() + " pages moved");
            } else {
                run((int) process.pid(), rounds);
            }
        } finally {
            process.destroyForcibly().waitFor();
        }
    }

    private static void local(Path workload, Path dir, long pages, int rounds) throws Exception {
        Process process = WorkloadProcess.start(
                dir, List.of(workload.toString(), dir.toString(), "--private", Long.toString(pages)));
        try {
            int pid = (int) process.pid();
            // Stopped, so that its memory does not change between the digests.
            new ProcessBuilder("kill", "-STOP", Integer.toString(pid)).start().waitFor();
            System.out.printf(
                    Locale.ROOT,
                    "%d CPUs, %d lanes; process %d: %d pages on node 0%n",
                    Runtime.getRuntime().availableProcessors(),
                    LinuxBackend.defaultLanes(),
                    pid,
                    WorkloadProcess.onNode(pid, 0));
            for (int lanes : List.of(1, LinuxBackend.defaultLanes())) {
                for (Verify verify : List.of(Verify.PLACEMENT, Verify.CONTENT)) {
                    Timings timings = new Timings();
                    MigrationEngine engine = new MigrationEngine(timings.around(LinuxBackend.open("bench", lanes)));
                    MigrationRequest request = MigrationRequest.of(pid, List.of(0), List.of(0))
                            .withOptions(MigrationOptions.DEFAULTS.withVerify(verify));
                    engine.migrate(request);
                    timings.reset();
                    List<Double> millis = new ArrayList<>();
                    long resident = 0;
                    for (int round = 0; round < rounds; round++) {
                        long start = System.nanoTime();
                        MigrationResult result = engine.migrate(request);
                        millis.add((System.nanoTime() - start) / 1e6);
                        resident = result.pagesScanned();
                    }
                    // Each migration takes two censuses (scan and read-back) and, with CONTENT, two digests.
                    long census = timings.nanos("census") / (2L * rounds);
                    long digest = timings.nanos("digest") / (2L * rounds);
                    System.out.printf(
                            Locale.ROOT,
                            "%d lane(s) %-9s whole %7.1f ms (median of %d); one census %6.1f ms (%5.1f M pages/s of"
                                    + " address space); one digest %6.1f ms (%5.2f M resident pages/s)%n",
                            lanes,
                            verify,
                            WorkloadProcess.median(millis),
                            rounds,
                            census / 1e6,
                            rate(pages, census) / 1e6,
                            digest / 1e6,
                            digest == 0 ? 0 : rate(resident, digest) / 1e6);
                }
            }
        } finally {
            process.destroyForcibly().waitFor();
        }
    }

    /** One way of moving the process's pages from node 0 to node 1. */
    private interface Contender {
        String name();

        /** Moves the pages, returning pages moved and nanoseconds taken (and the net nanoseconds, for a command). */
        long[] move(int pid) throws Exception;
    }

    private static void run(int pid, int rounds) throws Exception {
        int lanes = LinuxBackend.defaultLanes();
        System.out.printf(
                Locale.ROOT,
                "%d CPUs, %d lanes; process %d: %d pages on node 0%n",
                Runtime.getRuntime().availableProcessors(),
                lanes,
                pid,
                WorkloadProcess.onNode(pid, 0));
        Path cpuset = Files.createDirectories(CPUSETS.resolve("numashift-bench"));
        Files.writeString(
                cpuset.resolve("cpuset.cpus"),
                Files.readString(CPUSETS.resolve("cpuset.cpus")).strip());
        Files.writeString(cpuset.resolve("cpuset.mems"), "0-1");
        Files.writeString(cpuset.resolve("cpuset.memory_migrate"), "1");
        Files.writeString(cpuset.resolve("cgroup.procs"), Integer.toString(pid));

        Engine placement = new Engine("numashift PLACEMENT", LinuxBackend.open("bench"), Verify.PLACEMENT);
        Engine oneLane = new Engine("numashift PLACEMENT, 1 lane", LinuxBackend.open("bench", 1), Verify.PLACEMENT);
        Engine content = new Engine("numashift CONTENT", LinuxBackend.open("bench"), Verify.CONTENT);
        Contender migratepages = new Contender() {
            @Override
            public String name() {
                return "migratepages";
            }

            @Override
            public long[] move(int pid) throws Exception {
                long fixed = WorkloadProcess.migratepages(pid, 1, 1);
                long before = WorkloadProcess.onNode(pid, 0);
                long nanos = WorkloadProcess.migratepages(pid, 0, 1);
                return new long[] {before - WorkloadProcess.onNode(pid, 0), nanos, nanos - fixed};
            }
        };
        Contender cpusetMigrate = new Contender() {
            @Override
            public String name() {
                return "cpuset memory_migrate";
            }

            @Override
            public long[] move(int pid) throws Exception {
                // From mems 0-1 to 0 nothing moves (the pages are on node 0); from 0 to 1 all do.
                Files.writeString(cpuset.resolve("cpuset.mems"), "0");
                long before = WorkloadProcess.onNode(pid, 0);
                long start = System.nanoTime();
                Files.writeString(cpuset.resolve("cpuset.mems"), "1");
                long nanos = System.nanoTime() - start;
                long moved = before - WorkloadProcess.onNode(pid, 0);
                // From 1 to 0-1 nothing moves either: the kernel keeps pages on a node still allowed.
                Files.writeString(cpuset.resolve("cpuset.mems"), "0-1");
                return new long[] {moved, nanos, nanos};
            }
        };
        List<Contender> contenders = List.of(placement, oneLane, content, migratepages, cpusetMigrate);

        // One untimed run of each, so that the JIT and the page cache are warm.
        for (Contender contender : contenders) {
            contender.move(pid);
            WorkloadProcess.migratepages(pid, 1, 0);
        }
        placement.timings.reset();
        content.timings.reset();

        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, List<Double>> netRates = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (int turn = 0; turn < contenders.size(); turn++) {
                Contender contender = contenders.get((round + turn) % contenders.size());
                long[] run = contender.move(pid);
                WorkloadProcess.migratepages(pid, 1, 0);
                rates.computeIfAbsent(contender.name(), k -> new ArrayList<>()).add(rate(run[0], run[1]));
                netRates.computeIfAbsent(contender.name(), k -> new ArrayList<>())
                        .add(rate(run[0], run[2]));
                System.out.printf(
                        Locale.ROOT,
                        "round %d %-28s %7d pages in %8.1f ms: %8.0f pages/s (net %8.0f)%n",
                        round,
                        contender.name(),
                        run[0],
                        run[1] / 1e6,
                        rate(run[0], run[1]),
                        rate(run[0], run[2]));
            }
        }
        double reference = WorkloadProcess.median(netRates.get("migratepages"));
        System.out.println("medians over " + rounds + " rounds, pages/s, and against migratepages net of its start:");
        for (String name : rates.keySet()) {
            double rate = WorkloadProcess.median(rates.get(name));
            double net = WorkloadProcess.median(netRates.get(name));
            System.out.printf(Locale.ROOT, "  %-28s %8.0f (net %8.0f)  %.2fx%n", name, rate, net, net / reference);
        }
        for (Engine engine : List.of(placement, content)) {
            System.out.println("backend calls of " + engine.name + " over its " + rounds + " timed runs:");
            engine.timings.print();
        }
    }

    /** numashift's engine on the Linux backend, its backend calls timed. */
    private static final class Engine implements Contender {
        final String name;
        final Timings timings = new Timings();
        final MigrationEngine engine;
        final Verify verify;

        Engine(String name, LinuxBackend backend, Verify verify) {
            this.name = name;
            this.engine = new MigrationEngine(timings.around(backend));
            this.verify = verify;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long[] move(int pid) {
            MigrationRequest request = MigrationRequest.of(pid, List.of(0), List.of(1))
                    .withOptions(MigrationOptions.DEFAULTS.withVerify(verify));
            long start = System.nanoTime();
            MigrationResult result = engine.migrate(request);
            long nanos = System.nanoTime() - start;
            check(result);
            return new long[] {result.pagesMoved(), nanos, nanos};
        }
    }

    private static void check(MigrationResult result) {
        if (result.status() != MigrationStatus.SUCCEEDED || result.pagesMoved() == 0) {
            throw new IllegalStateException("the migration did not succeed: " + result);
        }
    }

    /** Pages of the process on a node, by {@code numa_maps}. */
    private static double rate(long pages, long nanos) {
        return pages / (nanos / 1e9);
    }

    /** Time and calls per backend method, through a proxy that wraps the backend. */
    private static final class Timings {
        private final Map<String, long[]> byMethod = new TreeMap<>();

        NumaBackend around(NumaBackend backend) {
            return (NumaBackend) Proxy.newProxyInstance(
                    NumaBackend.class.getClassLoader(), new Class<?>[] {NumaBackend.class}, (proxy, method, args) -> {
                        long start = System.nanoTime();
                        try {
                            return method.invoke(backend, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        } finally {
                            long[] entry = byMethod.computeIfAbsent(method.getName(), k -> new long[2]);
                            entry[0]++;
                            entry[1] += System.nanoTime() - start;
                        }
                    });
        }

        long nanos(String method) {
            return byMethod.getOrDefault(method, new long[2])[1];
        }

        void reset() {
            byMethod.clear();
        }

        void print() {
            long total = byMethod.values().stream().mapToLong(e -> e[1]).sum();
            byMethod.entrySet().stream()
                    .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
                    .forEach(e -> System.out.printf(
                            Locale.ROOT,
                            "  %-14s %8d calls %10.1f ms %5.1f %%%n",
                            e.getKey(),
                            e.getValue()[0],
                            e.getValue()[1] / 1e6,
                            100.0 * e.getValue()[1] / total));
        }
    }
}
