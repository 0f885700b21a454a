package io.numashift.core.backend;

import java.util.List;

/**
 * One NUMA node of a host.
 *
 * @param id the node id
 * @param capacityPages how many pages of memory the node has (0 for a CPU-only node)
 * @param freePages how many of them are free now
 * @param cpus the CPUs on the node
 */
public record Node(int id, long capacityPages, long freePages, List<Integer> cpus) {
    public Node {
        cpus = List.copyOf(cpus);
    }
}
