package io.numashift.jobs;

import java.util.List;

/**
 * A job with its request and its tasks, as a whole read shows it.
 *
 * @param job the job
 * @param request its request
 * @param tasks its tasks, by host
 */
public record JobDetails(MigrationJob job, JobRequest request, List<HostTask> tasks) {
    public JobDetails {
        tasks = List.copyOf(tasks);
    }
}
