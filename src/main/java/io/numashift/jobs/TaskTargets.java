package io.numashift.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one host's task migrates: explicit pids and the processes of cpusets and Slurm jobs,
 * resolved on the host. Stored as JSON: a task stored before Slurm jobs were a target has none.
 *
 * @param pids explicit processes
 * @param cpusets cpusets whose processes are migrated too
 * @param slurmJobs Slurm jobs whose processes on the host are migrated too
 * @param allProcesses every process of the host (an evacuation that names none); stored as JSON
 *     only when set
 */
public record TaskTargets(
        List<Integer> pids,
        List<String> cpusets,
        List<String> slurmJobs,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Boolean allProcesses) {
    public TaskTargets {
        pids = List.copyOf(pids);
        cpusets = List.copyOf(cpusets);
        slurmJobs = slurmJobs == null ? List.of() : List.copyOf(slurmJobs);
        allProcesses = Boolean.TRUE.equals(allProcesses) ? Boolean.TRUE : null;
    }

    public TaskTargets(List<Integer> pids, List<String> cpusets, List<String> slurmJobs) {
        this(pids, cpusets, slurmJobs, null);
    }

    public TaskTargets(List<Integer> pids, List<String> cpusets) {
        this(pids, cpusets, List.of());
    }

    /** Whether the processes are known only on the host (a cpuset's, a Slurm job's, every one). */
    public boolean resolvedOnHost() {
        return !cpusets.isEmpty() || !slurmJobs.isEmpty() || everyProcess();
    }

    /** Whether the task names every process of the host. */
    public boolean everyProcess() {
        return allProcesses != null;
    }
}
