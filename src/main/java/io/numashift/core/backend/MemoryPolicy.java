package io.numashift.core.backend;

import java.util.List;
import java.util.Map;

/**
 * A memory policy: a mode and its nodes, without repeats.
 *
 * @param mode the policy mode
 * @param nodes the node set; empty for {@link PolicyMode#DEFAULT}
 */
public record MemoryPolicy(PolicyMode mode, List<Integer> nodes) {
    public static final MemoryPolicy DEFAULT = new MemoryPolicy(PolicyMode.DEFAULT, List.of());

    public MemoryPolicy {
        nodes = List.copyOf(nodes);
        if (mode == PolicyMode.DEFAULT && !nodes.isEmpty()) {
            throw new IllegalArgumentException("a DEFAULT policy has no nodes");
        }
        if (mode != PolicyMode.DEFAULT && nodes.isEmpty()) {
            throw new IllegalArgumentException("a " + mode + " policy needs at least one node");
        }
        if (mode == PolicyMode.PREFERRED && nodes.size() != 1) {
            throw new IllegalArgumentException("a PREFERRED policy names exactly one node");
        }
        if (nodes.stream().distinct().count() != nodes.size()) {
            throw new IllegalArgumentException("policy nodes repeat: " + nodes);
        }
    }

    /** This policy with every node remapped, keeping the first occurrence of each result. */
    public MemoryPolicy remap(Map<Integer, Integer> mapping) {
        return new MemoryPolicy(
                mode,
                nodes.stream().map(n -> mapping.getOrDefault(n, n)).distinct().toList());
    }
}
