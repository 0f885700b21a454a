package io.numashift.core;

import io.numashift.core.backend.Census;
import io.numashift.core.backend.NumaBackend;
import io.numashift.core.backend.PageSet;

/**
 * What the scanned units hold, read from the host: the digest of their resident pages (taken
 * after the scan and again at the end, docs/migration.md §5.6) and, at the end, where their pages
 * are (§6.3).
 */
final class ReadBack {
    private ReadBack() {}

    /**
     * Adds the pages of the units per node to {@code after}; returns the pages that appeared on old
     * nodes since the scan in units that were not skipped.
     */
    static long placement(NumaBackend backend, int pid, Scan scan, NodeMapping mapping, long[] after) {
        int n = mapping.nodes;
        long appeared = 0;
        for (Scan.Unit unit : scan.units) {
            PageSet baseline = scan.resident.get(unit.vmaIndex());
            Census census = new Census(n, null, null, null, baseline);
            backend.census(pid, unit.vma(), unit.fromPage(), unit.toPage(), census);
            for (int a = 0; a < n; a++) {
                after[a] += census.onNode[a];
                if (unit.reason() == null && mapping.moving[a]) {
                    appeared += census.newOnNode[a];
                }
            }
        }
        return appeared;
    }

    /** The digest of the pages that were resident at the scan, as 16 hex digits. */
    static String digest(NumaBackend backend, int pid, Scan scan) {
        long sum = 0;
        for (Scan.Unit unit : scan.units) {
            sum += backend.digest(pid, unit.vma(), unit.fromPage(), unit.toPage(), scan.resident.get(unit.vmaIndex()));
        }
        return String.format("%016x", sum);
    }
}
