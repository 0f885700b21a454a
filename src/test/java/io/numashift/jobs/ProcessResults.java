package io.numashift.jobs;

import io.numashift.core.MigrationResult.Fallback;
import io.numashift.core.MigrationResult.NodePairPages;
import io.numashift.core.MigrationStatus;
import io.numashift.core.SkipReason;
import io.numashift.core.Verify;
import io.numashift.core.backend.Errno;
import io.numashift.protocol.ProcessReport;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Process results for tests, built field by field from a plain one: a process of 10 resident pages
 * on node 0 that all moved to node 1.
 */
public final class ProcessResults {
    private int pid;
    private MigrationStatus status = MigrationStatus.SUCCEEDED;
    private @Nullable Errno errno;
    private @Nullable String message;
    private long scanned = 10;
    private long moved = 10;
    private Map<SkipReason, Long> skipped = Map.of();
    private Map<Errno, Long> failed = Map.of();
    private List<NodePairPages> moves = List.of(new NodePairPages(0, 1, 10));
    private List<Fallback> fallbacks = List.of();
    private Map<Integer, Long> before = Map.of(0, 10L);
    private Map<Integer, Long> after = Map.of(1, 10L);
    private long rolledBack;
    private long rollbackFailed;
    private @Nullable Double estimate;

    private ProcessResults(int pid) {
        this.pid = pid;
    }

    /** Process {@code pid}: its 10 pages moved from node 0 to node 1. */
    public static ProcessResults of(int pid) {
        return new ProcessResults(pid);
    }

    public ProcessResults status(MigrationStatus value, @Nullable Errno errno) {
        this.status = value;
        this.errno = errno;
        return this;
    }

    public ProcessResults message(String value) {
        this.message = value;
        return this;
    }

    /** Pages scanned and moved, and the moves that add up to them. */
    public ProcessResults moved(long scannedPages, long movedPages, NodePairPages... pairs) {
        this.scanned = scannedPages;
        this.moved = movedPages;
        this.moves = List.of(pairs);
        return this;
    }

    public ProcessResults failed(Map<Errno, Long> value) {
        this.failed = value;
        return this;
    }

    public ProcessResults skipped(Map<SkipReason, Long> value) {
        this.skipped = value;
        return this;
    }

    public ProcessResults fallbacks(Fallback... value) {
        this.fallbacks = List.of(value);
        return this;
    }

    public ProcessResults placement(Map<Integer, Long> beforePages, Map<Integer, Long> afterPages) {
        this.before = beforePages;
        this.after = afterPages;
        return this;
    }

    public ProcessResults rolledBack(long back, long notBack) {
        this.rolledBack = back;
        this.rollbackFailed = notBack;
        return this;
    }

    public ProcessResults estimate(double seconds) {
        this.estimate = seconds;
        return this;
    }

    /** What the service stores of it. */
    public ProcessRecord record() {
        return ProcessRecord.of(build());
    }

    /** The report an agent sends. */
    public ProcessReport build() {
        return new ProcessReport(
                pid,
                status,
                errno,
                message,
                scanned,
                moved,
                0,
                skipped,
                failed,
                moves,
                fallbacks,
                new TreeMap<>(before),
                new TreeMap<>(after),
                0,
                Verify.CONTENT,
                "d",
                "d",
                null,
                null,
                rolledBack,
                rollbackFailed,
                List.of(),
                estimate,
                null,
                null,
                List.of());
    }
}
