package io.numashift.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.backend.Errno;
import io.numashift.core.backend.MemoryPolicy;
import io.numashift.core.backend.PolicyMode;
import io.numashift.sim.HostSpec;
import io.numashift.sim.HostSpec.CpusetSpec;
import io.numashift.sim.HostSpec.NodeSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import io.numashift.sim.SimulatedHost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of an evacuation (docs/evacuation.md) on generated hosts: 3 to 5 nodes of random
 * distances, often nearly full, and up to six processes with pages scattered over every node (some
 * pinned), some in cpusets, some with {@code BIND} policies; node 0 is emptied. Each property
 * compares the host page by page before and after, never the engine's own counts with themselves.
 */
class EvacuationProperties {
    private static final long HEAP = 0x10000000L;
    private static final int PAGE = 4096;

    /** A generated host: its spec, and per process the nodes it may use (null: any). */
    record Case(HostSpec spec, Map<Integer, List<Integer>> mayUse) {
        SimulatedHost host() {
            return SimulatedHost.create(spec);
        }

        List<Integer> pids() {
            return spec.processes().stream().map(ProcessSpec::pid).toList();
        }
    }

    @Provide
    Arbitrary<Case> hosts() {
        Arbitrary<Integer> nodeCount = Arbitraries.integers().between(3, 5);
        return nodeCount.flatMap(n -> Combinators.combine(
                        Arbitraries.integers().between(11, 40).list().ofSize(n * n),
                        Arbitraries.integers().between(0, 30).list().ofSize(n),
                        process(n).list().ofMinSize(1).ofMaxSize(6))
                .as((distances, extra, processes) -> build(n, distances, extra, processes)));
    }

    /** A process's layout: pages per node, pinned pages, its cpuset's extra nodes or none, a BIND. */
    record Layout(List<Integer> pages, int pinned, int cpusetMask, int bindMask) {}

