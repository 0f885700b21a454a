package io.numashift.core;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A request's node mapping, indexed by node id: which nodes' pages move, and where to. An entry
 * that maps a node to itself leaves it out of {@link #target} and {@link #moving} but stays in
 * {@link #entries}, which remaps policies.
 */
final class NodeMapping {
    /** The node id limit of the host: the length of the arrays. */
    final int nodes;
    /** The mapped node of each old node, or -1. */
    final int[] target;
    /** Whether the pages of a node are to move. */
    final boolean[] moving;
    /** Every entry, identities included. */
    final Map<Integer, Integer> entries = new HashMap<>();

    NodeMapping(List<Integer> oldNodes, List<Integer> newNodes, int nodeIdLimit) {
        this.nodes = nodeIdLimit;
        this.target = new int[nodeIdLimit];
        this.moving = new boolean[nodeIdLimit];
        Arrays.fill(target, -1);
        for (int i = 0; i < oldNodes.size(); i++) {
            int from = oldNodes.get(i);
            int to = newNodes.get(i);
            entries.put(from, to);
            if (from != to) {
                target[from] = to;
                moving[from] = true;
            }
        }
    }
}
