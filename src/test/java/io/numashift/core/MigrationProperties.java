package io.numashift.core;

import static io.numashift.core.MigrationScenario.MIGRATED;
import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.MigrationResult.Fallback;
import io.numashift.core.MigrationResult.NodePairPages;
import io.numashift.core.MigrationScenario.Limits;
import io.numashift.core.MigrationScenario.Page;
import io.numashift.core.backend.Errno;
import io.numashift.dispatch.ReportRules;
import io.numashift.jobs.TaskTargets;
import io.numashift.protocol.ProcessReport;
import io.numashift.sim.SimulatedHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of docs/migration.md §5 that must hold for every host, placement and
 * mapping: generated hosts of 2 to 6 small nodes, often full, with one migrated process whose
 * pages are scattered page by page (some pinned), sometimes a second process that only takes room,
 * and mappings with cycles, swaps, chains, many-to-one and identity entries, clipping ranges, small
 * batches (of a few pages of address space, or of a few pending pages cut by the time bound on a
 * slow clock) and rollback.
 *
 * <p>Each property compares the engine with a per-page model of docs/migration.md §4 ({@link
 * MigrationScenario}) or with a brute-force oracle ({@link MoveOrderOracle}), never with the
 * engine's own arithmetic.
 */
class MigrationProperties {

    @Provide
    Arbitrary<MigrationScenario> scenarios() {
        return MigrationScenario.arbitrary(Limits.general());
    }

    @Provide
    Arbitrary<MigrationScenario> tightScenarios() {
        return MigrationScenario.arbitrary(Limits.tight()).map(s -> s.withOnFailure(OnFailure.ROLLBACK));
    }

    /** Tiny scenarios in which every page can move straight to its target in some order. */
    @Provide
    Arbitrary<MigrationScenario> straightScenarios() {
        // One page to move cannot depend on the order of moves; the oracle only says something
        // about the engine's ordering from two pages on.
        return MigrationScenario.tiny().filter(s -> s.pagesToMove() >= 2 && s.straightOrderExists());
    }

    /** Tiny scenarios in which no order moves every page straight to its target. */
    @Provide
    Arbitrary<MigrationScenario> crookedScenarios() {
        return MigrationScenario.tiny().filter(s -> !s.straightOrderExists());
    }

    // ---- 1. nothing is lost ----

    @Property(tries = 300)
    void residentPagesAreConservedPerHost(@ForAll("scenarios") MigrationScenario scenario) {
        Run run = Run.of(scenario);

        assertThat(run.after().totalUsed())
                .as("resident pages on the host")
                .isEqualTo(run.before().totalUsed());
        for (int i = 0; i < run.pages().size(); i++) {
            assertThat(run.after().nodes()[i] >= 0)
                    .as("whether %s is present", run.pages().get(i))
                    .isEqualTo(run.before().nodes()[i] >= 0);
        }
    }

    // ---- 2. contents and addresses ----

    @Property(tries = 300)
    void contentsAndVirtualAddressesAreUnchanged(@ForAll("scenarios") MigrationScenario scenario) {
        Run run = Run.of(scenario);

        // contentOf is read at the same virtual address before and after: a page that moved to
        // another address, or lost or mixed its content, changes what that address holds.
        assertThat(run.after().contents()).isEqualTo(run.before().contents());
        assertThat(run.result().contentDigestBefore()).isNotNull();
        assertThat(run.result().contentDigestAfter()).isEqualTo(run.result().contentDigestBefore());
    }

    // ---- 3. where each page goes, and only once ----

