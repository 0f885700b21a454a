package io.numashift.core.backend;

/** The errno names that migrations report, as operators of NUMA machines read them. */
public enum Errno {
    EPERM(1),
    ENOENT(2),
    ESRCH(3),
    ENOMEM(12),
    EACCES(13),
    EFAULT(14),
    EBUSY(16),
    ENODEV(19),
    EINVAL(22),
    /** The backend cannot do this on its host (e.g. set another process's memory policy on Linux). */
    EOPNOTSUPP(95);

    private final int number;

    Errno(int number) {
        this.number = number;
    }

    /** The Linux errno number, for backends that talk to the kernel. */
    public int number() {
        return number;
    }
}
