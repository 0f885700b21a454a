package io.numashift.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.numashift.core.JobScope;
import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationMonitor;
import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationRequest;
import io.numashift.core.MigrationResult;
import io.numashift.core.MigrationResult.VmaAction;
import io.numashift.core.MigrationResult.VmaOutcome;
import io.numashift.core.MigrationStatus;
import io.numashift.core.SkipReason;
import io.numashift.core.Verify;
import io.numashift.core.backend.BackendException;
import io.numashift.core.backend.Census;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.MemoryPolicy;
import io.numashift.core.backend.MoveLog;
import io.numashift.core.backend.MovePass;
import io.numashift.core.backend.PageSet;
import io.numashift.core.backend.PolicyMode;
import io.numashift.core.backend.Vma;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Linux backend against this machine's kernel (one NUMA node, node 0), with a real child
 * process that touched known pages. What a single node cannot show (pages moving between nodes,
 * {@code -EBUSY}, {@code -EACCES}, {@code ENOMEM}) is left to a multi-node machine.
 */
class LinuxBackendTest {
    private static LinuxBackend backend;
    private static int pageSize;

    private TouchedMemoryChild child;

    @BeforeAll
    static void openBackend() {
        assumeTrue(Files.isDirectory(Path.of("/sys/devices/system/node")), "needs a Linux kernel with NUMA in /sys");
        backend = LinuxBackend.open("this-host");
        pageSize = backend.topology().pageSize();
    }

    @BeforeEach
    void startChild() throws IOException, InterruptedException {
        child = TouchedMemoryChild.start();
    }

    @AfterEach
    void endChild() throws IOException, InterruptedException {
        child.close();
    }

    @Test
    void readsBackThatTouchedPagesAreOnNodeZeroAndUntouchedOnesAreNotPresent() {
        Vma anon = vmaAt(child.anonStart);
        long first = (child.anonStart - anon.start()) / pageSize;
        PageSet resident = new PageSet(anon.pages(pageSize));
        Census census = new Census(1, null, resident, null, null);

        backend.census(child.pid(), anon, first, first + TouchedMemoryChild.ANON_PAGES, census);

        assertThat(census.onNode[0]).isEqualTo(TouchedMemoryChild.touchedCount());
        assertThat(census.notPresent).isEqualTo(TouchedMemoryChild.ANON_PAGES - TouchedMemoryChild.touchedCount());
        for (int page = 0; page < TouchedMemoryChild.ANON_PAGES; page++) {
            assertThat(resident.get(first + page)).as("page %d", page).isEqualTo(TouchedMemoryChild.touched(page));
        }
        assertThat(residentOnNodeZero(child.sharedStart, TouchedMemoryChild.SHARED_PAGES))
                .isEqualTo(TouchedMemoryChild.SHARED_PAGES);
        assertThat(residentOnNodeZero(child.fileStart, TouchedMemoryChild.FILE_PAGES))
                .isEqualTo(TouchedMemoryChild.FILE_PAGES);
    }

    @Test
    void pagesOnCountsAProcesssPagesOnNodesAsNumaMapsDoesAndEveryProcessIsListed() {
        long written =
                TouchedMemoryChild.touchedCount() + TouchedMemoryChild.SHARED_PAGES + TouchedMemoryChild.FILE_PAGES;

        assertThat(backend.pagesOn(child.pid(), Set.of(0))).isGreaterThanOrEqualTo(written);
        assertThat(backend.pagesOn(child.pid(), Set.of(1, 7)))
                .as("this machine has node 0 alone")
                .isZero();
        assertThat(backend.pids())
                .contains(child.pid(), (int) ProcessHandle.current().pid())
                .isSorted();
    }

    @Test
    void sharedMappingsHaveOneIdentityThatFindsEveryProcessMappingThem() {
        Vma anon = vmaAt(child.anonStart);
        Vma shared = vmaAt(child.sharedStart);
        Vma file = vmaAt(child.fileStart);

        assertThat(anon.sharedObject()).isNull();
        assertThat(shared.sharedObject()).startsWith("shared:");
        assertThat(shared.file()).as("anonymous shared memory has no path").isNull();
        assertThat(file.file()).isEqualTo(child.file().toString());
        assertThat(file.sharedObject()).startsWith("shared:").isNotEqualTo(shared.sharedObject());
        assertThat(file.perms()).isEqualTo("rw-");
        assertThat(backend.pidsMapping(shared.sharedObject())).containsExactly(child.pid());
        assertThat(backend.pidsMapping(file.sharedObject())).containsExactly(child.pid());
    }