    @Property(tries = 500)
    void eachPageMovesAtMostOnceToWhereTheMappingSendsIt(@ForAll("scenarios") MigrationScenario scenario) {
        Run run = Run.of(scenario);
        MigrationResult result = run.result();
        boolean outOfMemory = result.errno() == Errno.ENOMEM;

        for (int i = 0; i < run.pages().size(); i++) {
            Page page = run.pages().get(i);
            int from = run.before().nodes()[i];
            int to = run.after().nodes()[i];
            if (!scenario.toMove(page, from)) {
                // Outside the range, on a node not in oldNodes, mapped to itself, pinned, or of the
                // other process: docs/migration.md §4 leaves it where it is.
                assertThat(to)
                        .as("node of %s, which must stay on %d", page, from)
                        .isEqualTo(from);
                continue;
            }
            int intended = scenario.target(from);
            Set<Integer> allowed = new TreeSet<>(List.of(intended));
            result.fallbacks().stream().filter(f -> f.intended() == intended).forEach(f -> allowed.add(f.actual()));
            if (outOfMemory) {
                allowed.add(from);
            }
            // Node-at-a-time draining would put a page of a chain or rotation two steps on.
            assertThat(allowed)
                    .as("nodes allowed for %s, which began on %d and is mapped to %d", page, from, intended)
                    .contains(to);
        }
        List<Integer> mappedTargets = scenario.oldNodes().stream()
                .filter(scenario::moving)
                .map(scenario::target)
                .toList();
        for (Fallback fallback : result.fallbacks()) {
            // A page falls over from its mapped target to another node of newNodes, nowhere else.
            assertThat(mappedTargets).as("mapped targets, for %s", fallback).contains(fallback.intended());
            assertThat(scenario.newNodes()).as("newNodes, for %s", fallback).contains(fallback.actual());
            assertThat(fallback.actual()).as("actual node of %s", fallback).isNotEqualTo(fallback.intended());
        }
        if (result.rolledBack() == 0) {
            // Each reported move is one page changing node once, straight from where it began: a page
            // moved twice shows as two moves for one observed change, and a "move" that leaves the
            // page where it was shows as a move with no change at all.
            assertThat(movesByPair(result.moves()))
                    .as("moves reported against (before, after) nodes of the pages that changed node")
                    .isEqualTo(run.observedMoves());
        }
        assertEnomemOnlyWhenNoOtherNewNodeHasRoom(run);
    }

    // ---- 4. capacity ----

    @Property(tries = 300)
    void noNodeEverExceedsItsCapacity(@ForAll("scenarios") MigrationScenario scenario) {
        Run run = Run.of(scenario);

        assertThat(run.progressCalls()).as("batch boundaries seen").isPositive();
        assertThat(run.overCapacity())
                .as("nodes over capacity at a batch boundary")
                .isEmpty();
        for (int x = 0; x < scenario.nodeCount(); x++) {
            assertThat(run.after().used()[x])
                    .as("used pages of node %d after", x)
                    .isLessThanOrEqualTo(scenario.capacities().get(x));
        }
    }

    // ---- 5. rollback ----

    @Property(tries = 400)
    void rollbackAfterEnomemRestoresTheExactPlacement(@ForAll("tightScenarios") MigrationScenario scenario) {
        Run run = Run.of(scenario);
        MigrationResult result = run.result();
        Statistics.label("outcome")
                .collect(result.errno() == Errno.ENOMEM ? "ENOMEM" : String.valueOf(result.status()));
        // Guards the generator: without enough runs that end in ENOMEM this property says little.
        Statistics.label("outcome")
                .coverage(coverage -> coverage.check("ENOMEM").percentage(p -> p >= 15));

        if (result.errno() != Errno.ENOMEM) {
            assertThat(result.rolledBack())
                    .as("pages rolled back without a failure")
                    .isZero();
            return;
        }
        assertThat(run.after().nodes())
                .as("node of every page")
                .isEqualTo(run.before().nodes());
        assertThat(run.after().used())
                .as("used pages per node")
                .isEqualTo(run.before().used());
        assertThat(result.rollbackFailed()).isZero();
        assertThat(result.rolledBack()).as("pages rolled back").isEqualTo(result.pagesMoved());
        assertThat(result.placementAfter()).isEqualTo(result.placementBefore());
    }

    // ---- 6. completeness, against the oracle ----

    @Property(tries = 500)
    void migrationThatCanRunStraightCompletesWithoutFallbackOrEnomem(
            @ForAll("straightScenarios") MigrationScenario scenario) {
        MigrationResult result = Run.of(scenario).result();
        Statistics.label("pages to move").collect(scenario.pagesToMove());
        Statistics.label("pages to move")
                .coverage(coverage -> coverage.check(2L).percentage(p -> p <= 70));

        assertThat(result.fallbacks()).as("fallbacks").isEmpty();
        assertThat(result.failed(Errno.ENOMEM)).as("pages failed ENOMEM").isZero();
        assertThat(result.errno()).as("errno").isNull();
        // Pinned pages fail EBUSY and make the run PARTIAL; nothing else may.
        assertThat(result.status())
                .as("status")
                .isEqualTo(result.failed(Errno.EBUSY) > 0 ? MigrationStatus.PARTIAL : MigrationStatus.SUCCEEDED);
    }

