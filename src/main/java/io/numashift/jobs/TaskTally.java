package io.numashift.jobs;

/**
 * What one task adds to its job's counters. A job's counters are the sums of its tasks' tallies;
 * a change of a task changes its job by the difference of the task's tally after and before, so
 * the job is never read with its tasks to be counted.
 *
 * @param ended 1 once the task ended
 * @param succeeded 1 when it ended {@code SUCCEEDED}
 * @param ran 1 when it succeeded or a process of it ran to its end ({@code SUCCEEDED} or {@code
 *     PARTIAL})
 * @param processesTotal processes known so far
 * @param processesDone processes done
 * @param pagesToMove pages to move known so far
 * @param pagesMoved pages moved
 * @param pagesSkipped pages skipped
 * @param pagesFailed pages failed
 */
record TaskTally(
        int ended,
        int succeeded,
        int ran,
        int processesTotal,
        int processesDone,
        long pagesToMove,
        long pagesMoved,
        long pagesSkipped,
        long pagesFailed) {

    TaskTally minus(TaskTally other) {
        return new TaskTally(
                ended - other.ended,
                succeeded - other.succeeded,
                ran - other.ran,
                processesTotal - other.processesTotal,
                processesDone - other.processesDone,
                pagesToMove - other.pagesToMove,
                pagesMoved - other.pagesMoved,
                pagesSkipped - other.pagesSkipped,
                pagesFailed - other.pagesFailed);
    }
}
