package io.numashift.core;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One migration: a process, an optional address range and a node mapping, entry by entry.
 *
 * <p>The record holds what the caller asked for, valid or not; {@link #invalid} is check 1 of
 * docs/migration.md §2, which the engine applies; the service applies its parts ({@link #checkMapping}, {@link
 * #checkRange}) to jobs before anything reaches a host.
 *
 * @param pid the target process
 * @param range the address range, or null for the whole address space
 * @param oldNodes the nodes pages move from
 * @param newNodes the nodes pages move to, entry by entry
 * @param count the length of both lists, when the caller gives it
 * @param options the options
 * @param privileged whether the caller holds the migrate privilege
 */
public record MigrationRequest(
        int pid,
        @Nullable AddressRange range,
        List<Integer> oldNodes,
        List<Integer> newNodes,
        @Nullable Integer count,
        MigrationOptions options,
        boolean privileged) {

    public MigrationRequest {
        oldNodes = List.copyOf(oldNodes);
        newNodes = List.copyOf(newNodes);
    }

    /** A privileged request with default options over the whole address space. */
    public static MigrationRequest of(int pid, List<Integer> oldNodes, List<Integer> newNodes) {
        return new MigrationRequest(pid, null, oldNodes, newNodes, null, MigrationOptions.DEFAULTS, true);
    }

    public MigrationRequest withRange(@Nullable AddressRange value) {
        return new MigrationRequest(pid, value, oldNodes, newNodes, count, options, privileged);
    }

    public MigrationRequest withOptions(MigrationOptions value) {
        return new MigrationRequest(pid, range, oldNodes, newNodes, count, value, privileged);
    }

    public MigrationRequest withCount(@Nullable Integer value) {
        return new MigrationRequest(pid, range, oldNodes, newNodes, value, options, privileged);
    }

    public MigrationRequest withPrivileged(boolean value) {
        return new MigrationRequest(pid, range, oldNodes, newNodes, count, options, value);
    }

    public MigrationRequest withPid(int value) {
        return new MigrationRequest(value, range, oldNodes, newNodes, count, options, privileged);
    }

    /**
     * What is wrong with a request, for check 1 ({@code EINVAL}).
     *
     * @param field the request's field: {@code oldNodes}, {@code newNodes}, {@code count}, {@code
     *     range.start} or {@code range.end}
     * @param message what is wrong, naming the field
     */
    public record Invalid(String field, String message) {}

    /**
     * Check 1 of docs/migration.md §2: why this request is malformed ({@code EINVAL}), if it is.
     *
     * @param pageSize the page size that range bounds must be aligned to
     */
    public Optional<Invalid> invalid(int pageSize) {
        return checkMapping(oldNodes, newNodes, count)
                .or(() -> range == null ? Optional.empty() : checkRange(range, pageSize));
    }

    /**
     * The mapping's part of check 1: both lists non-empty and of equal length, {@code count} (when
     * given) equal to that length, no node id negative, none repeated in {@code oldNodes}.
     */
    public static Optional<Invalid> checkMapping(
            List<Integer> oldNodes, List<Integer> newNodes, @Nullable Integer count) {
        if (oldNodes.isEmpty()) {
            return Optional.of(new Invalid("oldNodes", "oldNodes must not be empty"));
        }
        if (newNodes.isEmpty()) {
            return Optional.of(new Invalid("newNodes", "newNodes must not be empty"));
        }
        if (oldNodes.size() != newNodes.size()) {
            return Optional.of(new Invalid(
                    "newNodes", "oldNodes has " + oldNodes.size() + " entries but newNodes has " + newNodes.size()));
        }
        if (count != null && count != oldNodes.size()) {
            return Optional.of(new Invalid(
                    "count", "count is " + count + " but the node lists have " + oldNodes.size() + " entries"));
        }
        if (oldNodes.stream().anyMatch(n -> n < 0)) {
            return Optional.of(new Invalid("oldNodes", "node ids must not be negative"));
        }
        if (newNodes.stream().anyMatch(n -> n < 0)) {
            return Optional.of(new Invalid("newNodes", "node ids must not be negative"));
        }
        Set<Integer> seen = new HashSet<>();
        for (int node : oldNodes) {
            if (!seen.add(node)) {
                return Optional.of(new Invalid("oldNodes", "node " + node + " is repeated in oldNodes"));
            }
        }
        return Optional.empty();
    }

    /** The range's part of check 1: both bounds aligned to the page size, and start below end. */
    public static Optional<Invalid> checkRange(AddressRange range, int pageSize) {
        if (Long.remainderUnsigned(range.start(), pageSize) != 0) {
            return Optional.of(new Invalid(
                    "range.start",
                    "range.start " + hex(range.start()) + " is not aligned to the page size " + pageSize));
        }
        if (Long.remainderUnsigned(range.end(), pageSize) != 0) {
            return Optional.of(new Invalid(
                    "range.end", "range.end " + hex(range.end()) + " is not aligned to the page size " + pageSize));
        }
        if (Long.compareUnsigned(range.start(), range.end()) >= 0) {
            return Optional.of(new Invalid("range.end", "range.start must be below range.end"));
        }
        return Optional.empty();
    }

    private static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }
}
