package io.numashift.core;

import io.numashift.core.ResultAssembly.Ending;
import io.numashift.core.backend.BackendException;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.MoveLog;
import io.numashift.core.backend.NumaBackend;
import io.numashift.core.backend.ProcessInfo;
import io.numashift.core.backend.Topology;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * One migration that passed its checks, from the changes to the process to the result
 * (docs/migration.md, the order at its top): runs the steps in order, each a class of its own
 * ({@link ProcessChanges}, {@link Scan}, {@link MoveLoop}, {@link Rollback}, {@link ReadBack},
 * {@link ResultAssembly}), and decides the status.
 */
final class MigrationRun {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private final NumaBackend backend;
    private final BatchBudget budget;
    private final LongSupplier nanoTime;
    private final LongConsumer pause;
    private final MigrationRequest request;
    private final MigrationOptions options;
    private final JobScope scope;
    private final MigrationMonitor monitor;
    private final Topology topology;
    private final ProcessInfo process;
    private final int pid;
    private final NodeMapping mapping;

    MigrationRun(
            NumaBackend backend,
            BatchBudget budget,
            LongSupplier nanoTime,
            LongConsumer pause,
            MigrationRequest request,
            JobScope scope,
            MigrationMonitor monitor,
            Topology topology,
            ProcessInfo process) {
        this.backend = backend;
        this.budget = budget;
        this.nanoTime = nanoTime;
        this.pause = pause;
        this.request = request;
        this.options = request.options();
        this.scope = scope;
        this.monitor = monitor;
        this.topology = topology;
        this.process = process;
        this.pid = request.pid();
        this.mapping = new NodeMapping(request.oldNodes(), request.newNodes(), topology.nodeIdLimit());
    }

    MigrationResult execute() {
        return options.dryRun() ? dryRun() : perform();
    }

    /**
     * Seconds of this thread's CPU since {@code cpuNanos()} gave {@code start}, or null where the
     * JVM cannot measure it (a virtual thread).
     */
    private static @Nullable Double cpuSince(long start) {
        long end = cpuNanos();
        return start < 0 || end < 0 ? null : (end - start) / 1e9;
    }

    /** The rate of the moves in MiB/s, or null when nothing moved. */
    private @Nullable Double rate(long pagesMoved, long nanos) {
        return pagesMoved == 0 || nanos <= 0
                ? null
                : pagesMoved * (double) topology.pageSize() / 1048576.0 / (nanos / 1e9);
    }

    /** The CPU time of this thread, in nanoseconds, or -1 where the JVM cannot tell. */
    private static long cpuNanos() {
        return CPU.isCurrentThreadCpuTimeSupported() ? CPU.getCurrentThreadCpuTime() : -1;
    }

    /**
     * Plans the moves with the same loop as a real run, against the nodes' free pages as the
     * topology showed them, changing nothing (docs/migration.md §7.4).
     */
    private MigrationResult dryRun() {
        long cpu = cpuNanos();
        Tally tally = new Tally(mapping.nodes);
        ProcessChanges changes = new ProcessChanges(backend, request, process, topology, mapping);
        changes.predict();
        Scan scan = new Scan(mapping.nodes);
        scan.run(backend, request, scope, topology.pageSize(), mapping, tally, false);
        MoveLoop.Outcome outcome = MoveLoop.run(scheduler(scan), new PlannedMoves(topology, tally), tally);
        Ending ending;
        if (outcome == MoveLoop.Outcome.OUT_OF_MEMORY) {
            ending = new Ending(MigrationStatus.FAILED, Errno.ENOMEM, outOfMemoryMessage());
        } else {
            ending = new Ending(completedStatus(tally), null, null);
        }
        long[] after = tally.placementAfterMoves(scan.placementBefore);
        double estimate = tally.movedTotal() * backend.microsPerPage() / 1_000_000.0;
        return new ResultAssembly(pid, topology.pageSize(), process, changes, scan, tally)
                .result(ending, after, 0, Verify.NONE, null, null, Rollback.Counts.NONE, estimate, cpuSince(cpu), null);
    }

    /**
     * Stops the process when asked, migrates it, and resumes it whatever happened, after the
     * read-back and the digest: they see what the migration left, not what the process did once
     * it ran again. A process that cannot be stopped (it exited meanwhile, or may not be
     * signalled) fails the migration with the host's errno before anything changed; one that
     * cannot be resumed keeps its result, with the warning {@code PROCESS_NOT_RESUMED} unless it
     * is simply gone.
     */
    private MigrationResult perform() {
        if (!options.suspend() || process.stopped()) {
            return migrate();
        }
        try {
            backend.stop(pid);
        } catch (BackendException e) {
            return MigrationResult.refused(pid, e.errno(), "could not stop the process: " + e.getMessage());
        }
        MigrationResult result;
        try {
            result = migrate();
        } catch (RuntimeException e) {
            resume();
            throw e;
        }
        return resume() ? result : result.withWarning(MigrationWarning.PROCESS_NOT_RESUMED);
    }

    /** Resumes the process this migration stopped; false when it is there but stays stopped. */
    private boolean resume() {
        try {
            backend.resume(pid);
            return true;
        } catch (BackendException e) {
            return e.errno() == Errno.ESRCH;
        }
    }