    @Test
    void migrationWithinNodeZeroSucceedsMovesNothingAndLeavesMemoryIntact() {
        MigrationResult result = migrate(List.of(0), List.of(0), MigrationOptions.DEFAULTS.withVerify(Verify.CONTENT));

        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(result.pagesMoved()).isZero();
        assertThat(result.pagesScanned())
                .isGreaterThanOrEqualTo(TouchedMemoryChild.touchedCount()
                        + TouchedMemoryChild.SHARED_PAGES
                        + TouchedMemoryChild.FILE_PAGES);
        assertThat(result.contentDigestAfter()).isEqualTo(result.contentDigestBefore());
        assertThat(outcomeAt(result, child.sharedStart).action()).isEqualTo(VmaAction.MIGRATED);
        assertThat(child.verify()).isEqualTo("OK");
    }

    @Test
    void theFileMarkedNoneIsSkippedWithXattrNone() throws IOException {
        MigrationResult result = migrate(List.of(0), List.of(0), MigrationOptions.DEFAULTS);

        VmaOutcome file = outcomeAt(result, child.fileStart);
        assertThat(file.action()).isEqualTo(VmaAction.SKIPPED);
        assertThat(file.reason()).isEqualTo(SkipReason.XATTR_NONE);
        assertThat(file.end() - file.start()).isEqualTo((long) TouchedMemoryChild.FILE_PAGES * pageSize);
        assertThat(backend.file(child.file().toString()).migrate()).isEqualTo("none");
        assertThat(backend.file("/proc/self/status").migrate())
                .as("no attribute")
                .isNull();
    }