    @Property(tries = 500)
    void migrationThatCannotRunStraightFallsBackOrEndsInEnomem(@ForAll("crookedScenarios") MigrationScenario scenario) {
        Run run = Run.of(scenario);
        MigrationResult result = run.result();
        boolean anyOrder = scenario.anyOrderExists();
        Statistics.label("with fallbacks").collect(anyOrder ? "possible" : "impossible");
        Statistics.label("with fallbacks")
                .coverage(coverage -> coverage.check("possible").percentage(p -> p >= 5));

        // Had the engine neither fallen back nor run out of memory, it would have moved every page
        // straight to its target within capacity: an order that the oracle proved does not exist.
        assertThat(!result.fallbacks().isEmpty() || result.errno() == Errno.ENOMEM)
                .as("fallbacks %s or ENOMEM (errno %s)", result.fallbacks(), result.errno())
                .isTrue();
        assertEnomemOnlyWhenNoOtherNewNodeHasRoom(run);
        if (!anyOrder) {
            // Not even pages falling over to other nodes of newNodes fit: the run must stop with ENOMEM.
            assertThat(result.errno())
                    .as("errno when no node in newNodes has room")
                    .isEqualTo(Errno.ENOMEM);
            assertThat(result.status()).isEqualTo(MigrationStatus.FAILED);
        }
    }

    // ---- 7. accounting ----

