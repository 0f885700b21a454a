package io.numashift.core;

import io.numashift.core.backend.BackendException;
import io.numashift.core.backend.Cpuset;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.Node;
import io.numashift.core.backend.NumaBackend;
import io.numashift.core.backend.ProcessInfo;
import io.numashift.core.backend.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The checks of a migration in their order (docs/migration.md §2): {@code EINVAL} for the
 * request's shape, {@code EPERM}, {@code ENODEV}, {@code ESRCH}, then the cpuset's {@code EINVAL}.
 * They change nothing on the host.
 */
final class Checks {

    /** The process to migrate, when every check passed; or the result that refuses the migration. */
    sealed interface Verdict permits Passed, Refused {}

    record Passed(ProcessInfo process) implements Verdict {}

    record Refused(MigrationResult result) implements Verdict {}

    private Checks() {}

    static Verdict run(NumaBackend backend, Topology topology, MigrationRequest request) {
        int pid = request.pid();
        Optional<MigrationRequest.Invalid> invalid = request.invalid(topology.pageSize());
        if (invalid.isPresent()) {
            return refused(pid, Errno.EINVAL, invalid.get().message());
        }
        if (!request.privileged()) {
            return refused(pid, Errno.EPERM, "the caller does not hold the migrate privilege");
        }
        List<Integer> nodes = new ArrayList<>(request.oldNodes());
        nodes.addAll(request.newNodes());
        for (int node : nodes) {
            Optional<Node> found = topology.node(node);
            if (found.isEmpty()) {
                return refused(pid, Errno.ENODEV, "node " + node + " does not exist on host " + backend.hostName());
            }
            if (found.get().capacityPages() <= 0) {
                return refused(pid, Errno.ENODEV, "node " + node + " has no memory");
            }
        }
        Optional<ProcessInfo> process;
        try {
            process = backend.process(pid);
        } catch (BackendException e) {
            // The host refuses to show the process (EPERM without ptrace access): nothing changed.
            return refused(pid, e.errno(), e.getMessage());
        }
        if (process.isEmpty()) {
            return refused(pid, Errno.ESRCH, "no process " + pid + " on host " + backend.hostName());
        }
        String newCpuset = request.options().newCpuset();
        if (newCpuset != null && backend.cpuset(newCpuset).isEmpty()) {
            return refused(pid, Errno.EINVAL, "cpuset " + newCpuset + " does not exist on host " + backend.hostName());
        }
        String cpusetPath = newCpuset != null ? newCpuset : process.get().cpuset();
        if (cpusetPath != null) {
            Optional<Cpuset> cpuset = backend.cpuset(cpusetPath);
            if (cpuset.isPresent()) {
                for (int node : request.newNodes()) {
                    if (!cpuset.get().mems().contains(node)) {
                        return refused(
                                pid,
                                Errno.EINVAL,
                                "node " + node + " is not in the mems "
                                        + cpuset.get().mems() + " of cpuset " + cpusetPath);
                    }
                }
            }
        }
        return new Passed(process.get());
    }

    private static Verdict refused(int pid, Errno errno, String message) {
        return new Refused(MigrationResult.refused(pid, errno, message));
    }
}
