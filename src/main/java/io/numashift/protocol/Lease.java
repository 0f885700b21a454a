package io.numashift.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.numashift.core.MigrationPlan;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

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
 * @param evacuate for an evacuation, what it does; absent for a migration
 */
public record Lease(
        UUID taskId,
        UUID jobId,
        String host,
        long epoch,
        Instant leaseExpiresAt,
        int attempt,
        Targets targets,
        MigrationPlan plan,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Evacuate evacuate) {

    /** A migration's lease. */
    public Lease(
            UUID taskId,
            UUID jobId,
            String host,
            long epoch,
            Instant leaseExpiresAt,
            int attempt,
            Targets targets,
            MigrationPlan plan) {
        this(taskId, jobId, host, epoch, leaseExpiresAt, attempt, targets, plan, null);
    }

    /**
     * The processes of one host's task: explicit pids and the processes of cpusets and Slurm jobs,
     * which the agent resolves when the task starts.
     *
     * @param pids explicit processes
     * @param cpusets cpusets whose processes are migrated too
     * @param slurmJobs Slurm jobs whose processes on the host are migrated too (absent from a
     *     service that does not know them: none)
     * @param allProcesses every process of the host (an evacuation that names none)
     */
    public record Targets(
            List<Integer> pids,
            List<String> cpusets,
            List<String> slurmJobs,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            Boolean allProcesses) {
        public Targets {
            pids = List.copyOf(pids);
            cpusets = List.copyOf(cpusets);
            slurmJobs = slurmJobs == null ? List.of() : List.copyOf(slurmJobs);
            allProcesses = Boolean.TRUE.equals(allProcesses) ? Boolean.TRUE : null;
        }

        public Targets(List<Integer> pids, List<String> cpusets, List<String> slurmJobs) {
            this(pids, cpusets, slurmJobs, null);
        }

        public Targets(List<Integer> pids, List<String> cpusets) {
            this(pids, cpusets, List.of());
        }

        /** Whether the task names every process of the host. */
        public boolean everyProcess() {
            return allProcesses != null;
        }
    }
}
