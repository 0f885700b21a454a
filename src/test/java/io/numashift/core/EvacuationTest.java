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
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** docs/evacuation.md: where an evacuation sends each process's pages, on simulated hosts. */
class EvacuationTest {
    private static final long HEAP = 0x10000000L;
    private static final long FILL = 0x70000000L;
    private static final int FILLER = 999;
    /** Node 0 is nearest to 1, then 2, then 3. */
    private static final List<List<Integer>> DISTANCES =
            List.of(List.of(10, 20, 30, 40), List.of(20, 10, 20, 30), List.of(30, 20, 10, 20), List.of(40, 30, 20, 10));

    /**
     * Four nodes of 1,000 pages; the given free pages on nodes 1..3 (a filler process holds the
     * rest, on those nodes, so that it has nothing to evacuate), and the processes.
     */
    private static SimulatedHost host(Map<Integer, Long> free, List<ProcessSpec> processes) {
        return SimulatedHost.create(hostSpec(free, processes));
    }

    private static HostSpec hostSpec(Map<Integer, Long> free, List<ProcessSpec> processes) {
        List<NodeSpec> nodes = TestHosts.nodes(4, 1000);
        java.util.TreeMap<Integer, Long> filled = new java.util.TreeMap<>();
        for (int node = 1; node < 4; node++) {
            int id = node;
            long used = 1000 - free.getOrDefault(node, 1000L);
            long ofProcesses = processes.stream()
                    .flatMap(p -> p.vmas().stream())
                    .mapToLong(v -> v.placement().getOrDefault(id, 0L))
                    .sum();
            if (used - ofProcesses > 0) {
                filled.put(node, used - ofProcesses);
            }
        }
        List<ProcessSpec> all = new ArrayList<>(processes);
        if (!filled.isEmpty()) {
            long pages = filled.values().stream().mapToLong(Long::longValue).sum();
            all.add(ProcessSpec.of(FILLER, List.of(VmaSpec.anon(FILL, pages, filled))));
        }
        return HostSpec.of("h", nodes)
                .withDistances(DISTANCES)
                .withCpusets(List.of(
                        new CpusetSpec("/near2", List.of(0, 2), List.of(0, 2)),
                        new CpusetSpec("/only0", List.of(0), List.of(0))))
                .withProcesses(all);
    }

    private static ProcessSpec process(int pid, Map<Integer, Long> placement) {
        long pages = placement.values().stream().mapToLong(Long::longValue).sum();
        return ProcessSpec.of(pid, List.of(VmaSpec.anon(HEAP, pages, placement)));
    }

    private static List<MigrationResult> evacuate(SimulatedHost host, MigrationOptions options, int... nodes) {
        List<Integer> pids = host.pids().stream().filter(pid -> pid != FILLER).toList();
        return new Evacuation(new MigrationEngine(host))
                .run(
                        new Evacuation.Request(
                                java.util.Arrays.stream(nodes).boxed().toList(), options, true),
                        pids,
                        MigrationMonitor.NONE);
    }

    private static List<MigrationResult> evacuate(SimulatedHost host, int... nodes) {
        return evacuate(host, MigrationOptions.DEFAULTS, nodes);
    }

    private static Map<Integer, MigrationResult> byPid(List<MigrationResult> results) {
        return results.stream().collect(java.util.stream.Collectors.toMap(MigrationResult::pid, Function.identity()));
    }

    private static long moved(MigrationResult result, int from, int to) {
        return result.moves().stream()
                .filter(m -> m.from() == from && m.to() == to)
                .mapToLong(MigrationResult.NodePairPages::pages)
                .sum();
    }

    @Test
    void pagesFillTheNearestNodeFirstThenSpillToTheNext() {
        SimulatedHost host =
                host(Map.of(1, 50L, 2, 100L), List.of(process(100, Map.of(0, 60L)), process(200, Map.of(0, 60L))));

        Map<Integer, MigrationResult> results = byPid(evacuate(host, 0));

        assertThat(moved(results.get(100), 0, 1)).isEqualTo(50);
        assertThat(moved(results.get(100), 0, 2)).isEqualTo(10);
        assertThat(moved(results.get(200), 0, 2)).isEqualTo(60);
        assertThat(results.get(100).fallbacks()).isEmpty();
        assertThat(results.values()).allMatch(r -> r.status() == MigrationStatus.SUCCEEDED);
        assertThat(host.placement(100)).containsExactlyInAnyOrderEntriesOf(Map.of(1, 50L, 2, 10L));
        assertThat(host.placement(200)).containsExactlyInAnyOrderEntriesOf(Map.of(2, 60L));
        assertThat(host.freePages(1)).isZero();
        assertThat(host.freePages(2)).isEqualTo(30);
        assertThat(host.freePages(0)).isEqualTo(1000);
    }

