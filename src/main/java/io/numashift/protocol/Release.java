package io.numashift.protocol;

import jakarta.validation.constraints.Positive;

/**
 * An agent giving its task back unfinished ({@code POST /api/v1/tasks/{taskId}/release}).
 *
 * @param epoch the lease's epoch
 */
public record Release(@Positive long epoch) {}
