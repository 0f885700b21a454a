package io.numashift.dispatch;

/**
 * How far a task got, as its agent reports in a heartbeat.
 *
 * @param processesTotal processes to migrate
 * @param processesDone processes done
 * @param pagesToMove pages to move so far known
 * @param pagesMoved pages moved
 * @param pagesSkipped pages skipped
 * @param pagesFailed pages failed
 */
public record TaskProgress(
        int processesTotal, int processesDone, long pagesToMove, long pagesMoved, long pagesSkipped, long pagesFailed) {
    public static final TaskProgress NONE = new TaskProgress(0, 0, 0, 0, 0, 0);
}
