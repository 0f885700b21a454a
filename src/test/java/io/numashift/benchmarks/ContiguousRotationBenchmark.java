package io.numashift.benchmarks;

import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationRequest;
import io.numashift.core.MigrationResult;
import io.numashift.core.Verify;
import io.numashift.sim.SimulatedHost;
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
 * Target: with contiguous placement the cost grows with the runs of same-node pages, not with the
 * pages; a full rotation {@code [0..255] -> [1..255, 0]} of 256 nodes of 1 M resident pages each
 * (268 M pages of 4 KiB, 1 TiB simulated) in at most 1 s, with {@code -Xmx1g}.
 *
 * <p>Each node has a capacity of 1,048,576 + 65,536 pages, so every node starts with 65,536 free
 * pages: the rotation turns through that headroom (about 16 scheduler steps). The host is rebuilt
 * before every invocation (outside the timing); a rotation moves every page, which
 * {@link BenchHosts#check} verifies after each one.
 *
 * <p>{@code vmas=1}: one VMA whose runs are the nodes; {@code vmas=256}: one VMA per node.
 * {@code batchPages} is the most address space of one of the engine's batches (65,536 by default:
 * one block of page sets and placement chunks); {@code -p batchPages=16384} splits chunks and
 * shows what dense chunks cost. Batches are also bounded in time (about 250 ms of moves each); the
 * simulated host tells the engine that it does not pace its copies, so here only {@code
 * batchPages} bounds a batch, from the first one on.
 *
 * <pre>
 * ./mvnw -B -q -o -Pbench test-compile exec:exec -Djmh.args="ContiguousRotationBenchmark -f 1 -wi 2 -i 5"
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Thread)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx1g", "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class ContiguousRotationBenchmark {

    @Param("256")
    int nodes;

    @Param("1048576")
    long pagesPerNode;

    @Param("65536")
    long headroomPages;

    @Param({"1", "256"})
    int vmas;

    @Param("65536")
    int batchPages;

    @Param("0")
    double pagesPerSecond;

    /** What each migration proves: the default placement read-back, or also the content digests. */
    @Param({"PLACEMENT", "CONTENT"})
    Verify verify;

    private SimulatedHost host;
    private MigrationEngine engine;
    private MigrationRequest request;
    private MigrationResult result;

    @Setup(Level.Trial)
    public void announce() {
        System.out.printf(
                "%nmax heap %d MiB; %d nodes x %d pages, capacity %d pages per node%n",
                Runtime.getRuntime().maxMemory() >> 20, nodes, pagesPerNode, pagesPerNode + headroomPages);
    }

    @Setup(Level.Invocation)
    public void build() {
        host = null;
        engine = null;
        host = BenchHosts.contiguous(nodes, pagesPerNode, pagesPerNode + headroomPages, vmas, pagesPerSecond);
        engine = new MigrationEngine(host, batchPages);
        request = BenchHosts.rotation(nodes, verify);
        // The previous invocation's host is garbage now: collect it here, not in the timed call.
        System.gc();
    }

    @Benchmark
    public MigrationResult rotate() {
        result = engine.migrate(request);
        return result;
    }

    @TearDown(Level.Invocation)
    public void verify() {
        BenchHosts.check(result, nodes * pagesPerNode);
    }
}
