package io.numashift.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.MigrationResult.Fallback;
import io.numashift.core.MigrationResult.NodePairPages;
import io.numashift.core.MigrationStatus;
import io.numashift.core.SkipReason;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.MemoryState;
import io.numashift.jobs.ProcessResults;
import io.numashift.jobs.TaskTargets;
import io.numashift.protocol.EvacuatedNode;
import io.numashift.protocol.NodeMemory;
import io.numashift.protocol.ProcessReport;
import io.numashift.protocol.TaskProgress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each rule an agent's result must keep to, shown by a result that breaks only that rule; a result
 * that keeps them all passes. (That every result the engine makes passes is a property of the
 * engine: {@code MigrationProperties}.)
 */
class ReportRulesTest {
    /** A lease of pids 10 and 11, mapping [0, 1] → [2, 3], on a host of nodes 0 to 3. */
    private static final ReportRules RULES = new ReportRules(
            new TaskTargets(List.of(10, 11), List.of()), List.of(0, 1), List.of(2, 3), Set.of(0, 1, 2, 3));

    @Test
    void aResultThatKeepsEveryRulePasses() {
        assertThat(RULES.check(List.of(good(10).build(), good(11).build()), null))
                .isEmpty();
    }

    @Test
    void nodesComeOnlyFromAnEvacuationOnePerNodeItEmptiesWithTheMemoryBlocksItAskedFor() {
        ReportRules evacuation = new ReportRules(
                new TaskTargets(List.of(), List.of(), List.of(), true),
                List.of(3),
                List.of(0, 1, 2),
                Set.of(0, 1, 2, 3),
                true,
                MemoryState.OFFLINE);
        EvacuatedNode offline = node(3, new NodeMemory(3, MemoryState.OFFLINE, 4, 4, null, null));

        assertThat(evacuation.check(List.of(), null, List.of(offline))).isEmpty();
        assertThat(evacuation.check(List.of(), null, List.of(node(3, null))))
                .as("a dry run changes no block")
                .isEmpty();
        assertThat(evacuation.check(List.of(), null, List.of(offline, offline)))
                .extracting(ReportRules.Violation::field)
                .containsExactly("nodes[1].node");
        assertThat(evacuation.check(List.of(), null, List.of(node(2, null))))
                .extracting(ReportRules.Violation::field)
                .containsExactly("nodes[0].node");
        assertThat(evacuation.check(
                        List.of(), null, List.of(node(3, new NodeMemory(3, MemoryState.ONLINE, 4, 4, null, null)))))
                .extracting(ReportRules.Violation::field)
                .containsExactly("nodes[0].memory.state");
        assertThat(evacuation.check(
                        List.of(), null, List.of(node(3, new NodeMemory(3, MemoryState.OFFLINE, 4, 5, null, null)))))
                .extracting(ReportRules.Violation::field)
                .containsExactly("nodes[0].memory.inState");
        assertThat(RULES.check(List.of(good(10).build(), good(11).build()), null, List.of(node(0, null))))
                .as("a migration reports no node")
                .extracting(ReportRules.Violation::field)
                .containsExactly("nodes[0].node");
    }

    private static EvacuatedNode node(int id, NodeMemory memory) {
        return new EvacuatedNode(id, 100, 0, memory);
    }

    @Test
    void aProcessTheLeaseDidNotNameIsRefused() {
        assertThat(fields(List.of(good(10).build(), good(11).build(), good(12).build()), null))
                .containsExactly("processes[2].pid");
    }

    @Test
    void aProcessReportedTwiceIsRefused() {
        assertThat(fields(List.of(good(10).build(), good(11).build(), good(11).build()), null))
                .containsExactly("processes[2].pid");
    }

    @Test
    void withoutAnErrorEveryProcessOfTheLeaseIsReported() {
        assertThat(fields(List.of(good(10).build()), null)).containsExactly("processes");
        assertThat(fields(List.of(), null)).containsExactly("processes");
        assertThat(RULES.check(List.of(), "EINVAL"))
                .as("a task that could not run")
                .isEmpty();
    }

    @Test
    void aCpusetTaskMayReportProcessesTheLeaseDidNotName() {
        ReportRules cpuset =
                new ReportRules(new TaskTargets(List.of(), List.of("/job")), List.of(0, 1), List.of(2, 3), Set.of());
        assertThat(cpuset.check(List.of(good(77).build(), good(78).build()), null))
                .isEmpty();
    }

