package io.numashift.protocol;

import io.numashift.core.backend.Errno;
import io.numashift.core.backend.MemoryBlocks;
import io.numashift.core.backend.MemoryState;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/**
 * What became of one node's memory blocks when an evacuation took them offline or brought them
 * online, as the agent reports it in a {@link Result} and the service stores and shows it.
 *
 * @param node the node
 * @param state the state asked for
 * @param blocks the node's memory blocks
 * @param inState how many of them are in that state now
 * @param errno the host's answer for the first block that refused, or null when none did
 * @param message what the host said of that block
 */
public record NodeMemory(
        @PositiveOrZero int node,
        @NotNull MemoryState state,
        @PositiveOrZero int blocks,
        @PositiveOrZero int inState,
        @Nullable Errno errno,
        @Nullable @Size(max = Result.MAX_MESSAGE) String message) {

    public static NodeMemory of(MemoryBlocks blocks) {
        return new NodeMemory(
                blocks.node(), blocks.state(), blocks.blocks(), blocks.inState(), blocks.errno(), blocks.message());
    }
}
