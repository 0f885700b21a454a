package io.numashift.dispatch;

/** A heartbeat or result from a lease that is no longer the task's (code {@code STALE_EPOCH}). */
public class StaleLeaseException extends RuntimeException {
    public StaleLeaseException(String message) {
        super(message);
    }
}
