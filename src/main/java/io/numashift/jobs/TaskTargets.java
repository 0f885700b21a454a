package io.numashift.jobs;

import java.util.List;

/**
 * What one host's task migrates: explicit pids and the processes of cpusets and Slurm jobs,
 * resolved on the host. Stored as JSON: a task stored before Slurm jobs were a target has none.
 *
 * @param pids explicit processes
 * @param cpusets cpusets whose processes are migrated too
 * @param slurmJobs Slurm jobs whose processes on the host are migrated too
 */
public record TaskTargets(List<Integer> pids, List<String> cpusets, List<String> slurmJobs) {
    public TaskTargets {
        pids = List.copyOf(pids);
        cpusets = List.copyOf(cpusets);
        slurmJobs = slurmJobs == null ? List.of() : List.copyOf(slurmJobs);
    }

    public TaskTargets(List<Integer> pids, List<String> cpusets) {
        this(pids, cpusets, List.of());
    }

    /** Whether the processes are known only on the host (a cpuset's, a Slurm job's). */
    public boolean resolvedOnHost() {
        return !cpusets.isEmpty() || !slurmJobs.isEmpty();
    }
}