    @Test
    void aProcessConfinedByItsCpusetGetsItsOnlyNodeBeforeProcessesThatCouldGoAnywhere() {
        SimulatedHost host = host(
                Map.of(1, 20L, 2, 30L, 3, 1000L),
                List.of(
                        process(100, Map.of(0, 30L)),
                        process(200, Map.of(0, 30L)).withCpuset("/near2")));

        List<MigrationResult> results = evacuate(host, 0);

        assertThat(results).extracting(MigrationResult::pid).containsExactly(200, 100);
        Map<Integer, MigrationResult> byPid = byPid(results);
        assertThat(moved(byPid.get(200), 0, 2)).isEqualTo(30);
        assertThat(moved(byPid.get(100), 0, 1)).isEqualTo(20);
        assertThat(moved(byPid.get(100), 0, 3)).isEqualTo(10);
        assertThat(host.placement(200)).containsExactlyEntriesOf(Map.of(2, 30L));
    }

    @Test
    void aBindPolicyKeepsItsPagesOnItsOwnNodesAndABindToTheNodeAloneIsRemapped() {
        ProcessSpec bound = process(100, Map.of(0, 10L)).withPolicy(new MemoryPolicy(PolicyMode.BIND, List.of(0, 3)));
        ProcessSpec boundToLeaving =
                process(200, Map.of(0, 10L)).withPolicy(new MemoryPolicy(PolicyMode.BIND, List.of(0)));
        SimulatedHost host = host(Map.of(), List.of(bound, boundToLeaving));

        Map<Integer, MigrationResult> results = byPid(evacuate(host, 0));

        assertThat(moved(results.get(100), 0, 3)).isEqualTo(10);
        assertThat(results.get(100).policyAfter()).isEqualTo(new MemoryPolicy(PolicyMode.BIND, List.of(3)));
        assertThat(moved(results.get(200), 0, 1)).isEqualTo(10);
        assertThat(results.get(200).policyAfter()).isEqualTo(new MemoryPolicy(PolicyMode.BIND, List.of(1)));
    }

    @Test
    void pinnedPagesStayAndAreReportedBusy() {
        ProcessSpec pinned = ProcessSpec.of(
                100, List.of(VmaSpec.anon(HEAP, 20, Map.of(0, 20L)).withPinned(5)));
        SimulatedHost host = host(Map.of(), List.of(pinned));

        MigrationResult result = evacuate(host, 0).getFirst();

        assertThat(result.status()).isEqualTo(MigrationStatus.PARTIAL);
        assertThat(result.pagesFailed()).containsEntry(Errno.EBUSY, 5L);
        assertThat(moved(result, 0, 1)).isEqualTo(15);
        assertThat(host.placement(100)).containsEntry(0, 5L);
    }

