package io.numashift.benchmarks;

import io.numashift.core.Evacuation;
import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationMonitor;
import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationResult;
import io.numashift.core.MigrationStatus;
import io.numashift.core.Verify;
import io.numashift.sim.HostSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import io.numashift.sim.SimulatedHost;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Target: evacuating one node of a simulated 256-node host with 1 M resident pages per node and
 * 1,000 processes is planned in at most 1 s (docs/evacuation.md).
 *
 * <p>Every process has pages on every node: one VMA whose runs are the nodes, about 1,049 pages on
 * each (1 M pages of a node shared by the 1,000 processes), so every process has pages to move and
 * they compete for the same nearest nodes. Each node has {@code headroomPages} free pages; the
 * distance between nodes {@code i} and {@code j} is {@code 10 + |i - j|}, so node 128's pages fill
 * nodes 127 and 129 first, then 126 and 130, and so on (about 16 nodes take its 1 M pages).
 *
 * <p>{@code plan}: the evacuation as a dry run, which plans every process against the free memory
 * that the ones before it leave; {@code evacuate}: the real run (placement verified). Both check
 * that every page of node 128 was planned or moved. The host is rebuilt before every invocation,
 * outside the timing.
 *
 * <pre>
 * ./mvnw -B -q -o -Pbench test-compile exec:exec -Djmh.heap=-Xmx4g \
 *     -Djmh.args="EvacuationBenchmark -f 1 -wi 2 -i 5"
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Thread)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx4g", "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class EvacuationBenchmark {
    private static final long HEAP = 0x10000000L;

    @Param("256")
    int nodes;

    @Param("1048576")
    long pagesPerNode;

    @Param("1000")
    int processes;

    @Param("65536")
    long headroomPages;

    @Param("128")
    int evacuated;

    private SimulatedHost host;
    private Evacuation evacuation;
    private List<Integer> pids;
    private long onNode;

    @Setup(Level.Invocation)
    public void buildHost() {
        List<ProcessSpec> specs = new ArrayList<>(processes);
        List<List<Integer>> distances = new ArrayList<>(nodes);
        for (int i = 0; i < nodes; i++) {
            List<Integer> row = new ArrayList<>(nodes);
            for (int j = 0; j < nodes; j++) {
                row.add(10 + Math.abs(i - j));
            }
            distances.add(row);
        }
        onNode = 0;
        for (int p = 0; p < processes; p++) {
            // The node's pages shared out: the first processes take one page more where it does not divide.
            long share = pagesPerNode / processes + (p < pagesPerNode % processes ? 1 : 0);
            Map<Integer, Long> placement = new LinkedHashMap<>();
            for (int node = 0; node < nodes; node++) {
                placement.put(node, share);
            }
            onNode += share;
            specs.add(ProcessSpec.of(1000 + p, List.of(VmaSpec.anon(HEAP, share * nodes, placement))));
        }
        host = SimulatedHost.create(HostSpec.of("bench", BenchHosts.nodes(nodes, pagesPerNode + headroomPages))
                .withDistances(distances)
                .withPagesPerSecond(0)
                .withProcesses(specs));
        evacuation = new Evacuation(new MigrationEngine(host));
        pids = host.pids();
    }

    @TearDown(Level.Invocation)
    public void release() {
        host = null;
        evacuation = null;
    }

    @Benchmark
    public List<MigrationResult> plan() {
        return check(evacuation.run(request(true), pids, MigrationMonitor.NONE));
    }

    @Benchmark
    public List<MigrationResult> evacuate() {
        return check(evacuation.run(request(false), pids, MigrationMonitor.NONE));
    }

    private Evacuation.Request request(boolean dryRun) {
        return new Evacuation.Request(
                List.of(evacuated), MigrationOptions.DEFAULTS.withDryRun(dryRun).withVerify(Verify.PLACEMENT), true);
    }

    /** Fails the benchmark unless every page of the node was planned or moved off it. */
    private List<MigrationResult> check(List<MigrationResult> results) {
        long moved = 0;
        for (MigrationResult result : results) {
            if (result.status() != MigrationStatus.SUCCEEDED) {
                throw new IllegalStateException(
                        "process " + result.pid() + " ended " + result.status() + ": " + result.message());
            }
            moved += result.pagesMoved();
        }
        if (results.size() != processes || moved != onNode) {
            throw new IllegalStateException(
                    results.size() + " processes, " + moved + " pages moved of the " + onNode + " on the node");
        }
        return results;
    }
}
