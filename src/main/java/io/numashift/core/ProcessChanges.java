package io.numashift.core;

import io.numashift.core.backend.BackendException;
import io.numashift.core.backend.Cpuset;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.MemoryPolicy;
import io.numashift.core.backend.Node;
import io.numashift.core.backend.NumaBackend;
import io.numashift.core.backend.PolicyMode;
import io.numashift.core.backend.ProcessInfo;
import io.numashift.core.backend.Topology;
import io.numashift.core.backend.Vma;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a migration changes about the process before its pages move, in this order: its cpuset
 * ({@code newCpuset}, docs/migration.md §6.1), its policies and its CPU ({@code migrateCpus}, §3);
 * each change is recorded so that {@link #restore} undoes them in reverse (§5.5). Holds the
 * warnings of the migration and the process policy it ends with.
 */
final class ProcessChanges {
    private final NumaBackend backend;
    private final MigrationRequest request;
    private final ProcessInfo process;
    private final Topology topology;
    private final NodeMapping mapping;
    private final List<MigrationWarning> warnings = new ArrayList<>();
    private final List<Runnable> undo = new ArrayList<>();
    private MemoryPolicy policyAfter;
    private @Nullable CpusetEntry cpusetEntry;

    ProcessChanges(
            NumaBackend backend,
            MigrationRequest request,
            ProcessInfo process,
            Topology topology,
            NodeMapping mapping) {
        this.backend = backend;
        this.request = request;
        this.process = process;
        this.topology = topology;
        this.mapping = mapping;
        this.policyAfter = process.policy();
    }

    /** Changes the cpuset, the policies and the CPU. */
    void apply() {
        changeCpuset();
        remapPolicies();
        placeCpu(true);
    }

    /** What a dry run predicts: the remapped process policy and the CPU warning, changing nothing. */
    void predict() {
        policyAfter = remappedProcessPolicy();
        placeCpu(false);
    }

    /**
     * Undoes the recorded changes in reverse order; a change that cannot be undone adds the warning
     * {@code RESTORE_INCOMPLETE}. The process policy is then the one it had.
     */
    void restore() {
        for (int i = undo.size() - 1; i >= 0; i--) {
            try {
                undo.get(i).run();
            } catch (BackendException e) {
                warnings.add(MigrationWarning.RESTORE_INCOMPLETE);
            }
        }
        policyAfter = process.policy();
    }

    MemoryPolicy policyAfter() {
        return policyAfter;
    }

    List<MigrationWarning> warnings() {
        return warnings;
    }

    /**
     * Resident pages of the range per node before the migration: those of the census before the
     * process entered a cpuset that moved its memory, else those the scan found.
     */
    long[] placementBefore(long[] scanned) {
        return cpusetEntry == null ? scanned : cpusetEntry.placement();
    }

    /** The census before the process entered a cpuset that moved its memory, if it did. */
    @Nullable
    CpusetEntry cpusetEntry() {
        return cpusetEntry;
    }

    private void changeCpuset() {
        int pid = request.pid();
        String newCpuset = request.options().newCpuset();
        String old = process.cpuset();
        if (newCpuset != null && !newCpuset.equals(old)) {
            if (backend.cpusetMovesMemory(newCpuset)) {
                cpusetEntry = CpusetEntry.before(backend, request, topology.pageSize(), mapping);
            }
            backend.moveToCpuset(pid, newCpuset);
            if (old != null) {
                undo.add(() -> backend.moveToCpuset(pid, old));
            }
        }
    }

    private MemoryPolicy remappedProcessPolicy() {
        return request.range() == null ? process.policy().remap(mapping.entries) : process.policy();
    }

    private void remapPolicies() {
        int pid = request.pid();
        MemoryPolicy before = process.policy();
        policyAfter = remappedProcessPolicy();
        if (!policyAfter.equals(before)) {
            MemoryPolicy remapped = policyAfter;
            if (applyPolicy(() -> backend.setPolicy(pid, remapped))) {
                undo.add(() -> backend.setPolicy(pid, before));
            } else {
                policyAfter = before;
            }
        }
        for (Vma vma : backend.vmas(pid)) {
            long start = Scan.clipStart(request.range(), vma);
            long end = Scan.clipEnd(request.range(), vma);
            MemoryPolicy own = vma.policy();
            if (start >= end || own == null) {
                continue;
            }
            MemoryPolicy remapped = own.remap(mapping.entries);
            if (!remapped.equals(own) && applyPolicy(() -> backend.setVmaPolicy(pid, start, end, remapped))) {
                undo.add(() -> backend.setVmaPolicy(pid, start, end, own));
            }
        }
    }

    /**
     * Applies a policy change; false, with the warning {@code POLICY_NOT_REMAPPED}, when the
     * backend cannot change policies of another process ({@code EOPNOTSUPP}).
     */
    private boolean applyPolicy(Runnable change) {
        try {
            change.run();
            return true;
        } catch (BackendException e) {
            if (e.errno() != Errno.EOPNOTSUPP) {
                throw e;
            }
            if (!warnings.contains(MigrationWarning.POLICY_NOT_REMAPPED)) {
                warnings.add(MigrationWarning.POLICY_NOT_REMAPPED);
            }
            return false;
        }
    }

    /** Moves the process to a CPU of a new node (with migrateCpus), or warns if it allocates on an old one. */
    private void placeCpu(boolean apply) {
        Optional<Node> cpuNode = topology.nodeOfCpu(process.cpu());
        if (cpuNode.isEmpty() || !mapping.moving[cpuNode.get().id()]) {
            return;
        }
        if (request.options().migrateCpus()) {
            int cpu = cpuNear(mapping.target[cpuNode.get().id()]);
            if (cpu >= 0) {
                if (apply) {
                    int pid = request.pid();
                    int old = process.cpu();
                    backend.moveToCpu(pid, cpu);
                    undo.add(() -> backend.moveToCpu(pid, old));
                }
                return;
            }
        }
        if (process.policy().mode() == PolicyMode.DEFAULT) {
            warnings.add(MigrationWarning.CPU_ON_OLD_NODE);
        }
    }

    /** A CPU of the node, or of the nearest node in newNodes that has CPUs; -1 if none. */
    private int cpuNear(int node) {
        List<Integer> allowed = allowedCpus();
        return request.newNodes().stream()
                .distinct()
                .sorted(Comparator.<Integer>comparingInt(x -> x == node ? -1 : topology.distance(node, x))
                        .thenComparingInt(x -> x))
                .flatMap(x -> topology.node(x).stream())
                .flatMap(x -> x.cpus().stream())
                .filter(cpu -> allowed.isEmpty() || allowed.contains(cpu))
                .findFirst()
                .orElse(-1);
    }

    private List<Integer> allowedCpus() {
        String newCpuset = request.options().newCpuset();
        String path = newCpuset != null ? newCpuset : process.cpuset();
        if (path == null) {
            return List.of();
        }
        return backend.cpuset(path).map(Cpuset::cpus).orElse(List.of());
    }
}
