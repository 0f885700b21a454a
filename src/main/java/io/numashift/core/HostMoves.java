package io.numashift.core;

import io.numashift.core.backend.Errno;
import io.numashift.core.backend.MoveLog;
import io.numashift.core.backend.MovePass;
import io.numashift.core.backend.Node;
import io.numashift.core.backend.NumaBackend;
import io.numashift.core.backend.PageSet;
import io.numashift.core.backend.Topology;
import java.util.Arrays;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A real run's mover: runs each step as one pass over the movable units in batches (bounded in
 * address space and in time by the engine's {@link BatchBudget}), reporting progress and
 * checking for a cancel between batches (docs/design.md "How a migration runs"). Each source node
 * keeps a cursor, so that the next step resumes where it left pages.
 */
final class HostMoves implements MoveLoop.Mover {
    private final NumaBackend backend;
    private final Topology topology;
    private final int pid;
    private final Scan scan;
    private final Tally tally;
    private final MigrationMonitor monitor;
    private final BatchBudget budget;
    private final LongSupplier nanoTime;
    private final RateCap cap;
    private final boolean moveShared;
    private final MovePass pass;
    private final long[] cursor;
    private final boolean[] knownFull;
    private long pagesToMove;
    private long pagesDone;
    /**
     * Pages done but not taken off the count of the source the scan found them on, because the
     * kernel had moved them since: pages it moved off the old nodes ({@link MovePass#movedAway}) and
     * pages that one source reported beyond its count ({@link Scheduler#done}). Their source's count
     * still holds them, and when it is settled they are these pages, not vanished ones.
     */
    private long unattributed;
    /** The last step carried out, or null before the first. */
    private Scheduler.@Nullable Moves lastMoves;

    HostMoves(
            NumaBackend backend,
            Topology topology,
            int pid,
            Scan scan,
            Tally tally,
            MigrationMonitor monitor,
            BatchBudget budget,
            LongSupplier nanoTime,
            RateCap cap,
            boolean moveShared,
            boolean[] moving,
            @Nullable MoveLog log) {
        int n = topology.nodeIdLimit();
        this.backend = backend;
        this.topology = topology;
        this.pid = pid;
        this.scan = scan;
        this.tally = tally;
        this.monitor = monitor;
        this.budget = budget;
        this.nanoTime = nanoTime;
        this.cap = cap;
        this.moveShared = moveShared;
        this.pass = new MovePass(n, new PageSet(0));
        this.pass.log = log;
        this.pass.moving = moving;
        this.cursor = new long[n];
        this.knownFull = new boolean[n];
        this.pagesToMove = scan.pagesToMove();
    }

    /** Pages to move: those of the scan, less those that vanished. */
    long pagesToMove() {
        return pagesToMove;
    }

    /** Pages moved, or given up as failed or shared. */
    long pagesDone() {
        return pagesDone;
    }

    /** Reports that nothing is done yet, before the first step. */
    HostMoves start() {
        monitor.progress(pid, 0, pagesToMove);
        cap.begin();
        return this;
    }

    /** Nanoseconds since the moves began. */
    long elapsed() {
        return cap.elapsed();
    }

    @Override
    public boolean cancelled() {
        return monitor.cancelRequested();
    }

    /** What the host reports free, but 0 for targets that the last pass found full. */
    @Override
    public long[] free() {
        long[] free = new long[knownFull.length];
        for (Node node : topology.nodes()) {
            free[node.id()] = knownFull[node.id()] ? 0 : backend.freePages(node.id());
        }
        return free;
    }

    @Override
    public boolean move(Scheduler.Moves moves, Scheduler scheduler) {
        lastMoves = moves;
        Arrays.fill(knownFull, false);
        int n = knownFull.length;
        long end = scan.movableEnd();
        long start = Long.MAX_VALUE;
        long[] leftAt = new long[n];
        Arrays.fill(leftAt, Long.MAX_VALUE);
        for (int a = 0; a < n; a++) {
            pass.target[a] = moves.target()[a];
            pass.quota[a] = moves.quota()[a];
            if (pass.quota[a] > 0) {
                start = Math.min(start, cursor[a]);
            }
        }
        long stoppedAt = end;
        scan:
        for (Scan.Unit unit : scan.movable) {
            if (unit.end() <= start) {
                continue;
            }
            begin(unit);
            long page = unit.fromPage() + Math.max(0, start - unit.base());
            while (page < unit.toPage()) {
                if (monitor.cancelRequested()) {
                    return false;
                }
                long batchEnd = budget.end(pass.pending, page, unit.toPage(), cap.slicePages());
                pass.resetCall();
                long doneBefore = pagesDone;
                long started = nanoTime.getAsLong();
                long stop = backend.movePass(pid, unit.vma(), page, batchEnd, pass);
                long took = nanoTime.getAsLong() - started;
                account(moves, scheduler, unit, leftAt);
                budget.record(pagesDone - doneBefore, took);
                monitor.progress(pid, pagesDone, pagesToMove);
                cap.hold(tally::movedTotal, monitor::cancelRequested);
                if (!pass.hasWork()) {
                    stoppedAt = unit.base() + (stop - unit.fromPage());
                    break scan;
                }
                page = batchEnd;
            }
        }
        for (int a = 0; a < n; a++) {
            if (moves.quota()[a] > 0) {
                cursor[a] = Math.min(leftAt[a], stoppedAt);
                if (pass.quota[a] > 0 && leftAt[a] == Long.MAX_VALUE && stoppedAt == end) {
                    // The whole range after the cursor was passed and nothing of this source was
                    // left: what the count still holds is not on this node any more.
                    settle(a, scheduler, leftAt);
                }
            }
        }
        return true;
    }

