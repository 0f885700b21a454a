package io.numashift.core;

import io.numashift.core.backend.Errno;
import io.numashift.core.backend.MemoryPolicy;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The result of one migration (docs/migration.md §7).
 *
 * @param pid the process
 * @param status how it ended
 * @param errno why it failed, when it did
 * @param message a human-readable reason, when it failed
 * @param pagesScanned resident pages in the range that the migration looked at
 * @param pagesMoved pages moved (including fallbacks)
 * @param pagesNotPresent pages in the range that were never touched
 * @param pagesSkipped skipped pages by reason
 * @param pagesFailed failed pages by errno ({@code EBUSY}, {@code ENOMEM})
 * @param moves pages moved per (from, to) node pair
 * @param fallbacks pages that went to another node than their mapped one, per (intended, actual)
 * @param placementBefore resident pages of the process in the range per node, before
 * @param placementAfter the same, read back after
 * @param pagesLeftOnOldNodes pages still on old nodes that should have moved and were not reported
 *     as skipped or failed
 * @param verify the verification done: {@code PLACEMENT} or {@code CONTENT} as asked, {@code NONE}
 *     when asked, for a dry run, a migration refused before it began, or when the process was gone
 *     before its pages could be read back
 * @param contentDigestBefore with {@code verify} {@code CONTENT}: digest of (address, content) of the pages resident at the start
 * @param contentDigestAfter the same digest over the same pages at the end
 * @param policyBefore the process policy before
 * @param policyAfter the process policy after
 * @param rolledBack pages moved back by a rollback
 * @param rollbackFailed pages a rollback could not move back
 * @param warnings what an operator should know
 * @param vmas per VMA (clipped to the range): what it maps and whether it was migrated
 * @param estimatedSeconds a dry run's estimate of the duration
 * @param cpuSeconds the CPU time the migration took on its host (absent when it was refused or
 *     cancelled before it started, or ran on a virtual thread, whose CPU time the JVM does not measure)
 * @param mibPerSecond the rate the pages moved at, from the first batch to the last (absent when
 *     none moved)
 */
public record MigrationResult(
        int pid,
        MigrationStatus status,
        @Nullable Errno errno,
        @Nullable String message,
        long pagesScanned,
        long pagesMoved,
        long pagesNotPresent,
        Map<SkipReason, Long> pagesSkipped,
        Map<Errno, Long> pagesFailed,
        List<NodePairPages> moves,
        List<Fallback> fallbacks,
        SortedMap<Integer, Long> placementBefore,
        SortedMap<Integer, Long> placementAfter,
        long pagesLeftOnOldNodes,
        Verify verify,
        @Nullable String contentDigestBefore,
        @Nullable String contentDigestAfter,
        @Nullable MemoryPolicy policyBefore,
        @Nullable MemoryPolicy policyAfter,
        long rolledBack,
        long rollbackFailed,
        List<MigrationWarning> warnings,
        List<VmaOutcome> vmas,
        @Nullable Double estimatedSeconds,
        @Nullable Double cpuSeconds,
        @Nullable Double mibPerSecond) {

    public MigrationResult {
        pagesSkipped = Map.copyOf(pagesSkipped);
        pagesFailed = Map.copyOf(pagesFailed);
        moves = List.copyOf(moves);
        fallbacks = List.copyOf(fallbacks);
        placementBefore = new TreeMap<>(placementBefore);
        placementAfter = new TreeMap<>(placementAfter);
        warnings = List.copyOf(warnings);
        vmas = List.copyOf(vmas);
    }

    /** A migration refused before anything changed. */
    public static MigrationResult refused(int pid, Errno errno, String message) {
        return untouched(pid, MigrationStatus.FAILED, errno, message);
    }

    /** A migration of a job's process that was cancelled before it started. */
    public static MigrationResult cancelledBeforeStart(int pid) {
        return untouched(pid, MigrationStatus.CANCELLED, null, "cancelled before it started");
    }

    private static MigrationResult untouched(int pid, MigrationStatus status, @Nullable Errno errno, String message) {
        return new MigrationResult(
                pid,
                status,
                errno,
                message,
                0,
                0,
                0,
                Map.of(),
                Map.of(),
                List.of(),
                List.of(),
                new TreeMap<>(),
                new TreeMap<>(),
                0,
                Verify.NONE,
                null,
                null,
                null,
                null,
                0,
                0,
                List.of(),
                List.of(),
                null,
                null,
                null);
    }

    /** This result with one more warning. */
    public MigrationResult withWarning(MigrationWarning warning) {
        List<MigrationWarning> more = new java.util.ArrayList<>(warnings);
        more.add(warning);
        return new MigrationResult(
                pid,
                status,
                errno,
                message,
                pagesScanned,
                pagesMoved,
                pagesNotPresent,
                pagesSkipped,
                pagesFailed,
                moves,
                fallbacks,
                placementBefore,
                placementAfter,
                pagesLeftOnOldNodes,
                verify,
                contentDigestBefore,
                contentDigestAfter,
                policyBefore,
                policyAfter,
                rolledBack,
                rollbackFailed,
                more,
                vmas,
                estimatedSeconds,
                cpuSeconds,
                mibPerSecond);
    }

    public long skipped(SkipReason reason) {
        return pagesSkipped.getOrDefault(reason, 0L);
    }

    public long failed(Errno reason) {
        return pagesFailed.getOrDefault(reason, 0L);
    }

    /** Pages moved from one node to another. */
    public long moved(int from, int to) {
        return moves.stream()
                .filter(m -> m.from() == from && m.to() == to)
                .mapToLong(NodePairPages::pages)
                .sum();
    }

    /**
     * Pages moved between a pair of nodes.
     *
     * @param from the node they were on
     * @param to the node they are on now
     * @param pages how many
     */
    public record NodePairPages(int from, int to, long pages) {}

    /**
     * Pages that went to another node than the mapping said, because their target was full.
     *
     * @param intended the mapped target
     * @param actual where they went
     * @param pages how many
     */
    public record Fallback(int intended, int actual, long pages) {}

    /**
     * One VMA of the range, clipped to it.
     *
     * @param start its first address in the range
     * @param end the address after its last byte in the range
     * @param maps what it maps: {@code anon}, {@code file:/path} or a shared object
     * @param action whether its pages were migrated
     * @param reason why it was skipped, when it was
     */
    public record VmaOutcome(
            long start,
            long end,
            String maps,
            VmaAction action,
            @Nullable SkipReason reason) {}

    /** What happened to a VMA. */
    public enum VmaAction {
        MIGRATED,
        SKIPPED
    }
}
