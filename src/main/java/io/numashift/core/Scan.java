package io.numashift.core;

import io.numashift.core.backend.Census;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.FileInfo;
import io.numashift.core.backend.NumaBackend;
import io.numashift.core.backend.PageSet;
import io.numashift.core.backend.Vma;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The scan of a migration (docs/migration.md §4): every VMA that intersects the range, clipped to
 * it, becomes one or more {@link Unit}s with their skip reason, and the backend's census counts
 * their pages per node. A real run also marks which pages are resident and which are to move; a
 * dry run only counts.
 */
final class Scan {

    /**
     * One VMA range and what the migration decided for it.
     *
     * @param base where the unit starts in the concatenated page space of the movable units
     * @param onOldNodes its pages on old nodes at the scan that are not pinned
     */
    record Unit(
            int vmaIndex,
            Vma vma,
            long fromPage,
            long toPage,
            @Nullable SkipReason reason,
            long base,
            long onOldNodes) {
        long end() {
            return base + (toPage - fromPage);
        }
    }

    final List<Vma> vmas = new ArrayList<>();
    final List<Unit> units = new ArrayList<>();
    final List<Unit> movable = new ArrayList<>();
    /** Per VMA index, with page sets marked: the resident pages. */
    final Map<Integer, PageSet> resident = new HashMap<>();
    /** Per VMA index, with page sets marked: the pages still to move. */
    final Map<Integer, PageSet> pending = new HashMap<>();

    final long[] placementBefore;
    /** Pages to move per source node (unpinned pages on old nodes in units that are not skipped). */
    final long[] toMove;

    long scanned;
    long notPresent;

    /** An empty scan: what a migration reports when it fails before it scanned. */
    Scan(int nodeIdLimit) {
        this.placementBefore = new long[nodeIdLimit];
        this.toMove = new long[nodeIdLimit];
    }

    /**
     * Scans the range of a request into this empty scan; skips and pinned pages go to {@code tally}.
     * With {@code markPages}, the units' resident and pending pages are marked in page sets. When
     * the backend fails midway, what was scanned until then stays.
     */
    void run(
            NumaBackend backend,
            MigrationRequest request,
            JobScope scope,
            int pageSize,
            NodeMapping mapping,
            Tally tally,
            boolean markPages) {
        vmas.addAll(backend.vmas(request.pid()));
        new Scanner(backend, request, scope, pageSize, mapping, tally, markPages, this).scanAll();
    }

    long pagesToMove() {
        long total = 0;
        for (long pages : toMove) {
            total += pages;
        }
        return total;
    }

    /** The end of the movable units in their concatenated page space. */
    long movableEnd() {
        return movable.isEmpty() ? 0 : movable.getLast().end();
    }

    /** Pages of the movable units that are still to move. */
    long remainingPending() {
        long total = 0;
        for (Unit unit : movable) {
            total += pending.get(unit.vmaIndex()).count(unit.fromPage(), unit.toPage());
        }
        return total;
    }

    static long clipStart(@Nullable AddressRange range, Vma vma) {
        return range == null ? vma.start() : Math.max(vma.start(), range.start());
    }

    static long clipEnd(@Nullable AddressRange range, Vma vma) {
        return range == null ? vma.end() : Math.min(vma.end(), range.end());
    }

    /** The walk over the VMAs, with what it needs to decide each unit. */
    private record Scanner(
            NumaBackend backend,
            MigrationRequest request,
            JobScope scope,
            int pageSize,
            NodeMapping mapping,
            Tally tally,
            boolean markPages,
            Scan scan) {

        void scanAll() {
            MigrationOptions options = request.options();
            long base = 0;
            for (int i = 0; i < scan.vmas.size(); i++) {
                Vma vma = scan.vmas.get(i);
                long start = clipStart(request.range(), vma);
                long end = clipEnd(request.range(), vma);
                if (start >= end) {
                    continue;
                }
                long from = (start - vma.start()) / pageSize;
                long to = (end - vma.start()) / pageSize;
                SkipReason reason = skipReason(vma);
                String object = vma.sharedObject();
                if (object != null && options.sharedOnce()) {
                    long offset = vma.objectOffset();
                    for (JobScope.Segment segment : scope.segments(object, offset + from, offset + to)) {
                        SkipReason segmentReason = segment.scanned() ? SkipReason.ALREADY_MIGRATED : reason;
                        base = addUnit(i, vma, segment.from() - offset, segment.to() - offset, segmentReason, base);
                    }
                    if (reason == null) {
                        scope.markScanned(object, offset + from, offset + to);
                    }
                } else {
                    base = addUnit(i, vma, from, to, reason, base);
                }
            }
        }

        private long addUnit(int index, Vma vma, long from, long to, @Nullable SkipReason reason, long base) {
            int n = mapping.nodes;
            boolean[] moving = mapping.moving;
            long pages = vma.pages(pageSize);
            PageSet residentSet = markPages ? scan.resident.computeIfAbsent(index, k -> new PageSet(pages)) : null;
            PageSet pendingSet =
                    markPages && reason == null ? scan.pending.computeIfAbsent(index, k -> new PageSet(pages)) : null;
            Census census = new Census(n, reason == null ? moving : null, residentSet, pendingSet, null);
            backend.census(request.pid(), vma, from, to, census);
            scan.notPresent += census.notPresent;
            scan.scanned += census.resident();
            long onOldNodes = 0;
            long pinned = 0;
            for (int a = 0; a < n; a++) {
                scan.placementBefore[a] += census.onNode[a];
                if (moving[a]) {
                    onOldNodes += census.onNode[a];
                    pinned += census.pinnedOnNode[a];
                    if (reason == null) {
                        tally.failed(Errno.EBUSY, census.pinnedOnNode[a]);
                        scan.toMove[a] += census.onNode[a] - census.pinnedOnNode[a];
                    }
                }
            }
            if (reason == SkipReason.ALREADY_MIGRATED) {
                tally.skipped(reason, census.resident());
            } else if (reason != null) {
                tally.skipped(reason, onOldNodes);
            }
            Unit unit = new Unit(index, vma, from, to, reason, base, onOldNodes - pinned);
            scan.units.add(unit);
            if (reason == null) {
                scan.movable.add(unit);
                return unit.end();
            }
            return base;
        }

        /** Why a whole VMA is skipped (migration.md §4), or null when its pages may move. */
        private @Nullable SkipReason skipReason(Vma vma) {
            String path = vma.file();
            String object = vma.sharedObject();
            if (path == null && object != null && object.startsWith("file:")) {
                path = object.substring("file:".length());
            }
            if (path != null) {
                FileInfo file = backend.file(path);
                if (!file.nfs() && "none".equals(file.migrate())) {
                    return SkipReason.XATTR_NONE;
                }
                if (!file.nfs() && "lib".equals(file.migrate()) && !vma.writable()) {
                    return SkipReason.XATTR_LIB_READONLY;
                }
            }
            if (object != null
                    && !request.options().moveShared()
                    && !scope.targetPids().containsAll(backend.pidsMapping(object))) {
                return SkipReason.SHARED;
            }
            return null;
        }
    }
}
