package io.numashift.benchmarks;

import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationRequest;
import io.numashift.core.MigrationResult;
import io.numashift.core.Verify;
import io.numashift.sim.SimulatedHost;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Target: at least 200 M pages/s when placement is fragmented and the host does not pace moves
 * ({@code pagesPerSecond 0}).
 *
 * <p>One VMA of {@code pages} pages, page {@code i} on node {@code i % nodes}: every page is on
 * another node than its neighbours, the worst case for the placement. The migration is the
 * rotation {@code [0..k-1] -> [1..k-1, 0]}, which moves every page; each node has
 * {@code pages / nodes / 16} free pages of headroom, so the rotation turns in about 16 steps.
 *
 * <p>A rotation leaves the same kind of placement it found (page {@code i} on node
 * {@code (i + 1) % nodes}, same free pages), so the host is built once per trial (building page
 * by page is slow, see docs/benchmarks.md) and every invocation rotates again. {@code rotate}'s
 * score is the time of one whole {@code migrate} call (checks, census, moves, read-back, and with
 * {@code verify} {@code CONTENT} the digests before and after);
 * the auxiliary counter {@code rotate:pagesMoved} is pages moved per second.
 *
 * <pre>
 * ./mvnw -B -q -o -Pbench test-compile exec:exec -Djmh.args="FragmentedMigrationBenchmark -f 1 -wi 2 -i 5 -prof gc"
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = "--sun-misc-unsafe-memory-access=allow")
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 5, time = 10)
public class FragmentedMigrationBenchmark {

    /** 32 M pages: 36 MiB of placement, 8 MiB of page sets; fits -Xmx1g with room to spare. */
    @Param("33554432")
    long pages;

    @Param("256")
    int nodes;

    /** The host's pace; 0 is "as fast as possible", the case the target is about. */
    @Param("0")
    double pagesPerSecond;

    /**
     * The most address space of one batch. Batches are also bounded in time, but this host does
     * not pace its copies and says so, so only this span bounds them.
     */
    @Param("65536")
    int batchPages;

    /** What each migration proves: the default placement read-back, or also the content digests. */
    @Param({"PLACEMENT", "CONTENT"})
    Verify verify;

    private SimulatedHost host;
    private MigrationEngine engine;
    private MigrationRequest request;

    /** Pages moved, reported by JMH as a rate (pages per second). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Moved {
        public long pagesMoved;

        @Setup(Level.Iteration)
        public void reset() {
            pagesMoved = 0;
        }
    }

    @Setup(Level.Trial)
    public void build() {
        long perNode = pages / nodes;
        if (perNode * nodes != pages) {
            throw new IllegalArgumentException("pages must be a multiple of nodes");
        }
        long t0 = System.nanoTime();
        host = BenchHosts.paged(
                nodes, perNode + Math.max(1, perNode / 16), pages, p -> (int) (p % nodes), pagesPerSecond);
        System.out.printf(
                "%nmax heap %d MiB; built %d pages fragmented over %d nodes in %.1f s; placement %.3f bytes/page%n",
                Runtime.getRuntime().maxMemory() >> 20,
                pages,
                nodes,
                (System.nanoTime() - t0) / 1e9,
                host.placementHeapBytes() / (double) pages);
        engine = new MigrationEngine(host, batchPages);
        request = BenchHosts.rotation(nodes, verify);
    }

    @Benchmark
    public MigrationResult rotate(Moved moved) {
        MigrationResult result = engine.migrate(request);
        BenchHosts.check(result, pages);
        moved.pagesMoved += result.pagesMoved();
        return result;
    }
}
