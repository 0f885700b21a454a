package io.numashift.guest;

import static io.numashift.guest.GuestAssertions.count;
import static io.numashift.guest.GuestAssertions.movedAsMapped;
import static io.numashift.guest.GuestAssertions.onlyProcess;
import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.guest.GuestWorkload.Report;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@link GuestMigrationTests} on four nodes: node 0 (1,280 MiB, CPU 0), node 1 (512 MiB, CPU 1),
 * and nodes 2 (128 MiB) and 3 (512 MiB) with memory only, as CXL tiers are. Node 3 is nearer to
 * node 2 (15) than node 1 is (25); cpusets on cgroup v2. A rotation among three nodes, and a
 * fallback by distance.
 */
class FourNodeGuestIT extends GuestMigrationTests {
    static final String DISTANCES = "10,20,25,30;20,10,25,30;25,25,10,15;30,30,15,10";

    @Override
    String name() {
        return "four-nodes";
    }

    @Override
    NumaGuest.Spec machine() {
        return new NumaGuest.Spec(4, List.of(1280, 512, 128, 512), DISTANCES, 2, List.of());
    }

    /** Node 2 has about 110 MiB free; 49,152 private pages write 168 MiB. */
    @Override
    int smallNode() {
        return 2;
    }

    @Override
    long tooLargeForSmallNode() {
        return 49152;
    }

    @Test
    void theServiceSeesTheGuestsFourNodesAndDistances() {
        JsonNode host = cluster().host();
        assertThat(host.get("backend").asString()).isEqualTo("linux");
        assertThat(host.get("nodes")).hasSize(4);
        assertThat(host.get("nodes").get(2).get("cpus")).isEmpty();
        assertThat(host.get("distances").toString())
                .isEqualTo("[[10,20,25,30],[20,10,25,30],[25,25,10,15],[30,30,15,10]]");
    }

    @Test
    void aRotationAmongThreeNodesMovesEachPageOnceToItsMappedNode() {
        try (GuestWorkload workload =
                GuestWorkload.start(cluster().guest(), "rotation", "--interleave=0,1,3", "--private", "12288")) {
            Migration m = migrate(workload, """
                    "oldNodes": [0, 1, 3], "newNodes": [1, 3, 0]""");
            JsonNode process = m.process();

            Map<Integer, Long> placed = count(m.before().nodes("private"));
            assertThat(placed.keySet()).as("interleaved").contains(0, 1, 3);
            movedAsMapped(m.before().nodes("private"), m.after().nodes("private"), Map.of(0, 1, 1, 3, 3, 0));
            assertThat(process.get("pagesMoved").asLong())
                    .as("each page moved once: the result and the kernel's pgmigrate_success")
                    .isEqualTo(m.kernelMoved());
            assertThat(m.after().verify()).isEqualTo("OK");
            assertThat(m.job().get("state").asString()).as("%s", m.job()).isEqualTo("SUCCEEDED");
        }
    }

    @Test
    void pagesThatDoNotFitTheirTargetFallBackToTheNearestNewNode() {
        try (GuestWorkload workload =
                GuestWorkload.start(cluster().guest(), "fallback", "--membind=0", "--private", "49152")) {
            JsonNode job = cluster().migrate(List.of(workload.pid()), """
                    "oldNodes": [0, 1, 3], "newNodes": [2, 1, 3]""");

            Report after = workload.report();
            JsonNode process = onlyProcess(job);
            Map<Integer, Long> placed = count(after.nodes("private"));
            assertThat(placed.keySet()).as("%s", process).containsOnly(-2, 2, 3);
            assertThat(placed.get(2)).isPositive();
            assertThat(placed.get(3)).isPositive();
            JsonNode fallbacks = process.get("fallbacks");
            assertThat(fallbacks)
                    .as("node 3 is nearer to node 2 than node 1 is: %s", fallbacks)
                    .hasSize(1);
            assertThat(fallbacks.get(0).get("intended").asInt()).isEqualTo(2);
            assertThat(fallbacks.get(0).get("actual").asInt()).isEqualTo(3);
            assertThat(fallbacks.get(0).get("pages").asLong()).isGreaterThanOrEqualTo(placed.get(3));
            assertThat(after.verify()).isEqualTo("OK");
            assertThat(job.get("state").asString()).as("%s", job).isEqualTo("SUCCEEDED");
        }
    }
}
