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
 * and nodes 2 (128 MiB) and 3 (512 MiB) with memory only, as CXL tiers are; node 3's memory is a
 * DIMM hot-plugged at boot and onlined as movable, so that it can go offline. Node 3 is nearer to
 * node 2 (15) than node 1 is (25); cpusets on cgroup v2. A rotation among three nodes, a fallback
 * by distance, and evacuations of node 3.
 */
class FourNodeGuestIT extends GuestMigrationTests {
    static final String DISTANCES = "10,20,25,30;20,10,25,30;25,25,10,15;30,30,15,10";

    @Override
    String name() {
        return "four-nodes";
    }

    @Override
    NumaGuest.Spec machine() {
        return new NumaGuest.Spec(4, List.of(1280, 512, 128, 512), DISTANCES, 2, List.of(), true);
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

    /** The node's total memory as the kernel counts it, from {@code /sys/devices/system/node/node3/meminfo}, in kB. */
    private long node3MemTotalKb() {
        String line = cluster()
                .guest()
                .run("grep MemTotal /sys/devices/system/node/node3/meminfo")
                .ok()
                .strip();
        return Long.parseLong(line.replaceAll(".*MemTotal:\\s*([0-9]+) kB", "$1"));
    }

    /** The state of each memory block of node 3, in order. */
    private List<String> node3BlockStates() {
        return cluster()
                .guest()
                .run("cat /sys/devices/system/node/node3/memory*/state")
                .ok()
                .lines()
                .toList();
    }

    /** Brings node 3 back whatever a test left, and checks the kernel has it all again. */
    private void onlineNode3() {
        JsonNode job = cluster().evacuate("""
                "nodes": [3], "online": true""");
        assertThat(job.get("state").asString()).as("%s", job).isEqualTo("SUCCEEDED");
        assertThat(node3BlockStates()).containsOnly("online");
        assertThat(node3MemTotalKb()).isEqualTo(512 * 1024);
    }

    @Test
    void evacuatingTheMovableNodeEmptiesItTakesItsBlocksOfflineAndOnlineBringsThemBack() {
        try (GuestWorkload a = GuestWorkload.start(cluster().guest(), "evac-a", "--preferred=3", "--private", "8192");
                GuestWorkload b =
                        GuestWorkload.start(cluster().guest(), "evac-b", "--interleave=1,3", "--private", "8192");
                GuestWorkload c =
                        GuestWorkload.start(cluster().guest(), "evac-c", "--preferred=3", "--private", "2048")) {
            assertThat(count(a.report().nodes("private"))).containsEntry(3, 7168L);
            assertThat(count(b.report().nodes("private"))).containsKeys(1, 3);
            long onNode3 = 0;
            for (GuestWorkload w : List.of(a, b, c)) {
                onNode3 += count(w.report().nodes("private")).getOrDefault(3, 0L);
            }
            try {
                JsonNode job = cluster().evacuate("""
                        "nodes": [3], "offline": true""");

                assertThat(job.get("state").asString()).as("%s", job).isEqualTo("SUCCEEDED");
                JsonNode task = job.get("tasks").get(0);
                JsonNode node = task.get("evacuated").get(0);
                assertThat(node.get("pagesBefore").asLong())
                        .as("their private pages on node 3, and the rest of them there (stacks, data)")
                        .isGreaterThanOrEqualTo(onNode3);
                assertThat(node.get("pagesAfter").asLong()).isZero();
                assertThat(node.get("memory").get("state").asString()).isEqualTo("OFFLINE");
                assertThat(node.get("memory").get("blocks").asInt()).isEqualTo(4);
                assertThat(node.get("memory").get("inState").asInt()).isEqualTo(4);
                assertThat(node.get("usedBefore").asLong())
                        .as("node 3 in use before, as the kernel counts it")
                        .isGreaterThanOrEqualTo(onNode3);
                assertThat(node.get("usedAfter").asLong())
                        .as("offline: no memory in use")
                        .isZero();
                List<Integer> reported = new java.util.ArrayList<>();
                for (JsonNode process : task.get("processes")) {
                    reported.add(process.get("pid").asInt());
                    for (JsonNode move : process.get("moves")) {
                        assertThat(move.get("from").asInt()).isEqualTo(3);
                        assertThat(move.get("to").asInt())
                                .as("node 2 is nearest (15); then nodes 0 and 1 (30), the lower id first")
                                .isIn(2, 0);
                    }
                }
                assertThat(reported).contains(a.pid(), b.pid(), c.pid());
                for (GuestWorkload w : List.of(a, b, c)) {
                    Report after = w.report();
                    assertThat(count(after.nodes("private"))).doesNotContainKey(3);
                    assertThat(after.verify()).isEqualTo("OK");
                    assertThat(cluster()
                                    .guest()
                                    .run("grep -c 'N3=' /proc/" + w.pid() + "/numa_maps")
                                    .out()
                                    .strip())
                            .as("numa_maps of %d names node 3 nowhere", w.pid())
                            .isEqualTo("0");
                }
                assertThat(node3BlockStates()).containsOnly("offline");
                assertThat(node3MemTotalKb())
                        .as("the kernel's count of node 3's memory")
                        .isZero();
            } finally {
                onlineNode3();
            }
        }
    }

    @Test
    void aPageTheKernelCannotMoveKeepsItsBlockOnlineAndIsReported() {
        try (GuestWorkload held = GuestWorkload.start(
                cluster().guest(), "evac-held", "--preferred=3", "--private", "4096", "--hold", "4")) {
            try {
                JsonNode job = cluster().evacuate("""
                        "nodes": [3], "offline": true""");

                assertThat(job.get("state").asString()).as("%s", job).isEqualTo("PARTIALLY_FAILED");
                JsonNode task = job.get("tasks").get(0);
                assertThat(task.get("error").get("code").asString()).isEqualTo("EBUSY");
                assertThat(task.get("error").get("message").asString()).contains("memory blocks offline");
                JsonNode memory = task.get("evacuated").get(0).get("memory");
                assertThat(memory.get("errno").asString()).isEqualTo("EBUSY");
                assertThat(memory.get("inState").asInt())
                        .isLessThan(memory.get("blocks").asInt());
                JsonNode process = null;
                for (JsonNode p : task.get("processes")) {
                    if (p.get("pid").asInt() == held.pid()) {
                        process = p;
                    }
                }
                assertThat(process).as("the held process is reported").isNotNull();
                assertThat(process.get("status").asString()).isEqualTo("PARTIAL");
                assertThat(process.get("pagesFailed").get("EBUSY").asLong()).isEqualTo(4);
                assertThat(count(held.report().nodes("private"))).containsEntry(3, 4L);
                assertThat(node3BlockStates()).contains("online");
            } finally {
                onlineNode3();
            }
        }
    }
}
