package io.numashift.jobs;

import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Another replica sharing the database committed a change ({@link ReplicaNotifications}): its
 * waiters here are woken as if the change had been made here.
 *
 * @param jobId the job that changed, or null when anything may have changed (a notification may
 *     have been missed: every waiter looks again)
 * @param hostsWithWork hosts where the change made a task pending
 */
public record ChangedElsewhere(@Nullable UUID jobId, Set<String> hostsWithWork) {
    public ChangedElsewhere {
        hostsWithWork = Set.copyOf(hostsWithWork);
    }

    /** Anything may have changed. */
    public static ChangedElsewhere anything() {
        return new ChangedElsewhere(null, Set.of());
    }

    public boolean anythingMayHaveChanged() {
        return jobId == null;
    }
}
