package io.numashift.jobs.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.numashift.core.MigrationResult;
import io.numashift.core.MigrationStatus;
import io.numashift.core.MigrationWarning;
import io.numashift.core.SkipReason;
import io.numashift.core.Verify;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.MemoryPolicy;
import io.numashift.jobs.ProcessRecord;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.jspecify.annotations.Nullable;

/**
 * The result of one process's migration as the API shows it in a job's {@code tasks[].processes[]}
 * (docs/migration.md §7), with addresses as hex strings: made from what the service stored.
 * {@code verify} is the verification done (absent from results stored before it was reported).
 */
public record ProcessResult(
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
        // Absent unless the migration verified content (verify CONTENT): a digest not computed is
        // not there, rather than a value that could be mistaken for one.
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String contentDigestBefore,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String contentDigestAfter,
        @Nullable MemoryPolicy policyBefore,
        @Nullable MemoryPolicy policyAfter,
        long rolledBack,
        long rollbackFailed,
        List<MigrationWarning> warnings,
        @Nullable Double estimatedSeconds,
        @Nullable Double cpuSeconds,
        @Nullable Double mibPerSecond,
        List<VmaResult> vmas) {

    /**
     * One VMA of the range.
     *
     * @param start first address, hex
     * @param end address after the last byte, hex
     * @param maps what it maps
     * @param action {@code MIGRATED} or {@code SKIPPED}
     * @param reason why it was skipped
     */
    public record VmaResult(
            String start,
            String end,
            String maps,
            MigrationResult.VmaAction action,
            @Nullable SkipReason reason) {}

    /** The view of a stored result. */
    static ProcessResult of(ProcessRecord r) {
        return new ProcessResult(
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
                        .map(v -> new VmaResult(v.start(), v.end(), v.maps(), v.action(), v.reason()))
                        .toList());
    }
}
