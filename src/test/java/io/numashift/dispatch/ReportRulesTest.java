package io.numashift.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.MigrationResult.Fallback;
import io.numashift.core.MigrationResult.NodePairPages;
import io.numashift.core.MigrationStatus;
import io.numashift.core.backend.Errno;
import io.numashift.jobs.ProcessResult;
import io.numashift.jobs.TaskTargets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
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
        assertThat(RULES.check(List.of(good(10), good(11)), null)).isEmpty();
    }

    @Test
    void aProcessTheLeaseDidNotNameIsRefused() {
        assertThat(fields(List.of(good(10), good(11), good(12)), null)).containsExactly("processes[2].pid");
    }

    @Test
    void aProcessReportedTwiceIsRefused() {
        assertThat(fields(List.of(good(10), good(11), good(11)), null)).containsExactly("processes[2].pid");
    }

    @Test
    void withoutAnErrorEveryProcessOfTheLeaseIsReported() {
        assertThat(fields(List.of(good(10)), null)).containsExactly("processes");
        assertThat(fields(List.of(), null)).containsExactly("processes");
        assertThat(RULES.check(List.of(), "EINVAL"))
                .as("a task that could not run")
                .isEmpty();
    }

    @Test
    void aCpusetTaskMayReportProcessesTheLeaseDidNotName() {
        ReportRules cpuset =
                new ReportRules(new TaskTargets(List.of(), List.of("/job")), List.of(0, 1), List.of(2, 3), Set.of());
        assertThat(cpuset.check(List.of(good(77), good(78)), null)).isEmpty();
    }

    @Test
    void pagesMovedSkippedAndFailedFitInThePagesScanned() {
        assertThat(field(p -> with(p, 5, 6, List.of(new NodePairPages(0, 2, 6)), Map.of())))
                .isEqualTo("processes[0].pagesScanned");
    }

    @Test
    void movesAddUpToThePagesMoved() {
        assertThat(field(p -> with(p, 10, 6, List.of(new NodePairPages(0, 2, 5)), Map.of())))
                .isEqualTo("processes[0].moves");
    }

    @Test
    void movesGoFromAnOldNodeToANewNode() {
        assertThat(field(p -> with(p, 10, 6, List.of(new NodePairPages(2, 0, 6)), Map.of())))
                .isEqualTo("processes[0].moves");
        assertThat(field(p ->
                        with(p, 10, 6, List.of(new NodePairPages(0, 2, 7), new NodePairPages(1, 3, -1)), Map.of())))
                .isEqualTo("processes[0].moves");
    }

    @Test
    void fallbacksStayWithinTheNewNodesAndThePagesMoved() {
        ProcessResult elsewhere =
                copy(good(10), 10, 6, List.of(new NodePairPages(0, 2, 6)), Map.of(), List.of(new Fallback(2, 1, 6)));
        ProcessResult tooMany =
                copy(good(10), 10, 6, List.of(new NodePairPages(0, 2, 6)), Map.of(), List.of(new Fallback(3, 2, 7)));
        assertThat(fields(List.of(elsewhere, good(11)), null)).containsExactly("processes[0].fallbacks");
        assertThat(fields(List.of(tooMany, good(11)), null)).containsExactly("processes[0].fallbacks");
    }

    @Test
    void placementsNameNodesOfTheHost() {
        ProcessResult p = good(10);
        ProcessResult onNode9 = new ProcessResult(
                p.pid(),
                p.status(),
                p.errno(),
                p.message(),
                p.pagesScanned(),
                p.pagesMoved(),
                p.pagesNotPresent(),
                p.pagesSkipped(),
                p.pagesFailed(),
                p.moves(),
                p.fallbacks(),
                p.placementBefore(),
                new TreeMap<>(Map.of(9, 10L)),
                p.pagesLeftOnOldNodes(),
                null,
                null,
                null,
                null,
                0,
                0,
                List.of(),
                null,
                List.of());
        assertThat(fields(List.of(onNode9, good(11)), null)).containsExactly("processes[0].placementAfter");
    }

    @Test
    void aRollbackMovesBackNoMoreThanMoved() {
        ProcessResult p = good(10);
        ProcessResult rolled = new ProcessResult(
                p.pid(),
                MigrationStatus.FAILED,
                Errno.ENOMEM,
                "full",
                p.pagesScanned(),
                p.pagesMoved(),
                0,
                Map.of(),
                Map.of(Errno.ENOMEM, 4L),
                p.moves(),
                List.of(),
                p.placementBefore(),
                p.placementBefore(),
                0,
                null,
                null,
                null,
                null,
                5,
                2,
                List.of(),
                null,
                List.of());
        assertThat(fields(List.of(rolled, good(11)), null)).containsExactly("processes[0].rolledBack");
    }

    @Test
    void theStatusAgreesWithTheErrno() {
        ProcessResult p = good(10);
        ProcessResult succeededWithErrno = new ProcessResult(
                p.pid(),
                MigrationStatus.SUCCEEDED,
                Errno.EBUSY,
                null,
                10,
                6,
                0,
                Map.of(),
                Map.of(Errno.EBUSY, 1L),
                p.moves(),
                List.of(),
                p.placementBefore(),
                p.placementAfter(),
                0,
                null,
                null,
                null,
                null,
                0,
                0,
                List.of(),
                null,
                List.of());
        ProcessResult failedWithout = new ProcessResult(
                p.pid(),
                MigrationStatus.FAILED,
                null,
                "?",
                10,
                6,
                0,
                Map.of(),
                Map.of(),
                p.moves(),
                List.of(),
                p.placementBefore(),
                p.placementAfter(),
                0,
                null,
                null,
                null,
                null,
                0,
                0,
                List.of(),
                null,
                List.of());
        assertThat(fields(List.of(succeededWithErrno, good(11)), null)).containsExactly("processes[0].status");
        assertThat(fields(List.of(failedWithout, good(11)), null)).containsExactly("processes[0].errno");
    }

    @Test
    void anEstimateIsFinite() {
        ProcessResult p = good(10);
        ProcessResult infinite = new ProcessResult(
                p.pid(),
                p.status(),
                null,
                null,
                10,
                6,
                0,
                Map.of(),
                Map.of(),
                p.moves(),
                List.of(),
                p.placementBefore(),
                p.placementAfter(),
                0,
                null,
                null,
                null,
                null,
                0,
                0,
                List.of(),
                Double.POSITIVE_INFINITY,
                List.of());
        assertThat(fields(List.of(infinite, good(11)), null)).containsExactly("processes[0].estimatedSeconds");
    }

    @Test
    void progressReportsNoMoreProcessesDoneThanThereAre() {
        assertThat(ReportRules.check(new TaskProgress(2, 3, 0, 0, 0, 0))).hasSize(1);
        assertThat(ReportRules.check(new TaskProgress(3, 3, 0, 0, 0, 0))).isEmpty();
    }

    private static String field(UnaryOperator<ProcessResult> change) {
        List<String> fields = fields(List.of(change.apply(good(10)), good(11)), null);
        assertThat(fields).hasSize(1);
        return fields.getFirst();
    }

    private static List<String> fields(List<ProcessResult> processes, String error) {
        return RULES.check(processes, error).stream()
                .map(ReportRules.Violation::field)
                .toList();
    }

    /** Process {@code pid}: 10 resident pages, 6 moved from node 0 to node 2, 4 on node 1 moved nowhere (not in the range). */
    private static ProcessResult good(int pid) {
        return new ProcessResult(
                pid,
                MigrationStatus.SUCCEEDED,
                null,
                null,
                10,
                6,
                0,
                Map.of(),
                Map.of(),
                List.of(new NodePairPages(0, 2, 6)),
                List.of(),
                new TreeMap<>(Map.of(0, 6L, 1, 4L)),
                new TreeMap<>(Map.of(1, 4L, 2, 6L)),
                0,
                "d",
                "d",
                null,
                null,
                0,
                0,
                List.of(),
                null,
                List.of());
    }

    private static ProcessResult with(
            ProcessResult p, long scanned, long moved, List<NodePairPages> moves, Map<Errno, Long> failed) {
        return copy(p, scanned, moved, moves, failed, List.of());
    }

    private static ProcessResult copy(
            ProcessResult p,
            long scanned,
            long moved,
            List<NodePairPages> moves,
            Map<Errno, Long> failed,
            List<Fallback> fallbacks) {
        return new ProcessResult(
                p.pid(),
                p.status(),
                p.errno(),
                p.message(),
                scanned,
                moved,
                p.pagesNotPresent(),
                p.pagesSkipped(),
                failed,
                moves,
                fallbacks,
                p.placementBefore(),
                p.placementAfter(),
                p.pagesLeftOnOldNodes(),
                p.contentDigestBefore(),
                p.contentDigestAfter(),
                null,
                null,
                0,
                0,
                List.of(),
                null,
                List.of());
    }
}
