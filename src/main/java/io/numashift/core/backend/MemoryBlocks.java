package io.numashift.core.backend;

import org.jspecify.annotations.Nullable;

/**
 * What became of a node's memory blocks when a host was asked to take them offline or bring them
 * online ({@link NumaBackend#setMemory}).
 *
 * @param node the node
 * @param state the state asked for
 * @param blocks the node's memory blocks
 * @param inState how many of them are in that state now (they were, or went)
 * @param errno the host's answer for the first block that refused, or null when none did
 * @param message what the host said of that block, with {@code errno}
 */
public record MemoryBlocks(
        int node,
        MemoryState state,
        int blocks,
        int inState,
        @Nullable Errno errno,
        @Nullable String message) {}
