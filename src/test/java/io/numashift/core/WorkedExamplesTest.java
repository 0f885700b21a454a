package io.numashift.core;

import static io.numashift.core.TestHosts.PID;
import static io.numashift.core.TestHosts.address;
import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.backend.Errno;
import io.numashift.sim.SimulatedHost;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worked examples of docs/migration.md §8, one test each. */
class WorkedExamplesTest {

    @Test
    void chainMovesEachPageOneStepDownstream() {
        SimulatedHost host = TestHosts.withHeap(4, 10, Map.of(0, 1L, 1, 1L, 2, 1L));

        MigrationResult result =
                new MigrationEngine(host).migrate(MigrationRequest.of(PID, List.of(0, 1, 2), List.of(1, 2, 3)));

        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(host.nodeOf(PID, address(0))).isEqualTo(1);
        assertThat(host.nodeOf(PID, address(1))).isEqualTo(2);
        assertThat(host.nodeOf(PID, address(2))).isEqualTo(3);
        assertThat(result.pagesMoved()).isEqualTo(3);
    }

    @Test
    void rotationMovesEachPageOnce() {
        SimulatedHost host = TestHosts.withHeap(3, 10, Map.of(0, 1L, 1, 1L, 2, 1L));

        MigrationResult result =
                new MigrationEngine(host).migrate(MigrationRequest.of(PID, List.of(0, 1, 2), List.of(1, 2, 0)));

        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(host.nodeOf(PID, address(0))).isEqualTo(1);
        assertThat(host.nodeOf(PID, address(1))).isEqualTo(2);
        assertThat(host.nodeOf(PID, address(2))).isEqualTo(0);
        assertThat(result.pagesMoved()).isEqualTo(3);
        assertThat(result.moves())
                .containsExactlyInAnyOrder(
                        new MigrationResult.NodePairPages(0, 1, 1),
                        new MigrationResult.NodePairPages(1, 2, 1),
                        new MigrationResult.NodePairPages(2, 0, 1));
    }

    @Test
    void swapOfFullNodesCompletesWithOneFreePage() {
        SimulatedHost host = TestHosts.withHeap(2, 100, Map.of(0, 100L, 1, 99L));

        MigrationResult result =
                new MigrationEngine(host).migrate(MigrationRequest.of(PID, List.of(0, 1), List.of(1, 0)));

        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(result.fallbacks()).isEmpty();
        assertThat(result.placementAfter()).containsExactlyInAnyOrderEntriesOf(Map.of(1, 100L, 0, 99L));
        assertThat(host.usedPages(0)).isEqualTo(99);
        assertThat(host.usedPages(1)).isEqualTo(100);
        for (int page = 0; page < 100; page++) {
            assertThat(host.nodeOf(PID, address(page))).isEqualTo(1);
        }
        for (int page = 100; page < 199; page++) {
            assertThat(host.nodeOf(PID, address(page))).isEqualTo(0);
        }
    }

    @Test
    void manyToOneGathersEveryPageOnOneNode() {
        SimulatedHost host = TestHosts.withHeap(6, 100, Map.of(0, 10L, 1, 20L, 2, 30L));

        MigrationResult result =
                new MigrationEngine(host).migrate(MigrationRequest.of(PID, List.of(0, 1, 2), List.of(5, 5, 5)));

        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(result.placementAfter()).containsExactlyEntriesOf(Map.of(5, 60L));
    }

    @Test
    void fullTargetFallsBackToTheNearestNewNodeWithRoom() {
        var nodes = List.of(
                new io.numashift.sim.HostSpec.NodeSpec(0, 100, List.of(0)),
                new io.numashift.sim.HostSpec.NodeSpec(1, 100, List.of(1)),
                new io.numashift.sim.HostSpec.NodeSpec(2, 10, List.of(2)),
                new io.numashift.sim.HostSpec.NodeSpec(3, 100, List.of(3)),
                new io.numashift.sim.HostSpec.NodeSpec(4, 100, List.of(4)));
        var distances = List.of(
                List.of(10, 20, 20, 20, 20),
                List.of(20, 10, 20, 20, 20),
                List.of(20, 20, 10, 20, 30),
                List.of(20, 20, 20, 10, 20),
                List.of(20, 20, 30, 20, 10));
        SimulatedHost host = SimulatedHost.create(io.numashift.sim.HostSpec.of("h", nodes)
                .withDistances(distances)
                .withProcesses(List.of(io.numashift.sim.HostSpec.ProcessSpec.of(
                        PID, List.of(io.numashift.sim.HostSpec.VmaSpec.anon(TestHosts.HEAP, 50, Map.of(0, 50L)))))));

        MigrationResult result =
                new MigrationEngine(host).migrate(MigrationRequest.of(PID, List.of(0, 1, 2), List.of(2, 3, 4)));

        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(result.placementAfter()).containsExactlyInAnyOrderEntriesOf(Map.of(2, 10L, 3, 40L));
        assertThat(result.fallbacks()).containsExactly(new MigrationResult.Fallback(2, 3, 40));
    }

