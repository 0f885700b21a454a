package io.numashift.core;

import static io.numashift.core.TestHosts.HEAP;
import static io.numashift.core.TestHosts.PID;
import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.backend.Errno;
import io.numashift.core.backend.MemoryPolicy;
import io.numashift.core.backend.PolicyMode;
import io.numashift.sim.HostSpec;
import io.numashift.sim.HostSpec.CpusetSpec;
import io.numashift.sim.HostSpec.NodeSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import io.numashift.sim.SimulatedHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/migration.md §3, §6 and §7.4: policies, CPUs, cpusets, suspension, concurrent allocation,
 * cancellation, dry runs.
 */
class AroundMigrationTest {

    private static SimulatedHost host(ProcessSpec process) {
        return SimulatedHost.create(HostSpec.of(
                        "h",
                        List.of(
                                new NodeSpec(0, 1000, List.of(0, 1)),
                                new NodeSpec(1, 1000, List.of(2, 3)),
                                new NodeSpec(2, 1000, List.of()),
                                new NodeSpec(3, 1000, List.of(4))))
                .withDistances(List.of(
                        List.of(10, 20, 30, 40),
                        List.of(20, 10, 30, 25),
                        List.of(30, 30, 10, 30),
                        List.of(40, 25, 30, 10)))
                .withCpusets(List.of(new CpusetSpec("/job", List.of(0, 1, 2, 3), List.of(0, 1, 2, 3, 4))))
                .withProcesses(List.of(process)));
    }

    private static ProcessSpec process(long pages, Map<Integer, Long> placement) {
        return ProcessSpec.of(PID, List.of(VmaSpec.anon(HEAP, pages, placement)));
    }

    @Test
    void remapsTheProcessPolicyAndVmaPoliciesBeforeMoving() {
        ProcessSpec spec = ProcessSpec.of(
                        PID,
                        List.of(VmaSpec.anon(HEAP, 10, Map.of(0, 10L))
                                .withPolicy(new MemoryPolicy(PolicyMode.PREFERRED, List.of(0)))))
                .withPolicy(new MemoryPolicy(PolicyMode.BIND, List.of(0, 1, 3)));
        SimulatedHost host = host(spec);

        MigrationResult result =
                new MigrationEngine(host).migrate(MigrationRequest.of(PID, List.of(0, 1), List.of(3, 3)));

        assertThat(result.policyBefore()).isEqualTo(new MemoryPolicy(PolicyMode.BIND, List.of(0, 1, 3)));
        assertThat(result.policyAfter()).isEqualTo(new MemoryPolicy(PolicyMode.BIND, List.of(3)));
        assertThat(host.process(PID).orElseThrow().policy()).isEqualTo(result.policyAfter());
        assertThat(host.vmas(PID).getFirst().policy()).isEqualTo(new MemoryPolicy(PolicyMode.PREFERRED, List.of(3)));
    }

    @Test
    void keepsTheProcessPolicyWhenARangeIsGivenButRemapsTheVmaItCovers() {
        ProcessSpec spec = ProcessSpec.of(
                        PID,
                        List.of(VmaSpec.anon(HEAP, 10, Map.of(0, 10L))
                                .withPolicy(new MemoryPolicy(PolicyMode.INTERLEAVE, List.of(0, 1)))))
                .withPolicy(new MemoryPolicy(PolicyMode.BIND, List.of(0)));
        SimulatedHost host = host(spec);

        MigrationResult result = new MigrationEngine(host)
                .migrate(MigrationRequest.of(PID, List.of(0), List.of(2))
                        .withRange(new AddressRange(HEAP, HEAP + 4 * 4096)));

        assertThat(result.policyAfter()).isEqualTo(new MemoryPolicy(PolicyMode.BIND, List.of(0)));
        assertThat(host.vmas(PID))
                .extracting(io.numashift.core.backend.Vma::policy)
                .containsExactly(
                        new MemoryPolicy(PolicyMode.INTERLEAVE, List.of(2, 1)),
                        new MemoryPolicy(PolicyMode.INTERLEAVE, List.of(0, 1)));
        assertThat(result.pagesMoved()).isEqualTo(4);
    }

    @Test
    void warnsWhenADefaultPolicyProcessRunsOnAnOldNode() {
        SimulatedHost host = host(process(10, Map.of(0, 10L)));

        MigrationResult result = new MigrationEngine(host).migrate(MigrationRequest.of(PID, List.of(0), List.of(1)));

        assertThat(result.warnings()).containsExactly(MigrationWarning.CPU_ON_OLD_NODE);
        assertThat(host.process(PID).orElseThrow().cpu()).isZero();
    }

    @Test
    void migrateCpusMovesTheProcessToACpuOfTheNewNode() {
        SimulatedHost host = host(process(10, Map.of(0, 10L)));

        MigrationResult result = new MigrationEngine(host)
                .migrate(MigrationRequest.of(PID, List.of(0), List.of(1))
                        .withOptions(MigrationOptions.DEFAULTS.withMigrateCpus(true)));

        assertThat(result.warnings()).isEmpty();
        assertThat(host.process(PID).orElseThrow().cpu()).isEqualTo(2);
    }

