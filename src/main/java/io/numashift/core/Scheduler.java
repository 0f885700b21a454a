package io.numashift.core;

import io.numashift.core.backend.Topology;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Decides, from page counts alone, which pages may move next so that no node ever exceeds its
 * capacity (docs/migration.md §5).
 *
 * <p>Every source node has one target, so the pending moves form a functional graph: trees that
 * drain into sinks or into cycles. Each step lets every source move as many pages as its target
 * has free at the start of the step (shared out in ascending source order), so the pages of one
 * step can move in any order within one pass. One rule keeps cycles (rotations, swaps) able to
 * complete: while a cycle is pending, pages from outside it may not take the free pages of its
 * nodes, because a cycle of full nodes turns only through its own free pages.
 *
 * <p>When no page can move, a page falls over to the nearest node in {@code newNodes} with room
 * (docs/migration.md §5.3): pages whose target will never drain (a sink) fall over together; to
 * unblock a full cycle, a single page of it falls over, and the cycle turns again. "Room" prefers
 * free pages that the pages already mapped to that node do not need, so that a fallback does not
 * push others over in turn. With no room anywhere, the migration is out of memory.
 *
 * <p>An evacuation gives a source a list of destinations, nearest first, instead of one target:
 * each step sends its pages to the first of them with free pages, so that they fill the nearest
 * node first and spill over to the next. Its pages never fall over elsewhere: when none of its
 * destinations has room, they are out of memory.
 */
final class Scheduler {

    /** What to do next. */
    sealed interface Step permits Moves, OutOfMemory, Done {}

    /**
     * Move up to {@code quota[a]} pages of each source {@code a} to {@code target[a]}.
     *
     * @param intended the mapped target of each source, to record fallbacks
     */
    record Moves(int[] target, long[] quota, int[] intended) implements Step {
        boolean isFallback(int source) {
            return target[source] != intended[source];
        }
    }

    /** No node in newNodes has room for the next page. */
    record OutOfMemory() implements Step {}

    /** Nothing is pending. */
    record Done() implements Step {}

    private final int n;
    private final int[] target;
    private final long[] pending;
    private final Topology topology;
    private final List<Integer> fallbackNodes;
    /** Per source, its destinations nearest first, or null when it has one target. */
    private final int[] @Nullable [] destinations;

    /**
     * @param target the mapped target of each node id, or -1
     * @param pending pages of each node id that are to move
     */
    Scheduler(int[] target, long[] pending, Topology topology, List<Integer> newNodes) {
        this(target, pending, topology, newNodes, null);
    }

    /**
     * @param destinations per source, the nodes its pages go to, nearest first (an evacuation), or
     *     null
     */
    Scheduler(
            int[] target,
            long[] pending,
            Topology topology,
            List<Integer> newNodes,
            @Nullable Map<Integer, List<Integer>> destinations) {
        this.n = target.length;
        this.target = target.clone();
        this.pending = pending.clone();
        this.topology = topology;
        this.fallbackNodes = newNodes.stream().distinct().sorted().toList();
        this.destinations = new int[n][];
        if (destinations != null) {
            destinations.forEach((source, nodes) -> {
                if (source < n) {
                    this.destinations[source] = nodes.stream()
                            .mapToInt(Integer::intValue)
                            .filter(x -> x < n)
                            .toArray();
                }
            });
        }
    }

    long totalPending() {
        return Arrays.stream(pending).sum();
    }

    /**
     * Pages of a source that moved, failed or vanished: they are no longer pending. The kernel may
     * have moved a page from one source to another since the census, so a source can report more
     * pages done than it was counted; the count stops at 0, and the excess is returned (another
     * source's count holds those pages, and {@link #settle} finds them gone).
     *
     * @return the pages reported beyond the source's count
     */
    long done(int source, long pages) {
        long excess = Math.max(0, pages - pending[source]);
        pending[source] -= pages - excess;
        return excess;
    }

    /** Pages of a source still pending by the count. */
    long pending(int source) {
        return pending[source];
    }

    /** Counts pages more as pending on a source: pages the kernel moved there that another source's count held. */
    void add(int source, long pages) {
        pending[source] += pages;
    }

    /** Zeroes what remains of a source, returning how many pages that was. */
    long settle(int source) {
        long left = pending[source];
        pending[source] = 0;
        return left;
    }

