package io.numashift.core;

import static io.numashift.core.TestHosts.HEAP;
import static io.numashift.core.TestHosts.PID;
import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.sim.HostSpec;
import io.numashift.sim.HostSpec.NodeSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import io.numashift.sim.SimulatedHost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Dense chunks of simulated hosts are moved and counted a word of 64 pages at a time: a word on
 * one node in one step, budgets and room checked once per call, partial chunks filled at once. The
 * other properties use VMAs of a few pages, which never fill a word; these use VMAs of two chunks
 * and more whose chunks mix runs of one node, fragmented stretches, absent and pinned pages, moved
 * by rotations and swaps with little or no headroom (quotas that end inside words, targets that
 * fill). The run must do what the dry run predicts (it plans with page counts, not with the
 * host's chunks), leave every page on its node or on its mapped one with its content, and every
 * node must hold what its count says, within its capacity.
 */
class DenseChunkProperties {
    private static final int NODES = 4;
    private static final long PAGES = 2 * 65536 + 12_345;

    @Property(tries = 40)
    void wordAtATimeMovesDoWhatTheDryRunPredicts(@ForAll long seed, @ForAll boolean rollback) {
        Random random = new Random(seed);
        int[] layout = layout(random);
        long[] count = new long[NODES];
        for (int node : layout) {
            if (node >= 0) {
                count[node]++;
            }
        }
        long[] capacity = new long[NODES];
        for (int x = 0; x < NODES; x++) {
            long headroom = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> random.nextInt(100);
                case 2 -> random.nextInt(70_000);
                default -> PAGES;
            };
            capacity[x] = count[x] + headroom;
        }
        long resident = count[0] + count[1] + count[2] + count[3];
        long pinned = random.nextInt(3) == 0 ? random.nextLong(Math.min(resident, 70_000) + 1) : 0;
        List<Integer> oldNodes = List.of(0, 1, 2, 3);
        List<Integer> newNodes = switch (random.nextInt(3)) {
            case 0 -> List.of(1, 2, 3, 0);
            case 1 -> List.of(1, 0, 3, 2);
            default -> List.of(3, 3, 3, 2);
        };
        MigrationRequest request = MigrationRequest.of(PID, oldNodes, newNodes);
        if (rollback) {
            request = request.withOptions(request.options().withOnFailure(OnFailure.ROLLBACK));
        }

        SimulatedHost host = host(layout, count, capacity, pinned);
        SimulatedHost dryHost = host(layout, count, capacity, pinned);
        MigrationResult dry = new MigrationEngine(dryHost)
                .migrate(request.withOptions(request.options().withDryRun(true)));
        MigrationResult real = new MigrationEngine(host).migrate(request);

        assertThat(real.pagesMoved()).as("pagesMoved").isEqualTo(dry.pagesMoved());
        assertThat(real.moves()).as("moves").isEqualTo(dry.moves());
        assertThat(real.fallbacks()).as("fallbacks").isEqualTo(dry.fallbacks());
        assertThat(real.pagesFailed()).as("failures").isEqualTo(dry.pagesFailed());
        assertThat(real.status()).as("status").isEqualTo(dry.status());
        if (real.rolledBack() == 0) {
            assertThat(real.placementAfter()).as("placementAfter").isEqualTo(dry.placementAfter());
        }
        long[] on = new long[NODES];
        for (long page = 0; page < PAGES; page++) {
            long address = TestHosts.address(page);
            int before = layout[(int) page];
            int after = host.nodeOf(PID, address);
            if (before < 0) {
                assertThat(after).as("page %d stays absent", page).isNegative();
                continue;
            }
            on[after]++;
            assertThat(after).as("page %d of node %d", page, before).isIn(before, newNodes.get(before), 0, 1, 2, 3);
            if (page < pinned || real.rolledBack() > 0 && real.rollbackFailed() == 0) {
                assertThat(after).as("page %d: pinned, or rolled back", page).isEqualTo(before);
            }
            assertThat(host.contentOf(PID, address))
                    .as("content of page %d", page)
                    .isEqualTo(dryHost.contentOf(PID, address));
        }
        for (int x = 0; x < NODES; x++) {
            assertThat(host.usedPages(x)).as("pages on node %d", x).isEqualTo(on[x]);
            assertThat(on[x]).as("node %d within capacity", x).isLessThanOrEqualTo(capacity[x]);
        }
    }

    /** The node of each page (-1: absent), in stretches of one node, fragmented or with holes. */
    private static int[] layout(Random random) {
        int[] layout = new int[(int) PAGES];
        int page = 0;
        while (page < PAGES) {
            int length = random.nextBoolean() ? 1 + random.nextInt(200) : 64 + random.nextInt(20_000);
            int end = (int) Math.min(PAGES, page + length);
            int node = random.nextInt(NODES);
            int kind = random.nextInt(4);
            int spread = 2 + random.nextInt(NODES - 1);
            for (int p = page; p < end; p++) {
                layout[p] = switch (kind) {
                    case 0 -> node;
                    case 1 -> (node + p) % spread;
                    case 2 -> p % 7 == 0 ? -1 : node;
                    default -> -1;
                };
            }
            page = end;
        }
        return layout;
    }

    private static SimulatedHost host(int[] layout, long[] count, long[] capacity, long pinned) {
        List<NodeSpec> nodes = new ArrayList<>();
        Map<Integer, Long> placement = new HashMap<>();
        for (int x = 0; x < NODES; x++) {
            nodes.add(new NodeSpec(x, capacity[x], List.of(x)));
            if (count[x] > 0) {
                placement.put(x, count[x]);
            }
        }
        SimulatedHost host = SimulatedHost.create(HostSpec.of("dense", nodes)
                .withProcesses(List.of(ProcessSpec.of(
                        PID, List.of(VmaSpec.anon(HEAP, PAGES, placement).withPinned(pinned))))));
        host.relayout(PID, HEAP, page -> layout[(int) page]);
        return host;
    }
}