    /** Points the pass at a unit's VMA and pending pages. */
    private void begin(Scan.Unit unit) {
        pass.pending = scan.pending.get(unit.vmaIndex());
        pass.vmaIndex = unit.vmaIndex();
        pass.moveShared = moveShared || unit.vma().sharedObject() != null;
    }

    /**
     * Looks at every pending page of the movable units once more, with the last step's targets:
     * a page that the kernel took to one of them along with a page of the same huge page counts as
     * moved (and is logged, so that a rollback brings it back), instead of failed {@code ENOMEM}.
     * Nothing moved, nothing was taken along: without a step, nothing is looked at.
     */
    @Override
    public void claimLeft(Scheduler scheduler) {
        Scheduler.Moves moves = lastMoves;
        if (moves == null) {
            return;
        }
        long[] leftAt = new long[knownFull.length];
        Arrays.fill(leftAt, Long.MAX_VALUE);
        for (Scan.Unit unit : scan.movable) {
            begin(unit);
            pass.resetCall();
            backend.claimLeft(pid, unit.vma(), unit.fromPage(), unit.toPage(), pass);
            account(moves, scheduler, unit, leftAt);
        }
        monitor.progress(pid, pagesDone, pagesToMove);
    }

    @Override
    public long accountedElsewhere() {
        return unattributed;
    }

    /**
     * Takes the rest of source {@code a}'s count off it: the pages that the kernel moved since the
     * scan and that were already accounted elsewhere ({@link #unattributed}); then, for pages it
     * moved to another source that still has pages pending beyond its count (it left pages while
     * its count is spent), that source's count; what is left vanished (unmapped during the moves).
     */
    private void settle(int a, Scheduler scheduler, long[] leftAt) {
        long gone = scheduler.settle(a);
        long explained = Math.min(gone, unattributed);
        unattributed -= explained;
        gone -= explained;
        for (int b = 0; b < leftAt.length && gone > 0; b++) {
            if (b != a && leftAt[b] != Long.MAX_VALUE && scheduler.pending(b) == 0 && pass.target[b] >= 0) {
                scheduler.add(b, gone);
                cursor[b] = Math.min(cursor[b], leftAt[b]);
                return;
            }
        }
        tally.vanished(gone);
        pagesToMove -= gone;
    }

    /**
     * Adds what the last call of the pass did to the tally, the scheduler and the step's state. It
     * runs after every batch over every node id, so it reads the pass's arrays once and leaves the
     * rare work to {@link #done}.
     */
    private void account(Scheduler.Moves moves, Scheduler scheduler, Scan.Unit unit, long[] leftAt) {
        long[] movedFrom = pass.movedFrom;
        long[] busyFrom = pass.busyFrom;
        long[] sharedFrom = pass.sharedFrom;
        long[] passLeftAt = pass.leftAt;
        boolean[] targetFull = pass.targetFull;
        boolean[] full = knownFull;
        long unitOffset = unit.base() - unit.fromPage();
        if (pass.movedAway > 0) {
            tally.skipped(SkipReason.MOVED_BY_KERNEL, pass.movedAway);
            pagesDone += pass.movedAway;
            unattributed += pass.movedAway;
        }
        for (int a = 0; a < full.length; a++) {
            long movedPages = movedFrom[a];
            long busy = busyFrom[a];
            long shared = sharedFrom[a];
            if (movedPages + busy + shared > 0) {
                done(moves, scheduler, a, movedPages, busy, shared);
            }
            if (passLeftAt[a] != MovePass.NONE) {
                leftAt[a] = Math.min(leftAt[a], unitOffset + passLeftAt[a]);
            }
            if (targetFull[a]) {
                full[a] = true;
            }
        }
    }

    /** Pages of source {@code a} that the last call moved, found pinned or found shared. */
    private void done(Scheduler.Moves moves, Scheduler scheduler, int a, long movedPages, long busy, long shared) {
        if (movedPages > 0) {
            tally.moved(a, moves.target()[a], moves.intended()[a], movedPages);
        }
        unattributed += scheduler.done(a, movedPages + busy + shared);
        pagesDone += movedPages + busy + shared;
        tally.failed(Errno.EBUSY, busy);
        if (shared > 0) {
            tally.skipped(SkipReason.SHARED, shared);
        }
    }
}
