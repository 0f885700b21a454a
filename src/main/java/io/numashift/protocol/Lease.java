package io.numashift.protocol;

import io.numashift.core.MigrationPlan;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A task handed to a host's agent ({@code POST /api/v1/agents/{host}/lease}). It carries what this
 * host does and nothing of the other hosts of the job.
 *
 * @param taskId the task
 * @param jobId its job
 * @param host the host
 * @param epoch the lease's epoch: reports must carry it
 * @param leaseExpiresAt when the lease runs out without a heartbeat
 * @param attempt which attempt this is
 * @param targets which processes of this host to migrate
 * @param plan the job's mapping, range and options
 */
public record Lease(
        UUID taskId,
        UUID jobId,
        String host,
        long epoch,
        Instant leaseExpiresAt,
        int attempt,
        Targets targets,
        MigrationPlan plan) {

    /**
     * The processes of one host's task: explicit pids and the processes of cpusets and Slurm jobs,
     * which the agent resolves when the task starts.
     *
     * @param pids explicit processes
     * @param cpusets cpusets whose processes are migrated too
     * @param slurmJobs Slurm jobs whose processes on the host are migrated too (absent from a
     *     service that does not know them: none)
     */
    public record Targets(List<Integer> pids, List<String> cpusets, List<String> slurmJobs) {
        public Targets {
            pids = List.copyOf(pids);
            cpusets = List.copyOf(cpusets);
            slurmJobs = slurmJobs == null ? List.of() : List.copyOf(slurmJobs);
        }

        public Targets(List<Integer> pids, List<String> cpusets) {
            this(pids, cpusets, List.of());
        }
    }
}
