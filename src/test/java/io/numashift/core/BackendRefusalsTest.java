package io.numashift.core;

import static io.numashift.core.TestHosts.HEAP;
import static io.numashift.core.TestHosts.PID;
import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.backend.BackendException;
import io.numashift.core.backend.Census;
import io.numashift.core.backend.Cpuset;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.FileInfo;
import io.numashift.core.backend.MemoryPolicy;
import io.numashift.core.backend.MovePass;
import io.numashift.core.backend.NumaBackend;
import io.numashift.core.backend.PageSet;
import io.numashift.core.backend.PolicyMode;
import io.numashift.core.backend.ProcessInfo;
import io.numashift.core.backend.Topology;
import io.numashift.core.backend.Vma;
import io.numashift.sim.HostSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import io.numashift.sim.SimulatedHost;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the engine does when a backend refuses in the ways a real kernel does: policies of another
 * process that cannot be changed, pages the kernel will not move because another process maps
 * them, and a process it may not look at.
 */
class BackendRefusalsTest {

    /** A simulated host seen through the refusals of a kernel. */
    private static class KernelLike implements NumaBackend {
        final SimulatedHost host;

        KernelLike(SimulatedHost host) {
            this.host = host;
        }

        @Override
        public String hostName() {
            return host.hostName();
        }

        @Override
        public Topology topology() {
            return host.topology();
        }

        @Override
        public long freePages(int node) {
            return host.freePages(node);
        }

        @Override
        public Optional<ProcessInfo> process(int pid) {
            return host.process(pid);
        }

        @Override
        public List<Integer> pidsInCpuset(String path) {
            return host.pidsInCpuset(path);
        }

        @Override
        public List<Integer> pids() {
            return host.pids();
        }

        @Override
        public Optional<Cpuset> cpuset(String path) {
            return host.cpuset(path);
        }

        @Override
        public List<Vma> vmas(int pid) {
            return host.vmas(pid);
        }

        @Override
        public FileInfo file(String path) {
            return host.file(path);
        }

        @Override
        public Set<Integer> pidsMapping(String sharedObject) {
            return host.pidsMapping(sharedObject);
        }

        @Override
        public void census(int pid, Vma vma, long fromPage, long toPage, Census census) {
            host.census(pid, vma, fromPage, toPage, census);
        }

        @Override
        public long digest(int pid, Vma vma, long fromPage, long toPage, PageSet pages) {
            return host.digest(pid, vma, fromPage, toPage, pages);
        }

        @Override
        public long movePass(int pid, Vma vma, long fromPage, long toPage, MovePass pass) {
            return host.movePass(pid, vma, fromPage, toPage, pass);
        }

        @Override
        public void setPolicy(int pid, MemoryPolicy policy) {
            throw new BackendException(Errno.EOPNOTSUPP, "set_mempolicy applies to the caller only");
        }

        @Override
        public void setVmaPolicy(int pid, long start, long end, MemoryPolicy policy) {
            throw new BackendException(Errno.EOPNOTSUPP, "mbind applies to the caller only");
        }

        @Override
        public void moveToCpuset(int pid, String path) {
            host.moveToCpuset(pid, path);
        }

        @Override
        public void moveToCpu(int pid, int cpu) {
            host.moveToCpu(pid, cpu);
        }

        @Override
        public void stop(int pid) {
            host.stop(pid);
        }

        @Override
        public void resume(int pid) {
            host.resume(pid);
        }
    }

    /** Refuses the first {@code sharedPages} pages of the heap unless shared pages may move, as -EACCES. */
    private static final class SharedPagesRefused extends KernelLike {
        private final long sharedPages;

        SharedPagesRefused(SimulatedHost host, long sharedPages) {
            super(host);
            this.sharedPages = sharedPages;
        }

        @Override
        public long movePass(int pid, Vma vma, long fromPage, long toPage, MovePass pass) {
            if (!pass.moveShared) {
                for (long page = fromPage; page < Math.min(toPage, sharedPages); page++) {
                    if (pass.pending.get(page)) {
                        pass.pending.clear(page);
                        pass.sharedFrom[host.nodeOf(pid, vma.start() + page * 4096)]++;
                    }
                }
            }
            return host.movePass(pid, vma, fromPage, toPage, pass);
        }
    }

