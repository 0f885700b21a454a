package io.numashift.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.MigrationResult.VmaAction;
import io.numashift.core.backend.Errno;
import io.numashift.sim.HostSpec;
import io.numashift.sim.HostSpec.FileSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.SharedObjectSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import io.numashift.sim.SimulatedHost;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/migration.md §4: which pages move, each rule of its table and the order in which they apply. */
class PageRulesTest {
    private static final int A = 100;
    private static final int B = 200;
    private static final int OUTSIDER = 300;
    private static final long LIB_TEXT = 0x400000L;
    private static final long LIB_DATA = 0x600000L;
    private static final long DATA = 0x700000L;
    private static final long SHM = 0x20000000L;

    private static SimulatedHost host(List<ProcessSpec> processes) {
        return SimulatedHost.create(HostSpec.of("h", TestHosts.nodes(4, 1000))
                .withFiles(List.of(
                        new FileSpec("/usr/lib/libsolver.so", "lib", false),
                        new FileSpec("/data/lookup.tbl", "none", false),
                        new FileSpec("/home/u/input.dat", "none", true),
                        new FileSpec("/data/plain.dat", null, false)))
                .withSharedObjects(List.of(new SharedObjectSpec("shm:/window", 8, Map.of(0, 8L))))
                .withProcesses(processes));
    }

    private static MigrationResult run(SimulatedHost host, int pid, MigrationOptions options) {
        return new MigrationEngine(host)
                .migrate(MigrationRequest.of(pid, List.of(0), List.of(1)).withOptions(options));
    }

    private static VmaSpec file(long start, String perms, String path) {
        return VmaSpec.anon(start, 4, Map.of(0, 4L)).withPerms(perms).withFile(path);
    }

    @Test
    void readOnlyLibraryStaysAndItsWritableDataMoves() {
        SimulatedHost host = host(List.of(ProcessSpec.of(
                A,
                List.of(
                        file(LIB_TEXT, "r-x", "/usr/lib/libsolver.so"),
                        file(LIB_DATA, "rw-", "/usr/lib/libsolver.so")))));

        MigrationResult result = run(host, A, MigrationOptions.DEFAULTS);

        assertThat(result.skipped(SkipReason.XATTR_LIB_READONLY)).isEqualTo(4);
        assertThat(result.pagesMoved()).isEqualTo(4);
        assertThat(host.nodeOf(A, LIB_TEXT)).isZero();
        assertThat(host.nodeOf(A, LIB_DATA)).isEqualTo(1);
        assertThat(result.vmas())
                .extracting(MigrationResult.VmaOutcome::action)
                .containsExactly(VmaAction.SKIPPED, VmaAction.MIGRATED);
        assertThat(result.vmas().getFirst().reason()).isEqualTo(SkipReason.XATTR_LIB_READONLY);
        assertThat(result.vmas().getFirst().maps()).isEqualTo("file:/usr/lib/libsolver.so");
        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
    }

    @Test
    void fileMarkedNoneSkipsTheWholeVmaButAFileWithoutTheAttributeMoves() {
        SimulatedHost host = host(List.of(ProcessSpec.of(
                A, List.of(file(LIB_TEXT, "rw-", "/data/lookup.tbl"), file(LIB_DATA, "rw-", "/data/plain.dat")))));

        MigrationResult result = run(host, A, MigrationOptions.DEFAULTS);

        assertThat(result.skipped(SkipReason.XATTR_NONE)).isEqualTo(4);
        assertThat(host.nodeOf(A, LIB_TEXT)).isZero();
        assertThat(host.nodeOf(A, LIB_DATA)).isEqualTo(1);
    }

    @Test
    void fileOnNfsMovesWhateverAttributeItClaims() {
        SimulatedHost host = host(List.of(ProcessSpec.of(A, List.of(file(LIB_TEXT, "r--", "/home/u/input.dat")))));

        MigrationResult result = run(host, A, MigrationOptions.DEFAULTS);

        assertThat(result.pagesSkipped()).isEmpty();
        assertThat(result.pagesMoved()).isEqualTo(4);
    }

    @Test
    void sharedSegmentOfTwoTargetsMovesOnceAndIsAlreadyMigratedForTheSecond() {
        SimulatedHost host = host(List.of(
                ProcessSpec.of(A, List.of(VmaSpec.shared(SHM, 8, "shm:/window"))),
                ProcessSpec.of(B, List.of(VmaSpec.shared(SHM, 8, "shm:/window")))));

        List<MigrationResult> results = new MigrationEngine(host)
                .migrateAll(List.of(B, A), MigrationRequest.of(0, List.of(0), List.of(1)), MigrationMonitor.NONE);

        assertThat(results).extracting(MigrationResult::pid).containsExactly(A, B);
        assertThat(results.get(0).pagesMoved()).isEqualTo(8);
        assertThat(results.get(1).pagesMoved()).isZero();
        assertThat(results.get(1).skipped(SkipReason.ALREADY_MIGRATED)).isEqualTo(8);
        assertThat(host.usedPages(1)).isEqualTo(8);
    }

    @Test
    void withoutSharedOnceTheSecondTargetScansAgainAndFindsNothingToMove() {
        SimulatedHost host = host(List.of(
                ProcessSpec.of(A, List.of(VmaSpec.shared(SHM, 8, "shm:/window"))),
                ProcessSpec.of(B, List.of(VmaSpec.shared(SHM, 8, "shm:/window")))));

        List<MigrationResult> results = new MigrationEngine(host)
                .migrateAll(
                        List.of(A, B),
                        MigrationRequest.of(0, List.of(0), List.of(1))
                                .withOptions(MigrationOptions.DEFAULTS.withSharedOnce(false)),
                        MigrationMonitor.NONE);

        assertThat(results.get(1).pagesSkipped()).isEmpty();
        assertThat(results.get(1).pagesScanned()).isEqualTo(8);
        assertThat(results.get(1).pagesMoved()).isZero();
    }

