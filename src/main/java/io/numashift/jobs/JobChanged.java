package io.numashift.jobs;

import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A job changed; raised by the job ({@link MigrationJob}), published when it is saved inside the
 * transaction, and acted on after it commits.
 *
 * @param jobId the job
 * @param hostsWithWork hosts where this change made a task pending: their waiting agents are woken
 * @param endedIn the terminal state the job reached with this change, if it did
 */
public record JobChanged(
        UUID jobId, Set<String> hostsWithWork, @Nullable JobState endedIn) {
    public JobChanged {
        hostsWithWork = Set.copyOf(hostsWithWork);
    }
}
