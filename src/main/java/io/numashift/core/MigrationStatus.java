package io.numashift.core;

/** How a migration ended. */
public enum MigrationStatus {
    /** Every page that was to move moved. */
    SUCCEEDED,
    /** It finished, but some pages failed (pinned) or were left on old nodes. */
    PARTIAL,
    /** An error stopped it. */
    FAILED,
    /** It was cancelled at a batch boundary. */
    CANCELLED
}
