package io.numashift.benchmarks;

import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationRequest;
import io.numashift.core.MigrationResult;
import io.numashift.core.Verify;
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
 * Target: one pass over the address space whatever the number of node pairs; a 128-pair mapping
 * within 1.5x of a 1-pair mapping.
 *
 * <p>Both mappings see the same address space ({@code pages} pages, all resident, on a 256-node
 * host) and move the same {@code pages / 2} pages. A 1-pair mapping is {@code [0] -> [128]}; a
 * 128-pair mapping is {@code [0..127] -> [128..255]}. Every target has room for everything, so
 * the scheduler needs one step and the cost is that of the pass.
 *
 * <ul>
 *   <li>{@code fragmented}: page {@code 2j} is on source {@code j % pairs}, page {@code 2j + 1}
 *       on target {@code 128 + j % pairs} (it stays): every page is on another node than its
 *       neighbours, with one pair as with 128.
 *   <li>{@code contiguous}: the first half of the pages is {@code pairs} runs, one per source;
 *       the second half is {@code pairs} runs, one per target.
 * </ul>
 *
 * <p>The host is rebuilt before every invocation (outside the timing).
 *
 * <pre>
 * ./mvnw -B -q -o -Pbench test-compile exec:exec -Djmh.args="NodePairsBenchmark -f 1 -wi 4 -i 8"
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = "--sun-misc-unsafe-memory-access=allow")
@Warmup(iterations = 4)
@Measurement(iterations = 8)
public class NodePairsBenchmark {
    private static final int NODES = 256;
    private static final int TARGET_BASE = 128;

    @Param({"1", "128"})
    int pairs;

    @Param({"fragmented", "contiguous"})
    String layout;

    /** 16 M pages (64 GiB simulated); 8 M of them move. */
    @Param("16777216")
    long pages;

    /**
     * The most address space of one batch. Batches are also bounded in time, but this host does
     * not pace its copies and says so, so only this span bounds them.
     */
    @Param("65536")
    int batchPages;

    private SimulatedHost host;
    private MigrationEngine engine;
    private MigrationRequest request;
    private MigrationResult result;

    @Setup(Level.Invocation)
    public void build() {
        host = null;
        engine = null;
        int p = pairs;
        long capacity = pages;
        if (layout.equals("fragmented")) {
            host = BenchHosts.paged(
                    NODES,
                    capacity,
                    pages,
                    page -> (int) ((page & 1) == 0 ? (page >>> 1) % p : TARGET_BASE + (page >>> 1) % p),
                    0);
        } else {
            Map<Integer, Long> placement = new LinkedHashMap<>();
            long half = pages / 2;
            for (int s = 0; s < p; s++) {
                long run = half / p + (s < half % p ? 1 : 0);
                placement.put(s, run);
                placement.put(TARGET_BASE + s, run);
            }
            host = BenchHosts.runs(NODES, capacity, placement, 0);
        }
        engine = new MigrationEngine(host, batchPages);
        // Building page by page leaves garbage behind: collect it here, not in the timed call.
        System.gc();
        List<Integer> from = new ArrayList<>();
        List<Integer> to = new ArrayList<>();
        for (int s = 0; s < p; s++) {
            from.add(s);
            to.add(TARGET_BASE + s);
        }
        request = MigrationRequest.of(BenchHosts.PID, from, to)
                .withOptions(MigrationOptions.DEFAULTS.withVerify(Verify.CONTENT));
    }

    @Benchmark
    public MigrationResult migrate() {
        result = engine.migrate(request);
        return result;
    }

    @TearDown(Level.Invocation)
    public void verify() {
        BenchHosts.check(result, pages / 2);
    }
}