    @Test
    void whatDoesNotFitFailsEnomemAndStaysOnTheNode() {
        SimulatedHost host = host(Map.of(1, 10L, 2, 10L, 3, 10L), List.of(process(100, Map.of(0, 50L))));

        MigrationResult result = evacuate(host, 0).getFirst();

        assertThat(result.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(result.errno()).isEqualTo(Errno.ENOMEM);
        assertThat(result.pagesFailed()).containsEntry(Errno.ENOMEM, 20L);
        assertThat(result.pagesMoved()).isEqualTo(30);
        assertThat(host.placement(100)).containsEntry(0, 20L);
        for (int node = 1; node < 4; node++) {
            assertThat(host.freePages(node)).isZero();
        }
    }

    @Test
    void aProcessThatMayUseOnlyTheEvacuatedNodeIsRefusedAndKeepsItsPages() {
        SimulatedHost host = host(Map.of(), List.of(process(100, Map.of(0, 10L)).withCpuset("/only0")));

        MigrationResult result = evacuate(host, 0).getFirst();

        assertThat(result.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(result.errno()).isEqualTo(Errno.EINVAL);
        assertThat(result.message()).contains("may use no node besides [0]");
        assertThat(host.placement(100)).containsExactlyEntriesOf(Map.of(0, 10L));
    }

    @Test
    void aDryRunPlansWhatTheRealRunDoesAndChangesNothing() {
        List<ProcessSpec> processes = List.of(
                process(100, Map.of(0, 60L, 2, 5L)),
                process(200, Map.of(0, 60L)),
                process(300, Map.of(0, 40L)).withCpuset("/near2"),
                process(400, Map.of(0, 500L)));
        Map<Integer, Long> free = Map.of(1, 50L, 2, 100L, 3, 300L);
        SimulatedHost planned = host(free, processes);
        SimulatedHost real = host(free, processes);

        List<MigrationResult> plan = evacuate(planned, MigrationOptions.DEFAULTS.withDryRun(true), 0);
        List<MigrationResult> done = evacuate(real, 0);

        assertThat(plan)
                .extracting(MigrationResult::pid)
                .isEqualTo(done.stream().map(MigrationResult::pid).toList());
        for (int i = 0; i < plan.size(); i++) {
            assertThat(plan.get(i).moves())
                    .as("pid %d", plan.get(i).pid())
                    .isEqualTo(done.get(i).moves());
            assertThat(plan.get(i).pagesFailed()).isEqualTo(done.get(i).pagesFailed());
            assertThat(plan.get(i).status()).isEqualTo(done.get(i).status());
        }
        assertThat(done.stream()
                        .mapToLong(r -> r.pagesFailed().getOrDefault(Errno.ENOMEM, 0L))
                        .sum())
                .as("what does not fit")
                .isEqualTo(660 - 450);
        for (ProcessSpec p : processes) {
            assertThat(planned.placement(p.pid()))
                    .containsEntry(0, p.vmas().getFirst().placement().get(0));
        }
    }

    @Test
    void anEvacuationOfEveryProcessPassesOverThoseWithNothingToMoveOrRemap() {
        ProcessSpec elsewhere = process(100, Map.of(1, 10L));
        ProcessSpec boundThere = process(200, Map.of(1, 10L)).withPolicy(new MemoryPolicy(PolicyMode.BIND, List.of(0)));
        ProcessSpec there = process(300, Map.of(0, 10L));
        SimulatedHost host = host(Map.of(), List.of(elsewhere, boundThere, there));

        List<MigrationResult> results = new Evacuation(new MigrationEngine(host))
                .run(
                        new Evacuation.Request(List.of(0), MigrationOptions.DEFAULTS, true, true),
                        java.util.stream.Stream.concat(host.pids().stream(), java.util.stream.Stream.of(777))
                                .toList(),
                        MigrationMonitor.NONE);

        assertThat(results)
                .as("777 is gone: nothing to report of it")
                .extracting(MigrationResult::pid)
                .containsExactlyInAnyOrder(200, 300);
        assertThat(byPid(results).get(200).policyAfter()).isEqualTo(new MemoryPolicy(PolicyMode.BIND, List.of(1)));
        SimulatedHost named = host(Map.of(), List.of(elsewhere, there));
        List<MigrationResult> each = new Evacuation(new MigrationEngine(named))
                .run(
                        new Evacuation.Request(List.of(0), MigrationOptions.DEFAULTS, true),
                        List.of(100, 300, 777),
                        MigrationMonitor.NONE);
        assertThat(each)
                .as("named processes each have a result")
                .extracting(MigrationResult::pid)
                .containsExactlyInAnyOrder(100, 300, 777);
        assertThat(byPid(each).get(777).errno()).isEqualTo(Errno.ESRCH);
    }

    @Test
    void aCancelLeavesTheProcessesNotYetStartedUntouched() {
        SimulatedHost host = host(Map.of(), List.of(process(100, Map.of(0, 10L)), process(200, Map.of(0, 10L))));
        java.util.concurrent.atomic.AtomicBoolean cancel = new java.util.concurrent.atomic.AtomicBoolean();
        MigrationMonitor monitor = new MigrationMonitor() {
            @Override
            public boolean cancelRequested() {
                return cancel.get();
            }
        };
        List<MigrationResult> results = new ArrayList<>();

        new Evacuation(new MigrationEngine(host))
                .run(new Evacuation.Request(List.of(0), MigrationOptions.DEFAULTS, true), host.pids(), monitor, r -> {
                    results.add(r);
                    cancel.set(true);
                });

        assertThat(results)
                .extracting(MigrationResult::status)
                .containsExactly(MigrationStatus.SUCCEEDED, MigrationStatus.CANCELLED);
        assertThat(host.placement(200)).containsExactlyEntriesOf(Map.of(0, 10L));
        assertThat(host.placement(100)).containsExactlyEntriesOf(Map.of(1, 10L));
    }

    @Test
    void aHostRefusesNodesItLacksAndAnEvacuationOfEveryNode() {
        Evacuation evacuation = new Evacuation(new MigrationEngine(host(Map.of(), List.of())));

        assertThat(evacuation.refusal(new Evacuation.Request(List.of(7), MigrationOptions.DEFAULTS, true)))
                .get()
                .extracting(Evacuation.Refusal::errno)
                .isEqualTo(Errno.ENODEV);
        assertThat(evacuation.refusal(new Evacuation.Request(List.of(0, 1, 2, 3), MigrationOptions.DEFAULTS, true)))
                .get()
                .extracting(Evacuation.Refusal::errno)
                .isEqualTo(Errno.ENOMEM);
        assertThat(evacuation.refusal(new Evacuation.Request(List.of(0), MigrationOptions.DEFAULTS, true)))
                .isEmpty();
    }
}
