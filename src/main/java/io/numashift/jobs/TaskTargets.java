package io.numashift.jobs;

import java.util.List;

/**
 * What one host's task migrates: explicit pids and the processes of cpusets, resolved on the host.
 *
 * @param pids explicit processes
 * @param cpusets cpusets whose processes are migrated too
 */
public record TaskTargets(List<Integer> pids, List<String> cpusets) {
    public TaskTargets {
        pids = List.copyOf(pids);
        cpusets = List.copyOf(cpusets);
    }
}
