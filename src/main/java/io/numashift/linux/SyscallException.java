package io.numashift.linux;

/** A system call failed; {@link #errno()} is the kernel's error number. */
final class SyscallException extends RuntimeException {
    private final int errno;

    SyscallException(String call, int errno) {
        super(call + " failed with errno " + errno);
        this.errno = errno;
    }

    int errno() {
        return errno;
    }
}
