package io.numashift.benchmarks;

import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationRequest;
import io.numashift.core.MigrationResult;
import io.numashift.core.MigrationStatus;
import io.numashift.linux.LinuxBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a migration costs the job it moves, against the rate cap ({@code maxMiBPerSecond}), run
 * inside a multi-node guest (see {@code docs/benchmarks.md}): a workload ({@code
 * src/test/c/numa_workload.c} with {@code --touch CPU}) reads all of its private memory over and
 * over from one CPU, a memory-bound job whose throughput it logs every 100 ms; each round measures
 * that throughput while nothing moves, and while numashift moves the memory from node 0 to node 1
 * at full speed and at each cap, in an order that turns from round to round, the pages put back on
 * node 0 ({@code migratepages PID 1 0}) between runs.
 *
 * <pre>
 * java -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED -cp … \
 *     io.numashift.benchmarks.RateCapBenchmark WORKLOAD DIR PAGES TOUCH_CPU ROUNDS CAP...
 * </pre>
 */
public final class RateCapBenchmark {
    private RateCapBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path workload = Path.of(args[0]);
        Path dir = Path.of(args[1]);
        long pages = Long.parseLong(args[2]);
        int touchCpu = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        List<@Nullable Integer> caps = new ArrayList<>();
        caps.add(null);
        for (int i = 5; i < args.length; i++) {
            caps.add(Integer.parseInt(args[i]));
        }
        Process process = WorkloadProcess.start(
                dir,
                List.of(
                        "numactl",
                        "--membind=0",
                        workload.toString(),
                        dir.toString(),
                        "--private",
                        Long.toString(pages),
                        "--touch",
                        Integer.toString(touchCpu)));
        try {
            // The reading thread logs every 100 ms: its first line is there after a second.
            Thread.sleep(1000);
            run((int) process.pid(), dir.resolve("touched"), caps, rounds);
        } finally {
            process.destroyForcibly().waitFor();
        }
    }

    private static void run(int pid, Path touched, List<@Nullable Integer> caps, int rounds) throws Exception {
        MigrationEngine engine = new MigrationEngine(LinuxBackend.open("bench"));
        // Untimed: the JIT and the page cache warm.
        migrate(engine, pid, null);
        WorkloadProcess.migratepages(pid, 1, 0);

        Map<String, List<double[]>> runs = new LinkedHashMap<>();
        runs.put("no migration", new ArrayList<>());
        for (Integer cap : caps) {
            runs.put(name(cap), new ArrayList<>());
        }
        for (int round = 0; round < rounds; round++) {
            for (int turn = 0; turn <= caps.size(); turn++) {
                int index = (round + turn) % (caps.size() + 1);
                long before = read(touched);
                long start = System.nanoTime();
                double mibPerSecond;
                String name;
                if (index == caps.size()) {
                    name = "no migration";
                    Thread.sleep(3000);
                    mibPerSecond = 0;
                } else {
                    Integer cap = caps.get(index);
                    name = name(cap);
                    MigrationResult result = migrate(engine, pid, cap);
                    mibPerSecond = result.pagesMoved() * 4096.0 / (1 << 20) / ((System.nanoTime() - start) / 1e9);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double touchedMiBPerSecond = (read(touched) - before) * 4096.0 / (1 << 20) / seconds;
                if (index < caps.size()) {
                    WorkloadProcess.migratepages(pid, 1, 0);
                }
                runs.get(name).add(new double[] {seconds, mibPerSecond, touchedMiBPerSecond});
                System.out.printf(
                        Locale.ROOT,
                        "round %d %-14s %6.2f s, moving %7.1f MiB/s, workload %7.1f MiB/s%n",
                        round,
                        name,
                        seconds,
                        mibPerSecond,
                        touchedMiBPerSecond);
            }
        }
        double baseline = median(runs.get("no migration"), 2);
        System.out.println("medians over " + rounds + " rounds:");
        System.out.println("| migration | takes | moves at | workload reads | of its rate alone |");
        System.out.println("|---|---|---|---|---|");
        for (Map.Entry<String, List<double[]>> entry : runs.entrySet()) {
            double touchedRate = median(entry.getValue(), 2);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.2f s | %.1f MiB/s | %.1f MiB/s | %.0f %% |%n",
                    entry.getKey(),
                    median(entry.getValue(), 0),
                    median(entry.getValue(), 1),
                    touchedRate,
                    100 * touchedRate / baseline);
        }
    }

    private static String name(@Nullable Integer cap) {
        return cap == null ? "full speed" : cap + " MiB/s cap";
    }

    private static MigrationResult migrate(MigrationEngine engine, int pid, @Nullable Integer cap) {
        MigrationResult result = engine.migrate(MigrationRequest.of(pid, List.of(0), List.of(1))
                .withOptions(MigrationOptions.DEFAULTS.withMaxMiBPerSecond(cap)));
        if (result.status() != MigrationStatus.SUCCEEDED || result.pagesMoved() == 0) {
            throw new IllegalStateException("the migration did not succeed: " + result);
        }
        return result;
    }

    /** The workload's count of pages read, from the file its touching thread rewrites. */
    private static long read(Path touched) throws IOException {
        return Long.parseLong(Files.readString(touched).strip());
    }

    private static double median(List<double[]> runs, int column) {
        return WorkloadProcess.median(runs.stream().map(r -> r[column]).toList());
    }
}
