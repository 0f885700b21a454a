package io.numashift.protocol;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * What an agent says when it registers ({@code POST /api/v1/agents/{host}/register}).
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