    @Test
    void policiesTheBackendCannotChangeAreAWarningAndTheMigrationGoesOn() {
        MemoryPolicy bind = new MemoryPolicy(PolicyMode.BIND, List.of(0));
        ProcessSpec spec = ProcessSpec.of(
                        PID, List.of(VmaSpec.anon(HEAP, 10, Map.of(0, 10L)).withPolicy(bind)))
                .withPolicy(bind);
        KernelLike backend = new KernelLike(
                SimulatedHost.create(HostSpec.of("h", TestHosts.nodes(2, 100)).withProcesses(List.of(spec))));

        MigrationResult result = new MigrationEngine(backend).migrate(MigrationRequest.of(PID, List.of(0), List.of(1)));

        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(result.warnings()).containsExactly(MigrationWarning.POLICY_NOT_REMAPPED);
        assertThat(result.policyAfter()).isEqualTo(bind);
        assertThat(result.pagesMoved()).isEqualTo(10);
        assertThat(backend.process(PID).orElseThrow().policy()).isEqualTo(bind);
    }

    @Test
    void pagesTheKernelRefusesAsSharedAreSkippedShared() {
        SharedPagesRefused backend =
                new SharedPagesRefused(TestHosts.withHeap(TestHosts.nodes(2, 100), Map.of(0, 10L), 10), 4);

        MigrationResult result = new MigrationEngine(backend).migrate(MigrationRequest.of(PID, List.of(0), List.of(1)));

        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(result.pagesMoved()).isEqualTo(6);
        assertThat(result.pagesSkipped()).containsExactly(Map.entry(SkipReason.SHARED, 4L));
        assertThat(result.pagesFailed()).isEmpty();
        assertThat(result.placementAfter()).containsExactly(Map.entry(0, 4L), Map.entry(1, 6L));
        assertThat(result.pagesLeftOnOldNodes()).isZero();
    }

    @Test
    void withMoveSharedTheBackendIsAskedToMoveSharedPagesToo() {
        SharedPagesRefused backend =
                new SharedPagesRefused(TestHosts.withHeap(TestHosts.nodes(2, 100), Map.of(0, 10L), 10), 4);

        MigrationResult result = new MigrationEngine(backend)
                .migrate(MigrationRequest.of(PID, List.of(0), List.of(1))
                        .withOptions(MigrationOptions.DEFAULTS.withMoveShared(true)));

        assertThat(result.pagesMoved()).isEqualTo(10);
        assertThat(result.pagesSkipped()).isEmpty();
    }

    @Test
    void aProcessTheBackendMayNotReadFailsWithItsErrnoAndNothingChanges() {
        SimulatedHost host = TestHosts.withHeap(TestHosts.nodes(2, 100), Map.of(0, 10L), 10);
        KernelLike backend = new KernelLike(host) {
            @Override
            public Optional<ProcessInfo> process(int pid) {
                throw new BackendException(Errno.EPERM, "no ptrace access to process " + pid);
            }
        };

        MigrationResult result = new MigrationEngine(backend).migrate(MigrationRequest.of(PID, List.of(0), List.of(1)));

        assertThat(result.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(result.errno()).isEqualTo(Errno.EPERM);
        assertThat(host.placement(PID)).containsExactly(Map.entry(0, 10L));
    }

    @Test
    void aProcessThatCannotBeStoppedFailsWithItsErrnoAndNothingChanges() {
        SimulatedHost host = TestHosts.withHeap(TestHosts.nodes(2, 100), Map.of(0, 10L), 10);
        KernelLike backend = new KernelLike(host) {
            @Override
            public void stop(int pid) {
                throw new BackendException(Errno.ESRCH, "process " + pid + " exited");
            }
        };

        MigrationResult result = new MigrationEngine(backend)
                .migrate(MigrationRequest.of(PID, List.of(0), List.of(1))
                        .withOptions(MigrationOptions.DEFAULTS.withSuspend(true)));

        assertThat(result.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(result.errno()).isEqualTo(Errno.ESRCH);
        assertThat(host.placement(PID)).containsExactly(Map.entry(0, 10L));
    }

    @Test
    void aProcessThatCannotBeResumedKeepsItsResultWithAWarningUnlessItIsGone() {
        for (Errno refusal : List.of(Errno.EPERM, Errno.ESRCH)) {
            SimulatedHost host = TestHosts.withHeap(TestHosts.nodes(2, 100), Map.of(0, 10L), 10);
            KernelLike backend = new KernelLike(host) {
                @Override
                public void resume(int pid) {
                    throw new BackendException(refusal, "may not signal process " + pid);
                }
            };

            MigrationResult result = new MigrationEngine(backend)
                    .migrate(MigrationRequest.of(PID, List.of(0), List.of(1))
                            .withOptions(MigrationOptions.DEFAULTS.withSuspend(true)));

            assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(result.pagesMoved()).isEqualTo(10);
            assertThat(result.warnings().contains(MigrationWarning.PROCESS_NOT_RESUMED))
                    .as("warned after %s", refusal)
                    .isEqualTo(refusal != Errno.ESRCH);
        }
    }
}
