package io.numashift.protocol;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A host's NUMA layout as its agent reports it (in a registration and in heartbeats); the service
 * stores it and shows it in the hosts API. An agent's report is checked before it is stored:
 * at least one node, node ids and CPUs each named once, free pages within capacity, and a square
 * distance matrix in the order of the nodes.
 *
 * @param nodes the nodes with capacity, free pages and CPUs
 * @param distances the distance matrix in the order of {@code nodes}
 */
@HostTopology.Consistent
public record HostTopology(
        @NotNull @Size(min = 1, max = MAX_NODES) List<@NotNull @Valid NodeView> nodes,

        @NotNull @Size(max = MAX_NODES)
        List<@NotNull @Size(max = MAX_NODES) List<@NotNull @Min(1) @Max(255) Integer>> distances) {
    static final int MAX_NODES = 4096;
    static final int MAX_CPUS = 65536;

    public HostTopology {
        nodes = nodes == null ? null : List.copyOf(nodes);
        distances = distances == null
                ? null
                : distances.stream().map(HostTopology::copy).toList();
    }

    /**
     * One node.
     *
     * @param id node id
     * @param capacityPages memory in pages
     * @param freePages free pages when reported
     * @param cpus its CPUs
     */
    public record NodeView(
            @PositiveOrZero @Max(MAX_NODES - 1) int id,
            @PositiveOrZero long capacityPages,
            @PositiveOrZero long freePages,
            @NotNull @Size(max = MAX_CPUS) List<@NotNull @PositiveOrZero Integer> cpus) {
        public NodeView {
            cpus = cpus == null ? null : copy(cpus);
        }
    }

    public static HostTopology of(io.numashift.core.backend.Topology topology) {
        List<NodeView> nodes = topology.nodes().stream()
                .map(n -> new NodeView(n.id(), n.capacityPages(), n.freePages(), n.cpus()))
                .toList();
        List<List<Integer>> distances = java.util.Arrays.stream(topology.distances())
                .map(row -> java.util.Arrays.stream(row).boxed().toList())
                .toList();
        return new HostTopology(nodes, distances);
    }

    /** A copy that keeps nulls, so that validation can name them instead of failing to copy. */
    private static <T> List<T> copy(List<T> list) {
        return list.stream().anyMatch(java.util.Objects::isNull)
                ? java.util.Collections.unmodifiableList(new java.util.ArrayList<>(list))
                : List.copyOf(list);
    }

    /** The rules that relate a topology's fields to each other (public: any validator may make it). */
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = ConsistentValidator.class)
    public @interface Consistent {
        String message() default "an inconsistent topology";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    public static final class ConsistentValidator implements ConstraintValidator<Consistent, HostTopology> {
        @Override
        public boolean isValid(HostTopology topology, ConstraintValidatorContext context) {
            if (topology == null || topology.nodes() == null || topology.distances() == null) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            boolean valid = true;
            Set<Integer> ids = new HashSet<>();
            Map<Integer, Integer> cpuNodes = new HashMap<>();
            List<NodeView> nodes = topology.nodes();
            for (int i = 0; i < nodes.size(); i++) {
                NodeView node = nodes.get(i);
                if (node == null) {
                    continue;
                }
                if (!ids.add(node.id())) {
                    valid = violation(context, "nodes", i, "id", "node " + node.id() + " appears twice");
                }
                if (node.freePages() > node.capacityPages()) {
                    valid = violation(context, "nodes", i, "freePages", "above capacityPages");
                }
                for (Integer cpu : node.cpus() == null ? List.<Integer>of() : node.cpus()) {
                    if (cpu != null && cpuNodes.putIfAbsent(cpu, node.id()) != null) {
                        valid = violation(context, "nodes", i, "cpus", "cpu " + cpu + " is on two nodes");
                    }
                }
            }
            List<List<Integer>> distances = topology.distances();
            boolean square = distances.size() == nodes.size()
                    && distances.stream().allMatch(row -> row != null && row.size() == nodes.size());
            if (!square) {
                context.buildConstraintViolationWithTemplate("a square matrix of " + nodes.size() + " rows of "
                                + nodes.size() + " in the order of nodes")
                        .addPropertyNode("distances")
                        .addConstraintViolation();
                valid = false;
            }
            return valid;
        }

        private static boolean violation(
                ConstraintValidatorContext context, String list, int index, String field, String message) {
            context.buildConstraintViolationWithTemplate(message)
                    .addPropertyNode(list)
                    .addPropertyNode(field)
                    .inIterable()
                    .atIndex(index)
                    .addConstraintViolation();
            return false;
        }
    }
}