    @Test
    void migrationToNodeOneFailsWithEnodevAndChangesNothing() {
        String digest = digestOfTouchedPages();

        MigrationResult result = migrate(List.of(0), List.of(1), MigrationOptions.DEFAULTS);

        assertThat(result.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(result.errno()).isEqualTo(Errno.ENODEV);
        assertThat(digestOfTouchedPages()).isEqualTo(digest);
        assertThat(child.verify()).isEqualTo("OK");
    }

    @Test
    void movingPagesToANodeWithoutMemoryFailsWithEnodev() {
        Vma anon = vmaAt(child.anonStart);
        long first = (child.anonStart - anon.start()) / pageSize;
        PageSet pending = new PageSet(anon.pages(pageSize));
        pending.set(first, first + 3);
        MovePass pass = new MovePass(2, pending);
        pass.target[0] = 1;
        pass.quota[0] = 3;

        assertErrno(() -> backend.movePass(child.pid(), anon, first, first + 3, pass), Errno.ENODEV);
    }

    @Test
    void movePassSettlesPendingPagesUpToTheQuotaAndLogsThem() {
        Vma anon = vmaAt(child.anonStart);
        long first = (child.anonStart - anon.start()) / pageSize;
        long last = first + TouchedMemoryChild.ANON_PAGES;
        PageSet pending = new PageSet(anon.pages(pageSize));
        Census census = new Census(1, new boolean[] {true}, null, pending, null);
        backend.census(child.pid(), anon, first, last, census);
        // Node 0 to node 0: the kernel reports each page on its target, which is what a move looks like.
        MovePass pass = new MovePass(1, pending);
        pass.target[0] = 0;
        pass.quota[0] = 10;
        pass.log = new MoveLog();

        long stop = backend.movePass(child.pid(), anon, first, last, pass);

        // Pages 0, 1, 2, 4, 5, 6, 8, 9, 10, 12 are the first ten touched: the pass stops after page 12.
        assertThat(stop).isEqualTo(first + 13);
        assertThat(pass.movedFrom[0]).isEqualTo(10);
        assertThat(pass.quota[0]).isZero();
        assertThat(pending.count()).isEqualTo(TouchedMemoryChild.touchedCount() - 10);
        long logged = 0;
        for (int i = 0; i < pass.log.size(); i++) {
            logged += pass.log.count(i);
        }
        assertThat(logged).isEqualTo(10);

        pass.quota[0] = Long.MAX_VALUE;
        pass.resetCall();
        assertThat(backend.movePass(child.pid(), anon, stop, last, pass)).isEqualTo(last);
        assertThat(pending.count()).isZero();
        assertThat(child.verify()).isEqualTo("OK");
    }

    @Test
    void theDigestFollowsTheContentOfThePages() {
        String before = digestOfTouchedPages();
        assertThat(digestOfTouchedPages()).isEqualTo(before);

        child.poke(5);

        assertThat(digestOfTouchedPages()).isNotEqualTo(before);
    }

    @Test
    void anExitedProcessIsGoneWithEsrch() throws InterruptedException {
        Vma anon = vmaAt(child.anonStart);
        int pid = child.pid();
        child.exit();

        assertThat(backend.process(pid)).isEmpty();
        MigrationResult result = migrate(List.of(0), List.of(0), MigrationOptions.DEFAULTS);
        assertThat(result.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(result.errno()).isEqualTo(Errno.ESRCH);
        assertErrno(() -> backend.vmas(pid), Errno.ESRCH);
        assertErrno(() -> backend.census(pid, anon, 0, 1, new Census(1, null, null, null, null)), Errno.ESRCH);
        assertErrno(() -> backend.stop(pid), Errno.ESRCH);
        assertErrno(() -> backend.moveToCpu(pid, 0), Errno.ESRCH);
    }

    @Test
    void aSuspendedMigrationStopsTheProcessAndResumesIt() throws IOException {
        List<Character> statesWhileMigrating = new ArrayList<>();
        MigrationMonitor monitor = new MigrationMonitor() {
            @Override
            public void progress(int pid, long pagesDone, long pagesToMove) {
                statesWhileMigrating.add(state(pid));
            }

            @Override
            public boolean cancelRequested() {
                return false;
            }
        };
        MigrationRequest request = MigrationRequest.of(child.pid(), List.of(0), List.of(0))
                .withOptions(MigrationOptions.DEFAULTS.withSuspend(true));

        MigrationResult result = new MigrationEngine(backend).migrate(request, JobScope.single(child.pid()), monitor);

        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(statesWhileMigrating).isNotEmpty().containsOnly('T');
        await().atMost(Duration.ofSeconds(5)).until(() -> state(child.pid()) != 'T');
        assertThat(state(child.pid())).isIn('S', 'R');
        assertThat(child.verify()).isEqualTo("OK");
    }

    @Test
    void aProcessStoppedBeforeTheJobStaysStopped() {
        backend.stop(child.pid());
        await().atMost(Duration.ofSeconds(5)).until(() -> state(child.pid()) == 'T');

        MigrationResult result = migrate(List.of(0), List.of(0), MigrationOptions.DEFAULTS.withSuspend(true));

        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(state(child.pid())).isEqualTo('T');
        backend.resume(child.pid());
        await().atMost(Duration.ofSeconds(5)).until(() -> state(child.pid()) != 'T');
    }

    @Test
    void thePolicyOfAnotherProcessCannotBeSetAndTheErrorSaysWhy() {
        MemoryPolicy bind = new MemoryPolicy(PolicyMode.BIND, List.of(0));

        assertThatThrownBy(() -> backend.setPolicy(child.pid(), bind))
                .isInstanceOfSatisfying(
                        BackendException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP))
                .hasMessageContaining("set_mempolicy");
        assertErrno(
                () -> backend.setVmaPolicy(child.pid(), child.anonStart, child.anonStart + pageSize, bind),
                Errno.EOPNOTSUPP);
        assertThat(backend.process(child.pid()).orElseThrow().policy()).isEqualTo(MemoryPolicy.DEFAULT);
    }

    @Test
    void movingToACpuPinsEveryThreadOfTheProcess() throws IOException {
        int cpu = backend.topology().nodes().getFirst().cpus().getLast();

        backend.moveToCpu(child.pid(), cpu);

        for (String status : taskStatuses(child.pid())) {
            assertThat(status).contains("Cpus_allowed_list:\t" + cpu + "\n");
        }
        assertErrno(() -> backend.moveToCpu(child.pid(), 100_000), Errno.EINVAL);
    }

    @Test
    void movingIntoACpusetWritesItsCgroupAndTheProcessIsSeenThere() throws Exception {
        CpusetHierarchy hierarchy = CpusetHierarchy.detect(Mount.readAll());
        String path = "/numashift-test-" + UUID.randomUUID();
        Path dir = hierarchy.root().resolve(path.substring(1));
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            assumeTrue(false, "cannot create a cgroup under " + hierarchy.root() + ": " + e);
        }
        try {
            if (hierarchy.version() == CpusetHierarchy.Version.V1) {
                // A v1 cpuset starts without mems and cpus, and takes no process until it has some.
                Files.writeString(dir.resolve("cpuset.mems"), "0");
                Files.writeString(dir.resolve("cpuset.cpus"), "0");
            }

            boolean v2 = hierarchy.version() == CpusetHierarchy.Version.V2;
            assertThat(backend.cpusetMovesMemory(path))
                    .as("v2 moves a process's memory as it enters; v1 only with memory_migrate")
                    .isEqualTo(v2);
            if (!v2) {
                Files.writeString(dir.resolve("cpuset.memory_migrate"), "1");
                assertThat(backend.cpusetMovesMemory(path)).isTrue();
            }

            backend.moveToCpuset(child.pid(), path);

            assertThat(backend.pidsInCpuset(path)).containsExactly(child.pid());
            assertThat(backend.process(child.pid()).orElseThrow().cpuset()).isEqualTo(path);
            assertThat(backend.cpuset(path).orElseThrow().mems()).containsExactly(0);
            if (hierarchy.version() == CpusetHierarchy.Version.V1) {
                assertThat(backend.cpuset(path).orElseThrow().cpus()).containsExactly(0);
            }
        } finally {
            child.exit();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> backend.pidsInCpuset(path).isEmpty());
            Files.delete(dir);
        }
    }

    @Test
    void aCpusetThatDoesNotExistIsEmptyAndCannotBeEntered() {
        assertThat(backend.cpuset("/numashift-no-such-cpuset")).isEmpty();
        assertThat(backend.cpuset("/../../etc")).isEmpty();
        assertThat(backend.pidsInCpuset("/numashift-no-such-cpuset")).isEmpty();
        assertErrno(() -> backend.moveToCpuset(child.pid(), "/numashift-no-such-cpuset"), Errno.EINVAL);
    }

    @Test
    void anUnprivilegedBackendIsRefusedAnotherUsersProcessWithEperm() throws Exception {
        assumeTrue(
                Files.readString(Path.of("/proc/self/status")).contains("\nUid:\t0\t"),
                "needs root to start a JVM as the user nobody");
        List<String> asNobody =
                List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all");
        for (Path entry : classPath()) {
            assumeTrue(
                    run(concat(asNobody, List.of("test", "-r", entry.toString())))
                                    .exitCode()
                            == 0,
                    "the user nobody cannot read " + entry);
        }

        Output output = run(concat(
                asNobody,
                probe(List.of("--enable-native-access=ALL-UNNAMED"), "migrate", child.pid(), child.anonStart)));

        assertThat(output.stdout())
                .as("stderr: %s", output.stderr())
                .contains("migration FAILED EPERM", "census EPERM", "stop EPERM");
        assertThat(child.verify()).isEqualTo("OK");
    }

    @Test
    void withoutNativeAccessOpeningTheBackendNamesTheFlagToAdd() throws Exception {
        Output output = run(probe(List.of("--illegal-native-access=deny"), "open"));

        assertThat(output.stdout())
                .as("stderr: %s", output.stderr())
                .startsWith("refused: ")
                .contains("--enable-native-access=ALL-UNNAMED");
    }

    // ---- helpers ----

    private MigrationResult migrate(List<Integer> oldNodes, List<Integer> newNodes, MigrationOptions options) {
        return new MigrationEngine(backend)
                .migrate(MigrationRequest.of(child.pid(), oldNodes, newNodes).withOptions(options));
    }

    private Vma vmaAt(long address) {
        return backend.vmas(child.pid()).stream()
                .filter(v -> v.start() <= address && address < v.end())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no VMA at 0x" + Long.toHexString(address)));
    }

    private static VmaOutcome outcomeAt(MigrationResult result, long address) {
        return result.vmas().stream()
                .filter(v -> v.start() <= address && address < v.end())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no VMA outcome at 0x" + Long.toHexString(address)));
    }

    private long residentOnNodeZero(long start, int pages) {
        Vma vma = vmaAt(start);
        long first = (start - vma.start()) / pageSize;
        Census census = new Census(1, null, null, null, null);
        backend.census(child.pid(), vma, first, first + pages, census);
        return census.onNode[0];
    }

    /** The digest of the touched private pages, as the engine would take it. */
    private String digestOfTouchedPages() {
        Vma anon = vmaAt(child.anonStart);
        long first = (child.anonStart - anon.start()) / pageSize;
        PageSet touched = new PageSet(anon.pages(pageSize));
        for (int page = 0; page < TouchedMemoryChild.ANON_PAGES; page++) {
            if (TouchedMemoryChild.touched(page)) {
                touched.set(first + page);
            }
        }
        return Long.toHexString(
                backend.digest(child.pid(), anon, first, first + TouchedMemoryChild.ANON_PAGES, touched));
    }

    private static void assertErrno(ThrowingCallable call, Errno errno) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        BackendException.class, e -> assertThat(e.errno()).isEqualTo(errno));
    }

    /** The state letter of {@code /proc/<pid>/stat}: R, S, T, … */
    private static char state(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> taskStatuses(int pid) throws IOException {
        List<String> statuses = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                statuses.add(Files.readString(task.resolve("status")));
            }
        }
        return statuses;
    }

    /** The compiled main and test classes: all that the probe needs. */
    private static List<Path> classPath() {
        return List.of(
                Path.of("target/classes").toAbsolutePath(),
                Path.of("target/test-classes").toAbsolutePath());
    }

    private static List<String> probe(List<String> jvmFlags, String mode, Object... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xshare:off", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1"));
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(String.join(":", classPath().stream().map(Path::toString).toList()));
        command.add(LinuxBackendProbe.class.getName());
        command.add(mode);
        for (Object arg : args) {
            command.add(String.valueOf(arg));
        }
        return command;
    }

    private record Output(int exitCode, String stdout, String stderr) {}

    private static Output run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Output(process.exitValue(), stdout, stderr);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
