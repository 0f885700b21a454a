package io.numashift.core;

import io.numashift.core.backend.Census;
import io.numashift.core.backend.NumaBackend;
import io.numashift.core.backend.PageSet;
import io.numashift.core.backend.Vma;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the pages of the range were before the process entered a cpuset whose entry makes the
 * kernel move its memory (cgroup v2 always; a v1 cpuset with {@code memory_migrate}), so that the
 * result reports the placement before the migration and counts what the kernel moved off the old
 * nodes as it entered, in {@code pagesSkipped.MOVED_BY_KERNEL} (docs/migration.md §6.1).
 */
final class CpusetEntry {
    private final long[] placement;
    /** Per VMA start: the pages that were on old nodes. */
    private final Map<Long, PageSet> onOldNodes = new HashMap<>();

    private CpusetEntry(int nodeIdLimit) {
        this.placement = new long[nodeIdLimit];
    }

    /** A census of the request's range as it is now, before the process enters its new cpuset. */
    static CpusetEntry before(NumaBackend backend, MigrationRequest request, int pageSize, NodeMapping mapping) {
        CpusetEntry entry = new CpusetEntry(mapping.nodes);
        for (Vma vma : backend.vmas(request.pid())) {
            long start = Scan.clipStart(request.range(), vma);
            long end = Scan.clipEnd(request.range(), vma);
            if (start >= end) {
                continue;
            }
            PageSet onOld = new PageSet(vma.pages(pageSize));
            Census census = new Census(mapping.nodes, mapping.moving, null, onOld, null);
            backend.census(
                    request.pid(), vma, (start - vma.start()) / pageSize, (end - vma.start()) / pageSize, census);
            for (int a = 0; a < mapping.nodes; a++) {
                entry.placement[a] += census.onNode[a];
            }
            entry.onOldNodes.put(vma.start(), onOld);
        }
        return entry;
    }

    /** Resident pages of the range per node before the entry. */
    long[] placement() {
        return placement;
    }

    /**
     * Pages that were on an old node before the entry and are not at the scan, in the units whose
     * skip counts only what the scan found on old nodes: the kernel moved them (or the process let
     * them go in between). Pages of units skipped as {@code ALREADY_MIGRATED} are counted there.
     */
    long movedOff(Scan scan) {
        long moved = 0;
        for (Scan.Unit unit : scan.units) {
            PageSet before = onOldNodes.get(unit.vma().start());
            if (unit.reason() != SkipReason.ALREADY_MIGRATED && before != null) {
                moved += Math.max(0, before.count(unit.fromPage(), unit.toPage()) - unit.onOldNodes());
            }
        }
        return moved;
    }
}
