package io.numashift.core;

import io.numashift.core.backend.NumaBackend;
import io.numashift.core.backend.PageSet;
import io.numashift.core.backend.Topology;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Performs page migrations on one host as docs/migration.md describes them: the checks in their
 * order (§2), the policy remapping (§3), the per-page rules (§4), capacity-aware ordering with
 * fallback and out-of-memory handling and rollback (§5), suspension, cancellation at batch
 * boundaries (batches bounded in address space and in time, §6.5) and the read-back (§6) that the
 * result reports (§7). The checks are {@link Checks}; a migration that passes them runs its steps
 * in a {@link MigrationRun}.
 *
 * <p>Not thread-safe: one engine runs one migration at a time on its backend.
 */
public final class MigrationEngine {

    /**
     * The most address space a batch covers by default: one page-set block, which backends can
     * move whole (batches end at multiples of their span). Batches are also bounded in time: each
     * covers at most as many pages still to move as the host moves in about a quarter of a second,
     * by its known pace or by the time of the batches before (see {@code BatchBudget}), so on a
     * slow host they are much smaller.
     */
    public static final int DEFAULT_BATCH_PAGES = PageSet.BLOCK_PAGES;

    private final NumaBackend backend;
    private final BatchBudget budget;
    private final LongSupplier nanoTime;
    private final LongConsumer pause;

    public MigrationEngine(NumaBackend backend) {
        this(backend, DEFAULT_BATCH_PAGES);
    }

    /** An engine whose batches cover at most {@code batchPages} pages of address space. */
    public MigrationEngine(NumaBackend backend, int batchPages) {
        this(backend, batchPages, System::nanoTime);
    }

    /**
     * An engine that times its batches with {@code nanoTime} (a monotonic clock in nanoseconds,
     * like {@link System#nanoTime()}), for tests and simulations that keep their own time.
     */
    public MigrationEngine(NumaBackend backend, int batchPages, LongSupplier nanoTime) {
        this(backend, batchPages, nanoTime, RateCap.PARK);
    }

    /**
     * An engine that keeps time with {@code nanoTime} and waits with {@code pause} (given the
     * nanoseconds to wait) when a migration's rate is capped ({@code maxMiBPerSecond}).
     */
    public MigrationEngine(NumaBackend backend, int batchPages, LongSupplier nanoTime, LongConsumer pause) {
        this(backend, new BatchBudget(batchPages, backend.knownPagesPerSecond()), nanoTime, pause);
    }

    MigrationEngine(NumaBackend backend, BatchBudget budget, LongSupplier nanoTime) {
        this(backend, budget, nanoTime, RateCap.PARK);
    }

    private MigrationEngine(NumaBackend backend, BatchBudget budget, LongSupplier nanoTime, LongConsumer pause) {
        this.backend = backend;
        this.budget = budget;
        this.nanoTime = nanoTime;
        this.pause = pause;
    }

    public NumaBackend backend() {
        return backend;
    }

    /** Migrates one process alone. */
    public MigrationResult migrate(MigrationRequest request) {
        return migrate(request, JobScope.single(request.pid()), MigrationMonitor.NONE);
    }

    /**
     * Migrates the given processes of one job one after another, in ascending pid order, sharing
     * one {@link JobScope}. Once cancellation is requested, the processes not yet started end
     * {@code CANCELLED} untouched.
     */
    public List<MigrationResult> migrateAll(List<Integer> pids, MigrationRequest template, MigrationMonitor monitor) {
        List<Integer> ordered = pids.stream().distinct().sorted().toList();
        JobScope scope = new JobScope(new LinkedHashSet<>(ordered));
        List<MigrationResult> results = new ArrayList<>();
        for (int pid : ordered) {
            if (monitor.cancelRequested()) {
                results.add(MigrationResult.cancelledBeforeStart(pid));
            } else {
                results.add(migrate(template.withPid(pid), scope, monitor));
            }
        }
        return results;
    }

    /** Migrates one process of a job. */
    public MigrationResult migrate(MigrationRequest request, JobScope scope, MigrationMonitor monitor) {
        return migrate(request, scope, monitor, backend.topology());
    }

    /**
     * Migrates one process of a job against a topology read before: an evacuation's dry run gives
     * the free pages that the processes planned before this one leave.
     */
    MigrationResult migrate(MigrationRequest request, JobScope scope, MigrationMonitor monitor, Topology topology) {
        return switch (Checks.run(backend, topology, request)) {
            case Checks.Refused refused -> refused.result();
            case Checks.Passed passed ->
                new MigrationRun(backend, budget, nanoTime, pause, request, scope, monitor, topology, passed.process())
                        .execute();
        };
    }
}
