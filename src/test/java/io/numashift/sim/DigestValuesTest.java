package io.numashift.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationRequest;
import io.numashift.core.MigrationResult;
import io.numashift.core.MigrationStatus;
import io.numashift.core.Verify;
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

/**
 * Pins the digests of simulated hosts to known values, so that a change to how they are computed
 * (uniform chunks in closed form, dense chunks a word at a time, VMAs that do not line up with
 * chunks, one page at a time) cannot change what they are.
 */
class DigestValuesTest {
    private static final long HEAP = 0x10000000L;
    private static final long PAGES = 3L * PageSet.BLOCK_PAGES + 100;

    @Test
    void uniformDenseAndUnalignedVmasKeepTheirDigests() {
        SimulatedHost scattered = host();
        scattered.relayout(1, HEAP, page -> (int) (page % 2));
        SimulatedHost missing = host();
        missing.relayout(1, HEAP, page -> page == 77_777 ? -1 : 0);
        SimulatedHost split = host();
        split.relayout(1, HEAP, page -> page % 5 == 0 ? 1 : 0);
        split.setVmaPolicy(1, HEAP + 4096L * 100, HEAP + 4096L * PAGES, new MemoryPolicy(PolicyMode.BIND, List.of(1)));

        assertThat(digest(host())).isEqualTo(0x8d130051ab21cdaaL);
        assertThat(digest(scattered)).isEqualTo(0x8d130051ab21cdaaL);
        assertThat(digest(missing)).isEqualTo(0xc14ce599055a3b5bL);
        assertThat(digest(split)).isEqualTo(0x8d130051ab21cdaaL);
    }

    @Test
    void aRotationWithPinnedPagesReportsItsKnownDigests() {
        SimulatedHost host = SimulatedHost.create(HostSpec.of(
                        "pin",
                        List.of(
                                new NodeSpec(0, 1 << 20, List.of(0)),
                                new NodeSpec(1, 1 << 20, List.of(1)),
                                new NodeSpec(2, 1 << 20, List.of(2))))
                .withProcesses(List.of(ProcessSpec.of(
                        7,
                        List.of(
                                VmaSpec.anon(HEAP, 200_000, Map.of(0, 150_000L)).withPinned(10),
                                VmaSpec.anon(0x50000000L, 1000, Map.of(1, 600L, 2, 300L)))))));
        host.relayout(7, HEAP, page -> page >= 180_000 ? -1 : (int) (page % 3));

        MigrationResult result = new MigrationEngine(host)
                .migrate(MigrationRequest.of(7, List.of(0, 1, 2), List.of(1, 2, 0))
                        .withOptions(MigrationOptions.DEFAULTS.withVerify(Verify.CONTENT)));

        assertThat(result.status()).isEqualTo(MigrationStatus.PARTIAL);
        assertThat(result.pagesMoved()).isEqualTo(180_890);
        assertThat(result.contentDigestBefore()).isEqualTo("79952e7483c8989a");
        assertThat(result.contentDigestAfter()).isEqualTo("79952e7483c8989a");
    }

    private static SimulatedHost host() {
        return SimulatedHost.create(HostSpec.of(
                        "h", List.of(new NodeSpec(0, 1 << 23, List.of(0)), new NodeSpec(1, 1 << 23, List.of(1))))
                .withProcesses(List.of(ProcessSpec.of(1, List.of(VmaSpec.anon(HEAP, PAGES, Map.of(0, PAGES)))))));
    }

    /** The digest of every page of every VMA of process 1. */
    private static long digest(SimulatedHost host) {
        long sum = 0;
        for (Vma vma : host.vmas(1)) {
            long pages = vma.pages(4096);
            PageSet every = new PageSet(pages);
            every.set(0, pages);
            sum += host.digest(1, vma, 0, pages, every);
        }
        return sum;
    }
}
