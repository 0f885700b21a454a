package io.numashift.dispatch;

/**
 * A report for a task that has ended under the same lease, with another result than the one
 * accepted (code {@code INVALID_STATE}): a task has one result.
 */
public class TaskEndedException extends RuntimeException {
    public TaskEndedException(String message) {
        super(message);
    }
}
