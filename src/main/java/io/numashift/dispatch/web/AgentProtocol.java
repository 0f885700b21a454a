package io.numashift.dispatch.web;

import io.numashift.dispatch.TaskProgress;
import io.numashift.hosts.HostTopology;
import io.numashift.jobs.ProcessResult;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The bodies of the agent protocol, shared by the service and its agents. The service reads them
 * strictly and validates them (here, field by field; against the lease and the host in {@code
 * ReportRules}) before anything is stored.
 */
public final class AgentProtocol {
    /** The most processes one task reports. */
    public static final int MAX_PROCESSES = 100_000;

    private AgentProtocol() {}

    /**
     * What an agent says when it registers.
     *
     * @param backend {@code simulated} or {@code linux}
     * @param agentVersion its version
     * @param pageSize bytes per page: a power of two
     * @param topology the host's NUMA layout
     */
    public record Registration(
            @NotBlank
            @Size(max = 32)
            @Pattern(regexp = "[a-z0-9][a-z0-9._-]*", message = "lower-case letters, digits, '.', '_' and '-'")
            String backend,

            @NotBlank @Size(max = 64) @Pattern(regexp = "[!-~]+", message = "printable ASCII without spaces")
            String agentVersion,

            @Min(512) @Max(1 << 30) int pageSize,
            @NotNull @Valid HostTopology topology) {}

    /**
     * A heartbeat.
     *
     * @param epoch the lease's epoch
     * @param progress how far the task got
     * @param topology the host's layout now (free pages change), if sent
     */
    public record Heartbeat(
            @Positive long epoch,
            @NotNull @Valid TaskProgress progress,
            @Nullable @Valid HostTopology topology) {}

    /**
     * A task's result.
     *
     * @param epoch the lease's epoch
     * @param processes each process's result
     * @param error a task-level error code when the task could not run (upper case, e.g. {@code
     *     EINVAL} or {@code AGENT_ERROR})
     * @param message what happened, with {@code error}
     */
    public record Result(
            @Positive long epoch,
            @NotNull @Size(max = MAX_PROCESSES) List<@NotNull @Valid ProcessResult> processes,

            @Nullable @Pattern(regexp = "[A-Z][A-Z0-9_]{0,63}", message = "an upper-case code such as EINVAL")
            String error,

            @Nullable @Size(max = 4096) String message) {
        public Result {
            // Nulls are kept for validation to name them.
            processes = processes == null || processes.stream().anyMatch(java.util.Objects::isNull)
                    ? processes
                    : List.copyOf(processes);
        }
    }

    /**
     * An agent giving its task back unfinished.
     *
     * @param epoch the lease's epoch
     */
    public record Release(@Positive long epoch) {}
}
