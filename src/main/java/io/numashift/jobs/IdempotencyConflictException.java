package io.numashift.jobs;

/** An Idempotency-Key reused with another request (code {@code IDEMPOTENCY_CONFLICT}). */
public class IdempotencyConflictException extends RuntimeException {
    public IdempotencyConflictException(String key) {
        super("Idempotency-Key " + key + " was used before with a different request");
    }
}
