package io.numashift.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.numashift.core.backend.Census;
import io.numashift.core.backend.MemoryPolicy;
import io.numashift.core.backend.PageSet;
import io.numashift.core.backend.PolicyMode;
import io.numashift.core.backend.Vma;
import io.numashift.sim.HostSpec.NodeSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulated host's own rules: representation, digests, allocation, validation. */
class SimulatedHostTest {
    private static final long HEAP = 0x10000000L;

    private static SimulatedHost host(long pages, Map<Integer, Long> placement, ProcessSpec... more) {
        List<ProcessSpec> processes =
                new java.util.ArrayList<>(List.of(ProcessSpec.of(1, List.of(VmaSpec.anon(HEAP, pages, placement)))));
        processes.addAll(List.of(more));
        return SimulatedHost.create(HostSpec.of(
                        "h",
                        List.of(
                                new NodeSpec(0, 1 << 23, List.of(0)),
                                new NodeSpec(1, 1 << 23, List.of(1)),
                                new NodeSpec(2, 1 << 20, List.of(2))))
                .withProcesses(processes));
    }

    @Test
    void digestDependsOnContentNotOnNodeAndChangesWhenAPageGoesMissing() {
        long pages = 3 * PageSet.BLOCK_PAGES;
        SimulatedHost uniform = host(pages, Map.of(0, pages));
        SimulatedHost scattered = host(pages, Map.of(0, pages));
        scattered.relayout(1, HEAP, page -> (int) (page % 3));
        SimulatedHost missing = host(pages, Map.of(0, pages));
        missing.relayout(1, HEAP, page -> page == 77_777 ? -1 : 0);

        long all = digest(uniform, pages);

        assertThat(digest(scattered, pages)).isEqualTo(all);
        assertThat(digest(missing, pages)).isNotEqualTo(all);
    }

    private static long digest(SimulatedHost host, long pages) {
        Vma vma = host.vmas(1).getFirst();
        PageSet every = new PageSet(pages);
        every.set(0, pages);
        return host.digest(1, vma, 0, pages, every);
    }

    @Test
    void censusCountsUniformAndDenseChunksAlike() {
        long pages = 2 * PageSet.BLOCK_PAGES + 10;
        SimulatedHost host = host(pages, Map.of(0, pages - 5));
        host.relayout(1, HEAP, page -> page >= pages - 5 ? -1 : page < PageSet.BLOCK_PAGES ? 0 : (int) (page % 2));
        Vma vma = host.vmas(1).getFirst();
        PageSet resident = new PageSet(pages);
        PageSet pending = new PageSet(pages);
        Census census = new Census(3, new boolean[] {false, true, false}, resident, pending, null);

        host.census(1, vma, 0, pages, census);

        long dense = pages - 5 - PageSet.BLOCK_PAGES;
        assertThat(census.notPresent).isEqualTo(5);
        assertThat(census.onNode[0]).isEqualTo(PageSet.BLOCK_PAGES + (dense + 1) / 2);
        assertThat(census.onNode[1]).isEqualTo(dense / 2);
        assertThat(resident.count()).isEqualTo(pages - 5);
        assertThat(pending.count()).isEqualTo(dense / 2);
        assertThat(pending.get(PageSet.BLOCK_PAGES + 1)).isTrue();
        assertThat(pending.get(PageSet.BLOCK_PAGES)).isFalse();
    }

    @Test
    void contiguousPlacementCostsBytesPerChunkAndFragmentedAboutOneBytePerPage() {
        long pages = 64L * PageSet.BLOCK_PAGES;
        SimulatedHost contiguous = host(pages, Map.of(0, pages / 2, 1, pages / 2));
        SimulatedHost fragmented = host(pages, Map.of(0, pages));
        fragmented.relayout(1, HEAP, page -> (int) (page % 2));

        assertThat(contiguous.placementHeapBytes()).isLessThan(4096);
        assertThat((double) fragmented.placementHeapBytes() / pages).isBetween(1.0, 1.2);
    }

