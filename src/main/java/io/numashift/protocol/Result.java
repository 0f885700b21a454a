package io.numashift.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A task's result ({@code POST /api/v1/tasks/{taskId}/result}).
 *
 * @param epoch the lease's epoch
 * @param processes each process's result
 * @param error a task-level error code when the task could not run (upper case, e.g. {@code
 *     EINVAL} or {@code AGENT_ERROR})
 * @param message what happened, with {@code error}
 * @param nodes an evacuation's: each node it emptied, with its pages in use before and after and
 *     its memory blocks; absent otherwise
 */
public record Result(
        @Positive long epoch,
        @NotNull @Size(max = MAX_PROCESSES) List<@NotNull @Valid ProcessReport> processes,

        @Nullable @Pattern(regexp = "[A-Z][A-Z0-9_]{0,63}", message = "an upper-case code such as EINVAL")
        String error,

        @Nullable @Size(max = MAX_MESSAGE) String message,

        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable @Size(max = MAX_NODES)
        List<@NotNull @Valid EvacuatedNode> nodes) {

    /** A result without nodes: a migration's, or an evacuation's that could not run. */
    public Result(long epoch, List<ProcessReport> processes, @Nullable String error, @Nullable String message) {
        this(epoch, processes, error, message, null);
    }

    /** The most nodes one result reports. */
    public static final int MAX_NODES = 1_024;

    /** The most processes one task reports. */
    public static final int MAX_PROCESSES = 100_000;
    /** The longest task-level message. */
    public static final int MAX_MESSAGE = 4096;

    public Result {
        // Nulls are kept for validation to name them.
        processes =
                processes == null || processes.stream().anyMatch(Objects::isNull) ? processes : List.copyOf(processes);
    }
}
