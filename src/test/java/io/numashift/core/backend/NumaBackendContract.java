package io.numashift.core.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationRequest;
import io.numashift.core.MigrationResult;
import io.numashift.core.MigrationResult.VmaAction;
import io.numashift.core.MigrationStatus;
import io.numashift.core.SkipReason;
import java.time.Duration;
import java.util.List;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every backend must do, run against each implementation by a subclass that supplies a
 * process with known memory on a host with one NUMA node (the simulated host, and the Linux
 * kernel of this machine).
 */
public abstract class NumaBackendContract {

    /**
     * A process whose memory a test knows, on its backend.
     *
     * @param backend the backend it runs on
     * @param pid its pid
     * @param regionStart the start of a private anonymous region of it
     * @param regionPages the region's size in pages
     * @param touched which pages of the region it touched (the others were never touched)
     * @param markedFile a file it maps whose attribute {@code migrate} is {@code none}
     * @param markedFileStart where it maps that file
     * @param absentPid a pid that no process of the backend has
     * @param end ends the process and releases what the fixture holds
     */
    public record KnownProcess(
            NumaBackend backend,
            int pid,
            long regionStart,
            long regionPages,
            LongPredicate touched,
            String markedFile,
            long markedFileStart,
            int absentPid,
            AutoCloseable end)
            implements AutoCloseable {

        long touchedPages() {
            long count = 0;
            for (long page = 0; page < regionPages; page++) {
                if (touched.test(page)) {
                    count++;
                }
            }
            return count;
        }

        @Override
        public void close() throws Exception {
            end.close();
        }
    }

    /** Starts the process with known memory; called before each test. */
    protected abstract KnownProcess startKnownProcess() throws Exception;

    private KnownProcess known;

    @BeforeEach
    void startProcess() throws Exception {
        known = startKnownProcess();
    }

    @AfterEach
    void endProcess() throws Exception {
        known.close();
    }

    @Test
    void topologyHasAscendingNodesWithMemoryAndASquareDistanceMatrix() {
        Topology topology = known.backend().topology();

        assertThat(Integer.bitCount(topology.pageSize())).isEqualTo(1);
        List<Node> nodes = topology.nodes();
        assertThat(nodes).isNotEmpty();
        assertThat(nodes).extracting(Node::id).isSorted().doesNotHaveDuplicates();
        assertThat(nodes).anyMatch(n -> n.capacityPages() > 0 && !n.cpus().isEmpty());
        assertThat(nodes).allMatch(n -> n.freePages() >= 0 && n.freePages() <= n.capacityPages());
        assertThat(topology.distances()).hasNumberOfRows(nodes.size());
        for (Node from : nodes) {
            for (Node to : nodes) {
                assertThat(topology.distance(from.id(), to.id()))
                        .isGreaterThanOrEqualTo(topology.distance(from.id(), from.id()));
            }
            assertThat(known.backend().freePages(from.id())).isBetween(0L, from.capacityPages());
        }
    }