    @Test
    void aSlurmJobTaskMayReportProcessesTheLeaseDidNotName() {
        ReportRules slurm = new ReportRules(
                new TaskTargets(List.of(), List.of(), List.of("42")), List.of(0, 1), List.of(2, 3), Set.of());
        assertThat(slurm.check(List.of(good(77).build(), good(78).build()), null))
                .isEmpty();
        assertThat(RULES.check(List.of(good(77).build()), null))
                .as("a task of pids alone may not")
                .isNotEmpty();
    }

    @Test
    void pagesMovedSkippedAndFailedFitInThePagesScanned() {
        assertThat(field(good(10).moved(5, 6, new NodePairPages(0, 2, 6)))).isEqualTo("processes[0].pagesScanned");
        assertThat(field(good(10).status(MigrationStatus.PARTIAL, null)
                        .failed(Map.of(Errno.EBUSY, 3L))
                        .skipped(Map.of(SkipReason.SHARED, 2L))))
                .isEqualTo("processes[0].pagesScanned");
    }

    @Test
    void movesAddUpToThePagesMoved() {
        assertThat(field(good(10).moved(10, 6, new NodePairPages(0, 2, 5)))).isEqualTo("processes[0].moves");
    }

    @Test
    void movesGoFromAnOldNodeToANewNode() {
        assertThat(field(good(10).moved(10, 6, new NodePairPages(2, 0, 6)))).isEqualTo("processes[0].moves");
        assertThat(field(good(10).moved(10, 6, new NodePairPages(0, 2, 7), new NodePairPages(1, 3, -1))))
                .isEqualTo("processes[0].moves");
    }

    @Test
    void fallbacksStayWithinTheNewNodesAndThePagesMoved() {
        assertThat(field(good(10).fallbacks(new Fallback(2, 1, 6)))).isEqualTo("processes[0].fallbacks");
        assertThat(field(good(10).fallbacks(new Fallback(3, 2, 7)))).isEqualTo("processes[0].fallbacks");
    }

    @Test
    void placementsNameNodesOfTheHost() {
        assertThat(field(good(10).placement(Map.of(0, 6L, 1, 4L), Map.of(9, 10L))))
                .isEqualTo("processes[0].placementAfter");
    }

    @Test
    void aRollbackMovesBackNoMoreThanMoved() {
        assertThat(field(good(10).status(MigrationStatus.FAILED, Errno.ENOMEM)
                        .failed(Map.of(Errno.ENOMEM, 4L))
                        .moved(10, 6, new NodePairPages(0, 2, 6))
                        .rolledBack(5, 2)))
                .isEqualTo("processes[0].rolledBack");
    }

    @Test
    void theStatusAgreesWithTheErrno() {
        assertThat(field(good(10).status(MigrationStatus.SUCCEEDED, Errno.EBUSY).failed(Map.of(Errno.EBUSY, 1L))))
                .isEqualTo("processes[0].status");
        assertThat(field(good(10).status(MigrationStatus.FAILED, null))).isEqualTo("processes[0].errno");
    }

    @Test
    void anEstimateIsFinite() {
        assertThat(field(good(10).estimate(Double.POSITIVE_INFINITY))).isEqualTo("processes[0].estimatedSeconds");
    }

    @Test
    void progressReportsNoMoreProcessesDoneThanThereAre() {
        assertThat(ReportRules.check(new TaskProgress(2, 3, 0, 0, 0, 0))).hasSize(1);
        assertThat(ReportRules.check(new TaskProgress(3, 3, 0, 0, 0, 0))).isEmpty();
    }

    /** The one field the rules find wrong with a result whose first process is this one. */
    private static String field(ProcessResults first) {
        List<String> fields = fields(List.of(first.build(), good(11).build()), null);
        assertThat(fields).hasSize(1);
        return fields.getFirst();
    }

    private static List<String> fields(List<ProcessReport> processes, String error) {
        return RULES.check(processes, error).stream()
                .map(ReportRules.Violation::field)
                .toList();
    }

    /**
     * Process {@code pid}: 10 resident pages, 6 moved from node 0 to node 2, 4 left on node 1
     * (pinned, say: the rules do not judge where pages stayed).
     */
    private static ProcessResults good(int pid) {
        return ProcessResults.of(pid)
                .moved(10, 6, new NodePairPages(0, 2, 6))
                .placement(Map.of(0, 6L, 1, 4L), Map.of(1, 4L, 2, 6L));
    }
}
