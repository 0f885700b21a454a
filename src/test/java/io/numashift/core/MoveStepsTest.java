package io.numashift.core;

import static io.numashift.core.TestHosts.HEAP;
import static io.numashift.core.TestHosts.PID;
import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.backend.Errno;
import io.numashift.core.backend.MoveLog;
import io.numashift.core.backend.Topology;
import io.numashift.sim.HostSpec;
import io.numashift.sim.HostSpec.NodeSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import io.numashift.sim.SimulatedHost;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The steps of a run on their own: the scan, the one move loop in its two modes (a dry run plans
 * what a real run moves), and the rollback, on small simulated hosts without the engine around
 * them.
 */
class MoveStepsTest {

    /** A rotation of nearly full nodes, a chain, a fallback, and a host without room for all pages. */
    private static List<Case> cases() {
        return List.of(
                new Case(
                        TestHosts.withHeap(3, 100, Map.of(0, 99L, 1, 100L, 2, 100L)),
                        MigrationRequest.of(PID, List.of(0, 1, 2), List.of(1, 2, 0))),
                new Case(
                        TestHosts.withHeap(4, 60, Map.of(0, 50L, 1, 50L, 2, 50L)),
                        MigrationRequest.of(PID, List.of(0, 1, 2), List.of(1, 2, 3))),
                new Case(
                        TestHosts.withHeap(
                                List.of(
                                        new NodeSpec(0, 100, List.of(0)),
                                        new NodeSpec(1, 100, List.of(1)),
                                        new NodeSpec(2, 10, List.of(2)),
                                        new NodeSpec(3, 100, List.of(3))),
                                Map.of(0, 50L),
                                50),
                        MigrationRequest.of(PID, List.of(0, 1), List.of(2, 3))),
                new Case(
                        TestHosts.withHeap(2, 30, Map.of(0, 30L, 1, 20L)),
                        MigrationRequest.of(PID, List.of(0), List.of(1))));
    }

    private record Case(SimulatedHost host, MigrationRequest request) {}

    /** One scan and its mapping, with the tally the scan started. */
    private record Scanned(NodeMapping mapping, Tally tally, Scan scan, Topology topology) {
        Scheduler scheduler(MigrationRequest request) {
            return new Scheduler(mapping.target, scan.toMove, topology, request.newNodes());
        }
    }

    private static Scanned scan(SimulatedHost host, MigrationRequest request, boolean markPages) {
        Topology topology = host.topology();
        NodeMapping mapping = new NodeMapping(request.oldNodes(), request.newNodes(), topology.nodeIdLimit());
        Tally tally = new Tally(mapping.nodes);
        Scan scan = new Scan(mapping.nodes);
        scan.run(host, request, JobScope.single(request.pid()), topology.pageSize(), mapping, tally, markPages);
        return new Scanned(mapping, tally, scan, topology);
    }

    private static HostMoves hostMoves(
            SimulatedHost host, Scanned scanned, MigrationMonitor monitor, @Nullable MoveLog log) {
        return new HostMoves(
                        host,
                        scanned.topology(),
                        PID,
                        scanned.scan(),
                        scanned.tally(),
                        monitor,
                        new BatchBudget(MigrationEngine.DEFAULT_BATCH_PAGES, OptionalDouble.empty()),
                        System::nanoTime,
                        RateCap.of(null, scanned.topology().pageSize(), System::nanoTime, RateCap.PARK),
                        false,
                        scanned.mapping().moving,
                        log)
                .start();
    }

    @Test
    void aDryRunPlansExactlyTheMovesAndFallbacksThatTheRealRunMakes() {
        boolean fellBack = false;
        boolean ranOutOfMemory = false;
        for (Case c : cases()) {
            Scanned planned = scan(c.host(), c.request(), false);
            MoveLoop.Outcome plan = MoveLoop.run(
                    planned.scheduler(c.request()),
                    new PlannedMoves(planned.topology(), planned.tally()),
                    planned.tally());

            Scanned real = scan(c.host(), c.request(), true);
            MoveLoop.Outcome done = MoveLoop.run(
                    real.scheduler(c.request()), hostMoves(c.host(), real, MigrationMonitor.NONE, null), real.tally());

            assertThat(plan).as("%s", c.request()).isEqualTo(done);
            assertThat(planned.tally().moves())
                    .as("%s", c.request())
                    .isEqualTo(real.tally().moves());
            assertThat(planned.tally().fallbacks()).isEqualTo(real.tally().fallbacks());
            assertThat(planned.tally().failed()).isEqualTo(real.tally().failed());
            assertThat(planned.tally().placementAfterMoves(planned.scan().placementBefore))
                    .isEqualTo(placement(c.host(), real.topology().nodeIdLimit()));
            fellBack |= !real.tally().fallbacks().isEmpty();
            ranOutOfMemory |= done == MoveLoop.Outcome.OUT_OF_MEMORY;
        }
        assertThat(fellBack).isTrue();
        assertThat(ranOutOfMemory).isTrue();
    }

