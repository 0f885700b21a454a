package io.numashift.benchmarks;

import io.numashift.core.Evacuation;
import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationMonitor;
import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationResult;
import io.numashift.core.MigrationStatus;
import io.numashift.linux.LinuxBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * An evacuation against {@code migratepages} of the same processes to the same node, inside a guest
 * whose node 2 is a movable DIMM ({@code numa-guest --movable-last}) and node 1 its nearest node
 * with room for everything (see {@code docs/benchmarks.md}, "Evacuating a node"). {@code N}
 * workloads ({@code src/test/c/numa_workload.c}) write their private pages on node 2; each round
 * empties node 2 with each contender, in an order that turns from round to round, and puts the
 * pages back with {@code migratepages PID 1 2} (untimed) between runs:
 *
 * <ul>
 *   <li>numashift's evacuation of the workloads (the pids named), {@code verify: PLACEMENT};
 *   <li>the same evacuation of every process of the guest (what {@code POST /api/v1/evacuations}
 *       does without {@code processes}): the agent looks at each and moves the workloads' pages;
 *   <li>{@code migratepages PID 2 1} for each workload, one after another; {@code migratepages PID
 *       1 1} (no page to move) gives the fixed cost of starting the command, which "net" subtracts.
 * </ul>
 *
 * <pre>
 * java -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED -cp … \
 *     io.numashift.benchmarks.EvacuationKernelBenchmark WORKLOAD DIR PAGES PROCESSES ROUNDS
 * </pre>
 */
public final class EvacuationKernelBenchmark {
    private static final int EMPTIED = 2;
    private static final int NEAREST = 1;

    private EvacuationKernelBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path workload = Path.of(args[0]);
        Path dir = Path.of(args[1]);
        long pages = Long.parseLong(args[2]);
        int count = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        List<Process> processes = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                processes.add(WorkloadProcess.start(
                        dir.resolve("w" + i),
                        List.of(
                                "numactl",
                                "--membind=" + EMPTIED,
                                workload.toString(),
                                dir.resolve("w" + i).toString(),
                                "--private",
                                Long.toString(pages))));
            }
            run(processes.stream().map(p -> (int) p.pid()).toList(), rounds);
        } finally {
            for (Process process : processes) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** One way of emptying node 2 of the workloads: answers pages moved, nanoseconds, net nanoseconds. */
    private interface Contender {
        String name();

        long[] empty(List<Integer> pids) throws Exception;
    }

    private static void run(List<Integer> pids, int rounds) throws Exception {
        System.out.printf(
                Locale.ROOT,
                "%d CPUs, %d lanes; %d processes, %d pages on node %d%n",
                Runtime.getRuntime().availableProcessors(),
                LinuxBackend.defaultLanes(),
                pids.size(),
                onEmptied(pids),
                EMPTIED);
        LinuxBackend backend = LinuxBackend.open("bench");
        Evacuation evacuation = new Evacuation(new MigrationEngine(backend));
        Contender named = evacuation("numashift evacuation, the pids", evacuation, null);
        Contender every = evacuation("numashift evacuation, every process", evacuation, backend);
        Contender migratepages = new Contender() {
            @Override
            public String name() {
                return "migratepages, one per process";
            }

            @Override
            public long[] empty(List<Integer> pids) throws Exception {
                long fixed = 0;
                for (int pid : pids) {
                    fixed += WorkloadProcess.migratepages(pid, NEAREST, NEAREST);
                }
                long before = onEmptied(pids);
                long nanos = 0;
                for (int pid : pids) {
                    nanos += WorkloadProcess.migratepages(pid, EMPTIED, NEAREST);
                }
                return new long[] {before - onEmptied(pids), nanos, nanos - fixed};
            }
        };
        List<Contender> contenders = List.of(named, every, migratepages);
        List<List<Double>> rates = new ArrayList<>();
        List<List<Double>> netRates = new ArrayList<>();
        for (int i = 0; i < contenders.size(); i++) {
            rates.add(new ArrayList<>());
            netRates.add(new ArrayList<>());
        }
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < contenders.size(); k++) {
                int i = (round + k) % contenders.size();
                Contender contender = contenders.get(i);
                long[] outcome = contender.empty(pids);
                double rate = outcome[0] / (outcome[1] / 1e9);
                double net = outcome[0] / (outcome[2] / 1e9);
                rates.get(i).add(rate);
                netRates.get(i).add(net);
                System.out.printf(
                        Locale.ROOT,
                        "round %d %-36s %9d pages %8.1f ms %10.0f pages/s (net %10.0f)%n",
                        round,
                        contender.name(),
                        outcome[0],
                        outcome[1] / 1e6,
                        rate,
                        net);
                for (int pid : pids) {
                    WorkloadProcess.migratepages(pid, NEAREST, EMPTIED);
                }
            }
        }
        double reference = WorkloadProcess.median(netRates.get(2));
        for (int i = 0; i < contenders.size(); i++) {
            double median = WorkloadProcess.median(rates.get(i));
            System.out.printf(
                    Locale.ROOT,
                    "median %-36s %10.0f pages/s (net %10.0f); %.2f x migratepages net of its start%n",
                    contenders.get(i).name(),
                    median,
                    WorkloadProcess.median(netRates.get(i)),
                    median / reference);
        }
    }

    /** An evacuation of the pids, or, with a backend, of every process it lists (listed in the time). */
    private static Contender evacuation(String name, Evacuation evacuation, @Nullable LinuxBackend everyProcess) {
        return new Contender() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long[] empty(List<Integer> pids) throws Exception {
                long before = onEmptied(pids);
                long start = System.nanoTime();
                List<Integer> targets = everyProcess == null ? pids : everyProcess.pids();
                List<MigrationResult> results = evacuation.run(
                        new Evacuation.Request(List.of(EMPTIED), MigrationOptions.DEFAULTS, true, everyProcess != null),
                        targets,
                        MigrationMonitor.NONE);
                long nanos = System.nanoTime() - start;
                for (MigrationResult result : results) {
                    if (pids.contains(result.pid()) && result.status() != MigrationStatus.SUCCEEDED) {
                        throw new IllegalStateException(
                                "process " + result.pid() + " ended " + result.status() + ": " + result.message());
                    }
                }
                long moved = before - onEmptied(pids);
                return new long[] {moved, nanos, nanos};
            }
        };
    }

    private static long onEmptied(List<Integer> pids) throws Exception {
        long pages = 0;
        for (int pid : pids) {
            pages += WorkloadProcess.onNode(pid, EMPTIED);
        }
        return pages;
    }
}
