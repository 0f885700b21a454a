package io.numashift.core;

import static io.numashift.core.TestHosts.HEAP;
import static io.numashift.core.TestHosts.PID;
import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.MigrationResult.NodePairPages;
import io.numashift.core.backend.Census;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.MovePass;
import io.numashift.core.backend.NumaBackend;
import io.numashift.core.backend.Vma;
import io.numashift.sim.HostSpec;
import io.numashift.sim.HostSpec.CpusetSpec;
import io.numashift.sim.HostSpec.NodeSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import io.numashift.sim.SimulatedHost;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.function.LongToIntFunction;
import org.junit.jupiter.api.Test;

/**
 * A kernel that moves pages by itself (automatic NUMA balancing, a page reclaimed and read in again
 * elsewhere) between the scan and the moves: the migration accounts every page by where it is when
 * its move comes, completes, and its counts add up. The "kernel" here is a simulated host laid out
 * anew just before the first move, since a real kernel's timing cannot be made to hit that
 * window every time (the guests run the real one with NUMA balancing on).
 */
class KernelMovedPagesTest {

    /** The host, laid out as {@code kernel} says just before the engine's first move. */
    private static NumaBackend kernelMovesBeforeTheFirstMove(SimulatedHost host, LongToIntFunction kernel) {
        boolean[] moved = {false};
        return (NumaBackend) Proxy.newProxyInstance(
                NumaBackend.class.getClassLoader(), new Class<?>[] {NumaBackend.class}, (proxy, method, args) -> {
                    if (method.getName().equals("movePass") && !moved[0]) {
                        moved[0] = true;
                        host.relayout(PID, HEAP, kernel);
                    }
                    try {
                        return method.invoke(host, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void pagesTheKernelMovedOffTheOldNodesAreSkippedAsMovedByKernelAndTheRestMove() {
        SimulatedHost host = TestHosts.withHeap(TestHosts.nodes(4, 1000), Map.of(0, 200L), 200);
        // The process's threads run on node 1 now, and the kernel has pulled 50 pages there, and 10
        // to node 3, before numashift got to them.
        NumaBackend backend = kernelMovesBeforeTheFirstMove(host, page -> page < 50 ? 1 : page < 60 ? 3 : 0);

        MigrationResult result = new MigrationEngine(backend).migrate(MigrationRequest.of(PID, List.of(0), List.of(1)));

        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(result.pagesScanned()).isEqualTo(200);
        assertThat(result.pagesMoved()).isEqualTo(140);
        assertThat(result.pagesSkipped()).containsExactlyEntriesOf(Map.of(SkipReason.MOVED_BY_KERNEL, 60L));
        assertThat(result.pagesFailed()).isEmpty();
        assertThat(result.pagesNotPresent()).isZero();
        assertThat(result.moves()).containsExactly(new NodePairPages(0, 1, 140));
        assertThat(result.placementAfter()).containsExactlyInAnyOrderEntriesOf(Map.of(1, 190L, 3, 10L));
        assertThat(result.pagesLeftOnOldNodes()).isZero();
        assertThat(result.pagesScanned())
                .isEqualTo(result.pagesMoved()
                        + result.pagesSkipped().values().stream()
                                .mapToLong(Long::longValue)
                                .sum());
    }

    @Test
    void pagesTheKernelMovedAreNotCountedAgainAsFailedWhenTheTargetRunsOutOfRoom() {
        // Node 1 has room for 100 pages; the kernel takes 60 of the 200 to node 3 before the moves.
        SimulatedHost host = TestHosts.withHeap(
                List.of(
                        new NodeSpec(0, 1000, List.of(0)),
                        new NodeSpec(1, 100, List.of(1)),
                        new NodeSpec(2, 1000, List.of(2)),
                        new NodeSpec(3, 1000, List.of(3))),
                Map.of(0, 200L),
                200);
        NumaBackend backend = kernelMovesBeforeTheFirstMove(host, page -> page < 60 ? 3 : 0);

        MigrationResult result = new MigrationEngine(backend).migrate(MigrationRequest.of(PID, List.of(0), List.of(1)));

        assertThat(result.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(result.errno()).isEqualTo(Errno.ENOMEM);
        assertThat(result.pagesMoved()).isEqualTo(100);
        assertThat(result.pagesSkipped()).containsExactlyEntriesOf(Map.of(SkipReason.MOVED_BY_KERNEL, 60L));
        assertThat(result.pagesFailed()).containsExactlyEntriesOf(Map.of(Errno.ENOMEM, 40L));
        assertThat(result.pagesScanned()).isEqualTo(200);
    }

    @Test
    void pagesTheKernelMovedFromOneOldNodeToAnotherMoveFromWhereTheyAreAndNoneIsLeft() {
        SimulatedHost host = TestHosts.withHeap(TestHosts.nodes(4, 1000), Map.of(0, 200L, 2, 200L), 400);
        host.relayout(PID, HEAP, page -> page < 200 ? 0 : 2);
        // 30 pages of node 0 went to node 2, another old node, after the scan counted them on 0.
        NumaBackend backend = kernelMovesBeforeTheFirstMove(host, page -> page < 30 ? 2 : page < 200 ? 0 : 2);

        MigrationResult result =
                new MigrationEngine(backend).migrate(MigrationRequest.of(PID, List.of(0, 2), List.of(1, 3)));

        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(result.pagesMoved()).isEqualTo(400);
        assertThat(result.moves()).containsExactly(new NodePairPages(0, 1, 170), new NodePairPages(2, 3, 230));
        assertThat(result.pagesSkipped()).isEmpty();
        assertThat(result.pagesNotPresent()).isZero();
        assertThat(result.placementAfter()).containsExactlyInAnyOrderEntriesOf(Map.of(1, 170L, 3, 230L));
        assertThat(result.pagesLeftOnOldNodes()).isZero();
    }

    /**
     * The host with a cgroup v2 cpuset {@code /job} (mems 1 and 3): as the process enters it, the
     * kernel moves the process's memory onto its nodes, laid out as {@code kernel} says.
     */
    private static NumaBackend kernelMovesMemoryOnCpusetEntry(SimulatedHost host, LongToIntFunction kernel) {
        return (NumaBackend) Proxy.newProxyInstance(
                NumaBackend.class.getClassLoader(), new Class<?>[] {NumaBackend.class}, (proxy, method, args) -> {
                    if (method.getName().equals("cpusetMovesMemory")) {
                        return true;
                    }
                    try {
                        Object answer = method.invoke(host, args);
                        if (method.getName().equals("moveToCpuset")) {
                            host.relayout(PID, HEAP, kernel);
                        }
                        return answer;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void pagesTheKernelMovedAsTheProcessEnteredItsNewCpusetAreCountedAsMovedByKernelAndTheRestMove() {
        SimulatedHost host = SimulatedHost.create(HostSpec.of("h", TestHosts.nodes(4, 1000))
                .withCpusets(List.of(new CpusetSpec("/job", List.of(1, 3), List.of(1, 3))))
                .withProcesses(List.of(ProcessSpec.of(PID, List.of(VmaSpec.anon(HEAP, 200, Map.of(0, 200L)))))));
        // The kernel moved 150 pages as the process entered (one of them to node 3, by its own
        // mapping of nodes), and failed 50 (their node had no room at that moment, say).
        NumaBackend backend = kernelMovesMemoryOnCpusetEntry(host, page -> page < 149 ? 1 : page < 150 ? 3 : 0);
        MigrationRequest request = MigrationRequest.of(PID, List.of(0), List.of(1));

        MigrationResult result = new MigrationEngine(backend)
                .migrate(request.withOptions(request.options().withNewCpuset("/job")));

        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(result.placementBefore()).as("before the entry").containsExactlyEntriesOf(Map.of(0, 200L));
        assertThat(result.pagesScanned()).isEqualTo(200);
        assertThat(result.pagesSkipped()).containsExactlyEntriesOf(Map.of(SkipReason.MOVED_BY_KERNEL, 150L));
        assertThat(result.pagesMoved()).isEqualTo(50);
        assertThat(result.moves()).containsExactly(new NodePairPages(0, 1, 50));
        assertThat(result.placementAfter()).containsExactlyInAnyOrderEntriesOf(Map.of(1, 199L, 3, 1L));
        assertThat(result.pagesLeftOnOldNodes()).isZero();
        assertThat(result.pagesScanned()).as("every page accounted once").isEqualTo(result.pagesMoved() + 150);
        assertThat(host.process(PID).orElseThrow().cpuset()).isEqualTo("/job");
    }

    @Test
    void aCpusetWhoseEntryMovesNoMemoryLeavesEveryPageToTheMigration() {
        SimulatedHost host = SimulatedHost.create(HostSpec.of("h", TestHosts.nodes(4, 1000))
                .withCpusets(List.of(new CpusetSpec("/job", List.of(1, 3), List.of(1, 3))))
                .withProcesses(List.of(ProcessSpec.of(PID, List.of(VmaSpec.anon(HEAP, 200, Map.of(0, 200L)))))));
        MigrationRequest request = MigrationRequest.of(PID, List.of(0), List.of(1));

        MigrationResult result = new MigrationEngine(host)
                .migrate(request.withOptions(request.options().withNewCpuset("/job")));

        assertThat(result.pagesMoved()).isEqualTo(200);
        assertThat(result.pagesSkipped()).isEmpty();
        assertThat(result.placementBefore()).containsExactlyEntriesOf(Map.of(0, 200L));
    }

    @Test
    void withoutTheKernelMovingPagesNothingIsSkippedAsMovedByKernel() {
        SimulatedHost host = TestHosts.withHeap(TestHosts.nodes(4, 1000), Map.of(0, 200L), 200);

        MigrationResult result = new MigrationEngine(host).migrate(MigrationRequest.of(PID, List.of(0), List.of(1)));

        assertThat(result.pagesMoved()).isEqualTo(200);
        assertThat(result.pagesSkipped()).isEmpty();
    }

    /**
     * The host as a kernel that splits a huge page it cannot move whole onto a full target: the
     * move of the last pages that fit takes 10 more pending pages of the same huge page along to
     * node 1 (node 1 holds 110 pages, of which the engine is told of 100). What the Linux backend's
     * {@code claimLeft} does (it reads where each pending page is) is done here by the same rule
     * over the simulated placement; the real one runs in the guests' huge-page test.
     */
    private static NumaBackend kernelTakesPagesAlongWhenTheTargetFills(SimulatedHost host) {
        boolean[] takenAlong = {false};
        return (NumaBackend) Proxy.newProxyInstance(
                NumaBackend.class.getClassLoader(), new Class<?>[] {NumaBackend.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "freePages" -> {
                            long free = host.freePages((int) args[0]);
                            return (int) args[0] == 1 && !takenAlong[0] ? free - 10 : free;
                        }
                        case "claimLeft" -> {
                            claimLeftByPlacement(
                                    host, (Vma) args[1], (long) args[2], (long) args[3], (MovePass) args[4]);
                            return null;
                        }
                        default -> {}
                    }
                    try {
                        Object answer = method.invoke(host, args);
                        if (method.getName().equals("movePass") && !takenAlong[0]) {
                            takenAlong[0] = true;
                            host.relayout(PID, HEAP, page -> page < 110 ? 1 : 0);
                        }
                        return answer;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static void claimLeftByPlacement(SimulatedHost host, Vma vma, long from, long to, MovePass pass) {
        for (long page = from; page < to; page++) {
            if (!pass.pending.get(page)) {
                continue;
            }
            Census census = new Census(pass.nodeIdLimit, null, null, null, null);
            host.census(PID, vma, page, page + 1, census);
            for (int a = 0; a < pass.nodeIdLimit; a++) {
                if (pass.target[a] >= 0 && census.onNode[pass.target[a]] == 1) {
                    pass.pending.clear(page);
                    pass.movedFrom[a]++;
                    if (pass.log != null) {
                        pass.log.add(pass.vmaIndex, page, 1, a, pass.target[a]);
                    }
                }
            }
        }
    }

    @Test
    void pagesTheKernelTookAlongToAFullTargetCountAsMovedAndARollbackBringsThemBack() {
        SimulatedHost host = TestHosts.withHeap(
                List.of(new NodeSpec(0, 1000, List.of(0)), new NodeSpec(1, 110, List.of(1))), Map.of(0, 200L), 200);
        NumaBackend backend = kernelTakesPagesAlongWhenTheTargetFills(host);
        MigrationRequest request = MigrationRequest.of(PID, List.of(0), List.of(1));

        MigrationResult result = new MigrationEngine(backend)
                .migrate(request.withOptions(request.options().withOnFailure(OnFailure.ROLLBACK)));

        assertThat(result.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(result.errno()).isEqualTo(Errno.ENOMEM);
        assertThat(result.pagesMoved())
                .as("the 100 moved and the 10 taken along")
                .isEqualTo(110);
        assertThat(result.pagesFailed()).containsExactlyEntriesOf(Map.of(Errno.ENOMEM, 90L));
        assertThat(result.pagesSkipped()).isEmpty();
        assertThat(result.rolledBack()).isEqualTo(110);
        assertThat(result.placementAfter()).as("every page back").containsExactlyEntriesOf(Map.of(0, 200L));
    }
}