    @Test
    void segmentSharedWithAProcessOutsideTheJobIsSkippedUnlessMoveShared() {
        List<ProcessSpec> processes = List.of(
                ProcessSpec.of(A, List.of(VmaSpec.shared(SHM, 8, "shm:/window"))),
                ProcessSpec.of(OUTSIDER, List.of(VmaSpec.shared(SHM, 8, "shm:/window"))));
        SimulatedHost host = host(processes);

        MigrationResult skipped = run(host, A, MigrationOptions.DEFAULTS);

        assertThat(skipped.skipped(SkipReason.SHARED)).isEqualTo(8);
        assertThat(host.nodeOf(A, SHM)).isZero();

        MigrationResult moved = run(host, A, MigrationOptions.DEFAULTS.withMoveShared(true));

        assertThat(moved.pagesMoved()).isEqualTo(8);
        assertThat(host.nodeOf(OUTSIDER, SHM)).isEqualTo(1);
    }

    @Test
    void pinnedPagesFailWithEbusyAndTheMigrationEndsPartial() {
        SimulatedHost host = host(List.of(ProcessSpec.of(
                A, List.of(VmaSpec.anon(DATA, 10, Map.of(0, 10L)).withPinned(2)))));

        MigrationResult result = run(host, A, MigrationOptions.DEFAULTS);

        assertThat(result.status()).isEqualTo(MigrationStatus.PARTIAL);
        assertThat(result.failed(Errno.EBUSY)).isEqualTo(2);
        assertThat(result.pagesMoved()).isEqualTo(8);
        assertThat(host.nodeOf(A, DATA)).isZero();
        assertThat(host.nodeOf(A, DATA + 2 * 4096)).isEqualTo(1);
    }

    @Test
    void pagesNeverTouchedAreCountedNotPresentEvenInSkippedVmas() {
        SimulatedHost host = host(List.of(ProcessSpec.of(
                A,
                List.of(
                        VmaSpec.anon(LIB_TEXT, 10, Map.of(0, 4L))
                                .withPerms("r--")
                                .withFile("/data/lookup.tbl"),
                        VmaSpec.anon(DATA, 10, Map.of(0, 7L))))));

        MigrationResult result = run(host, A, MigrationOptions.DEFAULTS);

        assertThat(result.pagesNotPresent()).isEqualTo(6 + 3);
        assertThat(result.pagesScanned()).isEqualTo(11);
        assertThat(result.skipped(SkipReason.XATTR_NONE)).isEqualTo(4);
    }

    @Test
    void pinnedPagesOnNodesOutsideOldNodesAreCountedNowhere() {
        SimulatedHost host = host(List.of(ProcessSpec.of(
                A, List.of(VmaSpec.anon(DATA, 10, Map.of(2, 3L, 0, 5L)).withPinned(3)))));

        MigrationResult result = run(host, A, MigrationOptions.DEFAULTS);

        // The first three resident pages are pinned; placement lays out node 0 first, so pages 0-2 on
        // node 0 are pinned (EBUSY) and node 2's pages stay uncounted.
        assertThat(result.failed(Errno.EBUSY)).isEqualTo(3);
        assertThat(result.pagesMoved()).isEqualTo(2);
        assertThat(result.pagesFailed()).containsOnlyKeys(Errno.EBUSY);
    }

    @Test
    void alreadyMigratedWinsOverNodesOutsideOldNodes() {
        SimulatedHost host = host(List.of(
                ProcessSpec.of(A, List.of(VmaSpec.shared(SHM, 8, "shm:/window"))),
                ProcessSpec.of(B, List.of(VmaSpec.shared(SHM, 8, "shm:/window")))));

        List<MigrationResult> results = new MigrationEngine(host)
                .migrateAll(List.of(A, B), MigrationRequest.of(0, List.of(0), List.of(1)), MigrationMonitor.NONE);

        // After A moved the pages to node 1 (not an old node), B still reports them ALREADY_MIGRATED.
        assertThat(results.get(1).skipped(SkipReason.ALREADY_MIGRATED)).isEqualTo(8);
    }

    @Test
    void rangeClipsVmasAndLeavesPagesOutsideItAlone() {
        SimulatedHost host = host(List.of(ProcessSpec.of(A, List.of(VmaSpec.anon(DATA, 10, Map.of(0, 10L))))));

        MigrationResult result = new MigrationEngine(host)
                .migrate(MigrationRequest.of(A, List.of(0), List.of(1))
                        .withRange(new AddressRange(DATA + 2 * 4096, DATA + 5 * 4096)));

        assertThat(result.pagesMoved()).isEqualTo(3);
        assertThat(host.nodeOf(A, DATA + 4096)).isZero();
        assertThat(host.nodeOf(A, DATA + 2 * 4096)).isEqualTo(1);
        assertThat(host.nodeOf(A, DATA + 5 * 4096)).isZero();
        assertThat(result.vmas()).singleElement().satisfies(v -> {
            assertThat(v.start()).isEqualTo(DATA + 2 * 4096);
            assertThat(v.end()).isEqualTo(DATA + 5 * 4096);
        });
    }
}
