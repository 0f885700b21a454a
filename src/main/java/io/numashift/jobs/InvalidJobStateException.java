package io.numashift.jobs;

/** An operation that the job's current state does not allow (code {@code INVALID_STATE}). */
public class InvalidJobStateException extends RuntimeException {
    public InvalidJobStateException(String message) {
        super(message);
    }
}
