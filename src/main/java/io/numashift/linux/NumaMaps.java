package io.numashift.linux;

import io.numashift.core.backend.MemoryPolicy;
import io.numashift.core.backend.PolicyMode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The memory policies that {@code /proc/<pid>/numa_maps} shows, one line per VMA: the VMA's own
 * policy, or the process's when the VMA has none. The kernel does not say which of the two a line
 * shows, so the process policy is the one of the stack (which programs rarely bind), or the most
 * common one when no stack is listed, and a VMA has a policy of its own when its line differs.
 *
 * @param process the process-wide policy
 * @param ownByStart the VMAs' own policies by start address
 */
record NumaMaps(MemoryPolicy process, Map<Long, MemoryPolicy> ownByStart) {
    private static final Pattern LINE =
            Pattern.compile("^([0-9a-f]+) (default|local|prefer \\(many\\)|weighted interleave|prefer|bind|interleave)"
                    + "(?:=[a-z]+)?(?::(\\S*))?(.*)$");

    NumaMaps {
        ownByStart = Map.copyOf(ownByStart);
    }

    static NumaMaps parse(List<String> lines) {
        Map<Long, MemoryPolicy> shown = new HashMap<>();
        Map<MemoryPolicy, Integer> frequency = new HashMap<>();
        MemoryPolicy stack = null;
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            long start = Long.parseUnsignedLong(m.group(1), 16);
            MemoryPolicy policy = policy(m.group(2), m.group(3));
            shown.put(start, policy);
            frequency.merge(policy, 1, Integer::sum);
            if (List.of(m.group(4).strip().split(" ")).contains("stack")) {
                stack = policy;
            }
        }
        MemoryPolicy process = stack != null
                ? stack
                : frequency.entrySet().stream()
                        .max(Map.Entry.comparingByValue())
                        .map(Map.Entry::getKey)
                        .orElse(MemoryPolicy.DEFAULT);
        Map<Long, MemoryPolicy> own = new HashMap<>();
        shown.forEach((start, policy) -> {
            if (!policy.equals(process)) {
                own.put(start, policy);
            }
        });
        return new NumaMaps(process, own);
    }

    @Nullable
    MemoryPolicy ownPolicy(long start) {
        return ownByStart.get(start);
    }

    /**
     * A policy as the kernel prints it ({@code mpol_to_str}). {@code local} allocates like {@code
     * default}; {@code weighted interleave} is an interleave; a preferred-many set of more than
     * one node is shown as a bind, which it is while those nodes have memory.
     */
    static MemoryPolicy policy(String mode, @Nullable String nodeList) {
        List<Integer> nodes = nodeList == null ? List.of() : IdList.parse(nodeList);
        if (nodes.isEmpty()) {
            return MemoryPolicy.DEFAULT;
        }
        return switch (mode) {
            case "bind" -> new MemoryPolicy(PolicyMode.BIND, nodes);
            case "interleave", "weighted interleave" -> new MemoryPolicy(PolicyMode.INTERLEAVE, nodes);
            case "prefer", "prefer (many)" ->
                nodes.size() == 1
                        ? new MemoryPolicy(PolicyMode.PREFERRED, nodes)
                        : new MemoryPolicy(PolicyMode.BIND, nodes);
            default -> MemoryPolicy.DEFAULT;
        };
    }
}
