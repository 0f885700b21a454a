package io.numashift.protocol;

import jakarta.validation.constraints.PositiveOrZero;

/**
 * How far a task got, as its agent reports in a {@link Heartbeat}.
 *
 * @param processesTotal processes to migrate
 * @param processesDone processes done (at most {@code processesTotal})
 * @param pagesToMove pages to move so far known
 * @param pagesMoved pages moved
 * @param pagesSkipped pages skipped
 * @param pagesFailed pages failed
 */
public record TaskProgress(
        @PositiveOrZero int processesTotal,
        @PositiveOrZero int processesDone,
        @PositiveOrZero long pagesToMove,
        @PositiveOrZero long pagesMoved,
        @PositiveOrZero long pagesSkipped,
        @PositiveOrZero long pagesFailed) {
    public static final TaskProgress NONE = new TaskProgress(0, 0, 0, 0, 0, 0);
}