    @Test
    void anAbsentProcessIsEmptyAndItsVmasFailWithEsrch() {
        NumaBackend backend = known.backend();

        assertThat(backend.process(known.absentPid())).isEmpty();
        assertThatThrownBy(() -> backend.vmas(known.absentPid()))
                .isInstanceOfSatisfying(
                        BackendException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ESRCH));
        MigrationResult result =
                new MigrationEngine(backend).migrate(MigrationRequest.of(known.absentPid(), List.of(0), List.of(0)));
        assertThat(result.errno()).isEqualTo(Errno.ESRCH);
    }

    @Test
    void theProcessIsSeenRunning() {
        ProcessInfo process = known.backend().process(known.pid()).orElseThrow();

        assertThat(process.pid()).isEqualTo(known.pid());
        assertThat(process.stopped()).isFalse();
        assertThat(known.backend().topology().nodeOfCpu(process.cpu())).isPresent();
    }

    @Test
    void vmasAreAscendingPageAlignedAndDoNotOverlap() {
        int pageSize = known.backend().topology().pageSize();
        List<Vma> vmas = known.backend().vmas(known.pid());

        assertThat(vmas).isNotEmpty();
        for (int i = 0; i < vmas.size(); i++) {
            Vma vma = vmas.get(i);
            assertThat(Long.compareUnsigned(vma.start(), vma.end())).isNegative();
            assertThat(vma.start() % pageSize).isZero();
            assertThat(vma.end() % pageSize).isZero();
            if (i > 0) {
                assertThat(Long.compareUnsigned(vmas.get(i - 1).end(), vma.start()))
                        .isLessThanOrEqualTo(0);
            }
        }
        assertThat(regionVma()).isNotNull();
    }

    @Test
    void censusCountsExactlyTheTouchedPagesOfTheRegion() {
        Vma vma = regionVma();
        long first = firstRegionPage(vma);
        long last = first + known.regionPages();
        PageSet resident = new PageSet(vma.pages(known.backend().topology().pageSize()));
        Census census = new Census(known.backend().topology().nodeIdLimit(), null, resident, null, null);

        known.backend().census(known.pid(), vma, first, last, census);

        assertThat(census.resident()).isEqualTo(known.touchedPages());
        assertThat(census.onNode[0]).isEqualTo(known.touchedPages());
        assertThat(census.notPresent).isEqualTo(known.regionPages() - known.touchedPages());
        for (long page = 0; page < known.regionPages(); page++) {
            assertThat(resident.get(first + page))
                    .as("page %d of the region", page)
                    .isEqualTo(known.touched().test(page));
        }
    }

    @Test
    void migrationWithinTheOnlyNodeSucceedsAndMovesNothing() {
        MigrationResult result = migrateZeroToZero();

        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(result.errno()).isNull();
        assertThat(result.pagesMoved()).isZero();
        assertThat(result.moves()).isEmpty();
        assertThat(result.placementBefore().get(0)).isGreaterThanOrEqualTo(known.touchedPages());
        assertThat(result.placementAfter().keySet()).containsExactly(0);
    }

    @Test
    void aNoOpMigrationLeavesTheDigestUnchanged() {
        MigrationResult result = new MigrationEngine(known.backend())
                .migrate(MigrationRequest.of(known.pid(), List.of(0), List.of(0))
                        .withOptions(io.numashift.core.MigrationOptions.DEFAULTS.withVerify(
                                io.numashift.core.Verify.CONTENT)));

        assertThat(result.contentDigestBefore()).isNotNull();
        assertThat(result.contentDigestAfter()).isEqualTo(result.contentDigestBefore());
    }

    @Test
    void aStoppedProcessIsSeenStoppedUntilResumed() {
        NumaBackend backend = known.backend();

        backend.stop(known.pid());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> backend.process(known.pid()).orElseThrow().stopped());
        backend.resume(known.pid());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !backend.process(known.pid()).orElseThrow().stopped());
    }

    @Test
    void aFileMarkedNoneIsReadAndItsMappingSkipped() {
        FileInfo file = known.backend().file(known.markedFile());

        assertThat(file.migrate()).isEqualTo("none");
        assertThat(file.nfs()).isFalse();
        MigrationResult result = migrateZeroToZero();
        assertThat(result.vmas())
                .filteredOn(v -> v.start() == known.markedFileStart())
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.action()).isEqualTo(VmaAction.SKIPPED);
                    assertThat(v.reason()).isEqualTo(SkipReason.XATTR_NONE);
                });
    }

    private MigrationResult migrateZeroToZero() {
        return new MigrationEngine(known.backend()).migrate(MigrationRequest.of(known.pid(), List.of(0), List.of(0)));
    }

    /** The VMA that holds the known region (the kernel may merge it with a neighbour). */
    private Vma regionVma() {
        return known.backend().vmas(known.pid()).stream()
                .filter(v -> Long.compareUnsigned(v.start(), known.regionStart()) <= 0
                        && Long.compareUnsigned(known.regionStart(), v.end()) < 0)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no VMA holds the region"));
    }

    private long firstRegionPage(Vma vma) {
        return (known.regionStart() - vma.start()) / known.backend().topology().pageSize();
    }
}
