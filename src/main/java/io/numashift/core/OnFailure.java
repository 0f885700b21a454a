package io.numashift.core;

/** What happens to pages already moved when a migration fails or is cancelled. */
public enum OnFailure {
    /** Moved pages stay moved, as in Linux. */
    KEEP,
    /** Moved pages go back, and the policies, cpuset and CPU that the migration changed are restored. */
    ROLLBACK
}
