package io.numashift.core;

import io.numashift.sim.HostSpec;
import io.numashift.sim.HostSpec.NodeSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import io.numashift.sim.SimulatedHost;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import org.jspecify.annotations.Nullable;

/**
 * A generated migration: a small host with fragmented page placements, a mapping and the options
 * of one run, plus the per-page model of docs/migration.md §4 that the properties compare the engine
 * against. The first process is the one migrated; a second one, when present, only takes room on
 * the nodes and must never be touched.
 *
 * <p>Scenarios are plain values, so that {@link #build()} makes any number of identical hosts (a
 * real run and a dry run side by side) and jqwik can shrink them.
 *
 * @param capacities capacity in pages of nodes {@code 0..k-1}
 * @param processes the processes; the first is migrated
 * @param oldNodes the mapping's old nodes (distinct)
 * @param newNodes the mapping's new nodes (may repeat)
 * @param range the range in pages from {@link TestHosts#HEAP}, or null for the whole address space
 * @param onFailure what the run does with moved pages after a failure
 * @param batches how the engine cuts its passes into batches
 */
record MigrationScenario(
        List<Long> capacities,
        List<ProcessLayout> processes,
        List<Integer> oldNodes,
        List<Integer> newNodes,
        @Nullable PageRange range,
        OnFailure onFailure,
        Batches batches) {

    static final int MIGRATED = TestHosts.PID;
    static final int BYSTANDER = TestHosts.PID + 1;
    private static final int PAGE_SIZE = HostSpec.DEFAULT_PAGE_SIZE;

    /**
     * One process's private anonymous VMAs.
     *
     * @param pid its pid
     * @param vmas its VMAs, ascending and not overlapping
     */
    record ProcessLayout(int pid, List<VmaLayout> vmas) {}

    /**
     * One VMA, page by page.
     *
     * @param startPage its first page, counted from {@link TestHosts#HEAP}
     * @param nodes the node of each page, -1 where the page is not present
     * @param pinned how many of its first pages are pinned (the simulator pins an object's first pages)
     */
    record VmaLayout(long startPage, List<Integer> nodes, int pinned) {}

    /** Pages {@code [start, end)} counted from {@link TestHosts#HEAP}. */
    record PageRange(long start, long end) {}

    /**
     * How the engine cuts its passes into batches.
     *
     * @param spanPages the most address space of a batch, or 0 for the engine's default
     * @param budgetPages 0 for the engine's own clock and first budget; otherwise the first batch
     *     may cover this many pages still to move, and the engine's clock says that every batch
     *     took a second, so that the time bound keeps cutting batches after a few pending pages
     */
    record Batches(int spanPages, int budgetPages) {
        /** Spans of 1 to {@code maxSpan} pages or the default, budgets of 1 to 3 pages or the default. */
        static Arbitrary<Batches> arbitrary(int maxSpan) {
            Arbitrary<Integer> span =
                    Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(0)), Tuple.of(2, uniform(1, maxSpan)));
            Arbitrary<Integer> budget =
                    Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.just(0)), Tuple.of(1, uniform(1, 3)));
            return Combinators.combine(span, budget).as(Batches::new);
        }

        MigrationEngine engine(SimulatedHost host) {
            int span = spanPages == 0 ? MigrationEngine.DEFAULT_BATCH_PAGES : spanPages;
            if (budgetPages == 0) {
                return new MigrationEngine(host, span);
            }
            long[] now = {0};
            LongSupplier slowClock = () -> now[0] += 1_000_000_000L;
            return new MigrationEngine(host, new BatchBudget(span, budgetPages, BatchBudget.TARGET_NANOS), slowClock);
        }

        @Override
        public String toString() {
            return (spanPages == 0 ? "default span" : "span " + spanPages)
                    + (budgetPages == 0 ? "" : ", budget " + budgetPages + " on a slow clock");
        }
    }

    /**
     * One page of the host, as the model sees it.
     *
     * @param pid its process
     * @param address its virtual address
     * @param migrated whether it belongs to the migrated process
     * @param pinned whether it cannot be isolated
     * @param inRange whether it lies in the migration's range (only pages of the migrated process do)
     */
    record Page(int pid, long address, boolean migrated, boolean pinned, boolean inRange) {}

    /**
     * How large generated scenarios get, and how often they clip or pin.
     *
     * @param maxNodes at most this many nodes (at least 2)
     * @param maxVmaPages at most this many pages per VMA
     * @param slack free pages per node beyond what the layout uses
     * @param rangeShare how often (of 10) a migration has a range rather than the whole address space
     * @param pinnedShare how often (of 10) a VMA has pinned pages
     */
    record Limits(int maxNodes, int maxVmaPages, Arbitrary<Long> slack, int rangeShare, int pinnedShare) {
        /** Up to 6 nodes and 8 pages per VMA, with many nodes full or nearly full. */
        static Limits general() {
            return new Limits(
                    6,
                    8,
                    Arbitraries.frequencyOf(
                            Tuple.of(4, Arbitraries.just(0L)),
                            Tuple.of(3, Arbitraries.just(1L)),
                            Tuple.of(3, Arbitraries.longs().between(2, 10))),
                    6,
                    3);
        }

        /** Like {@link #general()}, but with little free memory, so that runs often end in ENOMEM. */
        static Limits tight() {
            return new Limits(
                    6,
                    8,
                    Arbitraries.frequencyOf(
                            Tuple.of(6, Arbitraries.just(0L)),
                            Tuple.of(2, Arbitraries.just(1L)),
                            Tuple.of(1, Arbitraries.longs().between(2, 4))),
                    6,
                    3);
        }
    }

    // ---- generation ----

    static Arbitrary<MigrationScenario> arbitrary(Limits limits) {
        // Without edge cases: jqwik would inject the minimal value of every nested arbitrary so often
        // that most hosts would have two nodes, one page and an identity mapping.
        return uniform(2, limits.maxNodes()).flatMap(k -> forNodes(k, limits)).withoutEdgeCases();
    }

    private static Arbitrary<MigrationScenario> forNodes(int k, Limits limits) {
        Arbitrary<List<ProcessLayout>> processes = Combinators.combine(
                        process(k, limits), process(k, limits).injectNull(0.5))
                .as((migrated, bystander) -> {
                    List<ProcessLayout> list = new ArrayList<>();
                    list.add(new ProcessLayout(MIGRATED, migrated));
                    if (bystander != null) {
                        list.add(new ProcessLayout(BYSTANDER, bystander));
                    }
                    return list;
                });
        Arbitrary<List<Long>> slack = limits.slack().list().ofSize(k);
        Arbitrary<List<List<Integer>>> mapping = mapping(k, 3);
        // Ranges start and end anywhere over and around the VMAs, so that they clip them and holes.
        Arbitrary<PageRange> range = Combinators.combine(
                        uniform(0, 2 * limits.maxVmaPages()), uniform(1, 3 * limits.maxVmaPages()))
                .as((start, length) -> new PageRange(start, (long) start + length))
                .injectNull(1 - limits.rangeShare() / 10.0);
        Arbitrary<OnFailure> onFailure =
                Arbitraries.frequency(Tuple.of(3, OnFailure.KEEP), Tuple.of(1, OnFailure.ROLLBACK));
        // Batches of 1 to 8 pages, or of a few pending pages, split runs of pages of one node.
        Arbitrary<Batches> batch = Batches.arbitrary(8);
        return Combinators.combine(processes, slack, mapping, range, onFailure, batch)
                .as((procs, free, map, r, failure, batches) ->
                        assemble(k, procs, free, map.get(0), map.get(1), r, failure, batches));
    }

    /**
     * Tiny scenarios built from per-node page counts rather than page by page, for the brute-force
     * oracle: each of 2 to 4 nodes holds 0 to 3 pages of the migrated process and 0 to 2 of the
     * other one, and has 0 to 2 free pages; the migrated process's pages are then shuffled over 1
     * to 3 VMAs. With something at stake on every node, most runs depend on the order of their
     * moves, and at most 12 pages to move keep the oracle's search small.
     */
    static Arbitrary<MigrationScenario> tiny() {
        return uniform(2, 4).flatMap(MigrationScenario::tinyForNodes).withoutEdgeCases();
    }

    private static Arbitrary<MigrationScenario> tinyForNodes(int k) {
        Arbitrary<List<Integer>> migrated = uniform(0, 3).list().ofSize(k);
        Arbitrary<List<Integer>> other = Arbitraries.frequencyOf(
                        Tuple.of(2, Arbitraries.just(0)), Tuple.of(1, uniform(1, 2)))
                .list()
                .ofSize(k);
        Arbitrary<List<Long>> free = Arbitraries.frequencyOf(
                        Tuple.of(4, Arbitraries.just(0L)),
                        Tuple.of(3, Arbitraries.just(1L)),
                        Tuple.of(2, Arbitraries.just(2L)))
                .list()
                .ofSize(k);
        Arbitrary<Integer> vmaCount = uniform(1, 3);
        Arbitrary<Integer> pinned =
                Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.just(0)), Tuple.of(1, uniform(1, 2)));
        Arbitrary<OnFailure> onFailure =
                Arbitraries.frequency(Tuple.of(3, OnFailure.KEEP), Tuple.of(1, OnFailure.ROLLBACK));
        Arbitrary<Batches> batch = Batches.arbitrary(4);
        return Combinators.combine(migrated, other, free, mapping(k, 9), vmaCount, pinned, onFailure, batch)
                .flatAs((mine, theirs, room, map, vmas, pins, failure, batches) -> {
                    List<Integer> pages = new ArrayList<>();
                    List<Integer> others = new ArrayList<>();
                    for (int x = 0; x < k; x++) {
                        pages.addAll(Collections.nCopies(mine.get(x), x));
                        others.addAll(Collections.nCopies(theirs.get(x), x));
                    }
                    return Arbitraries.shuffle(pages).map(order -> {
                        List<ProcessLayout> processes = new ArrayList<>();
                        processes.add(new ProcessLayout(MIGRATED, split(order, vmas, pins)));
                        if (!others.isEmpty()) {
                            processes.add(new ProcessLayout(BYSTANDER, List.of(new VmaLayout(0, others, 0))));
                        }
                        return assemble(k, processes, room, map.get(0), map.get(1), null, failure, batches);
                    });
                });
    }

    /** Pages in order over up to {@code count} VMAs one page apart; the first VMA's first pages pinned. */
    private static List<VmaLayout> split(List<Integer> pages, int count, int pinned) {
        List<Integer> all = pages.isEmpty() ? List.of(-1) : pages;
        int size = (all.size() + count - 1) / count;
        List<VmaLayout> vmas = new ArrayList<>();
        long start = 0;
        for (int from = 0; from < all.size(); from += size) {
            List<Integer> nodes = all.subList(from, Math.min(all.size(), from + size));
            long present = nodes.stream().filter(n -> n >= 0).count();
            vmas.add(new VmaLayout(start, nodes, from == 0 ? (int) Math.min(pinned, present) : 0));
            start += nodes.size() + 1;
        }
        return vmas;
    }

    /** One to three VMAs with gaps between them, each page on a random node or absent. */
    private static Arbitrary<List<VmaLayout>> process(int k, Limits limits) {
        Arbitrary<Integer> node =
                Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(-1)), Tuple.of(k + 1, uniform(0, k - 1)));
        Arbitrary<Integer> pinned = Arbitraries.frequencyOf(
                Tuple.of(10 - limits.pinnedShare(), Arbitraries.just(0)),
                Tuple.of(limits.pinnedShare(), uniform(1, 3)));
        Arbitrary<Integer> gap = uniform(0, 3);
        Arbitrary<VmaLayout> unplaced = Combinators.combine(gap, uniformList(node, 1, limits.maxVmaPages()), pinned)
                .as((before, nodes, pins) -> new VmaLayout(before, nodes, pins));
        // Each VMA's startPage is generated as the gap after the previous VMA, then made absolute.
        return uniformList(unplaced, 1, 3).map(vmas -> {
            List<VmaLayout> placed = new ArrayList<>();
            long cursor = 0;
            for (VmaLayout vma : vmas) {
                long start = cursor + vma.startPage();
                long present = vma.nodes().stream().filter(n -> n >= 0).count();
                // The simulator pins pages that it laid out at creation; it lays out only present pages.
                placed.add(new VmaLayout(start, vma.nodes(), (int) Math.min(vma.pinned(), present)));
                cursor = start + vma.nodes().size();
            }
            return placed;
        });
    }

    /**
     * Distinct old nodes and new nodes that may repeat: random targets (many-to-one, identity and
     * overlapping entries), a permutation of the old nodes (cycles, swaps), targets among the old
     * nodes (trees feeding cycles), all to one node, or a chain in which each old node feeds the next.
     */
    private static Arbitrary<List<List<Integer>>> mapping(int k, int graphWeight) {
        Arbitrary<Integer> node = uniform(0, k - 1);
        List<Integer> all = IntStream.range(0, k).boxed().toList();
        Arbitrary<List<Integer>> oldNodes = Combinators.combine(Arbitraries.shuffle(all), uniform(1, k))
                .as((order, size) -> order.subList(0, size));
        return oldNodes.flatMap(old -> {
            Arbitrary<List<Integer>> random = node.list().ofSize(old.size());
            // Mostly real cycles and swaps; identity permutations only now and then (random targets
            // produce identity entries too).
            Arbitrary<List<Integer>> permutation = old.size() < 2
                    ? random
                    : Arbitraries.frequencyOf(
                            Tuple.of(4, Arbitraries.shuffle(old).filter(order -> !order.equals(old))),
                            Tuple.of(1, Arbitraries.shuffle(old)));
            // Targets among the old nodes themselves: every target also drains, so the mapping is a
            // functional graph of trees that feed chains and cycles.
            Arbitrary<List<Integer>> graph = Arbitraries.of(old).list().ofSize(old.size());
            Arbitrary<List<Integer>> manyToOne = node.map(x -> Collections.nCopies(old.size(), x));
            Arbitrary<List<Integer>> chain = node.map(last -> {
                List<Integer> targets = new ArrayList<>(old.subList(1, old.size()));
                targets.add(last);
                return targets;
            });
            return Arbitraries.frequencyOf(
                            Tuple.of(3, random),
                            Tuple.of(3, permutation),
                            Tuple.of(graphWeight, graph),
                            Tuple.of(1, manyToOne),
                            Tuple.of(2, chain))
                    .map(targets -> List.of(old, targets));
        });
    }

    /** Integers spread evenly: jqwik's default bias toward small values would make most hosts 2 nodes. */
    private static Arbitrary<Integer> uniform(int min, int max) {
        return Arbitraries.integers().between(min, max).withDistribution(RandomDistribution.uniform());
    }

    /** Lists of evenly spread sizes: jqwik's default favours the smallest, most VMAs would be one page. */
    private static <T> Arbitrary<List<T>> uniformList(Arbitrary<T> element, int min, int max) {
        return element.list().ofMinSize(min).ofMaxSize(max).withSizeDistribution(RandomDistribution.uniform());
    }

    private static MigrationScenario assemble(
            int k,
            List<ProcessLayout> processes,
            List<Long> slack,
            List<Integer> oldNodes,
            List<Integer> newNodes,
            @Nullable PageRange range,
            OnFailure onFailure,
            Batches batches) {
        long[] used = new long[k];
        for (ProcessLayout process : processes) {
            for (VmaLayout vma : process.vmas()) {
                vma.nodes().stream().filter(n -> n >= 0).forEach(n -> used[n]++);
            }
        }
        // Capacity is what the layout uses plus a little slack, so full and nearly full nodes are
        // common; every node keeps some memory, or the run would end in ENODEV before any page moves.
        List<Long> capacities = IntStream.range(0, k)
                .mapToObj(x -> Math.max(1, used[x] + slack.get(x)))
                .toList();
        return new MigrationScenario(capacities, processes, oldNodes, newNodes, range, onFailure, batches);
    }

    // ---- the host and the run ----

    int nodeCount() {
        return capacities.size();
    }

    MigrationScenario withOnFailure(OnFailure value) {
        return new MigrationScenario(capacities, processes, oldNodes, newNodes, range, value, batches);
    }

    /** A fresh simulated host in exactly this scenario's state. */
    SimulatedHost build() {
        List<NodeSpec> nodes = new ArrayList<>();
        for (int x = 0; x < nodeCount(); x++) {
            nodes.add(new NodeSpec(x, capacities.get(x), List.of(x)));
        }
        List<ProcessSpec> specs = new ArrayList<>();
        for (ProcessLayout process : processes) {
            List<VmaSpec> vmas = new ArrayList<>();
            for (VmaLayout vma : process.vmas()) {
                // The spec lays out the VMA's per-node counts (only so that its pinned pages count as
                // resident); relayout below then scatters them page by page.
                Map<Integer, Long> counts = vma.nodes().stream()
                        .filter(n -> n >= 0)
                        .collect(Collectors.groupingBy(n -> n, Collectors.counting()));
                vmas.add(VmaSpec.anon(address(vma.startPage()), vma.nodes().size(), counts)
                        .withPinned(vma.pinned()));
            }
            specs.add(ProcessSpec.of(process.pid(), vmas));
        }
        SimulatedHost host = SimulatedHost.create(HostSpec.of("h", nodes).withProcesses(specs));
        // Clear every VMA before laying any out, so that no node is ever over capacity in between.
        for (ProcessLayout process : processes) {
            for (VmaLayout vma : process.vmas()) {
                host.relayout(process.pid(), address(vma.startPage()), page -> -1);
            }
        }
        for (ProcessLayout process : processes) {
            for (VmaLayout vma : process.vmas()) {
                host.relayout(
                        process.pid(),
                        address(vma.startPage()),
                        page -> vma.nodes().get((int) page));
            }
        }
        return host;
    }

    MigrationEngine engine(SimulatedHost host) {
        return batches.engine(host);
    }

    MigrationRequest request(boolean dryRun) {
        MigrationRequest request = MigrationRequest.of(MIGRATED, oldNodes, newNodes)
                .withOptions(MigrationOptions.DEFAULTS
                        .withOnFailure(onFailure)
                        .withVerify(Verify.CONTENT)
                        .withDryRun(dryRun));
        return range == null
                ? request
                : request.withRange(new AddressRange(address(range.start()), address(range.end())));
    }

    static long address(long page) {
        return TestHosts.HEAP + page * PAGE_SIZE;
    }

    // ---- the model ----

    /** Every page of every process, in a fixed order. */
    List<Page> pages() {
        List<Page> pages = new ArrayList<>();
        for (ProcessLayout process : processes) {
            boolean migrated = process.pid() == MIGRATED;
            for (VmaLayout vma : process.vmas()) {
                for (int i = 0; i < vma.nodes().size(); i++) {
                    long page = vma.startPage() + i;
                    boolean inRange = migrated && (range == null || (page >= range.start() && page < range.end()));
                    pages.add(new Page(process.pid(), address(page), migrated, i < vma.pinned(), inRange));
                }
            }
        }
        return pages;
    }

    /** Where the mapping sends a page on {@code node}: its new node, or the node itself. */
    int target(int node) {
        int i = oldNodes.indexOf(node);
        return i < 0 ? node : newNodes.get(i);
    }

    /** Whether pages on {@code node} are to move (the node is in oldNodes and not mapped to itself). */
    boolean moving(int node) {
        return target(node) != node;
    }

    /** Whether docs/migration.md §4 says this page, on {@code node} at the start, is to move. */
    boolean toMove(Page page, int node) {
        return page.inRange() && node >= 0 && moving(node) && !page.pinned();
    }

    /** Pages of each node that docs/migration.md §4 says are to move, read from the generated layout. */
    long[] pendingPerNode() {
        List<Page> pages = pages();
        List<Integer> nodes = layoutNodes();
        long[] pending = new long[nodeCount()];
        for (int i = 0; i < pages.size(); i++) {
            if (toMove(pages.get(i), nodes.get(i))) {
                pending[nodes.get(i)]++;
            }
        }
        return pending;
    }

    long pagesToMove() {
        return Arrays.stream(pendingPerNode()).sum();
    }

    /** Free pages of each node at the start. */
    long[] freePerNode() {
        long[] free = new long[nodeCount()];
        for (int x = 0; x < free.length; x++) {
            free[x] = capacities.get(x);
        }
        layoutNodes().stream().filter(n -> n >= 0).forEach(n -> free[n]--);
        return free;
    }

    /** The node of every page at the start, in the order of {@link #pages()}. */
    private List<Integer> layoutNodes() {
        return processes.stream()
                .flatMap(process -> process.vmas().stream())
                .flatMap(vma -> vma.nodes().stream())
                .toList();
    }

    /** What the oracle says of this scenario: can every page move straight to its target? */
    boolean straightOrderExists() {
        return MoveOrderOracle.straightOrderExists(pendingPerNode(), targets(), freePerNode());
    }

    /** What the oracle says when pages may also fall over to any other node of newNodes. */
    boolean anyOrderExists() {
        return MoveOrderOracle.anyOrderExists(pendingPerNode(), newNodes, freePerNode());
    }

    /** Target of each node id (-1 where it does not move), as the oracle takes it. */
    int[] targets() {
        int[] targets = new int[nodeCount()];
        for (int x = 0; x < nodeCount(); x++) {
            targets[x] = moving(x) ? target(x) : -1;
        }
        return targets;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("capacities ").append(capacities);
        for (ProcessLayout process : processes) {
            out.append(", pid ").append(process.pid()).append(" {");
            for (VmaLayout vma : process.vmas()) {
                out.append(" @").append(vma.startPage()).append(vma.nodes());
                if (vma.pinned() > 0) {
                    out.append(" pinned ").append(vma.pinned());
                }
            }
            out.append(" }");
        }
        out.append(", map ").append(oldNodes).append("->").append(newNodes);
        if (range != null) {
            out.append(", range [")
                    .append(range.start())
                    .append(", ")
                    .append(range.end())
                    .append(")");
        }
        out.append(", ").append(onFailure);
        out.append(", ").append(batches);
        return out.toString();
    }

    /** Per-node counts of a page-by-page placement, restricted to some pages. */
    static Map<Integer, Long> countByNode(List<Page> pages, int[] nodes, Predicate<Page> which) {
        Map<Integer, Long> counts = new TreeMap<>();
        for (int i = 0; i < pages.size(); i++) {
            if (nodes[i] >= 0 && which.test(pages.get(i))) {
                counts.merge(nodes[i], 1L, Long::sum);
            }
        }
        return counts;
    }
}
