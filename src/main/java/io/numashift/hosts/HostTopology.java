package io.numashift.hosts;

import java.util.List;

/**
 * A host's NUMA layout as its agent reports it.
 *
 * @param nodes the nodes with capacity, free pages and CPUs
 * @param distances the distance matrix in the order of {@code nodes}
 */
public record HostTopology(List<NodeView> nodes, List<List<Integer>> distances) {
    public HostTopology {
        nodes = List.copyOf(nodes);
        distances = distances.stream().map(List::copyOf).toList();
    }

    /**
     * One node.
     *
     * @param id node id
     * @param capacityPages memory in pages
     * @param freePages free pages when reported
     * @param cpus its CPUs
     */
    public record NodeView(int id, long capacityPages, long freePages, List<Integer> cpus) {
        public NodeView {
            cpus = List.copyOf(cpus);
        }
    }

    public static HostTopology of(io.numashift.core.backend.Topology topology) {
        List<NodeView> nodes = topology.nodes().stream()
                .map(n -> new NodeView(n.id(), n.capacityPages(), n.freePages(), n.cpus()))
                .toList();
        List<List<Integer>> distances = java.util.Arrays.stream(topology.distances())
                .map(row -> java.util.Arrays.stream(row).boxed().toList())
                .toList();
        return new HostTopology(nodes, distances);
    }
}
