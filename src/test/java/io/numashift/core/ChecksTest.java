package io.numashift.core;

import static io.numashift.core.TestHosts.PID;
import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.backend.Errno;
import io.numashift.sim.HostSpec;
import io.numashift.sim.HostSpec.CpusetSpec;
import io.numashift.sim.HostSpec.NodeSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import io.numashift.sim.SimulatedHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The checks of docs/migration.md §2, in their order, each with its errno, and nothing changed when one fails. */
class ChecksTest {

    private final SimulatedHost host = SimulatedHost.create(HostSpec.of(
                    "h",
                    List.of(
                            new NodeSpec(0, 100, List.of(0)),
                            new NodeSpec(1, 100, List.of(1)),
                            new NodeSpec(2, 100, List.of(2)),
                            new NodeSpec(3, 0, List.of(3))))
            .withCpusets(List.of(
                    new CpusetSpec("/job", List.of(0, 1), List.of(0, 1)),
                    new CpusetSpec("/wide", List.of(0, 1, 2), List.of(0, 1, 2))))
            .withProcesses(List.of(ProcessSpec.of(PID, List.of(VmaSpec.anon(TestHosts.HEAP, 10, Map.of(0, 10L))))
                    .withCpuset("/job"))));

    private MigrationResult migrate(MigrationRequest request) {
        List<Integer> before = nodes();
        MigrationResult result = new MigrationEngine(host).migrate(request);
        if (result.status() == MigrationStatus.FAILED) {
            assertThat(nodes()).as("a failed check changes nothing").isEqualTo(before);
            assertThat(host.process(PID).orElseThrow().cpuset()).isEqualTo("/job");
        }
        return result;
    }

    private List<Integer> nodes() {
        List<Integer> nodes = new ArrayList<>();
        for (int page = 0; page < 10; page++) {
            nodes.add(host.nodeOf(PID, TestHosts.address(page)));
        }
        return nodes;
    }

    private static MigrationRequest request(List<Integer> oldNodes, List<Integer> newNodes) {
        return MigrationRequest.of(PID, oldNodes, newNodes);
    }

    private void assertRefused(MigrationRequest request, Errno errno, String messagePart) {
        MigrationResult result = migrate(request);
        assertThat(result.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(result.errno()).isEqualTo(errno);
        assertThat(result.message()).contains(messagePart);
        assertThat(result.pagesMoved()).isZero();
    }

    @Test
    void rejectsEmptyNodeListsWithEinval() {
        assertRefused(request(List.of(), List.of()), Errno.EINVAL, "must not be empty");
    }

    @Test
    void rejectsNodeListsOfDifferentLengthsWithEinval() {
        assertRefused(request(List.of(0, 1), List.of(1)), Errno.EINVAL, "entries");
    }

    @Test
    void rejectsCountThatDiffersFromTheListsWithEinval() {
        assertRefused(request(List.of(0), List.of(1)).withCount(2), Errno.EINVAL, "count");
    }

    @Test
    void rejectsNegativeNodeIdsWithEinval() {
        assertRefused(request(List.of(-1), List.of(1)), Errno.EINVAL, "negative");
    }

    @Test
    void rejectsOldNodeRepeatedWithEinvalButAcceptsRepeatedNewNodes() {
        assertRefused(request(List.of(0, 0), List.of(1, 1)), Errno.EINVAL, "repeated");
        assertThat(migrate(request(List.of(0, 2), List.of(1, 1))).status()).isEqualTo(MigrationStatus.SUCCEEDED);
    }

    @Test
    void rejectsUnalignedOrEmptyRangesWithEinval() {
        long start = TestHosts.HEAP;
        assertRefused(
                request(List.of(0), List.of(1)).withRange(new AddressRange(start, start + 4097)),
                Errno.EINVAL,
                "range.end");
        assertRefused(request(List.of(0), List.of(1)).withRange(new AddressRange(start, start)), Errno.EINVAL, "below");
    }

    @Test
    void rejectsCallerWithoutPrivilegeWithEpermAfterEinval() {
        assertRefused(request(List.of(0), List.of(1)).withPrivileged(false), Errno.EPERM, "privilege");
        assertRefused(request(List.of(0, 0), List.of(1, 1)).withPrivileged(false), Errno.EINVAL, "repeated");
    }

    @Test
    void rejectsMissingNodeAndNodeWithoutMemoryWithEnodevAfterEperm() {
        assertRefused(request(List.of(0), List.of(7)), Errno.ENODEV, "node 7 does not exist");
        assertRefused(request(List.of(0), List.of(3)), Errno.ENODEV, "no memory");
        assertRefused(request(List.of(0), List.of(7)).withPrivileged(false), Errno.EPERM, "privilege");
    }

    @Test
    void rejectsMissingProcessWithEsrchAfterEnodev() {
        assertRefused(request(List.of(0), List.of(1)).withPid(4711), Errno.ESRCH, "no process 4711");
        assertRefused(request(List.of(0), List.of(7)).withPid(4711), Errno.ENODEV, "node 7");
    }

    @Test
    void rejectsNewNodeOutsideTheCpusetWithEinvalAfterEsrch() {
        assertRefused(request(List.of(0), List.of(2)), Errno.EINVAL, "not in the mems");
        assertRefused(request(List.of(0), List.of(2)).withPid(4711), Errno.ESRCH, "no process");
    }

    @Test
    void movingToANewCpusetThatAllowsTheNodeSucceeds() {
        UnaryOperator<MigrationOptions> wide = o -> o.withNewCpuset("/wide");
        MigrationResult result =
                migrate(request(List.of(0), List.of(2)).withOptions(wide.apply(MigrationOptions.DEFAULTS)));

        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(result.placementAfter()).containsExactlyEntriesOf(Map.of(2, 10L));
        assertThat(host.process(PID).orElseThrow().cpuset()).isEqualTo("/wide");
    }

    @Test
    void rejectsANewCpusetThatDoesNotExistWithEinval() {
        assertRefused(
                request(List.of(0), List.of(1)).withOptions(MigrationOptions.DEFAULTS.withNewCpuset("/nope")),
                Errno.EINVAL,
                "cpuset /nope does not exist");
    }

    @Test
    void rejectsANewCpusetThatDoesNotAllowTheNodeWithEinvalAndLeavesTheCpuset() {
        assertRefused(
                request(List.of(0), List.of(2)).withOptions(MigrationOptions.DEFAULTS.withNewCpuset("/job")),
                Errno.EINVAL,
                "not in the mems");
    }
}