    private static Arbitrary<Layout> process(int nodes) {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 12).list().ofSize(nodes),
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(-1, (1 << nodes) - 1),
                        Arbitraries.integers().between(-3, (1 << nodes) - 1))
                .as(Layout::new);
    }

    private static Case build(int n, List<Integer> distanceDraw, List<Integer> extra, List<Layout> layouts) {
        List<List<Integer>> distances = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Integer> row = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                row.add(i == j ? 10 : distanceDraw.get(Math.min(i, j) * n + Math.max(i, j)));
            }
            distances.add(row);
        }
        long[] used = new long[n];
        List<ProcessSpec> processes = new ArrayList<>();
        List<CpusetSpec> cpusets = new ArrayList<>();
        Map<Integer, List<Integer>> mayUse = new HashMap<>();
        for (int p = 0; p < layouts.size(); p++) {
            Layout layout = layouts.get(p);
            int pid = 100 + p;
            Map<Integer, Long> placement = new TreeMap<>();
            long total = 0;
            for (int node = 0; node < n; node++) {
                if (layout.pages().get(node) > 0) {
                    placement.put(node, (long) layout.pages().get(node));
                    used[node] += layout.pages().get(node);
                    total += layout.pages().get(node);
                }
            }
            ProcessSpec spec = ProcessSpec.of(
                    pid,
                    List.of(VmaSpec.anon(HEAP, Math.max(1, total), placement)
                            .withPinned(Math.min(layout.pinned(), total))));
            if (layout.cpusetMask() >= 0) {
                List<Integer> mems = nodes(layout.cpusetMask() | 1, n);
                String path = "/p" + pid;
                cpusets.add(new CpusetSpec(path, mems, List.of(0)));
                spec = spec.withCpuset(path);
                mayUse.put(pid, mems);
            }
            if (layout.bindMask() > 0) {
                spec = spec.withPolicy(new MemoryPolicy(PolicyMode.BIND, nodes(layout.bindMask(), n)));
            }
            processes.add(spec);
        }
        List<NodeSpec> nodes = new ArrayList<>();
        for (int node = 0; node < n; node++) {
            nodes.add(new NodeSpec(node, Math.max(1, used[node] + extra.get(node)), List.of(node)));
        }
        HostSpec spec = HostSpec.of("h", nodes)
                .withDistances(distances)
                .withCpusets(cpusets)
                .withProcesses(processes);
        return new Case(spec, mayUse);
    }

    private static List<Integer> nodes(int mask, int n) {
        List<Integer> nodes = new ArrayList<>();
        for (int node = 0; node < n; node++) {
            if ((mask & (1 << node)) != 0) {
                nodes.add(node);
            }
        }
        return nodes;
    }

    private static List<MigrationResult> evacuate(SimulatedHost host, List<Integer> pids, boolean dryRun) {
        return new Evacuation(new MigrationEngine(host))
                .run(
                        new Evacuation.Request(List.of(0), MigrationOptions.DEFAULTS.withDryRun(dryRun), true),
                        pids,
                        MigrationMonitor.NONE);
    }

    /** The node of every page of a process's heap, -1 where none is resident. */
    private static int[] pages(SimulatedHost host, int pid, long count) {
        int[] nodes = new int[(int) count];
        for (int i = 0; i < count; i++) {
            nodes[i] = host.nodeOf(pid, HEAP + (long) i * PAGE);
        }
        return nodes;
    }

    private static long heapPages(ProcessSpec spec) {
        return spec.vmas().getFirst().pages();
    }

    @Property(tries = 300)
    void everyPageOfTheNodeIsMovedOffOnceOrReportedAndNoNodeGoesOverCapacity(@ForAll("hosts") Case c) {
        SimulatedHost host = c.host();
        Map<Integer, int[]> before = new HashMap<>();
        for (ProcessSpec p : c.spec().processes()) {
            before.put(p.pid(), pages(host, p.pid(), heapPages(p)));
        }

        List<MigrationResult> results = evacuate(host, c.pids(), false);

        for (NodeSpec node : c.spec().nodes()) {
            assertThat(host.freePages(node.id()))
                    .as("free pages of node %d", node.id())
                    .isBetween(0L, node.capacityPages());
        }
        for (MigrationResult result : results) {
            int pid = result.pid();
            ProcessSpec spec = c.spec().processes().stream()
                    .filter(p -> p.pid() == pid)
                    .findFirst()
                    .orElseThrow();
            int[] was = before.get(pid);
            int[] now = pages(host, pid, heapPages(spec));
            long leftOnNode = 0;
            Map<List<Integer>, Long> transitions = new HashMap<>();
            for (int i = 0; i < was.length; i++) {
                assertThat(now[i] >= 0)
                        .as("page %d of %d is still resident", i, pid)
                        .isEqualTo(was[i] >= 0);
                if (was[i] != 0) {
                    assertThat(now[i])
                            .as("page %d of %d was not on node 0 and stays", i, pid)
                            .isEqualTo(was[i]);
                } else if (now[i] == 0) {
                    leftOnNode++;
                } else {
                    transitions.merge(List.of(0, now[i]), 1L, Long::sum);
                    List<Integer> allowed = c.mayUse().get(pid);
                    if (allowed != null) {
                        assertThat(allowed).as("nodes %d may use", pid).contains(now[i]);
                    }
                }
            }
            Map<List<Integer>, Long> moves = new HashMap<>();
            result.moves().forEach(m -> moves.merge(List.of(m.from(), m.to()), m.pages(), Long::sum));
            assertThat(moves)
                    .as("moves of %d, page by page: each page moved once", pid)
                    .isEqualTo(transitions);
            if (result.errno() == Errno.EINVAL) {
                assertThat(c.mayUse().get(pid))
                        .as("refused only when it may use node 0 alone")
                        .containsExactly(0);
            } else {
                long reported = result.pagesFailed().getOrDefault(Errno.EBUSY, 0L)
                        + result.pagesFailed().getOrDefault(Errno.ENOMEM, 0L);
                assertThat(reported)
                        .as("pages of %d left on node 0, each reported", pid)
                        .isEqualTo(leftOnNode);
            }
        }
    }

    @Property(tries = 200)
    void aDryRunIsThePlanOfTheRealRun(@ForAll("hosts") Case c) {
        SimulatedHost planned = c.host();
        List<MigrationResult> plan = evacuate(planned, c.pids(), true);
        List<MigrationResult> done = evacuate(c.host(), c.pids(), false);

        assertThat(plan)
                .extracting(MigrationResult::pid)
                .isEqualTo(done.stream().map(MigrationResult::pid).toList());
        for (int i = 0; i < plan.size(); i++) {
            assertThat(plan.get(i).moves()).isEqualTo(done.get(i).moves());
            assertThat(plan.get(i).pagesFailed()).isEqualTo(done.get(i).pagesFailed());
        }
        for (ProcessSpec p : c.spec().processes()) {
            assertThat(planned.placement(p.pid()))
                    .as("placement of %d after a dry run", p.pid())
                    .isEqualTo(c.host().placement(p.pid()));
        }
    }
}