    @Test
    void theLoopEndsOutOfMemoryAndCountsWhatFoundNoRoom() {
        SimulatedHost host = TestHosts.withHeap(2, 30, Map.of(0, 30L, 1, 20L));
        MigrationRequest request = MigrationRequest.of(PID, List.of(0), List.of(1));
        Scanned scanned = scan(host, request, true);

        MoveLoop.Outcome outcome = MoveLoop.run(
                scanned.scheduler(request), hostMoves(host, scanned, MigrationMonitor.NONE, null), scanned.tally());

        assertThat(outcome).isEqualTo(MoveLoop.Outcome.OUT_OF_MEMORY);
        assertThat(scanned.tally().movedTotal()).isEqualTo(10);
        assertThat(scanned.tally().failed()).containsExactlyEntriesOf(Map.of(Errno.ENOMEM, 20L));
    }

    @Test
    void aCancelStopsTheRealLoopBeforeItsFirstStepButNotAPlan() {
        SimulatedHost host = TestHosts.withHeap(2, 100, Map.of(0, 50L));
        MigrationRequest request = MigrationRequest.of(PID, List.of(0), List.of(1));
        MigrationMonitor cancelled = new MigrationMonitor() {
            @Override
            public boolean cancelRequested() {
                return true;
            }
        };
        Scanned real = scan(host, request, true);
        Scanned planned = scan(host, request, false);

        assertThat(MoveLoop.run(real.scheduler(request), hostMoves(host, real, cancelled, null), real.tally()))
                .isEqualTo(MoveLoop.Outcome.CANCELLED);
        assertThat(MoveLoop.run(
                        planned.scheduler(request),
                        new PlannedMoves(planned.topology(), planned.tally()),
                        planned.tally()))
                .isEqualTo(MoveLoop.Outcome.COMPLETED);
        assertThat(real.scan().remainingPending()).isEqualTo(50);
        assertThat(host.placement(PID)).containsExactlyEntriesOf(Map.of(0, 50L));
    }

    @Test
    void aScanThatMarksPagesCountsWhatACountingScanCounts() {
        SimulatedHost host = SimulatedHost.create(HostSpec.of("h", TestHosts.nodes(3, 1000))
                .withProcesses(List.of(ProcessSpec.of(
                        PID,
                        List.of(
                                VmaSpec.anon(HEAP, 100, Map.of(0, 60L, 1, 30L)).withPinned(5),
                                VmaSpec.anon(0x50000000L, 40, Map.of(2, 40L)))))));
        MigrationRequest request = MigrationRequest.of(PID, List.of(0, 2), List.of(1, 0));

        Scanned marked = scan(host, request, true);
        Scanned counted = scan(host, request, false);

        for (Scanned s : List.of(marked, counted)) {
            assertThat(s.scan().scanned).isEqualTo(130);
            assertThat(s.scan().notPresent).isEqualTo(10);
            assertThat(s.scan().placementBefore).containsExactly(60, 30, 40);
            assertThat(s.scan().toMove).containsExactly(55, 0, 40);
            assertThat(s.tally().failed()).containsExactlyEntriesOf(Map.of(Errno.EBUSY, 5L));
            assertThat(s.scan().units).hasSize(2);
        }
        assertThat(marked.scan().remainingPending()).isEqualTo(95);
        assertThat(counted.scan().pending).isEmpty();
        assertThat(counted.scan().resident).isEmpty();
    }

    @Test
    void aRollbackMovesEveryLoggedPageBackInReverse() {
        SimulatedHost host = TestHosts.withHeap(3, 100, Map.of(0, 99L, 1, 100L, 2, 100L));
        MigrationRequest request = MigrationRequest.of(PID, List.of(0, 1, 2), List.of(1, 2, 0));
        int[] nodeBefore = new int[299];
        for (int page = 0; page < nodeBefore.length; page++) {
            nodeBefore[page] = host.nodeOf(PID, TestHosts.address(page));
        }
        Scanned scanned = scan(host, request, true);
        MoveLog log = new MoveLog();
        MoveLoop.run(scanned.scheduler(request), hostMoves(host, scanned, MigrationMonitor.NONE, log), scanned.tally());
        assertThat(host.placement(PID)).containsExactlyInAnyOrderEntriesOf(Map.of(0, 100L, 1, 99L, 2, 100L));

        Rollback.Counts counts = Rollback.movePagesBack(host, PID, scanned.scan(), log, false, scanned.mapping().nodes);

        assertThat(counts).isEqualTo(new Rollback.Counts(299, 0));
        for (int page = 0; page < nodeBefore.length; page++) {
            assertThat(host.nodeOf(PID, TestHosts.address(page))).isEqualTo(nodeBefore[page]);
        }
    }

    private static long[] placement(SimulatedHost host, int nodes) {
        long[] counts = new long[nodes];
        host.placement(PID).forEach((node, pages) -> counts[node] = pages);
        return counts;
    }
}