    @Property(tries = 400)
    void countsAddUpAndPlacementAfterIsWhatTheHostHolds(@ForAll("scenarios") MigrationScenario scenario) {
        Run run = Run.of(scenario);
        MigrationResult result = run.result();
        long inRangePresent = 0;
        long inRangeAbsent = 0;
        long stayed = 0;
        long pinnedToMove = 0;
        for (int i = 0; i < run.pages().size(); i++) {
            Page page = run.pages().get(i);
            int node = run.before().nodes()[i];
            if (!page.inRange()) {
                continue;
            }
            if (node < 0) {
                inRangeAbsent++;
            } else {
                inRangePresent++;
                if (!scenario.moving(node)) {
                    stayed++;
                } else if (page.pinned()) {
                    pinnedToMove++;
                }
            }
        }
        long skipped = result.pagesSkipped().values().stream()
                .mapToLong(Long::longValue)
                .sum();
        long failed = result.pagesFailed().values().stream()
                .mapToLong(Long::longValue)
                .sum();

        assertThat(result.pagesScanned()).as("pagesScanned").isEqualTo(inRangePresent);
        assertThat(result.pagesNotPresent()).as("pagesNotPresent").isEqualTo(inRangeAbsent);
        assertThat(result.pagesScanned())
                .as(
                        "pagesScanned = moved %d + skipped %d + failed %s + stayed %d",
                        result.pagesMoved(), skipped, result.pagesFailed(), stayed)
                .isEqualTo(result.pagesMoved() + skipped + failed + stayed);
        assertThat(result.pagesSkipped())
                .as("skipped (private anonymous pages only)")
                .isEmpty();
        assertThat(result.failed(Errno.EBUSY)).as("EBUSY: pinned pages to move").isEqualTo(pinnedToMove);
        assertThat(result.moves().stream().mapToLong(NodePairPages::pages).sum())
                .as("sum of moves")
                .isEqualTo(result.pagesMoved());
        assertThat(result.placementBefore())
                .as("placementBefore")
                .isEqualTo(run.before().placementInRange(run.pages()));
        assertThat(result.placementAfter())
                .as("placementAfter")
                .isEqualTo(run.after().placementInRange(run.pages()));
        // Nothing allocates while the migration runs, so nothing can be left on old nodes unreported.
        assertThat(result.pagesLeftOnOldNodes()).as("pagesLeftOnOldNodes").isZero();
        if (result.failed(Errno.ENOMEM) > 0) {
            assertThat(result.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(result.errno()).isEqualTo(Errno.ENOMEM);
        } else {
            assertThat(result.errno()).isNull();
            assertThat(result.status())
                    .isEqualTo(result.failed(Errno.EBUSY) > 0 ? MigrationStatus.PARTIAL : MigrationStatus.SUCCEEDED);
        }
    }

    // ---- 8. dry run ----

    @Property(tries = 400)
    void dryRunPredictsTheRealRunAndChangesNothing(@ForAll("scenarios") MigrationScenario scenario) {
        SimulatedHost dryHost = scenario.build();
        List<Page> pages = scenario.pages();
        HostState before = HostState.of(dryHost, pages, scenario.nodeCount());
        MigrationResult dry = scenario.engine(dryHost).migrate(scenario.request(true));
        HostState after = HostState.of(dryHost, pages, scenario.nodeCount());
        MigrationResult real = Run.of(scenario).result();

        assertThat(after.nodes()).as("dry run: node of every page").isEqualTo(before.nodes());
        assertThat(after.used()).as("dry run: used pages per node").isEqualTo(before.used());
        assertThat(movesByPair(dry.moves())).as("moves").isEqualTo(movesByPair(real.moves()));
        assertThat(fallbacksByPair(dry.fallbacks())).as("fallbacks").isEqualTo(fallbacksByPair(real.fallbacks()));
        assertThat(dry.pagesFailed()).as("failures").isEqualTo(real.pagesFailed());
        assertThat(dry.errno()).as("errno").isEqualTo(real.errno());
        assertThat(dry.status()).as("status").isEqualTo(real.status());
        assertThat(dry.pagesMoved()).as("pagesMoved").isEqualTo(real.pagesMoved());
        assertThat(dry.placementBefore()).as("placementBefore").isEqualTo(real.placementBefore());
        if (real.rolledBack() == 0) {
            assertThat(dry.placementAfter()).as("placementAfter").isEqualTo(real.placementAfter());
        }
    }

    /**
     * ENOMEM is the last resort: a page may be left behind only when no other node of newNodes has
     * a free page for it where the migration stopped (read after a run that kept its moves).
     */
    private static void assertEnomemOnlyWhenNoOtherNewNodeHasRoom(Run run) {
        MigrationScenario scenario = run.scenario();
        if (run.result().errno() != Errno.ENOMEM || run.result().rolledBack() > 0) {
            return;
        }
        for (int i = 0; i < run.pages().size(); i++) {
            int from = run.before().nodes()[i];
            if (!scenario.toMove(run.pages().get(i), from) || run.after().nodes()[i] != from) {
                continue;
            }
            for (int x : scenario.newNodes()) {
                if (x != from) {
                    assertThat(run.after().used()[x])
                            .as(
                                    "used pages of node %d of newNodes, while %s was left on %d",
                                    x, run.pages().get(i), from)
                            .isEqualTo(scenario.capacities().get(x));
                }
            }
        }
    }

    // ---- 9. what the service checks of an agent's report ----

    @Property(tries = 300)
    void everyResultPassesTheChecksTheServiceMakesOfAReport(@ForAll("scenarios") MigrationScenario scenario) {
        Run run = Run.of(scenario);

        assertThat(reportViolations(scenario, run.result())).isEmpty();
    }

    @Property(tries = 200)
    void everyDryRunResultPassesTheChecksTheServiceMakesOfAReport(@ForAll("scenarios") MigrationScenario scenario) {
        MigrationResult planned = scenario.engine(scenario.build())
                .migrate(scenario.request(true), JobScope.single(MIGRATED), MigrationMonitor.NONE);

        assertThat(reportViolations(scenario, planned)).isEmpty();
    }

    /** What the service's {@link ReportRules} find wrong with this result, reported for this scenario's lease. */
    private static List<ReportRules.Violation> reportViolations(MigrationScenario scenario, MigrationResult result) {
        Set<Integer> nodes = new TreeSet<>();
        for (int x = 0; x < scenario.nodeCount(); x++) {
            nodes.add(x);
        }
        ReportRules rules = new ReportRules(
                new TaskTargets(List.of(MIGRATED), List.of()), scenario.oldNodes(), scenario.newNodes(), nodes);
        return rules.check(List.of(ProcessReport.of(result)), null);
    }

    // ---- running a scenario and observing the host ----

    /**
     * One real run of a scenario with what was seen of its host before, at every batch boundary and
     * after.
     */
    private record Run(
            MigrationScenario scenario,
            List<Page> pages,
            HostState before,
            MigrationResult result,
            HostState after,
            List<String> overCapacity,
            int progressCalls) {

        private static final int MAX_BATCH_BOUNDARIES = 100_000;

        static Run of(MigrationScenario scenario) {
            SimulatedHost host = scenario.build();
            List<Page> pages = scenario.pages();
            int k = scenario.nodeCount();
            HostState before = HostState.of(host, pages, k);
            List<String> overCapacity = new ArrayList<>();
            int[] progressCalls = {0};
            int[] cancelChecks = {0};
            MigrationMonitor watch = new MigrationMonitor() {
                @Override
                public void progress(int pid, long pagesDone, long pagesToMove) {
                    progressCalls[0]++;
                    for (int x = 0; x < k; x++) {
                        if (host.usedPages(x) > host.capacityPages(x)) {
                            overCapacity.add("node " + x + " holds " + host.usedPages(x) + " of "
                                    + host.capacityPages(x) + " pages after " + pagesDone + " pages done");
                        }
                    }
                }

                @Override
                public boolean cancelRequested() {
                    // A few dozen pages need a few thousand batch boundaries at most: far more means
                    // the engine goes round without moving, so stop it rather than hang the build.
                    return ++cancelChecks[0] > MAX_BATCH_BOUNDARIES;
                }
            };
            MigrationResult result =
                    scenario.engine(host).migrate(scenario.request(false), JobScope.single(MIGRATED), watch);
            assertThat(result.status())
                    .as(
                            "status after %d batch boundaries (CANCELLED: the engine went round without end)",
                            cancelChecks[0])
                    .isNotEqualTo(MigrationStatus.CANCELLED);
            HostState after = HostState.of(host, pages, k);
            return new Run(scenario, pages, before, result, after, overCapacity, progressCalls[0]);
        }

        /** Pages per (before, after) node pair, over the pages whose node changed. */
        Map<List<Integer>, Long> observedMoves() {
            Map<List<Integer>, Long> moves = new TreeMap<>(MigrationProperties::comparePairs);
            for (int i = 0; i < pages.size(); i++) {
                int from = before.nodes()[i];
                int to = after.nodes()[i];
                if (from != to) {
                    moves.merge(List.of(from, to), 1L, Long::sum);
                }
            }
            return moves;
        }
    }

    /**
     * What the test sees of a host: the node and content of every page of the scenario, and the
     * used pages of every node.
     */
    private record HostState(int[] nodes, long[] contents, long[] used) {
        static HostState of(SimulatedHost host, List<Page> pages, int nodeCount) {
            int[] nodes = new int[pages.size()];
            long[] contents = new long[pages.size()];
            for (int i = 0; i < pages.size(); i++) {
                Page page = pages.get(i);
                nodes[i] = host.nodeOf(page.pid(), page.address());
                contents[i] = host.contentOf(page.pid(), page.address());
            }
            long[] used = new long[nodeCount];
            for (int x = 0; x < nodeCount; x++) {
                used[x] = host.usedPages(x);
            }
            return new HostState(nodes, contents, used);
        }

        long totalUsed() {
            return total(used);
        }

        Map<Integer, Long> placementInRange(List<Page> pages) {
            return MigrationScenario.countByNode(pages, nodes, Page::inRange);
        }
    }

    private static Map<List<Integer>, Long> movesByPair(List<NodePairPages> moves) {
        Map<List<Integer>, Long> byPair = new TreeMap<>(MigrationProperties::comparePairs);
        moves.forEach(m -> byPair.merge(List.of(m.from(), m.to()), m.pages(), Long::sum));
        return byPair;
    }

    private static Map<List<Integer>, Long> fallbacksByPair(List<Fallback> fallbacks) {
        Map<List<Integer>, Long> byPair = new TreeMap<>(MigrationProperties::comparePairs);
        fallbacks.forEach(f -> byPair.merge(List.of(f.intended(), f.actual()), f.pages(), Long::sum));
        return byPair;
    }

    private static int comparePairs(List<Integer> a, List<Integer> b) {
        int first = Integer.compare(a.get(0), b.get(0));
        return first != 0 ? first : Integer.compare(a.get(1), b.get(1));
    }

    private static long total(long[] values) {
        long sum = 0;
        for (long v : values) {
            sum += v;
        }
        return sum;
    }
}
