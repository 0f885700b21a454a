package io.numashift.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a migration does to every process it applies to: the node mapping, entry by entry, the
 * address range and the options. A job's request builds it, a lease carries it to the host, and
 * the engine runs it for each process ({@link MigrationRequest} is a pid and a plan).
 *
 * <p>The record holds what the caller asked for, valid or not; {@link #violations()} and {@link
 * #violations(int)} say what is wrong with it (check 1 of docs/migration.md §2), each violation
 * naming the field.
 *
 * @param oldNodes the nodes pages move from
 * @param newNodes the nodes pages move to, entry by entry
 * @param count the length of both lists, when the caller gives it
 * @param range the address range, or null for the whole address space
 * @param options the options
 */
public record MigrationPlan(
        List<Integer> oldNodes,
        List<Integer> newNodes,
        @Nullable Integer count,
        @Nullable AddressRange range,
        MigrationOptions options) {

    public MigrationPlan {
        oldNodes = List.copyOf(oldNodes);
        newNodes = List.copyOf(newNodes);
    }

    /** A plan with default options over the whole address space. */
    public static MigrationPlan of(List<Integer> oldNodes, List<Integer> newNodes) {
        return new MigrationPlan(oldNodes, newNodes, null, null, MigrationOptions.DEFAULTS);
    }

    /**
     * One thing wrong with a plan.
     *
     * @param field the field: {@code oldNodes}, {@code newNodes}, {@code count}, {@code range.start}
     *     or {@code range.end}
     * @param message what is wrong, naming the field
     */
    public record Violation(String field, String message) {}

    public MigrationPlan withRange(@Nullable AddressRange value) {
        return new MigrationPlan(oldNodes, newNodes, count, value, options);
    }

    public MigrationPlan withOptions(MigrationOptions value) {
        return new MigrationPlan(oldNodes, newNodes, count, range, value);
    }

    public MigrationPlan withCount(@Nullable Integer value) {
        return new MigrationPlan(oldNodes, newNodes, value, range, options);
    }

    /**
     * What is wrong whatever the host: the first fault of the mapping, and a range that does not
     * start below its end. Empty when nothing is.
     */
    public List<Violation> violations() {
        List<Violation> violations = new ArrayList<>(2);
        mappingViolation().ifPresent(violations::add);
        if (range != null && Long.compareUnsigned(range.start(), range.end()) >= 0) {
            violations.add(new Violation("range.end", "range.start must be below range.end"));
        }
        return violations;
    }

    /**
     * What is wrong on a host of this page size: the first fault of the mapping, then of the range
     * (bounds aligned to the page size, start below end). Empty when nothing is.
     */
    public List<Violation> violations(int pageSize) {
        List<Violation> violations = new ArrayList<>(2);
        mappingViolation().ifPresent(violations::add);
        rangeViolation(pageSize).ifPresent(violations::add);
        return violations;
    }

    /**
     * The mapping's part of check 1: both lists non-empty and of equal length, {@code count} (when
     * given) equal to that length, no node id negative, none repeated in {@code oldNodes}.
     */
    public Optional<Violation> mappingViolation() {
        if (oldNodes.isEmpty()) {
            return Optional.of(new Violation("oldNodes", "oldNodes must not be empty"));
        }
        if (newNodes.isEmpty()) {
            return Optional.of(new Violation("newNodes", "newNodes must not be empty"));
        }
        if (oldNodes.size() != newNodes.size()) {
            return Optional.of(new Violation(
                    "newNodes", "oldNodes has " + oldNodes.size() + " entries but newNodes has " + newNodes.size()));
        }
        if (count != null && count != oldNodes.size()) {
            return Optional.of(new Violation(
                    "count", "count is " + count + " but the node lists have " + oldNodes.size() + " entries"));
        }
        if (oldNodes.stream().anyMatch(n -> n < 0)) {
            return Optional.of(new Violation("oldNodes", "node ids must not be negative"));
        }
        if (newNodes.stream().anyMatch(n -> n < 0)) {
            return Optional.of(new Violation("newNodes", "node ids must not be negative"));
        }
        Set<Integer> seen = new HashSet<>();
        for (int node : oldNodes) {
            if (!seen.add(node)) {
                return Optional.of(new Violation("oldNodes", "node " + node + " is repeated in oldNodes"));
            }
        }
        return Optional.empty();
    }

    /**
     * The range's part of check 1 on a host of this page size: both bounds aligned to it, and start
     * below end. Empty without a range.
     */
    public Optional<Violation> rangeViolation(int pageSize) {
        if (range == null) {
            return Optional.empty();
        }
        if (Long.remainderUnsigned(range.start(), pageSize) != 0) {
            return Optional.of(new Violation(
                    "range.start",
                    "range.start " + hex(range.start()) + " is not aligned to the page size " + pageSize));
        }
        if (Long.remainderUnsigned(range.end(), pageSize) != 0) {
            return Optional.of(new Violation(
                    "range.end", "range.end " + hex(range.end()) + " is not aligned to the page size " + pageSize));
        }
        if (Long.compareUnsigned(range.start(), range.end()) >= 0) {
            return Optional.of(new Violation("range.end", "range.start must be below range.end"));
        }
        return Optional.empty();
    }

    private static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }
}