    @Test
    void migrateCpusToAMemoryOnlyNodePicksTheNearestNewNodeWithCpus() {
        SimulatedHost host = host(process(10, Map.of(0, 5L, 1, 5L)));

        new MigrationEngine(host)
                .migrate(MigrationRequest.of(PID, List.of(0, 1), List.of(2, 3))
                        .withOptions(MigrationOptions.DEFAULTS.withMigrateCpus(true)));

        // Node 2 has no CPUs; of newNodes, node 3 is the one with CPUs.
        assertThat(host.process(PID).orElseThrow().cpu()).isEqualTo(4);
    }

    @Test
    void concurrentAllocationsOfADefaultProcessOnAnOldNodeAreReportedAsLeft() {
        SimulatedHost host = host(process(100, Map.of(0, 40L)).withAllocatePagesPerStep(3));

        MigrationResult result = new MigrationEngine(host, 8)
                .migrate(MigrationRequest.of(PID, List.of(0), List.of(1))
                        .withOptions(MigrationOptions.DEFAULTS.withVerify(Verify.CONTENT)));

        assertThat(result.pagesMoved()).isEqualTo(40);
        assertThat(result.pagesLeftOnOldNodes()).isPositive();
        assertThat(result.pagesLeftOnOldNodes())
                .isEqualTo(result.placementAfter().getOrDefault(0, 0L));
        assertThat(result.status()).isEqualTo(MigrationStatus.PARTIAL);
        assertThat(result.contentDigestAfter()).isEqualTo(result.contentDigestBefore());
    }

    @Test
    void concurrentAllocationsOfAProcessMovedToANewCpuLandOnTheNewNode() {
        SimulatedHost host = host(process(100, Map.of(0, 40L)).withAllocatePagesPerStep(3));

        MigrationResult result = new MigrationEngine(host, 8)
                .migrate(MigrationRequest.of(PID, List.of(0), List.of(1))
                        .withOptions(MigrationOptions.DEFAULTS.withMigrateCpus(true)));

        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(result.pagesLeftOnOldNodes()).isZero();
        assertThat(result.placementAfter()).containsOnlyKeys(1);
        assertThat(result.placementAfter().get(1)).isGreaterThan(40);
    }

    @Test
    void suspendStopsTheProcessWhileMovingAndResumesIt() {
        SimulatedHost host = host(process(100, Map.of(0, 40L)).withAllocatePagesPerStep(3));
        List<Boolean> stoppedDuring = new ArrayList<>();
        MigrationMonitor monitor = new MigrationMonitor() {
            @Override
            public void progress(int pid, long pagesDone, long pagesToMove) {
                stoppedDuring.add(host.process(PID).orElseThrow().stopped());
            }
        };

        MigrationResult result = new MigrationEngine(host, 8)
                .migrate(
                        MigrationRequest.of(PID, List.of(0), List.of(1))
                                .withOptions(MigrationOptions.DEFAULTS.withSuspend(true)),
                        JobScope.single(PID),
                        monitor);

        assertThat(stoppedDuring).isNotEmpty().containsOnly(true);
        assertThat(host.process(PID).orElseThrow().stopped()).isFalse();
        assertThat(result.pagesLeftOnOldNodes())
                .as("a stopped process allocates nothing")
                .isZero();
        assertThat(result.placementAfter()).containsExactlyEntriesOf(Map.of(1, 40L));
    }

    @Test
    void suspendResumesTheProcessEvenWhenTheMigrationFails() {
        SimulatedHost host = SimulatedHost.create(
                HostSpec.of("h", TestHosts.nodes(2, 40)).withProcesses(List.of(process(80, Map.of(0, 40L, 1, 30L)))));

        MigrationResult result = new MigrationEngine(host)
                .migrate(MigrationRequest.of(PID, List.of(0), List.of(1))
                        .withOptions(MigrationOptions.DEFAULTS.withSuspend(true)));

        assertThat(result.errno()).isEqualTo(Errno.ENOMEM);
        assertThat(host.process(PID).orElseThrow().stopped()).isFalse();
    }

    @Test
    void aProcessStoppedBeforeTheJobStaysStopped() {
        SimulatedHost host = host(process(10, Map.of(0, 10L)).withStopped(true));

        new MigrationEngine(host)
                .migrate(MigrationRequest.of(PID, List.of(0), List.of(1))
                        .withOptions(MigrationOptions.DEFAULTS.withSuspend(true)));

        assertThat(host.process(PID).orElseThrow().stopped()).isTrue();
    }

    @Test
    void cancellationStopsAtABatchBoundaryAndKeepsWhatMoved() {
        SimulatedHost host = host(process(100, Map.of(0, 100L)));
        MigrationMonitor cancelAfterFirstBatch = cancelOnceDone(1);

        MigrationResult result = new MigrationEngine(host, 10)
                .migrate(MigrationRequest.of(PID, List.of(0), List.of(1)), JobScope.single(PID), cancelAfterFirstBatch);

        assertThat(result.status()).isEqualTo(MigrationStatus.CANCELLED);
        assertThat(result.pagesMoved()).isEqualTo(10);
        assertThat(host.usedPages(1)).isEqualTo(10);
        assertThat(result.pagesLeftOnOldNodes()).isEqualTo(90);
    }

