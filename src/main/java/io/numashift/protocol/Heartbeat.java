package io.numashift.protocol;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import org.jspecify.annotations.Nullable;

/**
 * A heartbeat of a running task ({@code POST /api/v1/tasks/{taskId}/heartbeat}).
 *
 * @param epoch the lease's epoch
 * @param progress how far the task got
 * @param topology the host's layout now (free pages change), if sent
 */
public record Heartbeat(
        @Positive long epoch,
        @NotNull @Valid TaskProgress progress,
        @Nullable @Valid HostTopology topology) {}