    @Test
    void noRoomAnywhereStopsWithEnomemAndRollbackRestoresEveryPage() {
        SimulatedHost kept = TestHosts.withHeap(2, 30, Map.of(0, 30L, 1, 20L));
        MigrationResult keep = new MigrationEngine(kept).migrate(MigrationRequest.of(PID, List.of(0), List.of(1)));

        assertThat(keep.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(keep.errno()).isEqualTo(Errno.ENOMEM);
        assertThat(keep.pagesMoved()).isEqualTo(10);
        assertThat(keep.failed(Errno.ENOMEM)).isEqualTo(20);

        SimulatedHost rolled = TestHosts.withHeap(2, 30, Map.of(0, 30L, 1, 20L));
        MigrationResult rollback = new MigrationEngine(rolled)
                .migrate(MigrationRequest.of(PID, List.of(0), List.of(1))
                        .withOptions(MigrationOptions.DEFAULTS
                                .withOnFailure(OnFailure.ROLLBACK)
                                .withVerify(Verify.CONTENT)));

        assertThat(rollback.errno()).isEqualTo(Errno.ENOMEM);
        assertThat(rollback.rolledBack()).isEqualTo(10);
        assertThat(rollback.rollbackFailed()).isZero();
        assertThat(rollback.placementAfter()).containsExactlyInAnyOrderEntriesOf(Map.of(0, 30L, 1, 20L));
        for (int page = 0; page < 30; page++) {
            assertThat(rolled.nodeOf(PID, address(page))).isZero();
        }
        assertThat(rollback.contentDigestAfter()).isEqualTo(rollback.contentDigestBefore());
    }

    @Test
    void identityMappingMovesNothingAndSucceeds() {
        SimulatedHost host = TestHosts.withHeap(2, 10, Map.of(0, 3L, 1, 3L));

        MigrationResult result =
                new MigrationEngine(host).migrate(MigrationRequest.of(PID, List.of(0, 1), List.of(0, 1)));

        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(result.pagesMoved()).isZero();
        assertThat(result.placementAfter()).isEqualTo(result.placementBefore());
    }

    @Test
    void unalignedRangeStartIsEinvalAndChangesNothing() {
        SimulatedHost host = TestHosts.withHeap(2, 10, Map.of(0, 3L));

        MigrationResult result = new MigrationEngine(host)
                .migrate(MigrationRequest.of(PID, List.of(0), List.of(1))
                        .withRange(new AddressRange(TestHosts.HEAP + 1, TestHosts.HEAP + 4096 * 3)));

        assertThat(result.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(result.errno()).isEqualTo(Errno.EINVAL);
        assertThat(host.usedPages(0)).isEqualTo(3);
        assertThat(host.nodeOf(PID, address(0))).isZero();
    }

    @Test
    void nodeMissingFromTheHostIsEnodev() {
        SimulatedHost host = TestHosts.withHeap(4, 10, Map.of(0, 3L));

        MigrationResult result = new MigrationEngine(host).migrate(MigrationRequest.of(PID, List.of(0), List.of(7)));

        assertThat(result.errno()).isEqualTo(Errno.ENODEV);
        assertThat(host.usedPages(0)).isEqualTo(3);
    }

    @Test
    void aPageNeverFallsBackOntoTheNodeItIsOn() {
        SimulatedHost host = TestHosts.withHeap(
                List.of(
                        new io.numashift.sim.HostSpec.NodeSpec(0, 2, List.of(0)),
                        new io.numashift.sim.HostSpec.NodeSpec(1, 1, List.of(1))),
                Map.of(0, 2L),
                2);

        MigrationResult result =
                new MigrationEngine(host).migrate(MigrationRequest.of(PID, List.of(0, 1), List.of(1, 0)));

        assertThat(result.errno()).isEqualTo(Errno.ENOMEM);
        assertThat(result.pagesMoved()).isEqualTo(1);
        assertThat(result.moved(0, 0)).isZero();
        assertThat(result.fallbacks()).isEmpty();
    }
}
