package io.numashift.core.backend;

import java.util.List;
import java.util.Optional;

/**
 * The NUMA layout of one host.
 *
 * @param pageSize bytes per page
 * @param nodes the nodes, in ascending id order
 * @param distances the distance matrix, indexed by position in {@code nodes}
 */
public record Topology(int pageSize, List<Node> nodes, int[][] distances) {
    public Topology {
        nodes = List.copyOf(nodes);
    }

    public Optional<Node> node(int id) {
        return nodes.stream().filter(n -> n.id() == id).findFirst();
    }

    /** The distance from node {@code from} to node {@code to}; both must exist. */
    public int distance(int from, int to) {
        return distances[indexOf(from)][indexOf(to)];
    }

    /** The node that holds the given CPU, if any. */
    public Optional<Node> nodeOfCpu(int cpu) {
        return nodes.stream().filter(n -> n.cpus().contains(cpu)).findFirst();
    }

    /** One more than the highest node id: the size of arrays indexed by node id. */
    public int nodeIdLimit() {
        return nodes.stream().mapToInt(Node::id).max().orElse(-1) + 1;
    }

    private int indexOf(int id) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).id() == id) {
                return i;
            }
        }
        throw new IllegalArgumentException("no node " + id);
    }
}