    private MigrationResult migrate() {
        boolean rollbackOnFailure = options.onFailure() == OnFailure.ROLLBACK;
        Verify verify = options.verify();
        long cpu = cpuNanos();
        long moveNanos = 0;
        Tally tally = new Tally(mapping.nodes);
        ProcessChanges changes = new ProcessChanges(backend, request, process, topology, mapping);
        Scan scan = new Scan(mapping.nodes);
        Ending ending = new Ending(MigrationStatus.SUCCEEDED, null, null);
        Rollback.Counts rollback = Rollback.Counts.NONE;
        MoveLog log = null;
        String digestBefore = null;
        try {
            changes.apply();
            if (rollbackOnFailure) {
                log = new MoveLog();
            }
            scan.run(backend, request, scope, topology.pageSize(), mapping, tally, true);
            CpusetEntry entry = changes.cpusetEntry();
            if (entry != null) {
                tally.skipped(SkipReason.MOVED_BY_KERNEL, entry.movedOff(scan));
            }
            if (verify == Verify.CONTENT) {
                digestBefore = ReadBack.digest(backend, pid, scan);
            }
            RateCap cap = RateCap.of(options.maxMiBPerSecond(), topology.pageSize(), nanoTime, pause);
            HostMoves mover = new HostMoves(
                            backend,
                            topology,
                            pid,
                            scan,
                            tally,
                            monitor,
                            budget,
                            nanoTime,
                            cap,
                            options.moveShared(),
                            mapping.moving,
                            log)
                    .start();
            ending = switch (MoveLoop.run(scheduler(scan), mover, tally)) {
                case COMPLETED -> new Ending(completedStatus(tally), null, null);
                case OUT_OF_MEMORY -> new Ending(MigrationStatus.FAILED, Errno.ENOMEM, outOfMemoryMessage());
                case CANCELLED ->
                    new Ending(
                            MigrationStatus.CANCELLED,
                            null,
                            "cancelled after " + mover.pagesDone() + " of " + mover.pagesToMove() + " pages");
            };
            moveNanos = mover.elapsed();
        } catch (BackendException e) {
            ending = new Ending(MigrationStatus.FAILED, e.errno(), e.getMessage());
        } finally {
            if (ending.status() != MigrationStatus.SUCCEEDED
                    && ending.status() != MigrationStatus.PARTIAL
                    && rollbackOnFailure) {
                rollback = rollBack(scan, log, changes);
            }
        }
        long[] after = new long[mapping.nodes];
        long left = 0;
        String digestAfter = null;
        // Pages moved back by a rollback are not in the moves' counts: after a rollback the
        // placement is read back whatever was asked.
        Verify verified = verify == Verify.NONE && !rollback.equals(Rollback.Counts.NONE) ? Verify.PLACEMENT : verify;
        if (verified == Verify.NONE) {
            after = tally.placementAfterMoves(scan.placementBefore);
        } else {
            try {
                left = ReadBack.placement(backend, pid, scan, mapping, after);
                digestAfter = digestBefore == null ? null : ReadBack.digest(backend, pid, scan);
            } catch (BackendException e) {
                // The process went away after the moves: report what is known, and that it was
                // not verified.
                Arrays.fill(after, 0);
                verified = Verify.NONE;
                digestBefore = null;
            }
        }
        if (ending.status() == MigrationStatus.CANCELLED && !rollbackOnFailure) {
            left += scan.remainingPending();
        }
        if (ending.status() == MigrationStatus.SUCCEEDED && left > 0) {
            ending = new Ending(MigrationStatus.PARTIAL, null, left + " pages are still on old nodes");
        }
        return new ResultAssembly(pid, topology.pageSize(), process, changes, scan, tally)
                .result(
                        ending,
                        after,
                        left,
                        verified,
                        digestBefore,
                        digestAfter,
                        rollback,
                        null,
                        cpuSince(cpu),
                        rate(tally.movedTotal(), moveNanos));
    }

    /** Moves every moved page back, in reverse order, then restores what was changed. */
    private Rollback.Counts rollBack(Scan scan, @Nullable MoveLog log, ProcessChanges changes) {
        Rollback.Counts counts = log == null
                ? Rollback.Counts.NONE
                : Rollback.movePagesBack(backend, pid, scan, log, options.moveShared(), mapping.nodes);
        changes.restore();
        return counts;
    }

    private Scheduler scheduler(Scan scan) {
        return new Scheduler(mapping.target, scan.toMove, topology, request.newNodes(), request.destinations());
    }

    /** Every node an evacuation's pages may go to, ascending. */
    private List<Integer> destinationNodes() {
        return request.destinations().values().stream()
                .flatMap(List::stream)
                .distinct()
                .sorted()
                .toList();
    }

    /** SUCCEEDED, or PARTIAL when pinned pages failed. */
    private static MigrationStatus completedStatus(Tally tally) {
        return tally.failed(Errno.EBUSY) > 0 ? MigrationStatus.PARTIAL : MigrationStatus.SUCCEEDED;
    }

    private String outOfMemoryMessage() {
        if (request.destinations() != null) {
            return "no node the process may use " + destinationNodes() + " has room for the pages still to move";
        }
        return "no node in newNodes " + request.newNodes() + " has room for the pages still to move";
    }
}
