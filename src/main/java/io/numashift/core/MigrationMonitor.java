package io.numashift.core;

/**
 * What a migration tells its caller as it goes, and how the caller cancels it. Called from the
 * migrating thread at batch boundaries, which the engine keeps about a quarter of a second apart
 * at most, whatever the host's pace.
 */
public interface MigrationMonitor {
    MigrationMonitor NONE = new MigrationMonitor() {};

    /** Pages done (moved or failed) of pages to move, for one process. */
    default void progress(int pid, long pagesDone, long pagesToMove) {}

    /** Whether the caller asked to stop; checked at every batch boundary. */
    default boolean cancelRequested() {
        return false;
    }
}
