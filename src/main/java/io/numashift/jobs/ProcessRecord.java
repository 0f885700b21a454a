package io.numashift.jobs;

import io.numashift.core.MigrationResult;
import io.numashift.core.MigrationStatus;
import io.numashift.core.MigrationWarning;
import io.numashift.core.SkipReason;
import io.numashift.core.Verify;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.MemoryPolicy;
import io.numashift.protocol.ProcessReport;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The result of one process's migration as the service stores it: JSON in the tasks' {@code
 * results} column. Its field names are those of the stored JSON (rows written before keep reading);
 * it is made from an agent's checked {@link ProcessReport} ({@link #of}), and the API shows it
 * through a view of its own.
 */
public record ProcessRecord(
        int pid,
        MigrationStatus status,
        @Nullable Errno errno,
        @Nullable String message,
        long pagesScanned,
        long pagesMoved,
        long pagesNotPresent,
        Map<SkipReason, Long> pagesSkipped,
        Map<Errno, Long> pagesFailed,
        List<MigrationResult.NodePairPages> moves,
        List<MigrationResult.Fallback> fallbacks,
        SortedMap<Integer, Long> placementBefore,
        SortedMap<Integer, Long> placementAfter,
        long pagesLeftOnOldNodes,
        @Nullable Verify verify,
        @Nullable String contentDigestBefore,
        @Nullable String contentDigestAfter,
        @Nullable MemoryPolicy policyBefore,
        @Nullable MemoryPolicy policyAfter,
        long rolledBack,
        long rollbackFailed,
        List<MigrationWarning> warnings,
        @Nullable Double estimatedSeconds,
        @Nullable Double cpuSeconds,
        @Nullable Double mibPerSecond,
        List<VmaRecord> vmas) {

    public ProcessRecord {
        // Stored JSON may lack a field (written by hand or by another version): absent reads as empty.
        pagesSkipped = pagesSkipped == null ? Map.of() : Map.copyOf(pagesSkipped);
        pagesFailed = pagesFailed == null ? Map.of() : Map.copyOf(pagesFailed);
        moves = moves == null ? List.of() : List.copyOf(moves);
        fallbacks = fallbacks == null ? List.of() : List.copyOf(fallbacks);
        placementBefore = sorted(placementBefore);
        placementAfter = sorted(placementAfter);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        vmas = vmas == null ? List.of() : List.copyOf(vmas);
    }

    private static SortedMap<Integer, Long> sorted(@Nullable SortedMap<Integer, Long> map) {
        return Collections.unmodifiableSortedMap(map == null ? new TreeMap<>() : new TreeMap<>(map));
    }

    /**
     * One VMA of the range.
     *
     * @param start first address, hex
     * @param end address after the last byte, hex
     * @param maps what it maps
     * @param action {@code MIGRATED} or {@code SKIPPED}
     * @param reason why it was skipped
     */
    public record VmaRecord(
            String start,
            String end,
            String maps,
            MigrationResult.VmaAction action,
            @Nullable SkipReason reason) {}

    /** What the service stores of an agent's report (which was checked before). */
    public static ProcessRecord of(ProcessReport r) {
        return new ProcessRecord(
                r.pid(),
                r.status(),
                r.errno(),
                r.message(),
                r.pagesScanned(),
                r.pagesMoved(),
                r.pagesNotPresent(),
                r.pagesSkipped(),
                r.pagesFailed(),
                r.moves(),
                r.fallbacks(),
                r.placementBefore(),
                r.placementAfter(),
                r.pagesLeftOnOldNodes(),
                r.verify(),
                r.contentDigestBefore(),
                r.contentDigestAfter(),
                r.policyBefore(),
                r.policyAfter(),
                r.rolledBack(),
                r.rollbackFailed(),
                r.warnings(),
                r.estimatedSeconds(),
                r.cpuSeconds(),
                r.mibPerSecond(),
                r.vmas().stream()
                        .map(v -> new VmaRecord(v.start(), v.end(), v.maps(), v.action(), v.reason()))
                        .toList());
    }

    public long pagesSkippedTotal() {
        return pagesSkipped.values().stream().mapToLong(Long::longValue).sum();
    }

    public long pagesFailedTotal() {
        return pagesFailed.values().stream().mapToLong(Long::longValue).sum();
    }

    public boolean succeeded() {
        return status == MigrationStatus.SUCCEEDED;
    }

    /**
     * Whether the migration ran to its end: {@code SUCCEEDED}, or {@code PARTIAL} (it moved what it
     * could and some pages failed). Such a process counts as (partly) succeeded for its task's and
     * job's state.
     */
    public boolean ranToEnd() {
        return status == MigrationStatus.SUCCEEDED || status == MigrationStatus.PARTIAL;
    }
}
