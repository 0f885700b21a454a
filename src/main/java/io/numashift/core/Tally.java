package io.numashift.core;

import io.numashift.core.MigrationResult.Fallback;
import io.numashift.core.MigrationResult.NodePairPages;
import io.numashift.core.backend.Errno;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The page counts of one migration that its steps add to: moves and fallbacks per node pair,
 * skipped pages by reason, failed pages by errno, and pages that vanished while they were to move.
 */
final class Tally {
    private final int nodes;
    private final long[] moved;
    private final long[] fallbacks;
    private final EnumMap<SkipReason, Long> skipped = new EnumMap<>(SkipReason.class);
    private final EnumMap<Errno, Long> failed = new EnumMap<>(Errno.class);
    private long vanished;

    Tally(int nodeIdLimit) {
        this.nodes = nodeIdLimit;
        this.moved = new long[nodeIdLimit * nodeIdLimit];
        this.fallbacks = new long[nodeIdLimit * nodeIdLimit];
    }

    /** Pages that moved from {@code from} to {@code to}; a fallback when {@code to} is not {@code intended}. */
    void moved(int from, int to, int intended, long pages) {
        moved[from * nodes + to] += pages;
        if (to != intended) {
            fallbacks[intended * nodes + to] += pages;
        }
    }

    void skipped(SkipReason reason, long pages) {
        skipped.merge(reason, pages, Long::sum);
    }

    void failed(Errno errno, long pages) {
        if (pages > 0) {
            failed.merge(errno, pages, Long::sum);
        }
    }

    long failed(Errno errno) {
        return failed.getOrDefault(errno, 0L);
    }

    void vanished(long pages) {
        vanished += pages;
    }

    long vanished() {
        return vanished;
    }

    /** Where the pages would be after the recorded moves, from where they were before. */
    long[] placementAfterMoves(long[] before) {
        long[] after = before.clone();
        for (int a = 0; a < nodes; a++) {
            for (int b = 0; b < nodes; b++) {
                long pages = moved[a * nodes + b];
                after[a] -= pages;
                after[b] += pages;
            }
        }
        return after;
    }

    long movedTotal() {
        long total = 0;
        for (long pages : moved) {
            total += pages;
        }
        return total;
    }

    /** Pages moved per node pair, in ascending (from, to) order. */
    List<NodePairPages> moves() {
        List<NodePairPages> list = new ArrayList<>();
        for (int a = 0; a < nodes; a++) {
            for (int b = 0; b < nodes; b++) {
                if (moved[a * nodes + b] > 0) {
                    list.add(new NodePairPages(a, b, moved[a * nodes + b]));
                }
            }
        }
        return list;
    }

    /** Fallbacks per (intended, actual) pair, in ascending order. */
    List<Fallback> fallbacks() {
        List<Fallback> list = new ArrayList<>();
        for (int a = 0; a < nodes; a++) {
            for (int b = 0; b < nodes; b++) {
                if (fallbacks[a * nodes + b] > 0) {
                    list.add(new Fallback(a, b, fallbacks[a * nodes + b]));
                }
            }
        }
        return list;
    }

    Map<SkipReason, Long> skipped() {
        return nonZero(skipped);
    }

    Map<Errno, Long> failed() {
        return nonZero(failed);
    }

    private static <K extends Enum<K>> Map<K, Long> nonZero(EnumMap<K, Long> counts) {
        EnumMap<K, Long> copy = new EnumMap<>(counts);
        copy.values().removeIf(v -> v == 0);
        return copy;
    }
}
