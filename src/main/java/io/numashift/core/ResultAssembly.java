package io.numashift.core;

import io.numashift.core.MigrationResult.VmaAction;
import io.numashift.core.MigrationResult.VmaOutcome;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.ProcessInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** Makes the result of a migration that passed its checks from what its steps counted (docs/migration.md §7). */
final class ResultAssembly {

    /** How a migration ended. */
    record Ending(
            MigrationStatus status,
            @Nullable Errno errno,
            @Nullable String message) {}

    private final int pid;
    private final int pageSize;
    private final ProcessInfo process;
    private final ProcessChanges changes;
    private final Scan scan;
    private final Tally tally;

    ResultAssembly(int pid, int pageSize, ProcessInfo process, ProcessChanges changes, Scan scan, Tally tally) {
        this.pid = pid;
        this.pageSize = pageSize;
        this.process = process;
        this.changes = changes;
        this.scan = scan;
        this.tally = tally;
    }

    MigrationResult result(
            Ending ending,
            long[] after,
            long left,
            Verify verify,
            @Nullable String digestBefore,
            @Nullable String digestAfter,
            Rollback.Counts rollback,
            @Nullable Double estimate,
            @Nullable Double cpuSeconds,
            @Nullable Double mibPerSecond) {
        List<VmaOutcome> outcomes = new ArrayList<>();
        for (Scan.Unit unit : scan.units) {
            long start = unit.vma().start() + unit.fromPage() * pageSize;
            long end = unit.vma().start() + unit.toPage() * pageSize;
            outcomes.add(new VmaOutcome(
                    start,
                    end,
                    unit.vma().maps(),
                    unit.reason() == null ? VmaAction.MIGRATED : VmaAction.SKIPPED,
                    unit.reason()));
        }
        return new MigrationResult(
                pid,
                ending.status(),
                ending.errno(),
                ending.message(),
                scan.scanned,
                tally.movedTotal(),
                scan.notPresent + tally.vanished(),
                tally.skipped(),
                tally.failed(),
                tally.moves(),
                tally.fallbacks(),
                placement(changes.placementBefore(scan.placementBefore)),
                placement(after),
                left,
                verify,
                digestBefore,
                digestAfter,
                process.policy(),
                changes.policyAfter(),
                rollback.back(),
                rollback.notBack(),
                changes.warnings(),
                outcomes,
                estimate,
                cpuSeconds,
                mibPerSecond);
    }

    private static SortedMap<Integer, Long> placement(long[] counts) {
        SortedMap<Integer, Long> map = new TreeMap<>();
        for (int node = 0; node < counts.length; node++) {
            if (counts[node] > 0) {
                map.put(node, counts[node]);
            }
        }
        return map;
    }
}
