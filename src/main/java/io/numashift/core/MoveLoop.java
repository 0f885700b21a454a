package io.numashift.core;

import io.numashift.core.backend.Errno;

/**
 * The moves of a migration (docs/migration.md §5): the {@link Scheduler} decides each step from
 * page counts and free pages, and a {@link Mover} carries it out, until nothing is pending, no node
 * has room, or the migration is cancelled. A real run's mover moves pages on the host ({@link
 * HostMoves}); a dry run's records the steps as planned ({@link PlannedMoves}), so both follow the
 * same capacity-aware order and fallback.
 */
final class MoveLoop {

    enum Outcome {
        COMPLETED,
        OUT_OF_MEMORY,
        CANCELLED
    }

    /** Carries out the steps of the loop. */
    interface Mover {
        /** Whether the migration was cancelled; asked before each step. */
        boolean cancelled();

        /** The free pages of each node (by node id) that the next step may fill. */
        long[] free();

        /** Carries out one step, telling the scheduler what was done; false when cancelled meanwhile. */
        boolean move(Scheduler.Moves moves, Scheduler scheduler);

        /**
         * Pages that the scheduler's counts still hold but that were accounted already: moved off
         * the old nodes by the kernel, found where no source's count expected them.
         */
        default long accountedElsewhere() {
            return 0;
        }

        /**
         * Accounts, before the pages still pending are counted failed for want of room, those that
         * the kernel moved along with the pages it was asked to move ({@link
         * io.numashift.core.backend.NumaBackend#claimLeft}).
         */
        default void claimLeft(Scheduler scheduler) {}
    }

    private MoveLoop() {}

    /** Runs steps until the end; pages that find no room are counted failed {@code ENOMEM} in {@code tally}. */
    static Outcome run(Scheduler scheduler, Mover mover, Tally tally) {
        while (true) {
            if (mover.cancelled()) {
                return Outcome.CANCELLED;
            }
            switch (scheduler.next(mover.free())) {
                case Scheduler.Done done -> {
                    return Outcome.COMPLETED;
                }
                case Scheduler.OutOfMemory oom -> {
                    mover.claimLeft(scheduler);
                    tally.failed(Errno.ENOMEM, Math.max(0, scheduler.totalPending() - mover.accountedElsewhere()));
                    return Outcome.OUT_OF_MEMORY;
                }
                case Scheduler.Moves moves -> {
                    if (!mover.move(moves, scheduler)) {
                        return Outcome.CANCELLED;
                    }
                }
            }
        }
    }
}