    @Test
    void interleavedAllocationsGoRoundRobinDuringMoves() {
        ProcessSpec allocator = ProcessSpec.of(2, List.of(VmaSpec.anon(0x50000000L, 30, Map.of())))
                .withPolicy(new MemoryPolicy(PolicyMode.INTERLEAVE, List.of(1, 2)))
                .withAllocatePagesPerStep(6);
        SimulatedHost host = host(10, Map.of(0, 10L), allocator);
        var engine = new io.numashift.core.MigrationEngine(host, 5);

        engine.migrate(io.numashift.core.MigrationRequest.of(1, List.of(0), List.of(1)));

        assertThat(host.placement(2)).containsExactlyInAnyOrderEntriesOf(Map.of(1, 6L, 2, 6L));
        assertThat(host.nodeOf(2, 0x50000000L)).isEqualTo(1);
        assertThat(host.nodeOf(2, 0x50000000L + 4096)).isEqualTo(2);
    }

    @Test
    void refusesMorePagesOnANodeThanItHoldsNamingHostAndNode() {
        assertThatThrownBy(() -> SimulatedHost.create(HostSpec.of("n9", List.of(new NodeSpec(0, 10, List.of(0))))
                        .withProcesses(List.of(ProcessSpec.of(1, List.of(VmaSpec.anon(HEAP, 20, Map.of(0, 11L))))))))
                .isInstanceOf(ScenarioException.class)
                .hasMessage("host n9: node 0: 11 resident pages exceed its capacityPages 10");
    }

    @Test
    void refusesOverlappingVmasNamingHostProcessAndField() {
        assertThatThrownBy(() -> SimulatedHost.create(HostSpec.of("n9", List.of(new NodeSpec(0, 100, List.of(0))))
                        .withProcesses(List.of(ProcessSpec.of(
                                7, List.of(VmaSpec.anon(HEAP, 4, Map.of()), VmaSpec.anon(HEAP + 4096, 4, Map.of())))))))
                .isInstanceOf(ScenarioException.class)
                .hasMessageStartingWith("host n9: process 7: vmas[1].start: overlaps");
    }

    @Test
    void policyOnPartOfAVmaSplitsItAndKeepsItsPages() {
        SimulatedHost host = host(10, Map.of(0, 10L));

        host.setVmaPolicy(1, HEAP + 4096 * 2, HEAP + 4096 * 5, new MemoryPolicy(PolicyMode.BIND, List.of(2)));

        assertThat(host.vmas(1)).extracting(Vma::start).containsExactly(HEAP, HEAP + 4096 * 2, HEAP + 4096 * 5);
        assertThat(host.vmas(1).get(1).objectOffset()).isEqualTo(2);
        assertThat(host.placement(1)).containsExactlyEntriesOf(Map.of(0, 10L));
        assertThat(host.contentOf(1, HEAP + 4096 * 3)).isEqualTo(host.contentOf(1, HEAP + 4096 * 3));
    }

    @Test
    void pacesMovesToPagesPerSecondOnItsClock() {
        long[] now = {0};
        long[] slept = {0};
        PaceClock clock = new PaceClock() {
            @Override
            public long nanoTime() {
                return now[0];
            }

            @Override
            public void sleepNanos(long nanos) {
                slept[0] += nanos;
                now[0] += nanos;
            }
        };
        SimulatedHost host = SimulatedHost.create(
                HostSpec.of("h", List.of(new NodeSpec(0, 10_000, List.of(0)), new NodeSpec(1, 10_000, List.of(1))))
                        .withPagesPerSecond(500)
                        .withProcesses(List.of(ProcessSpec.of(1, List.of(VmaSpec.anon(HEAP, 1000, Map.of(0, 1000L)))))),
                clock);

        new io.numashift.core.MigrationEngine(host, 100)
                .migrate(io.numashift.core.MigrationRequest.of(1, List.of(0), List.of(1)));

        assertThat(slept[0]).isEqualTo(2_000_000_000L);
    }
}
