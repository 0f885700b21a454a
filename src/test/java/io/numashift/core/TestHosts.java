package io.numashift.core;

import io.numashift.sim.HostSpec;
import io.numashift.sim.HostSpec.NodeSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import io.numashift.sim.SimulatedHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small simulated hosts for engine tests. */
final class TestHosts {
    static final int PID = 100;
    static final long HEAP = 0x10000000L;

    private TestHosts() {}

    /** Nodes 0..count-1 of one capacity, each with one CPU. */
    static List<NodeSpec> nodes(int count, long capacity) {
        List<NodeSpec> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            nodes.add(new NodeSpec(i, capacity, List.of(i)));
        }
        return nodes;
    }

    /** A host with one process whose one anonymous VMA holds the given pages per node. */
    static SimulatedHost withHeap(List<NodeSpec> nodes, Map<Integer, Long> placement, long vmaPages) {
        return SimulatedHost.create(HostSpec.of("h", nodes)
                .withProcesses(List.of(ProcessSpec.of(PID, List.of(VmaSpec.anon(HEAP, vmaPages, placement))))));
    }

    static SimulatedHost withHeap(int nodeCount, long capacity, Map<Integer, Long> placement) {
        long pages = placement.values().stream().mapToLong(Long::longValue).sum();
        return withHeap(nodes(nodeCount, capacity), placement, Math.max(1, pages));
    }

    static long address(long page) {
        return HEAP + page * 4096;
    }
}
