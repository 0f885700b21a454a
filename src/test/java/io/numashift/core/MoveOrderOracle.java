package io.numashift.core;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Decides by brute force, over per-node page counts, whether the pending pages of a migration can
 * all be moved one page at a time in some order without a node ever exceeding its capacity. It
 * knows nothing of the engine's scheduler, so the properties can hold the engine to
 * docs/migration.md §5.2: what the oracle finds possible, the engine must do.
 *
 * <p>A move of one page from {@code a} to {@code x} needs a free page on {@code x} and frees one on
 * {@code a} (migration allocates the new page before it frees the old). Every move lowers the number
 * of pending pages, so the search is a DAG; a state seen before cannot complete (a success returns
 * at once). Only for tiny instances: the states are at most the product of {@code pending[a] + 1}
 * over the nodes, times the free-page vectors when destinations vary.
 */
final class MoveOrderOracle {
    private MoveOrderOracle() {}

    /**
     * Whether every pending page can move straight to its mapped target.
     *
     * @param pending pages on each node that are to move
     * @param target the mapped target of each node, -1 where nothing moves
     * @param free free pages on each node at the start
     */
    static boolean straightOrderExists(long[] pending, int[] target, long[] free) {
        return search(pending.clone(), free.clone(), a -> new int[] {target[a]}, new HashSet<>());
    }

    /**
     * Whether every pending page can move to its mapped target or to any other node of {@code
     * newNodes} than its own: when not, no fallback can save the migration and it must end in
     * {@code ENOMEM}.
     */
    static boolean anyOrderExists(long[] pending, List<Integer> newNodes, long[] free) {
        int[] destinations =
                newNodes.stream().distinct().mapToInt(Integer::intValue).toArray();
        return search(
                pending.clone(),
                free.clone(),
                a -> Arrays.stream(destinations).filter(x -> x != a).toArray(),
                new HashSet<>());
    }

    private static boolean search(long[] pending, long[] free, IntFunction<int[]> destinations, Set<String> dead) {
        if (Arrays.stream(pending).allMatch(p -> p == 0)) {
            return true;
        }
        if (!dead.add(Arrays.toString(pending) + Arrays.toString(free))) {
            return false;
        }
        for (int a = 0; a < pending.length; a++) {
            if (pending[a] == 0) {
                continue;
            }
            for (int x : destinations.apply(a)) {
                if (free[x] <= 0) {
                    continue;
                }
                pending[a]--;
                free[a]++;
                free[x]--;
                boolean done = search(pending, free, destinations, dead);
                pending[a]++;
                free[a]--;
                free[x]++;
                if (done) {
                    return true;
                }
            }
        }
        return false;
    }
}
