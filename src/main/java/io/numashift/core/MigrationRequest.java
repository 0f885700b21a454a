package io.numashift.core;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One migration: a process and the {@link MigrationPlan} to apply to it (an optional address range,
 * a node mapping entry by entry, the options).
 *
 * <p>The record holds what the caller asked for, valid or not; {@link #invalid} is check 1 of
 * docs/migration.md §2, which the engine applies; the service checks the same plan ({@link
 * MigrationPlan#violations()}, {@link MigrationPlan#rangeViolation}) before anything reaches a host.
 *
 * @param pid the target process
 * @param plan the mapping, range and options
 * @param privileged whether the caller holds the migrate privilege
 * @param destinations for an evacuation ({@link Evacuation}): per old node, the nodes its pages may
 *     go to, nearest first; each page goes to the first of them that has room, and the mapping's
 *     entry (the nearest) only remaps policies. Null for a migration, whose pages go to their
 *     mapped node.
 */
public record MigrationRequest(
        int pid,
        MigrationPlan plan,
        boolean privileged,
        @Nullable Map<Integer, List<Integer>> destinations) {

    public MigrationRequest {
        destinations = destinations == null ? null : Map.copyOf(destinations);
    }

    /** A migration: every page goes to its mapped node. */
    public MigrationRequest(int pid, MigrationPlan plan, boolean privileged) {
        this(pid, plan, privileged, null);
    }

    /**
     * @param pid the target process
     * @param range the address range, or null for the whole address space
     * @param oldNodes the nodes pages move from
     * @param newNodes the nodes pages move to, entry by entry
     * @param count the length of both lists, when the caller gives it
     * @param options the options
     * @param privileged whether the caller holds the migrate privilege
     */
    public MigrationRequest(
            int pid,
            @Nullable AddressRange range,
            List<Integer> oldNodes,
            List<Integer> newNodes,
            @Nullable Integer count,
            MigrationOptions options,
            boolean privileged) {
        this(pid, new MigrationPlan(oldNodes, newNodes, count, range, options), privileged);
    }

    /** A privileged request with default options over the whole address space. */
    public static MigrationRequest of(int pid, List<Integer> oldNodes, List<Integer> newNodes) {
        return new MigrationRequest(pid, MigrationPlan.of(oldNodes, newNodes), true);
    }

    /** A privileged request of a plan for one process. */
    public static MigrationRequest of(int pid, MigrationPlan plan) {
        return new MigrationRequest(pid, plan, true);
    }

    /** The address range, or null for the whole address space. */
    public @Nullable AddressRange range() {
        return plan.range();
    }

    /** The nodes pages move from. */
    public List<Integer> oldNodes() {
        return plan.oldNodes();
    }

    /** The nodes pages move to, entry by entry. */
    public List<Integer> newNodes() {
        return plan.newNodes();
    }

    /** The length of both lists, when the caller gives it. */
    public @Nullable Integer count() {
        return plan.count();
    }

    public MigrationOptions options() {
        return plan.options();
    }

    public MigrationRequest withRange(@Nullable AddressRange value) {
        return new MigrationRequest(pid, plan.withRange(value), privileged, destinations);
    }

    public MigrationRequest withOptions(MigrationOptions value) {
        return new MigrationRequest(pid, plan.withOptions(value), privileged, destinations);
    }

    public MigrationRequest withCount(@Nullable Integer value) {
        return new MigrationRequest(pid, plan.withCount(value), privileged, destinations);
    }

    public MigrationRequest withPrivileged(boolean value) {
        return new MigrationRequest(pid, plan, value, destinations);
    }

    public MigrationRequest withPid(int value) {
        return new MigrationRequest(value, plan, privileged, destinations);
    }

    /**
     * What is wrong with a request, for check 1 ({@code EINVAL}).
     *
     * @param field the request's field: {@code oldNodes}, {@code newNodes}, {@code count}, {@code
     *     range.start} or {@code range.end}
     * @param message what is wrong, naming the field
     */
    public record Invalid(String field, String message) {
        static Invalid of(MigrationPlan.Violation violation) {
            return new Invalid(violation.field(), violation.message());
        }
    }

    /**
     * Check 1 of docs/migration.md §2: why this request is malformed ({@code EINVAL}), if it is.
     *
     * @param pageSize the page size that range bounds must be aligned to
     */
    public Optional<Invalid> invalid(int pageSize) {
        return plan.violations(pageSize).stream().findFirst().map(Invalid::of);
    }

    /**
     * The mapping's part of check 1: both lists non-empty and of equal length, {@code count} (when
     * given) equal to that length, no node id negative, none repeated in {@code oldNodes}.
     */
    public static Optional<Invalid> checkMapping(
            List<Integer> oldNodes, List<Integer> newNodes, @Nullable Integer count) {
        return new MigrationPlan(oldNodes, newNodes, count, null, MigrationOptions.DEFAULTS)
                .mappingViolation()
                .map(Invalid::of);
    }

    /** The range's part of check 1: both bounds aligned to the page size, and start below end. */
    public static Optional<Invalid> checkRange(AddressRange range, int pageSize) {
        return new MigrationPlan(List.of(), List.of(), null, range, MigrationOptions.DEFAULTS)
                .rangeViolation(pageSize)
                .map(Invalid::of);
    }
}
