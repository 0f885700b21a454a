package io.numashift.benchmarks;

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
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link MemoryFootprint} through JMH, so that it runs with the {@code bench} profile: the fork is
 * pinned to {@code -Xmx1g} (appended last, so it wins over {@code -Djmh.heap}); the trial setup
 * builds the worst-case host and the one measured invocation is the rotation. The memory report is
 * printed in the fork's output; the score is the rotation's time. Building 268 M pages page by page
 * takes a couple of minutes (see docs/benchmarks.md).
 *
 * <pre>
 * ./mvnw -B -q -o -Pbench test-compile exec:exec -Djmh.args="MemoryFootprintBenchmark"
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Thread)
@Fork(
        value = 1,
        jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow", "-Xmx1g"})
@Warmup(iterations = 0)
@Measurement(iterations = 1)
public class MemoryFootprintBenchmark {

    @Param("fragmented")
    String layout;

    @Param("256")
    int nodes;

    @Param("1048576")
    long pagesPerNode;

    @Param("65536")
    long headroomPages;

    private MemoryFootprint.Prepared prepared;
    private MemoryFootprint.Report report;

    @Setup(Level.Trial)
    public void build() {
        prepared = new MemoryFootprint.Prepared(layout, nodes, pagesPerNode, headroomPages);
    }

    @Benchmark
    public Object rotate() {
        report = prepared.rotate();
        System.out.println();
        System.out.print(report.format());
        if (!report.status().equals("SUCCEEDED")) {
            throw new IllegalStateException("rotation did not succeed: " + report.status());
        }
        return report;
    }
}
