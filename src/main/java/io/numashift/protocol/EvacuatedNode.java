package io.numashift.protocol;

import jakarta.validation.Valid;
import jakarta.validation.constraints.PositiveOrZero;
import org.jspecify.annotations.Nullable;

/**
 * One node an evacuation emptied, as its host reports it in a {@link Result}, and as the service
 * stores and shows it: the pages in use on the node as the host counts them (every page of it, the
 * kernel's and other processes' too), before the evacuation and after it (a dry run's: as planned),
 * and what became of its memory blocks when the evacuation took them offline or brought them online.
 *
 * @param node the node
 * @param usedBefore pages in use on the node before
 * @param usedAfter pages in use on it after; a dry run's: before, less the pages planned off it
 * @param memory its memory blocks, when the evacuation asked for a state of them; else null
 */
public record EvacuatedNode(
        @PositiveOrZero int node,
        @PositiveOrZero long usedBefore,
        @PositiveOrZero long usedAfter,
        @Nullable @Valid NodeMemory memory) {}
