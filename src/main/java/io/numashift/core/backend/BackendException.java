package io.numashift.core.backend;

/** A backend operation failed with an errno; the engine turns it into a failed migration. */
public class BackendException extends RuntimeException {
    private final Errno errno;

    public BackendException(Errno errno, String message) {
        super(message);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
