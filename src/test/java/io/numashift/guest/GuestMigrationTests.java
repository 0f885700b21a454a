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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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

    @Test
    void pagesAnotherToolMovesMeanwhileAreSkippedAsMovedByKernelAndTheCountsAddUp() {
        try (GuestWorkload workload =
                GuestWorkload.start(cluster().guest(), "moved-meanwhile", "--membind=0", "--private", "16384")) {
            // Capped at 4 MiB/s, the 14,336 written pages take about 14 s to move.
            String id = cluster().submit(List.of(workload.pid()), """
                    "oldNodes": [0], "newNodes": [1], "options": {"maxMiBPerSecond": 4}""");
            await("job " + id + " moving pages")
                    .atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(100))
                    .until(
                            () -> cluster().job(id),
                            j -> j.path("progress").path("pagesMoved").asLong() > 0);
            // The kernel moves the rest at once, under numashift's feet.
            cluster().guest().run("migratepages " + workload.pid() + " 0 1").ok();
            JsonNode job = await("job " + id)
                    .atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster().job(id), ProtocolClient::ended);

            JsonNode process = onlyProcess(job);
            Report after = workload.report();
            // A page that the other tool holds in its own migration when numashift tries it, and
            // that is not off the LRU lists then, is refused EBUSY as a pinned page is; the other
            // tool moves it right after (docs/design.md). Such a page, and no other failure, makes
            // the process PARTIAL; seen for one page in some runs.
            long busy = process.path("pagesFailed").path("EBUSY").asLong();
            assertThat(process.path("pagesFailed").size()).as("%s", process).isLessThanOrEqualTo(busy > 0 ? 1 : 0);
            assertThat(busy)
                    .as("%s", process)
                    .isLessThanOrEqualTo(process.get("pagesScanned").asLong() / 1000);
            assertThat(process.get("status").asString())
                    .as("%s", process)
                    .isEqualTo(busy > 0 ? "PARTIAL" : "SUCCEEDED");
            assertThat(process.path("pagesSkipped").path("MOVED_BY_KERNEL").asLong())
                    .as("pages the kernel moved first, in %s", process)
                    .isPositive();
            assertThat(process.get("pagesMoved").asLong()).isPositive();
            GuestAssertions.countsAddUp(process, Set.of(0));
            assertThat(process.get("pagesLeftOnOldNodes").asLong()).isZero();
            assertThat(count(after.nodes("private"))).isEqualTo(Map.of(-2, 16384L / 8, 1, touched(16384)));
            assertThat(after.verify()).isEqualTo("OK");
        }
    }

    /**
     * {@code newCpuset} on the guest's cgroup version ({@link NumaGuest.Spec#cgroup()}). In v1 the
     * process enters the cpuset and numashift moves its pages; in v2 the kernel moves the memory
     * itself as the process enters (v2 cpusets always migrate memory), and the result counts those
     * pages as {@code MOVED_BY_KERNEL}, with the placement from before the entry.
     */
    @Test
    void newCpusetTakesTheProcessIntoTheCpusetAndItsPagesEndOnTheNewNode() {
        boolean v2 = machine().cgroup() == 2;
        String dir = v2 ? "/sys/fs/cgroup/numashift-job" : "/sys/fs/cgroup/cpuset/numashift-job";
        cluster()
                .guest()
                .run("mkdir " + dir + " && echo 1 > " + dir + "/cpuset.mems && echo 1 > " + dir + "/cpuset.cpus")
                .ok();
        try (GuestWorkload workload =
                GuestWorkload.start(cluster().guest(), "cpuset", "--cpunodebind=0", "--private", "8192")) {
            Migration m = migrate(workload, """
                    "oldNodes": [0], "newNodes": [1], "options": {"newCpuset": "/numashift-job"}""");
            JsonNode process = m.process();
            long byKernel = process.path("pagesSkipped").path("MOVED_BY_KERNEL").asLong();

            assertThat(count(m.before().nodes("private"))).containsEntry(0, touched(8192));
            movedAsMapped(m.before().nodes("private"), m.after().nodes("private"), Map.of(0, 1));
            assertThat(cluster()
                            .guest()
                            .run("cat /proc/" + workload.pid() + "/cgroup")
                            .ok())
                    .contains(":/numashift-job");
            assertThat(GuestAssertions.placement(process.get("placementBefore")))
                    .as("the placement before the process entered the cpuset")
                    .isEqualTo(m.mapsBefore().total());
            GuestAssertions.countsAddUp(process, Set.of(0));
            if (v2) {
                assertThat(byKernel)
                        .as("moved by the kernel on entry: %s", process)
                        .isGreaterThanOrEqualTo(touched(8192));
                // The kernel counts a page once; the result counts it in each VMA that maps it (the
                // static binary maps the file page between two of its segments twice).
                assertThat(byKernel + process.get("pagesMoved").asLong())
                        .as("moved by the kernel and by numashift, against pgmigrate_success: %s", process)
                        .isBetween(m.kernelMoved(), m.kernelMoved() + 4);
            } else {
                assertThat(byKernel).as("%s", process).isZero();
                assertThat(process.get("pagesMoved").asLong())
                        .isEqualTo(m.kernelMoved())
                        .isGreaterThanOrEqualTo(touched(8192));
            }
            assertThat(process.get("pagesLeftOnOldNodes").asLong()).isZero();
            assertThat(m.after().verify()).isEqualTo("OK");
            assertThat(m.job().get("state").asString()).as("%s", m.job()).isEqualTo("SUCCEEDED");
        } finally {
            cluster().guest().run("rmdir " + dir + " 2>/dev/null; true");
        }
    }

    @Test
    void aRateCapHoldsTheMovesWithinTenPercentOfIt() {
        try (GuestWorkload workload =
                GuestWorkload.start(cluster().guest(), "capped", "--membind=0", "--private", "16384")) {
            JsonNode job = cluster().migrate(List.of(workload.pid()), """
                    "oldNodes": [0], "newNodes": [1], "options": {"maxMiBPerSecond": 8}""");

            JsonNode process = onlyProcess(job);
            double mib = process.get("pagesMoved").asLong() * 4096.0 / (1 << 20);
            double seconds = Duration.between(
                                    Instant.parse(job.get("startedAt").asString()),
                                    Instant.parse(job.get("finishedAt").asString()))
                            .toMillis()
                    / 1000.0;
            assertThat(job.get("state").asString()).as("%s", job).isEqualTo("SUCCEEDED");
            assertThat(mib).isGreaterThan(50);
            assertThat(process.get("mibPerSecond").asDouble()).as("%s", process).isBetween(7.2, 8.8);
            assertThat(mib / seconds)
                    .as("MiB a second over the whole job, by the service's clock")
                    .isLessThan(8.8);
            assertThat(process.get("cpuSeconds").asDouble())
                    .as("the agent's CPU time for the migration, a real thread's")
                    .isPositive();
            assertThat(workload.report().verify()).isEqualTo("OK");
        }
    }

    @Test
    void transparentHugePagesMoveWholeAndAreCountedInBasePages() {
        NumaGuest guest = cluster().guest();
        guest.run("echo always > /sys/kernel/mm/transparent_hugepage/enabled").ok();
        try (GuestWorkload workload = GuestWorkload.start(guest, "huge", "--membind=0", "--private", "16384")) {
            long hugeBefore = anonHugePagesKiB(workload);
            long thpMigrated = cluster().vmstat("thp_migration_success");

            Migration m = migrate(workload, """
                    "oldNodes": [0], "newNodes": [1]""");

            JsonNode process = m.process();
            assertThat(hugeBefore)
                    .as("the workload's memory is backed by 2 MiB pages")
                    .isGreaterThanOrEqualTo(16 * 2048);
            assertThat(cluster().vmstat("thp_migration_success") - thpMigrated)
                    .as("huge pages the kernel moved whole")
                    .isGreaterThanOrEqualTo(16);
            assertThat(anonHugePagesKiB(workload))
                    .as("still huge after the move")
                    .isEqualTo(hugeBefore);
            // Counts are in base pages, as numa_maps counts them: a huge page is 512 of them, the
            // never-written eighth pages inside it included.
            GuestAssertions.placementsMatch(process, m.mapsBefore(), m.mapsAfter());
            assertThat(process.get("pagesMoved").asLong()).isGreaterThanOrEqualTo(hugeBefore / 4);
            assertThat(count(m.after().nodes("private"))).doesNotContainKey(0);
            assertThat(process.get("pagesLeftOnOldNodes").asLong()).isZero();
            assertThat(m.after().verify()).isEqualTo("OK");
            assertThat(m.job().get("state").asString()).as("%s", m.job()).isEqualTo("SUCCEEDED");
        } finally {
            guest.run("echo never > /sys/kernel/mm/transparent_hugepage/enabled")
                    .ok();
        }
    }

    /**
     * Huge pages moved onto a node until it has no room, with rollback. Near the end the target
     * has free base pages but no free 2 MiB block: the kernel splits the huge page it cannot place
     * whole ({@code thp_migration_split}) and moves its base pages, until even they find no room
     * ({@code ENOMEM}); the counts, in base pages, add up, and the rollback brings every page it
     * moved back.
     */
    @Test
    void hugePagesThatFillTheTargetAreSplitAsTheKernelDoesAndRollbackBringsEveryPageBack() {
        NumaGuest guest = cluster().guest();
        guest.run("echo always > /sys/kernel/mm/transparent_hugepage/enabled").ok();
        long pages = tooLargeForSmallNode();
        try (GuestWorkload workload =
                GuestWorkload.start(guest, "huge-enomem", "--membind=0", "--private", Long.toString(pages))) {
            long hugeBefore = anonHugePagesKiB(workload);
            long moveWhole = cluster().vmstat("thp_migration_success");
            long split = cluster().vmstat("thp_migration_split");

            Migration m = migrate(workload, """
                    "oldNodes": [0], "newNodes": [%d], "options": {"onFailure": "ROLLBACK"}""".formatted(smallNode()));

            JsonNode process = m.process();
            long moved = process.get("pagesMoved").asLong();
            String counters = "thp_migration_success +%d, thp_migration_split +%d, AnonHugePages %d -> %d kB: %s"
                    .formatted(
                            cluster().vmstat("thp_migration_success") - moveWhole,
                            cluster().vmstat("thp_migration_split") - split,
                            hugeBefore,
                            anonHugePagesKiB(workload),
                            process);
            assertThat(hugeBefore).as("backed by huge pages").isGreaterThanOrEqualTo(pages * 4 / 2);
            assertThat(process.get("status").asString()).as(counters).isEqualTo("FAILED");
            assertThat(process.get("errno").asString()).isEqualTo("ENOMEM");
            assertThat(cluster().vmstat("thp_migration_success") - moveWhole)
                    .as("huge pages moved whole: %s", counters)
                    .isPositive();
            assertThat(cluster().vmstat("thp_migration_split") - split)
                    .as("huge pages that found no 2 MiB block were split: %s", counters)
                    .isPositive();
            assertThat(moved).as(counters).isGreaterThan(512);
            GuestAssertions.countsAddUp(process, Set.of(0));
            assertThat(process.get("rolledBack").asLong()).as(counters).isEqualTo(moved);
            assertThat(process.get("rollbackFailed").asLong()).isZero();
            // Every page the migration moved is back, as the result says, including the pages of
            // split huge pages that the kernel moved without being asked (docs/design.md). Not
            // explained yet: in the two-node guest one page of the heap (of some 98,000) stays on
            // the target in most runs; allowed here up to 0.1 % of the pages moved.
            long left = process.path("placementAfter")
                    .path(Integer.toString(smallNode()))
                    .asLong();
            assertThat(left)
                    .as(
                            "pages left on the target: %s\nnuma_maps:\n%s",
                            counters,
                            guest.run("grep N%d= /proc/%d/numa_maps".formatted(smallNode(), workload.pid()))
                                    .out())
                    .isLessThanOrEqualTo(moved / 1000);
            assertThat(count(m.after().nodes("private")).getOrDefault(0, 0L))
                    .as("private pages back on node 0: %s", counters)
                    .isGreaterThanOrEqualTo(count(m.before().nodes("private")).get(0) - left);
            GuestAssertions.placementsMatch(process, m.mapsBefore(), m.mapsAfter());
            assertThat(m.after().verify()).isEqualTo("OK");
        } finally {
            guest.run("echo never > /sys/kernel/mm/transparent_hugepage/enabled")
                    .ok();
        }
    }

    @Test
    void pagesPinnedByIoUringFailEbusyOneByOneAndTheRestMove() {
        try (GuestWorkload workload =
                GuestWorkload.start(cluster().guest(), "pinned", "--membind=0", "--private", "4096", "--pin", "256")) {
            Migration m = migrate(workload, """
                    "oldNodes": [0], "newNodes": [1]""");

            JsonNode process = m.process();
            int[] after = m.after().nodes("private");
            assertThat(process.get("status").asString()).as("%s", process).isEqualTo("PARTIAL");
            assertThat(process.path("pagesFailed").path("EBUSY").asLong())
                    .as("the io_uring buffer's pages, each reported")
                    .isEqualTo(256);
            assertThat(count(Arrays.copyOfRange(after, 0, 256))).isEqualTo(Map.of(0, 256L));
            movedAsMapped(
                    Arrays.copyOfRange(m.before().nodes("private"), 256, 4096),
                    Arrays.copyOfRange(after, 256, 4096),
                    Map.of(0, 1));
            GuestAssertions.countsAddUp(process, Set.of(0));
            assertThat(process.get("pagesLeftOnOldNodes").asLong()).isZero();
            assertThat(m.after().verify()).isEqualTo("OK");
            assertThat(m.job().get("state").asString()).isEqualTo("PARTIALLY_FAILED");
        }
    }

    private long anonHugePagesKiB(GuestWorkload workload) {
        String line = cluster()
                .guest()
                .run("grep AnonHugePages /proc/" + workload.pid() + "/smaps_rollup")
                .ok();
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    @Test
    void withNumaBalancingOnAProcessTouchingItsMemoryFromBothNodesIsMigratedAndEveryPageAccounted() {
        NumaGuest guest = cluster().guest();
        guest.run("echo 1 > /proc/sys/kernel/numa_balancing").ok();
        long hintFaults = cluster().vmstat("numa_hint_faults");
        // Default policy, first touch on node 0; one thread reads all of it from node 0's CPU 0,
        // one from node 1's CPU 1.
        try (GuestWorkload workload = GuestWorkload.start(
                guest, "balancing", "--cpunodebind=0", "--private", "16384", "--touch", "0", "--touch", "1")) {
            String id = cluster().submit(List.of(workload.pid()), """
                    "oldNodes": [0], "newNodes": [1], "options": {"maxMiBPerSecond": 8}""");
            JsonNode job = await("job " + id)
                    .atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster().job(id), ProtocolClient::ended);

            JsonNode process = onlyProcess(job);
            Report after = workload.report();
            assertThat(cluster().vmstat("numa_hint_faults"))
                    .as("NUMA balancing saw the touching threads")
                    .isGreaterThan(hintFaults);
            assertThat(after.touched()).isPositive();
            // Balancing may pull pages back to node 0 for the thread there, after they moved: the
            // read-back reports them, and the process is PARTIAL; it never fails the task.
            assertThat(process.get("status").asString()).as("%s", process).isIn("SUCCEEDED", "PARTIAL");
            assertThat(process.get("pagesMoved").asLong()).isPositive();
            // Every page is accounted but a few: on four nodes about 100 of 14,568 pages (0.7 %) are
            // read as not present when their move comes and count in pagesNotPresent, though the
            // read-back finds them; not understood yet (docs/design.md).
            long scanned = process.get("pagesScanned").asLong();
            assertThat(GuestAssertions.accounted(process, Set.of(0)))
                    .as("moved + skipped + failed + stayed, in %s", process)
                    .isBetween(scanned - scanned / 100, scanned);
            assertThat(after.verify()).isEqualTo("OK");
        } finally {
            guest.run("echo 0 > /proc/sys/kernel/numa_balancing").ok();
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
