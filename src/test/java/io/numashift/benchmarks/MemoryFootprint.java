package io.numashift.benchmarks;

import io.numashift.core.JobScope;
import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationMonitor;
import io.numashift.core.MigrationRequest;
import io.numashift.core.MigrationResult;
import io.numashift.sim.SimulatedHost;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;

/**
 * Target: at most 2 bytes of heap per resident page in the worst case (every page on another node
 * than its neighbour); a 256-node host of 1 M pages per node (268 M pages) loads and runs a full
 * rotation {@code [0..255] -> [1..255, 0]} with {@code -Xmx1g}.
 *
 * <p>Builds the host (page {@code i} on node {@code i % 256}, capacity 1,048,576 + 65,536 pages per
 * node), forces a full GC and reports the heap it holds per resident page next to {@link
 * SimulatedHost#placementHeapBytes()}; then runs the rotation, forcing one more GC half-way through
 * (from the progress callback) to see the live heap while the engine works, and reports the
 * outcome. With {@code contiguous} as first argument it does the same for contiguous placement.
 *
 * <p>Run it directly under the heap the target names:
 *
 * <pre>
 * ./mvnw -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
 * $JAVA_HOME/bin/java -Xmx1g -cp target/test-classes:target/classes:$(cat target/bench.cp) io.numashift.benchmarks.MemoryFootprint [fragmented|contiguous] [nodes] [pagesPerNode] [headroomPages]
 * </pre>
 *
 * or through JMH with {@link MemoryFootprintBenchmark}. Exits with status 1 when the rotation does not
 * succeed or the heap runs out.
 */
public final class MemoryFootprint {

    /** What one measurement found. */
    record Report(
            String layout,
            long maxHeap,
            long residentPages,
            double buildSeconds,
            long hostBytes,
            long placementBytes,
            long liveMidMigration,
            long peakDuringMigration,
            double migrateSeconds,
            long pagesMoved,
            String status) {

        double hostBytesPerPage() {
            return hostBytes / (double) residentPages;
        }

        double placementBytesPerPage() {
            return placementBytes / (double) residentPages;
        }

        double liveBytesPerPage() {
            return liveMidMigration / (double) residentPages;
        }

        String format() {
            return String.format(
                    Locale.ROOT,
                    """
                    layout                     %s
                    max heap                   %d MiB
                    resident pages             %,d
                    build                      %.1f s
                    host heap after GC         %,d bytes = %.3f bytes/page
                    placementHeapBytes()       %,d bytes = %.3f bytes/page
                    live heap mid-migration    %,d bytes = %.3f bytes/page (host + engine state, after a full GC)
                    peak heap during migration %,d bytes (sum of pool peaks, garbage included)
                    rotation                   %s, %,d pages moved in %.3f s
                    """,
                    layout,
                    maxHeap >> 20,
                    residentPages,
                    buildSeconds,
                    hostBytes,
                    hostBytesPerPage(),
                    placementBytes,
                    placementBytesPerPage(),
                    liveMidMigration,
                    liveBytesPerPage(),
                    peakDuringMigration,
                    status,
                    pagesMoved,
                    migrateSeconds);
        }
    }

    /** A host built and measured, ready to rotate. */
    static final class Prepared {
        final String layout;
        final int nodes;
        final long residentPages;
        final long baseline;
        final double buildSeconds;
        SimulatedHost host;
        final long hostBytes;
        final long placementBytes;

        Prepared(String layout, int nodes, long pagesPerNode, long headroomPages) {
            this.layout = layout;
            this.nodes = nodes;
            this.residentPages = nodes * pagesPerNode;
            this.baseline = usedAfterGc();
            long t0 = System.nanoTime();
            long capacity = pagesPerNode + headroomPages;
            host = switch (layout) {
                case "fragmented" -> BenchHosts.paged(nodes, capacity, residentPages, p -> (int) (p % nodes), 0);
                case "contiguous" -> BenchHosts.contiguous(nodes, pagesPerNode, capacity, 1, 0);
                default -> throw new IllegalArgumentException("layout is fragmented or contiguous, not " + layout);
            };
            this.buildSeconds = (System.nanoTime() - t0) / 1e9;
            this.hostBytes = usedAfterGc() - baseline;
            this.placementBytes = host.placementHeapBytes();
        }

        Report rotate() {
            MigrationEngine engine = new MigrationEngine(host);
            MigrationRequest request = BenchHosts.rotation(nodes);
            long[] live = {-1};
            MigrationMonitor monitor = new MigrationMonitor() {
                @Override
                public void progress(int pid, long pagesDone, long pagesToMove) {
                    if (live[0] < 0 && pagesDone >= pagesToMove / 2 && pagesToMove > 0) {
                        live[0] = usedAfterGc() - baseline;
                    }
                }
            };
            resetPeaks();
            long t0 = System.nanoTime();
            MigrationResult result = engine.migrate(request, JobScope.single(BenchHosts.PID), monitor);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long peak = heapPeaks();
            String status = result.status().toString();
            try {
                BenchHosts.check(result, residentPages);
            } catch (IllegalStateException e) {
                status = "WRONG: " + e.getMessage();
            }
            return new Report(
                    layout,
                    Runtime.getRuntime().maxMemory(),
                    residentPages,
                    buildSeconds,
                    hostBytes,
                    placementBytes,
                    live[0],
                    peak,
                    seconds,
                    result.pagesMoved(),
                    status);
        }
    }

    private MemoryFootprint() {}

    public static void main(String[] args) {
        String layout = args.length > 0 ? args[0] : "fragmented";
        int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        long pagesPerNode = args.length > 2 ? Long.parseLong(args[2]) : 1L << 20;
        long headroom = args.length > 3 ? Long.parseLong(args[3]) : 65_536;
        try {
            Report report = new Prepared(layout, nodes, pagesPerNode, headroom).rotate();
            System.out.print(report.format());
            System.exit(report.status().equals("SUCCEEDED") ? 0 : 1);
        } catch (OutOfMemoryError e) {
            System.out.println("FAILED: out of heap (" + e.getMessage() + ") with max heap "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
            System.exit(1);
        }
    }

    static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long heapPeaks() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