    @Test
    void cancellationWithRollbackPutsPagesAndPolicyBack() {
        ProcessSpec spec = process(100, Map.of(0, 100L)).withPolicy(new MemoryPolicy(PolicyMode.BIND, List.of(0)));
        SimulatedHost host = host(spec);
        MigrationMonitor cancelSoon = cancelOnceDone(30);

        MigrationResult result = new MigrationEngine(host, 10)
                .migrate(
                        MigrationRequest.of(PID, List.of(0), List.of(1))
                                .withOptions(MigrationOptions.DEFAULTS
                                        .withOnFailure(OnFailure.ROLLBACK)
                                        .withMigrateCpus(true)),
                        JobScope.single(PID),
                        cancelSoon);

        assertThat(result.status()).isEqualTo(MigrationStatus.CANCELLED);
        assertThat(result.rolledBack()).isEqualTo(30);
        assertThat(host.usedPages(0)).isEqualTo(100);
        assertThat(host.process(PID).orElseThrow().policy()).isEqualTo(new MemoryPolicy(PolicyMode.BIND, List.of(0)));
        assertThat(host.process(PID).orElseThrow().cpu()).isZero();
        assertThat(result.policyAfter()).isEqualTo(result.policyBefore());
    }

    @Test
    void migrateAllCancelsTheProcessesNotYetStarted() {
        SimulatedHost host = SimulatedHost.create(HostSpec.of("h", TestHosts.nodes(2, 100))
                .withProcesses(List.of(
                        ProcessSpec.of(1, List.of(VmaSpec.anon(HEAP, 5, Map.of(0, 5L)))),
                        ProcessSpec.of(2, List.of(VmaSpec.anon(HEAP, 5, Map.of(0, 5L)))))));
        MigrationMonitor cancelAfterFirst = new MigrationMonitor() {
            private boolean started;

            @Override
            public void progress(int pid, long pagesDone, long pagesToMove) {
                started = true;
            }

            @Override
            public boolean cancelRequested() {
                return started;
            }
        };

        List<MigrationResult> results = new MigrationEngine(host)
                .migrateAll(List.of(1, 2), MigrationRequest.of(0, List.of(0), List.of(1)), cancelAfterFirst);

        assertThat(results)
                .extracting(MigrationResult::status)
                .containsExactly(MigrationStatus.CANCELLED, MigrationStatus.CANCELLED);
        assertThat(results.get(1).placementBefore()).as("untouched").isEmpty();
        assertThat(host.placement(2)).containsExactlyEntriesOf(Map.of(0, 5L));
    }

    @Test
    void dryRunPredictsMovesFallbacksAndTimeWithoutChangingAnything() {
        SimulatedHost host = SimulatedHost.create(
                HostSpec.of("h", TestHosts.nodes(3, 50)).withProcesses(List.of(process(100, Map.of(0, 50L, 2, 45L)))));

        MigrationResult result = new MigrationEngine(host)
                .migrate(MigrationRequest.of(PID, List.of(0, 2), List.of(1, 1))
                        .withOptions(MigrationOptions.DEFAULTS.withDryRun(true)));

        assertThat(result.moved(0, 1) + result.moved(2, 1)).isEqualTo(50);
        assertThat(result.fallbacks()).isEmpty();
        assertThat(result.errno()).isEqualTo(Errno.ENOMEM);
        assertThat(result.failed(Errno.ENOMEM)).isEqualTo(45);
        assertThat(result.estimatedSeconds()).isCloseTo(50 * 1.2e-6, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(host.placement(PID)).containsExactlyInAnyOrderEntriesOf(Map.of(0, 50L, 2, 45L));
    }

    @Test
    void reportsProgressAsPagesDoneOfPagesToMove() {
        SimulatedHost host = host(process(100, Map.of(0, 100L)));
        List<long[]> reports = new ArrayList<>();
        MigrationMonitor monitor = new MigrationMonitor() {
            @Override
            public void progress(int pid, long pagesDone, long pagesToMove) {
                reports.add(new long[] {pagesDone, pagesToMove});
            }
        };

        new MigrationEngine(host, 25)
                .migrate(MigrationRequest.of(PID, List.of(0), List.of(1)), JobScope.single(PID), monitor);

        assertThat(reports).extracting(r -> r[0]).containsExactly(0L, 25L, 50L, 75L, 100L);
        assertThat(reports).extracting(r -> r[1]).containsOnly(100L);
    }

    /** A caller that asks to cancel once the migration reported this many pages done. */
    private static MigrationMonitor cancelOnceDone(long pages) {
        return new MigrationMonitor() {
            private long done;

            @Override
            public void progress(int pid, long pagesDone, long pagesToMove) {
                done = pagesDone;
            }

            @Override
            public boolean cancelRequested() {
                return done >= pages;
            }
        };
    }
}
