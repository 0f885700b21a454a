package io.numashift.guest;

import static io.numashift.guest.GuestAssertions.count;
import static io.numashift.guest.GuestAssertions.movedAsMapped;
import static io.numashift.guest.GuestAssertions.onlyProcess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.numashift.dispatch.ProtocolClient;
import io.numashift.guest.GuestWorkload.Report;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * What a migration must do on a real multi-node kernel, with the real agent process on the Linux
 * backend and real processes ({@link GuestWorkload}), each check made against what the kernel
 * tells: {@code /proc/<pid>/numa_maps}, the node of every page as {@code move_pages(2)} gives it
 * to the process itself, and the kernel's migration counter {@code pgmigrate_success}. Each
 * machine (a subclass) boots one guest for all of its tests; workloads start on node 0, and node
 * 1 has CPU 1.
 */
@Tag("numa-guest")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GuestMigrationTests {
    private @Nullable GuestCluster cluster;

    /** Private pages: each eighth one is never touched. */
    static long touched(long privatePages) {
        return privatePages - privatePages / 8;
    }

    /** The guest's work folder under {@code target/guest/}. */
    abstract String name();

    abstract NumaGuest.Spec machine();

    @BeforeAll
    void boot() throws Exception {
        cluster = GuestCluster.start(name(), machine());
    }

    @AfterAll
    void shutdown() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    GuestCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("the guest did not boot");
        }
        return cluster;
    }

    /** A node without room for {@link #tooLargeForSmallNode()} private pages, and the only target. */
    abstract int smallNode();

    abstract long tooLargeForSmallNode();

    @Test
    void pagesMoveFromTheOldNodeToTheNewOneAndTheResultMatchesTheKernel() {
        try (GuestWorkload workload = GuestWorkload.start(
                cluster().guest(), "move", "--membind=0", "--private", "16384", "--shared", "1024")) {
            Migration m = migrate(workload, """
                    "oldNodes": [0], "newNodes": [1]""");
            JsonNode process = m.process();

            GuestAssertions.placementsMatch(process, m.mapsBefore(), m.mapsAfter());
            movedAsMapped(m.before().nodes("private"), m.after().nodes("private"), Map.of(0, 1));
            movedAsMapped(m.before().nodes("shared"), m.after().nodes("shared"), Map.of(0, 1));
            assertThat(count(m.after().nodes("private"))).isEqualTo(Map.of(-2, 16384L / 8, 1, touched(16384)));
            assertThat(m.after().verify()).isEqualTo("OK");
            assertThat(process.get("pagesMoved").asLong())
                    .as("pages moved, by the result and by the kernel's pgmigrate_success")
                    .isEqualTo(m.kernelMoved())
                    .isGreaterThanOrEqualTo(touched(16384) + 1024);
            assertThat(process.get("moves").toString())
                    .isEqualTo("[{\"from\":0,\"to\":1,\"pages\":%d}]"
                            .formatted(process.get("pagesMoved").asLong()));
            assertThat(process.get("pagesNotPresent").asLong()).isGreaterThanOrEqualTo(16384 / 8);
            assertThat(process.get("pagesLeftOnOldNodes").asLong()).isZero();
            // Library code that other processes map too stays, skipped as shared.
            assertThat(m.mapsAfter().total().getOrDefault(0, 0L))
                    .isEqualTo(process.path("pagesSkipped").path("SHARED").asLong());
            assertThat(m.job().get("state").asString()).as("%s", m.job()).isEqualTo("SUCCEEDED");
        }
    }

    @Test
    void aTargetWithoutRoomFailsEnomemAndRollbackPutsEveryPageBack() {
        long pages = tooLargeForSmallNode();
        try (GuestWorkload workload =
                GuestWorkload.start(cluster().guest(), "enomem", "--membind=0", "--private", Long.toString(pages))) {
            Migration m = migrate(workload, """
                    "oldNodes": [0], "newNodes": [%d], "options": {"onFailure": "ROLLBACK"}""".formatted(smallNode()));
            JsonNode process = m.process();

            assertThat(process.get("status").asString()).as("%s", process).isEqualTo("FAILED");
            assertThat(process.get("errno").asString()).isEqualTo("ENOMEM");
            assertThat(process.path("pagesFailed").path("ENOMEM").asLong()).isPositive();
            long moved = process.get("pagesMoved").asLong();
            assertThat(moved).as("pages that fitted before the node ran out").isPositive();
            assertThat(process.get("rolledBack").asLong()).isEqualTo(moved);
            assertThat(process.get("rollbackFailed").asLong()).isZero();
            assertThat(m.kernelMoved())
                    .as("the kernel's count: each page there and back")
                    .isEqualTo(2 * moved);
            movedAsMapped(m.before().nodes("private"), m.after().nodes("private"), Map.of());
            assertThat(m.after().verify()).isEqualTo("OK");
            assertThat(m.job().get("failures").toString()).contains("ENOMEM");
        }
    }

    @Test
    void sharedPagesStayWithoutMoveSharedAndMoveWithIt() {
        try (GuestWorkload workload = GuestWorkload.start(
                cluster().guest(), "shared", "--membind=0", "--private", "2048", "--shared", "2048", "--sharer")) {
            Report before = workload.report();

            JsonNode kept = onlyProcess(cluster().migrate(List.of(workload.pid()), """
                    "oldNodes": [0], "newNodes": [1]"""));
            Report afterKept = workload.report();
            JsonNode moved = onlyProcess(cluster().migrate(List.of(workload.pid()), """
                    "oldNodes": [0], "newNodes": [1], "options": {"moveShared": true}"""));
            Report afterMoved = workload.report();

            assertThat(kept.path("pagesSkipped").path("SHARED").asLong())
                    .as("%s", kept)
                    .isGreaterThanOrEqualTo(2048);
            movedAsMapped(before.nodes("shared"), afterKept.nodes("shared"), Map.of());
            movedAsMapped(before.nodes("private"), afterKept.nodes("private"), Map.of(0, 1));
            assertThat(vmaOf(kept, workload.region("shared").start())
                            .get("reason")
                            .asString())
                    .isEqualTo("SHARED");
            assertThat(moved.get("pagesMoved").asLong()).as("%s", moved).isGreaterThanOrEqualTo(2048);
            movedAsMapped(before.nodes("shared"), afterMoved.nodes("shared"), Map.of(0, 1));
            assertThat(afterMoved.verify()).isEqualTo("OK");
            assertThat(cluster().guest().run("kill -0 " + workload.sharerPid()).status())
                    .as("the sharer outside the job still runs")
                    .isZero();
        }
    }

    @Test
    void aFileMarkedMigrateNoneStaysWhereItIs() throws Exception {
        Path file = cluster().guest().work().resolve("marked-none.bin");
        Files.write(file, new byte[0]);
        Files.getFileAttributeView(file, UserDefinedFileAttributeView.class)
                .write("numashift.migrate", ByteBuffer.wrap("none".getBytes(StandardCharsets.UTF_8)));
        try (GuestWorkload workload = GuestWorkload.start(
                cluster().guest(), "xattr", "--membind=0", "--private", "2048", "--file", file.toString(), "512")) {
            Report before = workload.report();

            JsonNode process = onlyProcess(cluster().migrate(List.of(workload.pid()), """
                    "oldNodes": [0], "newNodes": [1]"""));

            Report after = workload.report();
            JsonNode vma = vmaOf(process, workload.region("file").start());
            assertThat(vma.get("maps").asString())
                    .as("a shared mapping: its shared object")
                    .startsWith("shared:");
            assertThat(vma.get("action").asString()).isEqualTo("SKIPPED");
            assertThat(vma.get("reason").asString()).isEqualTo("XATTR_NONE");
            assertThat(process.path("pagesSkipped").path("XATTR_NONE").asLong()).isEqualTo(512);
            assertThat(count(before.nodes("file"))).isEqualTo(Map.of(0, 512L));
            movedAsMapped(before.nodes("file"), after.nodes("file"), Map.of());
            movedAsMapped(before.nodes("private"), after.nodes("private"), Map.of(0, 1));
            assertThat(after.verify()).isEqualTo("OK");
        }
    }

    @Test
    void suspendStopsTheProcessForTheMigrationAndResumesIt() {
        try (GuestWorkload workload =
                GuestWorkload.start(cluster().guest(), "suspend", "--membind=0", "--private", "32768")) {
            Report before = workload.report();

            String id = cluster().submit(List.of(workload.pid()), """
                    "oldNodes": [0], "newNodes": [1], "options": {"suspend": true, "verify": "CONTENT"}""");
            Set<String> states = new TreeSet<>();
            JsonNode job = await("job " + id)
                    .atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ZERO)
                    .until(
                            () -> {
                                states.add(workload.state());
                                return cluster().job(id);
                            },
                            ProtocolClient::ended);

            JsonNode process = onlyProcess(job);
            assertThat(states).as("states seen while the job ran").contains("T");
            assertThat(workload.state()).as("resumed").isNotEqualTo("T");
            Report after = workload.report();
            assertThat(after.verify()).isEqualTo("OK");
            movedAsMapped(before.nodes("private"), after.nodes("private"), Map.of(0, 1));
            assertThat(process.get("contentDigestAfter").asString())
                    .as("nothing changed the stopped process's memory")
                    .isEqualTo(process.get("contentDigestBefore").asString());
            assertThat(job.get("state").asString()).as("%s", job).isEqualTo("SUCCEEDED");
        }
    }

    @Test
    void theProcessKeepsRunningAndAllocatingWhileItIsMigrated() {
        long growth = 32768;
        try (GuestWorkload workload = GuestWorkload.start(
                cluster().guest(),
                "growing",
                "--cpunodebind=0",
                "--private",
                "8192",
                "--grow",
                Long.toString(growth))) {
            Report before = workload.report();
            workload.grow();
            String id = cluster().submit(List.of(workload.pid()), """
                    "oldNodes": [0], "newNodes": [1], "options": {"migrateCpus": true}""");
            List<Long> grownWhileRunning = new ArrayList<>();
            JsonNode job = await("job " + id)
                    .atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofMillis(100))
                    .until(
                            () -> {
                                JsonNode j = cluster().job(id);
                                if (j.get("state").asString().equals("RUNNING")) {
                                    grownWhileRunning.add(workload.report().grown());
                                }
                                return j;
                            },
                            ProtocolClient::ended);
            Report done = await("growth done")
                    .atMost(Duration.ofMinutes(2))
                    .until(workload::report, r -> r.grown() == growth);

            JsonNode process = onlyProcess(job);
            assertThat(grownWhileRunning).as("pages written while the job ran").hasSizeGreaterThanOrEqualTo(2);
            assertThat(grownWhileRunning.getLast()).isGreaterThan(grownWhileRunning.getFirst());
            assertThat(process.get("warnings").toString()).doesNotContain("CPU_ON_OLD_NODE");
            movedAsMapped(before.nodes("private"), done.nodes("private"), Map.of(0, 1));
            assertThat(count(done.nodes("grown")))
                    .as("pages written before, during and after the migration: all on the new node")
                    .isEqualTo(Map.of(1, growth));
            assertThat(process.get("pagesLeftOnOldNodes").asLong()).isZero();
            assertThat(done.verify()).isEqualTo("OK");
            assertThat(job.get("state").asString()).as("%s", job).isEqualTo("SUCCEEDED");
        }
    }

    /**
     * What the workload, its {@code numa_maps} and the kernel's migration counter said just before
     * and just after one job for the workload.
     *
     * @param kernelMoved pages the kernel migrated meanwhile ({@code pgmigrate_success})
     */
    record Migration(
            Report before,
            GuestNumaMaps mapsBefore,
            JsonNode job,
            long kernelMoved,
            GuestNumaMaps mapsAfter,
            Report after) {
        /** The job's one process. */
        JsonNode process() {
            return onlyProcess(job);
        }
    }

    /** Runs a job for the workload ({@code body}: its fields after {@code targets}) until it ends. */
    Migration migrate(GuestWorkload workload, String body) {
        Report before = workload.report();
        GuestNumaMaps mapsBefore = workload.numaMaps();
        long counted = cluster().vmstat("pgmigrate_success");
        JsonNode job = cluster().migrate(List.of(workload.pid()), body);
        long kernelMoved = cluster().vmstat("pgmigrate_success") - counted;
        GuestNumaMaps mapsAfter = workload.numaMaps();
        return new Migration(before, mapsBefore, job, kernelMoved, mapsAfter, workload.report());
    }

    static JsonNode vmaOf(JsonNode process, long start) {
        String hex = "0x" + Long.toHexString(start);
        for (JsonNode vma : process.get("vmas")) {
            if (vma.get("start").asString().equals(hex)) {
                return vma;
            }
        }
        throw new AssertionError("no VMA at " + hex + " in " + process.get("vmas"));
    }
}
