package io.numashift.dispatch;

import io.numashift.core.MigrationPlan;
import io.numashift.core.MigrationResult;
import io.numashift.core.MigrationStatus;
import io.numashift.core.Verify;
import io.numashift.core.backend.MemoryState;
import io.numashift.jobs.JobRequest;
import io.numashift.jobs.TaskTargets;
import io.numashift.protocol.EvacuatedNode;
import io.numashift.protocol.HostTopology;
import io.numashift.protocol.NodeMemory;
import io.numashift.protocol.ProcessReport;
import io.numashift.protocol.TaskProgress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * What an agent's report ({@link ProcessReport}s, a {@link TaskProgress}) must agree with besides its own shape (which Bean Validation checks): the
 * lease it answers (the processes it named, the job's node mapping) and the host (its nodes). An
 * agent token is an attacker's too, so nothing it says is stored unchecked.
 *
 * <p>For each process: the pages it moved, skipped and failed fit in the pages it scanned, its
 * moves add up to the pages moved and go from an old node to a new node, its fallbacks stay within
 * the new nodes, its placements name nodes of the host, it rolled back no more than it moved, and
 * its status agrees with its error ({@code SUCCEEDED} has none and no failed page, {@code FAILED}
 * has an errno).
 *
 * @param targets the processes the lease named
 * @param oldNodes the job's old nodes
 * @param newNodes the job's new nodes
 * @param hostNodes the host's node ids, or empty when unknown
 * @param evacuation whether the task is an evacuation's, which reports its nodes
 * @param memoryState the state of memory blocks an evacuation asked for, or null
 */
public record ReportRules(
        TaskTargets targets,
        List<Integer> oldNodes,
        List<Integer> newNodes,
        Set<Integer> hostNodes,
        boolean evacuation,
        @Nullable MemoryState memoryState) {

    /**
     * One thing wrong with a report.
     *
     * @param field the report's field, e.g. {@code processes[0].moves}
     * @param message what is wrong
     */
    public record Violation(String field, String message) {}

    public ReportRules {
        oldNodes = List.copyOf(oldNodes);
        newNodes = List.copyOf(newNodes);
        hostNodes = Set.copyOf(hostNodes);
    }

    /** The rules of a migration's task, or of an evacuation's that changes no memory block. */
    public ReportRules(TaskTargets targets, List<Integer> oldNodes, List<Integer> newNodes, Set<Integer> hostNodes) {
        this(targets, oldNodes, newNodes, hostNodes, false, null);
    }

    /** The rules of a task of this plan on a host of this topology. */
    public static ReportRules of(TaskTargets targets, MigrationPlan plan, HostTopology topology) {
        Set<Integer> nodes = new HashSet<>();
        topology.nodes().forEach(n -> nodes.add(n.id()));
        return new ReportRules(targets, plan.oldNodes(), plan.newNodes(), nodes);
    }

    /**
     * The rules of a task of this job on a host of this topology: an evacuation's pages go from the
     * nodes it empties to any other node of the host.
     */
    public static ReportRules of(TaskTargets targets, JobRequest request, HostTopology topology) {
        if (!request.isEvacuation()) {
            return of(targets, request.plan(), topology);
        }
        Set<Integer> nodes = new HashSet<>();
        topology.nodes().forEach(n -> nodes.add(n.id()));
        List<Integer> destinations = nodes.stream()
                .filter(n -> !request.oldNodes().contains(n))
                .sorted()
                .toList();
        return new ReportRules(
                targets,
                request.oldNodes(),
                destinations,
                nodes,
                true,
                request.evacuate().memory());
    }

    /**
     * What is wrong with a result; empty when nothing is.
     *
     * @param processes the processes' results
     * @param error the task-level error, if the agent reported one
     */
    public List<Violation> check(List<ProcessReport> processes, @Nullable String error) {
        return check(processes, error, List.of());
    }

    /**
     * What is wrong with a result and an evacuation's nodes; empty when nothing is. Nodes come only
     * from an evacuation: one entry per node it names, and memory blocks only in the state it asked
     * for, with no more blocks in it than the node has.
     *
     * @param nodes an evacuation's nodes
     */
    public List<Violation> check(List<ProcessReport> processes, @Nullable String error, List<EvacuatedNode> nodes) {
        List<Violation> violations = processViolations(processes, error);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            EvacuatedNode node = nodes.get(i);
            String field = "nodes[" + i + "]";
            if (!evacuation || !oldNodes.contains(node.node()) || !seen.add(node.node())) {
                violations.add(new Violation(field + ".node", "one entry per node the evacuation names " + oldNodes));
            }
            NodeMemory memory = node.memory();
            if (memory == null) {
                continue;
            }
            if (memoryState == null || memory.state() != memoryState || memory.node() != node.node()) {
                violations.add(
                        new Violation(field + ".memory.state", "the job asked for no memory blocks " + memory.state()));
            }
            if (memory.inState() > memory.blocks()) {
                violations.add(new Violation(field + ".memory.inState", "at most blocks"));
            }
        }
        return violations;
    }

    private List<Violation> processViolations(List<ProcessReport> processes, @Nullable String error) {
        List<Violation> violations = new ArrayList<>();
        TreeSet<Integer> reported = new TreeSet<>();
        for (int i = 0; i < processes.size(); i++) {
            ProcessReport process = processes.get(i);
            String field = "processes[" + i + "]";
            if (!reported.add(process.pid())) {
                violations.add(new Violation(field + ".pid", "process " + process.pid() + " is reported twice"));
            }
            if (!targets.resolvedOnHost() && !targets.pids().contains(process.pid())) {
                violations.add(
                        new Violation(field + ".pid", "process " + process.pid() + " is not one the lease named"));
            }
            check(process, field, violations);
        }
        if (error == null) {
            List<Integer> missing = targets.pids().stream()
                    .filter(pid -> !reported.contains(pid))
                    .toList();
            if (!missing.isEmpty()) {
                violations.add(new Violation(
                        "processes",
                        "without an error, every process of the lease is reported; missing " + abbreviated(missing)));
            }
        }
        return violations;
    }

    /** What is wrong with a heartbeat's progress; empty when nothing is. */
    public static List<Violation> check(TaskProgress progress) {
        if (progress.processesDone() > progress.processesTotal()) {
            return List.of(new Violation("progress.processesDone", "at most processesTotal"));
        }
        return List.of();
    }

    private void check(ProcessReport process, String field, List<Violation> violations) {
        long skipped = process.pagesSkippedTotal();
        long failed = process.pagesFailedTotal();
        if (process.pagesMoved() + skipped + failed > process.pagesScanned()) {
            violations.add(
                    new Violation(field + ".pagesScanned", "fewer than the pages moved, skipped and failed together"));
        }
        boolean wellFormed = process.moves().stream()
                .allMatch(m -> m.pages() > 0 && oldNodes.contains(m.from()) && newNodes.contains(m.to()));
        long moved = process.moves().stream()
                .mapToLong(MigrationResult.NodePairPages::pages)
                .sum();
        if (!wellFormed) {
            violations.add(new Violation(
                    field + ".moves",
                    "each move goes from a node of oldNodes " + oldNodes + " to a node of newNodes " + newNodes
                            + " with at least one page"));
        } else if (moved != process.pagesMoved()) {
            violations.add(new Violation(field + ".moves", "add up to " + moved + ", not pagesMoved"));
        }
        long fellBack = 0;
        for (MigrationResult.Fallback fallback : process.fallbacks()) {
            fellBack += fallback.pages();
            if (fallback.pages() <= 0
                    || !newNodes.contains(fallback.intended())
                    || !newNodes.contains(fallback.actual())) {
                violations.add(
                        new Violation(field + ".fallbacks", "each fallback is between nodes of newNodes " + newNodes));
                break;
            }
        }
        if (fellBack > process.pagesMoved()) {
            violations.add(new Violation(field + ".fallbacks", "more than pagesMoved"));
        }
        placement(process.placementBefore(), field + ".placementBefore", violations);
        placement(process.placementAfter(), field + ".placementAfter", violations);
        if (process.rolledBack() + process.rollbackFailed() > process.pagesMoved()) {
            violations.add(new Violation(field + ".rolledBack", "with rollbackFailed, more than pagesMoved"));
        }
        if (process.status() == MigrationStatus.SUCCEEDED && (process.errno() != null || failed > 0)) {
            violations.add(new Violation(field + ".status", "SUCCEEDED with an errno or failed pages"));
        }
        if (process.status() == MigrationStatus.FAILED && process.errno() == null) {
            violations.add(new Violation(field + ".errno", "FAILED without an errno"));
        }
        finite(process.estimatedSeconds(), field + ".estimatedSeconds", violations);
        finite(process.cpuSeconds(), field + ".cpuSeconds", violations);
        finite(process.mibPerSecond(), field + ".mibPerSecond", violations);
        if (process.verify() != null
                && process.verify() != Verify.CONTENT
                && (process.contentDigestBefore() != null || process.contentDigestAfter() != null)) {
            violations.add(new Violation(field + ".contentDigestBefore", "only with verify CONTENT"));
        }
    }

    private static void finite(@Nullable Double value, String field, List<Violation> violations) {
        if (value != null && !Double.isFinite(value)) {
            violations.add(new Violation(field, "a finite number"));
        }
    }

    private void placement(Map<Integer, Long> placement, String field, List<Violation> violations) {
        if (hostNodes.isEmpty()) {
            return;
        }
        for (Integer node : placement.keySet()) {
            if (!hostNodes.contains(node)) {
                violations.add(new Violation(field, "node " + node + " is not a node of the host"));
                return;
            }
        }
    }

    private static String abbreviated(List<Integer> pids) {
        return pids.size() <= 10 ? pids.toString() : pids.subList(0, 10) + " and " + (pids.size() - 10) + " more";
    }
}
