package io.numashift.dispatch;

import io.numashift.jobs.JobRequest;
import io.numashift.jobs.TaskTargets;
import java.time.Instant;
import java.util.UUID;

/**
 * A task handed to a host's agent.
 *
 * @param taskId the task
 * @param jobId its job
 * @param host the host
 * @param epoch the lease's epoch: reports must carry it
 * @param leaseExpiresAt when the lease runs out without a heartbeat
 * @param attempt which attempt this is
 * @param targets which processes to migrate
 * @param request the job's mapping and options
 */
public record Lease(
        UUID taskId,
        UUID jobId,
        String host,
        long epoch,
        Instant leaseExpiresAt,
        int attempt,
        TaskTargets targets,
        JobRequest request) {}
