package io.numashift.dispatch.web;

import io.numashift.dispatch.TaskProgress;
import io.numashift.hosts.HostTopology;
import io.numashift.jobs.ProcessResult;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The bodies of the agent protocol, shared by the service and its agents. */
public final class AgentProtocol {
    private AgentProtocol() {}

    /**
     * What an agent says when it registers.
     *
     * @param backend {@code simulated} or {@code linux}
     * @param agentVersion its version
     * @param pageSize bytes per page
     * @param topology the host's NUMA layout
     */
    public record Registration(String backend, String agentVersion, int pageSize, HostTopology topology) {}

    /**
     * A heartbeat.
     *
     * @param epoch the lease's epoch
     * @param progress how far the task got
     * @param topology the host's layout now (free pages change), if sent
     */
    public record Heartbeat(
            long epoch, TaskProgress progress, @Nullable HostTopology topology) {}

    /**
     * A task's result.
     *
     * @param epoch the lease's epoch
     * @param processes each process's result
     * @param error a task-level error code when the task could not run
     * @param message what happened, with {@code error}
     */
    public record Result(
            long epoch,
            List<ProcessResult> processes,
            @Nullable String error,
            @Nullable String message) {
        public Result {
            processes = List.copyOf(processes);
        }
    }

    /**
     * An agent giving its task back unfinished.
     *
     * @param epoch the lease's epoch
     */
    public record Release(long epoch) {}
}
