package io.numashift.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.numashift.core.backend.MemoryState;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What an evacuation does (docs/evacuation.md): as its job's request stores it and as a lease hands
 * it to each host.
 *
 * @param nodes the nodes it empties, ascending (also the plan's old nodes; each host chooses where
 *     the pages go)
 * @param memory {@code OFFLINE}: then take their memory blocks offline; {@code ONLINE}: bring them
 *     back online instead, and move nothing; absent: leave them as they are
 */
public record Evacuate(
        List<Integer> nodes,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable MemoryState memory) {
    public Evacuate {
        nodes = List.copyOf(nodes);
    }
}
