package io.numashift.guest;

import static io.numashift.guest.GuestAssertions.count;
import static io.numashift.guest.GuestAssertions.movedAsMapped;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@link GuestMigrationTests} on two nodes (node 0: 1,280 MiB and CPU 0; node 1: 320 MiB and CPU
 * 1, distance 20; cpusets on cgroup v1), and a swap of the two.
 */
class TwoNodeGuestIT extends GuestMigrationTests {
    @Override
    String name() {
        return "two-nodes";
    }

    @Override
    NumaGuest.Spec machine() {
        return new NumaGuest.Spec(2, List.of(1280, 320), "", 1, List.of());
    }

    /** Node 1 has about 300 MiB free; 98,304 private pages write 336 MiB. */
    @Override
    int smallNode() {
        return 1;
    }

    @Override
    long tooLargeForSmallNode() {
        return 98304;
    }

    @Test
    void aSwapOfTwoNodesMovesEachPageOnceToTheOtherNode() {
        try (GuestWorkload workload =
                GuestWorkload.start(cluster().guest(), "swap", "--interleave=0,1", "--private", "12288")) {
            Migration m = migrate(workload, """
                    "oldNodes": [0, 1], "newNodes": [1, 0]""");
            JsonNode process = m.process();

            Map<Integer, Long> placed = count(m.before().nodes("private"));
            assertThat(placed.get(0)).as("interleaved").isPositive();
            assertThat(placed.get(1)).as("interleaved").isPositive();
            movedAsMapped(m.before().nodes("private"), m.after().nodes("private"), Map.of(0, 1, 1, 0));
            assertThat(process.get("pagesMoved").asLong()).isEqualTo(m.kernelMoved());
            assertThat(m.after().verify()).isEqualTo("OK");
            assertThat(m.job().get("state").asString()).as("%s", m.job()).isEqualTo("SUCCEEDED");
        }
    }
}
