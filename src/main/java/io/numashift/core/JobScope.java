package io.numashift.core;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the migrations of one job on one host share: which processes the job targets there (a
 * shared object mapped only by them moves without {@code moveShared}), and which shared-object
 * pages an earlier migration of the job already scanned with the right to move them ({@code
 * sharedOnce}). Confined to the thread that runs the host's migrations.
 */
public final class JobScope {
    private final Set<Integer> targetPids;
    private final Map<String, TreeMap<Long, Long>> scanned = new HashMap<>();

    public JobScope(Set<Integer> targetPids) {
        this.targetPids = Set.copyOf(targetPids);
    }

    /** A scope of one process alone. */
    public static JobScope single(int pid) {
        return new JobScope(Set.of(pid));
    }

    public Set<Integer> targetPids() {
        return targetPids;
    }

    /** Records that pages {@code [from, to)} of a shared object were scanned with the right to move them. */
    void markScanned(String object, long from, long to) {
        TreeMap<Long, Long> ranges = scanned.computeIfAbsent(object, k -> new TreeMap<>());
        long start = from;
        long end = to;
        var before = ranges.floorEntry(start);
        if (before != null && before.getValue() >= start) {
            start = before.getKey();
            end = Math.max(end, before.getValue());
        }
        var next = ranges.ceilingEntry(start);
        while (next != null && next.getKey() <= end) {
            end = Math.max(end, next.getValue());
            ranges.remove(next.getKey());
            next = ranges.ceilingEntry(start);
        }
        ranges.put(start, end);
    }

    /** Splits {@code [from, to)} of a shared object into segments, each scanned already or not. */
    List<Segment> segments(String object, long from, long to) {
        TreeMap<Long, Long> ranges = scanned.getOrDefault(object, new TreeMap<>());
        var result = new java.util.ArrayList<Segment>();
        long position = from;
        var floor = ranges.floorEntry(from);
        var entries = floor != null
                ? ranges.tailMap(floor.getKey(), true).entrySet()
                : ranges.tailMap(from, true).entrySet();
        for (var range : entries) {
            if (position >= to || range.getKey() >= to) {
                break;
            }
            long coveredStart = Math.max(range.getKey(), position);
            long coveredEnd = Math.min(range.getValue(), to);
            if (coveredEnd <= coveredStart) {
                continue;
            }
            if (coveredStart > position) {
                result.add(new Segment(position, coveredStart, false));
            }
            result.add(new Segment(coveredStart, coveredEnd, true));
            position = coveredEnd;
        }
        if (position < to) {
            result.add(new Segment(position, to, false));
        }
        return result;
    }

    record Segment(long from, long to, boolean scanned) {}
}
