package io.numashift.core.backend;

import java.util.List;

/**
 * A cpuset: the memory nodes and CPUs its processes may use.
 *
 * @param path the cpuset's path, e.g. {@code /batch/job42}
 * @param mems the memory nodes
 * @param cpus the CPUs
 */
public record Cpuset(String path, List<Integer> mems, List<Integer> cpus) {
    public Cpuset {
        mems = List.copyOf(mems);
        cpus = List.copyOf(cpus);
    }
}
