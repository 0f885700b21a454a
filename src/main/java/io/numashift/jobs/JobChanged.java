package io.numashift.jobs;

import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A job changed; published inside the transaction and acted on after it commits.
 *
 * @param jobId the job
 * @param hostsWithWork hosts that have a pending task of this job now
 * @param endedIn the terminal state the job reached with this change, if it did
 */
public record JobChanged(
        UUID jobId, Set<String> hostsWithWork, @Nullable JobState endedIn) {
    public JobChanged {
        hostsWithWork = Set.copyOf(hostsWithWork);
    }

    /** The change of a job that was in state {@code before}. */
    public static JobChanged of(MigrationJob job, @Nullable JobState before) {
        Set<String> hosts = new TreeSet<>();
        for (HostTask task : job.tasks()) {
            if (task.state() == TaskState.PENDING) {
                hosts.add(task.host());
            }
        }
        boolean ended = job.state().isTerminal() && before != job.state();
        return new JobChanged(job.id(), hosts, ended ? job.state() : null);
    }
}
