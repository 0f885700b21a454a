package io.numashift.benchmarks;

import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationRequest;
import io.numashift.core.MigrationResult;
import io.numashift.core.MigrationStatus;
import io.numashift.core.Verify;
import io.numashift.core.backend.NumaBackend;
import io.numashift.linux.LinuxBackend;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * numashift's Linux backend against {@code migratepages} from numactl, on the same process, run
 * inside a multi-node guest (see {@code docs/benchmarks.md}): a workload ({@code
 * src/test/c/numa_workload.c}, built statically) writes its private pages on node 0; each round
 * moves them 0 → 1 once with the engine and once with {@code migratepages PID 0 1}, alternating
 * which goes first, and puts them back on node 0 with {@code migratepages PID 1 0} (untimed)
 * between runs. Prints one line per run, the medians, and where the engine's time went, per
 * backend call. {@code migratepages PID 1 1} (no page to move) gives the fixed cost of starting
 * the command, which the "net" figure subtracts.
 *
 * <pre>
 * java -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED -cp … \
 *     io.numashift.benchmarks.KernelMigrationBenchmark WORKLOAD DIR PAGES ROUNDS
 * </pre>
 */
public final class KernelMigrationBenchmark {
    private KernelMigrationBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path workload = Path.of(args[0]);
        Path dir = Path.of(args[1]);
        long pages = Long.parseLong(args[2]);
        int rounds = Integer.parseInt(args[3]);
        Files.createDirectories(dir);
        Process process = new ProcessBuilder(
                        "numactl",
                        "--membind=0",
                        workload.toString(),
                        dir.toString(),
                        "--private",
                        Long.toString(pages))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("workload.log").toFile())
                .start();
        try {
            while (!Files.exists(dir.resolve("layout"))
                    || !Files.readString(dir.resolve("layout")).contains("ready")) {
                Thread.sleep(50);
            }
            run((int) process.pid(), pages, rounds);
        } finally {
            process.destroyForcibly().waitFor();
        }
    }

    private static void run(int pid, long pages, int rounds) throws Exception {
        Timings timings = new Timings();
        NumaBackend backend = timings.around(LinuxBackend.open("bench"));
        MigrationEngine engine = new MigrationEngine(backend);
        MigrationRequest request = MigrationRequest.of(pid, List.of(0), List.of(1))
                .withOptions(MigrationOptions.DEFAULTS.withVerify(Verify.CONTENT));
        // One untimed run of each, so that the JIT and the page cache are warm.
        check(engine.migrate(request));
        migratepages(pid, 1, 0);
        migratepages(pid, 0, 1);
        migratepages(pid, 1, 0);
        timings.reset();

        List<Double> engineRates = new ArrayList<>();
        List<Double> moveRates = new ArrayList<>();
        List<Double> commandRates = new ArrayList<>();
        List<Double> netRates = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (int turn = 0; turn < 2; turn++) {
                boolean engineTurn = (round + turn) % 2 == 0;
                if (engineTurn) {
                    long movesBefore = timings.nanos("movePass");
                    long start = System.nanoTime();
                    MigrationResult result = engine.migrate(request);
                    long nanos = System.nanoTime() - start;
                    check(result);
                    long moved = result.pagesMoved();
                    long moveNanos = timings.nanos("movePass") - movesBefore;
                    engineRates.add(rate(moved, nanos));
                    moveRates.add(rate(moved, moveNanos));
                    System.out.printf(
                            Locale.ROOT,
                            "round %d numashift %d pages in %.1f ms (%.0f pages/s); movePass %.1f ms (%.0f pages/s)%n",
                            round,
                            moved,
                            nanos / 1e6,
                            rate(moved, nanos),
                            moveNanos / 1e6,
                            rate(moved, moveNanos));
                } else {
                    long fixed = migratepages(pid, 1, 1);
                    long moved = onNode(pid, 0);
                    long nanos = migratepages(pid, 0, 1);
                    long left = onNode(pid, 0);
                    commandRates.add(rate(moved - left, nanos));
                    netRates.add(rate(moved - left, nanos - fixed));
                    System.out.printf(
                            Locale.ROOT,
                            "round %d migratepages %d pages in %.1f ms (%.0f pages/s); without its %.1f ms start %.0f pages/s%n",
                            round,
                            moved - left,
                            nanos / 1e6,
                            rate(moved - left, nanos),
                            fixed / 1e6,
                            rate(moved - left, nanos - fixed));
                }
                migratepages(pid, 1, 0);
            }
        }
        double engineMedian = median(engineRates);
        double moveMedian = median(moveRates);
        double commandMedian = median(commandRates);
        double netMedian = median(netRates);
        System.out.printf(
                Locale.ROOT,
                "median pages/s: numashift %.0f (movePass alone %.0f), migratepages %.0f (net of start %.0f)%n",
                engineMedian,
                moveMedian,
                commandMedian,
                netMedian);
        System.out.printf(
                Locale.ROOT,
                "ratio numashift/migratepages: %.2f (movePass alone %.2f; against net %.2f and %.2f)%n",
                engineMedian / commandMedian,
                moveMedian / commandMedian,
                engineMedian / netMedian,
                moveMedian / netMedian);
        System.out.println("backend calls over the " + rounds + " timed numashift runs:");
        timings.print();
    }

    private static void check(MigrationResult result) {
        if (result.status() != MigrationStatus.SUCCEEDED || result.pagesMoved() == 0) {
            throw new IllegalStateException("the migration did not succeed: " + result);
        }
    }

    /** Runs {@code migratepages PID FROM TO} and answers its wall time in nanoseconds. */
    private static long migratepages(int pid, int from, int to) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process command = new ProcessBuilder(
                        "migratepages", Integer.toString(pid), Integer.toString(from), Integer.toString(to))
                .inheritIO()
                .start();
        if (!command.waitFor(10, TimeUnit.MINUTES) || command.exitValue() != 0) {
            throw new IllegalStateException("migratepages " + pid + " " + from + " " + to + " failed");
        }
        return System.nanoTime() - start;
    }

    /** Pages of the process on a node, by {@code numa_maps}. */
    private static long onNode(int pid, int node) throws IOException {
        long pages = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/numa_maps"))) {
            for (String field : line.split(" ")) {
                if (field.startsWith("N" + node + "=")) {
                    pages += Long.parseLong(field.substring(field.indexOf('=') + 1));
                }
            }
        }
        return pages;
    }

    private static double rate(long pages, long nanos) {
        return pages / (nanos / 1e9);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
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