    Step next(long[] free) {
        if (totalPending() == 0) {
            return new Done();
        }
        boolean[] onCycle = cycles();
        long[] avail = new long[n];
        for (int i = 0; i < n; i++) {
            avail[i] = Math.max(0, free[i]);
        }
        long[] quota = new long[n];
        boolean any = false;
        for (int a = 0; a < n; a++) {
            if (pending[a] == 0) {
                continue;
            }
            if (destinations[a] != null) {
                target[a] = firstWithRoom(destinations[a], avail);
                if (target[a] < 0) {
                    continue;
                }
            }
            int b = target[a];
            if (onCycle[b] && !onCycle[a]) {
                continue;
            }
            long q = Math.min(pending[a], avail[b]);
            if (q > 0) {
                quota[a] = q;
                avail[b] -= q;
                any = true;
            }
        }
        if (any) {
            return new Moves(target.clone(), quota, target.clone());
        }
        return fallback(free, onCycle);
    }

    private Step fallback(long[] free, boolean[] onCycle) {
        // Sources in the order their pages should fall over: those whose target never drains (all
        // of their pages), then one page of a full cycle, then one page of anything else.
        List<int[]> candidates = new java.util.ArrayList<>();
        for (int a = 0; a < n; a++) {
            if (pending[a] > 0 && destinations[a] == null && !hasOutflow(target[a])) {
                candidates.add(new int[] {a, 0});
            }
        }
        for (int a = 0; a < n; a++) {
            if (pending[a] > 0 && destinations[a] == null && hasOutflow(target[a]) && onCycle[a]) {
                candidates.add(new int[] {a, 1});
            }
        }
        for (int a = 0; a < n; a++) {
            if (pending[a] > 0 && destinations[a] == null && hasOutflow(target[a]) && !onCycle[a]) {
                candidates.add(new int[] {a, 1});
            }
        }
        long[] spare = spare(free);
        for (int[] candidate : candidates) {
            int source = candidate[0];
            long batch = candidate[1] == 0 ? pending[source] : 1;
            int intended = target[source];
            List<Integer> nodes = fallbackNodes.stream()
                    .filter(x -> x != intended && x != source && x < n && free[x] > 0)
                    .sorted(Comparator.<Integer>comparingInt(x -> topology.distance(intended, x))
                            .thenComparingInt(x -> x))
                    .toList();
            int chosen = -1;
            long room = 0;
            for (int x : nodes) {
                if (spare[x] > 0) {
                    chosen = x;
                    room = Math.min(free[x], spare[x]);
                    break;
                }
            }
            if (chosen < 0 && !nodes.isEmpty()) {
                chosen = nodes.getFirst();
                room = free[chosen];
            }
            if (chosen < 0) {
                continue;
            }
            int[] to = new int[n];
            Arrays.fill(to, -1);
            to[source] = chosen;
            long[] quota = new long[n];
            quota[source] = Math.min(batch, room);
            int[] intendedTargets = new int[n];
            Arrays.fill(intendedTargets, -1);
            intendedTargets[source] = intended;
            return new Moves(to, quota, intendedTargets);
        }
        return new OutOfMemory();
    }

    /** The first of the nodes that has free pages left, or -1. */
    private static int firstWithRoom(int[] nodes, long[] avail) {
        for (int x : nodes) {
            if (avail[x] > 0) {
                return x;
            }
        }
        return -1;
    }

    private boolean hasOutflow(int node) {
        return target[node] >= 0 && pending[node] > 0;
    }

    /** Free pages of each node that the pages still mapped to it will not need in the end. */
    private long[] spare(long[] free) {
        long[] spare = new long[n];
        for (int x = 0; x < n; x++) {
            spare[x] = free[x] + (target[x] >= 0 ? pending[x] : 0);
        }
        for (int a = 0; a < n; a++) {
            if (target[a] >= 0) {
                spare[target[a]] -= pending[a];
            }
        }
        return spare;
    }

    /** The nodes that lie on a cycle of pending moves. */
    private boolean[] cycles() {
        boolean[] onCycle = new boolean[n];
        byte[] state = new byte[n];
        int[] path = new int[n];
        for (int start = 0; start < n; start++) {
            int length = 0;
            int v = start;
            while (v >= 0 && state[v] == 0) {
                state[v] = 1;
                path[length++] = v;
                v = hasOutflow(v) ? target[v] : -1;
            }
            if (v >= 0 && state[v] == 1) {
                for (int i = length - 1; i >= 0; i--) {
                    onCycle[path[i]] = true;
                    if (path[i] == v) {
                        break;
                    }
                }
            }
            for (int i = 0; i < length; i++) {
                state[path[i]] = 2;
            }
        }
        return onCycle;
    }
}
