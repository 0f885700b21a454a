package io.numashift.core;

import static io.numashift.core.TestHosts.HEAP;
import static io.numashift.core.TestHosts.PID;
import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.backend.PageSet;
import io.numashift.sim.HostSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import io.numashift.sim.PaceClock;
import io.numashift.sim.SimulatedHost;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * Batches bounded in time as well as in address space: on a host whose copies are slow, progress
 * and cancellation come within the target time; a fast host still works in whole blocks. Simulated
 * hosts know their pace; an engine that does not (as on a kernel) learns it from its batches. Every
 * host here is paced by a clock that only moves when the host waits (or when a test says so), and
 * the engine reads the same clock, so the times are exact.
 */
class TimeBoundedBatchesTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int SLOW_PAGES_PER_SECOND = 2000;
    private static final long PAGES = 60_000;

    private static SimulatedHost host(double pagesPerSecond, long vmaPages, Map<Integer, Long> placement, PaceClock c) {
        return SimulatedHost.create(
                HostSpec.of("h", TestHosts.nodes(2, 2 * vmaPages))
                        .withPagesPerSecond(pagesPerSecond)
                        .withProcesses(List.of(ProcessSpec.of(PID, List.of(VmaSpec.anon(HEAP, vmaPages, placement))))),
                c);
    }

    private static MigrationResult migrate(SimulatedHost host, SimulatedTime time, MigrationMonitor monitor) {
        return new MigrationEngine(host, MigrationEngine.DEFAULT_BATCH_PAGES, time::nanoTime)
                .migrate(
                        MigrationRequest.of(PID, List.of(0), List.of(1))
                                .withOptions(MigrationOptions.DEFAULTS.withVerify(Verify.CONTENT)),
                        JobScope.single(PID),
                        monitor);
    }

    /** As a kernel's engine does: without knowing the host's pace, it learns it from its batches. */
    private static MigrationResult migrateLearningThePace(
            SimulatedHost host, SimulatedTime time, MigrationMonitor monitor) {
        BatchBudget budget = new BatchBudget(MigrationEngine.DEFAULT_BATCH_PAGES, OptionalDouble.empty());
        return new MigrationEngine(host, budget, time::nanoTime)
                .migrate(
                        MigrationRequest.of(PID, List.of(0), List.of(1))
                                .withOptions(MigrationOptions.DEFAULTS.withVerify(Verify.CONTENT)),
                        JobScope.single(PID),
                        monitor);
    }

    @Test
    void onASlowHostProgressComesAtBoundariesNoFurtherApartThanTheTarget() {
        SimulatedTime time = new SimulatedTime(0);
        SimulatedHost host = host(SLOW_PAGES_PER_SECOND, PAGES, Map.of(0, PAGES), time);
        ReportsInTime reports = new ReportsInTime(time, Long.MAX_VALUE);

        MigrationResult result = migrate(host, time, reports);

        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(result.pagesMoved()).isEqualTo(PAGES);
        assertThat(time.now).as("the whole move is paced").isEqualTo(PAGES * SECOND / SLOW_PAGES_PER_SECOND);
        assertThat(reports.longestGap()).isLessThanOrEqualTo(BatchBudget.TARGET_NANOS);
        assertThat(reports.batches())
                .as("a quarter of a second at 2,000 pages/s, from the first batch on")
                .allSatisfy(pages -> assertThat(pages).isBetween(1L, 500L))
                .hasSizeGreaterThan(100);
    }

    @Test
    void anEngineThatDoesNotKnowThePaceStartsSmallAndThenFollowsTheTimeItsBatchesTake() {
        SimulatedTime time = new SimulatedTime(0);
        SimulatedHost host = host(SLOW_PAGES_PER_SECOND, PAGES, Map.of(0, PAGES), time);
        ReportsInTime reports = new ReportsInTime(time, Long.MAX_VALUE);

        MigrationResult result = migrateLearningThePace(host, time, reports);

        assertThat(result.pagesMoved()).isEqualTo(PAGES);
        assertThat(reports.batches().getFirst()).isEqualTo(BatchBudget.FIRST_PAGES);
        assertThat(reports.at.get(1)).as("the first batch").isEqualTo(128_000_000L);
        assertThat(reports.batches().subList(1, reports.batches().size() - 1))
                .as("what 2,000 pages/s move in a quarter of a second")
                .containsOnly(500L);
        assertThat(reports.longestGap()).isLessThanOrEqualTo(BatchBudget.TARGET_NANOS);
    }

    @Test
    void addressSpaceThatOnlyScansDoesNotLetTheNextBatchTakeLonger() {
        SimulatedTime time = new SimulatedTime(0);
        long vmaPages = 3L * PageSet.BLOCK_PAGES;
        SimulatedHost host = host(SLOW_PAGES_PER_SECOND, vmaPages, Map.of(1, vmaPages), time);
        // Two blocks of pages that stay on node 1, then 10,000 pages to move at the end.
        host.relayout(PID, HEAP, page -> page >= vmaPages - 10_000 ? 0 : 1);
        ReportsInTime reports = new ReportsInTime(time, Long.MAX_VALUE);

        MigrationResult result = migrateLearningThePace(host, time, reports);

        assertThat(result.pagesMoved()).isEqualTo(10_000);
        assertThat(reports.longestGap()).isLessThanOrEqualTo(BatchBudget.TARGET_NANOS);
    }

    @Test
    void aCancelTwoSecondsInStopsWithinOneBatchAndKeepsWhatMoved() {
        SimulatedTime time = new SimulatedTime(0);
        SimulatedHost host = host(SLOW_PAGES_PER_SECOND, PAGES, Map.of(0, PAGES), time);
        ReportsInTime reports = new ReportsInTime(time, 2 * SECOND);

        MigrationResult result = migrate(host, time, reports);

        assertThat(result.status()).isEqualTo(MigrationStatus.CANCELLED);
        assertThat(result.pagesMoved())
                .as("two seconds of moves and at most one batch more")
                .isBetween(2L * SLOW_PAGES_PER_SECOND, 2L * SLOW_PAGES_PER_SECOND + 500);
        assertThat(time.now).isLessThanOrEqualTo(2 * SECOND + BatchBudget.TARGET_NANOS);
        assertThat(result.pagesLeftOnOldNodes()).isEqualTo(PAGES - result.pagesMoved());
        assertThat(host.usedPages(1)).isEqualTo(result.pagesMoved());
        assertThat(result.contentDigestAfter()).isEqualTo(result.contentDigestBefore());
    }

    @Test
    void aCancelWithRollbackOnASlowHostPutsBackWhatTheBatchesMoved() {
        SimulatedTime time = new SimulatedTime(0);
        SimulatedHost host = host(SLOW_PAGES_PER_SECOND, PAGES, Map.of(0, PAGES), time);
        ReportsInTime reports = new ReportsInTime(time, 2 * SECOND);

        MigrationResult result = new MigrationEngine(host, MigrationEngine.DEFAULT_BATCH_PAGES, time::nanoTime)
                .migrate(
                        MigrationRequest.of(PID, List.of(0), List.of(1))
                                .withOptions(MigrationOptions.DEFAULTS.withOnFailure(OnFailure.ROLLBACK)),
                        JobScope.single(PID),
                        reports);

        assertThat(result.status()).isEqualTo(MigrationStatus.CANCELLED);
        assertThat(result.rolledBack()).isBetween(1L, PAGES - 1);
        assertThat(host.usedPages(0)).isEqualTo(PAGES);
        assertThat(host.usedPages(1)).isZero();
    }

    @Test
    void aFastHostWorksInWholeBlocks() {
        // Unpaced: each batch takes the half microsecond between two clock reads.
        SimulatedTime time = new SimulatedTime(500);
        long blocks = 16;
        long pages = blocks * PageSet.BLOCK_PAGES;
        SimulatedHost host = host(0, pages, Map.of(0, pages), time);
        ReportsInTime reports = new ReportsInTime(time, Long.MAX_VALUE);

        MigrationResult result = migrate(host, time, reports);

        assertThat(result.pagesMoved()).isEqualTo(pages);
        assertThat(reports.batches()).hasSize((int) blocks).containsOnly((long) PageSet.BLOCK_PAGES);
    }

    @Test
    void aFastHostThatDoesNotKnowItsPaceWorksInWholeBlocksAfterThreeSmallBatches() {
        SimulatedTime time = new SimulatedTime(500);
        long blocks = 16;
        long pages = blocks * PageSet.BLOCK_PAGES;
        SimulatedHost host = host(0, pages, Map.of(0, pages), time);
        ReportsInTime reports = new ReportsInTime(time, Long.MAX_VALUE);

        MigrationResult result = migrateLearningThePace(host, time, reports);

        assertThat(result.pagesMoved()).isEqualTo(pages);
        List<Long> batches = reports.batches();
        assertThat(batches.getFirst()).isEqualTo(BatchBudget.FIRST_PAGES);
        assertThat(batches.stream().filter(b -> b < PageSet.BLOCK_PAGES))
                .as("growing %d times a batch from %d pages", BatchBudget.GROWTH, BatchBudget.FIRST_PAGES)
                .hasSizeLessThanOrEqualTo(4);
        assertThat(batches).as("every block after the first in one batch").hasSizeLessThanOrEqualTo((int) blocks + 3);
    }

    @Test
    void theFirstBudgetIsWhatAKnownPaceMovesInTheTarget() {
        assertThat(new BatchBudget(PageSet.BLOCK_PAGES, OptionalDouble.of(2000)).pages())
                .isEqualTo(500);
        assertThat(new BatchBudget(PageSet.BLOCK_PAGES, OptionalDouble.of(Double.POSITIVE_INFINITY)).pages())
                .isEqualTo(PageSet.BLOCK_PAGES);
        assertThat(new BatchBudget(PageSet.BLOCK_PAGES, OptionalDouble.of(1)).pages())
                .isEqualTo(1);
        assertThat(new BatchBudget(PageSet.BLOCK_PAGES, OptionalDouble.empty()).pages())
                .isEqualTo(BatchBudget.FIRST_PAGES);
    }

    @Test
    void theBudgetLearnsTheHostsPaceAndGrowsAtMostEightTimesABatch() {
        BatchBudget budget = new BatchBudget(PageSet.BLOCK_PAGES, OptionalDouble.empty());
        assertThat(budget.pages()).isEqualTo(BatchBudget.FIRST_PAGES);

        budget.record(256, 128_000_000L);
        assertThat(budget.pages()).as("2,000 pages/s for a quarter of a second").isEqualTo(500);

        budget.record(500, 1_000L);
        assertThat(budget.pages()).isEqualTo(4000);

        budget.record(0, 10 * SECOND);
        assertThat(budget.pages()).as("a batch that moved nothing says nothing").isEqualTo(4000);

        budget.record(4000, 0);
        budget.record(32000, 0);
        assertThat(budget.pages()).as("never more than the span").isEqualTo(PageSet.BLOCK_PAGES);

        budget.record(1, 10 * SECOND);
        assertThat(budget.pages()).as("at least one page").isEqualTo(1);
    }

    @Test
    void aBatchEndsAfterItsBudgetOfPendingPagesOrAtItsSpan() {
        BatchBudget budget = new BatchBudget(PageSet.BLOCK_PAGES, 4, BatchBudget.TARGET_NANOS);
        PageSet pending = new PageSet(3L * PageSet.BLOCK_PAGES);
        pending.set(10, 12);
        pending.set(100);
        pending.set(200);
        pending.set(PageSet.BLOCK_PAGES + 5, 2L * PageSet.BLOCK_PAGES);

        assertThat(budget.end(pending, 0, pending.size())).isEqualTo(201);
        assertThat(budget.end(pending, 201, pending.size()))
                .as("no more pending pages in the span")
                .isEqualTo(PageSet.BLOCK_PAGES);
        assertThat(budget.end(pending, PageSet.BLOCK_PAGES, pending.size())).isEqualTo(PageSet.BLOCK_PAGES + 9);
        assertThat(budget.end(pending, 0, 150)).as("the unit ends first").isEqualTo(150);
    }
}
