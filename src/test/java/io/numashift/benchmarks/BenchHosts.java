package io.numashift.benchmarks;

import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationRequest;
import io.numashift.core.MigrationResult;
import io.numashift.core.MigrationStatus;
import io.numashift.core.Verify;
import io.numashift.sim.HostSpec;
import io.numashift.sim.HostSpec.NodeSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import io.numashift.sim.SimulatedHost;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongToIntFunction;

/**
 * Hosts and mappings for the benchmarks: one process ({@link #PID}) whose memory lies in one or
 * more private anonymous VMAs starting at {@link #HEAP}, on nodes {@code 0..nodes-1} that all have
 * the same capacity (resident pages plus some headroom, so that rotations can turn).
 */
final class BenchHosts {
    static final int PID = 100;
    static final long HEAP = 0x10000000L;
    static final int PAGE_SIZE = HostSpec.DEFAULT_PAGE_SIZE;

    private BenchHosts() {}

    static List<NodeSpec> nodes(int count, long capacityPages) {
        List<NodeSpec> nodes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            nodes.add(new NodeSpec(i, capacityPages, List.of(i)));
        }
        return nodes;
    }

    /**
     * Contiguous placement: node {@code i} holds the run of pages {@code [i * pagesPerNode, (i + 1) *
     * pagesPerNode)}. With {@code vmas == 1} the runs lie in one VMA; with {@code vmas == nodes}
     * each node's run is a VMA of its own (adjacent VMAs).
     */
    static SimulatedHost contiguous(int nodes, long pagesPerNode, long capacityPages, int vmas, double pagesPerSecond) {
        List<VmaSpec> specs = new ArrayList<>();
        if (vmas == 1) {
            Map<Integer, Long> placement = new LinkedHashMap<>();
            for (int i = 0; i < nodes; i++) {
                placement.put(i, pagesPerNode);
            }
            specs.add(VmaSpec.anon(HEAP, nodes * pagesPerNode, placement));
        } else if (vmas == nodes) {
            for (int i = 0; i < nodes; i++) {
                specs.add(VmaSpec.anon(HEAP + i * pagesPerNode * PAGE_SIZE, pagesPerNode, Map.of(i, pagesPerNode)));
            }
        } else {
            throw new IllegalArgumentException("vmas must be 1 or the number of nodes");
        }
        return SimulatedHost.create(HostSpec.of("bench", nodes(nodes, capacityPages))
                .withPagesPerSecond(pagesPerSecond)
                .withProcesses(List.of(ProcessSpec.of(PID, specs))));
    }

    /** Contiguous placement from a map of node to pages, laid out in ascending node order in one VMA. */
    static SimulatedHost runs(int nodes, long capacityPages, Map<Integer, Long> placement, double pagesPerSecond) {
        long pages = placement.values().stream().mapToLong(Long::longValue).sum();
        return SimulatedHost.create(HostSpec.of("bench", nodes(nodes, capacityPages))
                .withPagesPerSecond(pagesPerSecond)
                .withProcesses(List.of(ProcessSpec.of(PID, List.of(VmaSpec.anon(HEAP, pages, placement))))));
    }

    /**
     * Page-by-page placement: one VMA of {@code pages} pages, page {@code p} on node {@code
     * nodeOfPage(p)}, laid out with {@link SimulatedHost#relayout}.
     */
    static SimulatedHost paged(
            int nodes, long capacityPages, long pages, LongToIntFunction nodeOfPage, double pagesPerSecond) {
        SimulatedHost host = SimulatedHost.create(HostSpec.of("bench", nodes(nodes, capacityPages))
                .withPagesPerSecond(pagesPerSecond)
                .withProcesses(List.of(ProcessSpec.of(PID, List.of(VmaSpec.anon(HEAP, pages, Map.of()))))));
        host.relayout(PID, HEAP, nodeOfPage);
        return host;
    }

    /** The rotation {@code [0..k-1] -> [1..k-1, 0]}, verifying content. */
    static MigrationRequest rotation(int k) {
        return rotation(k, Verify.CONTENT);
    }

    /** The rotation {@code [0..k-1] -> [1..k-1, 0]}, verified as asked. */
    static MigrationRequest rotation(int k, Verify verify) {
        List<Integer> from = new ArrayList<>(k);
        List<Integer> to = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            from.add(i);
            to.add((i + 1) % k);
        }
        return MigrationRequest.of(PID, from, to).withOptions(MigrationOptions.DEFAULTS.withVerify(verify));
    }

    /**
     * Fails the benchmark when a migration did not do what it should: a fast wrong answer is no
     * result. Every migration must have moved every page, lost none (as many resident after as
     * before) and left none on an old node; one that verified content must have equal digests.
     */
    static void check(MigrationResult result, long expectedMoved) {
        if (result.status() != MigrationStatus.SUCCEEDED || result.pagesMoved() != expectedMoved) {
            throw new IllegalStateException("migration did not complete: status " + result.status() + ", moved "
                    + result.pagesMoved() + " of " + expectedMoved + ", message " + result.message()
                    + ", fallbacks " + result.fallbacks().size());
        }
        long before = result.placementBefore().values().stream()
                .mapToLong(Long::longValue)
                .sum();
        long after = result.placementAfter().values().stream()
                .mapToLong(Long::longValue)
                .sum();
        if (before != after || result.pagesLeftOnOldNodes() != 0) {
            throw new IllegalStateException("placement: " + before + " pages before, " + after + " after, "
                    + result.pagesLeftOnOldNodes() + " left on old nodes");
        }
        if (result.verify() == Verify.CONTENT
                && (result.contentDigestBefore() == null
                        || !result.contentDigestBefore().equals(result.contentDigestAfter()))) {
            throw new IllegalStateException("content digest changed: pages were lost");
        }
    }
}
