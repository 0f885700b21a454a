package io.numashift.protocol;

import io.numashift.core.MigrationResult;
import io.numashift.core.MigrationStatus;
import io.numashift.core.MigrationWarning;
import io.numashift.core.SkipReason;
import io.numashift.core.Verify;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.MemoryPolicy;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The result of one process's migration as its agent reports it in a {@link Result}
 * (docs/migration.md §7), with addresses as hex strings. The service checks it (field by field
 * here, against the lease and the host in {@code ReportRules}), then stores it in a form of its own.
 */
public record ProcessReport(
        @Positive int pid,
        @NotNull MigrationStatus status,
        @Nullable Errno errno,
        @Nullable @Size(max = MAX_TEXT) String message,
        @PositiveOrZero long pagesScanned,
        @PositiveOrZero long pagesMoved,
        @PositiveOrZero long pagesNotPresent,
        @NotNull Map<@NotNull SkipReason, @NotNull @PositiveOrZero Long> pagesSkipped,
        @NotNull Map<@NotNull Errno, @NotNull @PositiveOrZero Long> pagesFailed,
        @NotNull @Size(max = MAX_PAIRS) List<MigrationResult.@NotNull NodePairPages> moves,
        @NotNull @Size(max = MAX_PAIRS) List<MigrationResult.@NotNull Fallback> fallbacks,
        @NotNull @Size(max = MAX_NODES) SortedMap<@NotNull Integer, @NotNull @PositiveOrZero Long> placementBefore,
        @NotNull @Size(max = MAX_NODES) SortedMap<@NotNull Integer, @NotNull @PositiveOrZero Long> placementAfter,
        @PositiveOrZero long pagesLeftOnOldNodes,
        @Nullable Verify verify,
        @Nullable @Size(max = MAX_DIGEST) String contentDigestBefore,
        @Nullable @Size(max = MAX_DIGEST) String contentDigestAfter,
        @Nullable MemoryPolicy policyBefore,
        @Nullable MemoryPolicy policyAfter,
        @PositiveOrZero long rolledBack,
        @PositiveOrZero long rollbackFailed,
        @NotNull @Size(max = MAX_WARNINGS) List<@NotNull MigrationWarning> warnings,
        @Nullable @PositiveOrZero Double estimatedSeconds,
        @Nullable @PositiveOrZero Double cpuSeconds,
        @Nullable @PositiveOrZero Double mibPerSecond,
        @NotNull @Size(max = MAX_VMAS) List<@NotNull @Valid VmaReport> vmas) {

    public static final int MAX_TEXT = 4096;
    public static final int MAX_PAIRS = 65_536;
    public static final int MAX_NODES = 4096;
    public static final int MAX_DIGEST = 128;
    public static final int MAX_WARNINGS = 64;
    public static final int MAX_VMAS = 1_000_000;

    public ProcessReport {
        // Copies; an agent's report with nulls in it is kept as sent, so that validation names them.
        pagesSkipped = copy(pagesSkipped);
        pagesFailed = copy(pagesFailed);
        moves = copy(moves);
        fallbacks = copy(fallbacks);
        placementBefore = sorted(placementBefore);
        placementAfter = sorted(placementAfter);
        warnings = copy(warnings);
        vmas = copy(vmas);
    }

    private static <K, V> Map<K, V> copy(Map<K, V> map) {
        return map == null || map.values().stream().anyMatch(java.util.Objects::isNull) ? map : Map.copyOf(map);
    }

    private static <T> List<T> copy(List<T> list) {
        return list == null || list.stream().anyMatch(java.util.Objects::isNull) ? list : List.copyOf(list);
    }

    private static SortedMap<Integer, Long> sorted(SortedMap<Integer, Long> map) {
        return map == null ? null : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(map));
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
    public record VmaReport(
            @NotNull @Pattern(regexp = ADDRESS, message = "a hex address such as 0x400000")
            String start,

            @NotNull @Pattern(regexp = ADDRESS, message = "a hex address such as 0x400000")
            String end,

            @NotNull @Size(max = MAX_TEXT) String maps,
            @NotNull MigrationResult.VmaAction action,
            @Nullable SkipReason reason) {
        /** How an address is written: lower-case hex. */
        public static final String ADDRESS = "0x[0-9a-f]{1,16}";
    }

    /** The report of the engine's result. */
    public static ProcessReport of(MigrationResult r) {
        return new ProcessReport(
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
                        .map(v -> new VmaReport(hex(v.start()), hex(v.end()), v.maps(), v.action(), v.reason()))
                        .toList());
    }

    public long pagesSkippedTotal() {
        return pagesSkipped.values().stream().mapToLong(Long::longValue).sum();
    }

    public long pagesFailedTotal() {
        return pagesFailed.values().stream().mapToLong(Long::longValue).sum();
    }

    private static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }
}
